"""The simulated world of one run: servers, the device, the system scheduler, the apps.

:class:`World` builds them from a scenario (the device from its profile and overrides, one
``JobSchedulerService`` on it, an app runtime whose WorkManagers schedule through it, the
servers of the ``backend`` section), joins them with :class:`DeviceBinding`, and carries out
timeline actions on them.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from harness._exceptions import ScenarioError
from harness.app._context import run_as
from harness.backends import Backend
from harness.backends._faults import DEFAULT_OUTAGE_DELAY_MS
from harness.device import Device, ProcessStarted, Shutdown, Transport
from harness.scenario._actions import Action
from harness.scenario._binding import bind_phone
from harness.scenario._loader import Scenario, ScheduledAction
from harness.scenario._servers import build_servers, resource_at
from harness.sim import Simulation

#: Timeline actions fire before anything else due at the same millisecond.
ACTION_PRIORITY = -100


class World:
    """Servers, apps and (later) the device and system scheduler of one run."""

    def __init__(self, sim: Simulation, scenario: Scenario) -> None:
        self.sim = sim
        self.scenario = scenario
        spec = scenario.spec
        self.internet = build_servers(spec.backend, sim, scenario.path)
        self.device = Device(sim, spec.device.profile, overrides=spec.device.overrides or None)
        self.binding = bind_phone(sim, self.device, self.internet)
        self.view = self.binding.view
        self.job_scheduler = self.binding.service
        self.runtime = self.binding.runtime
        for app in scenario.apps:
            self.runtime.install(app)
        self._notes: list[str] = []

    def why_not_running(self, work_id: str, package: str | None = None) -> str:
        """Why the work ``work_id`` (of ``package``, or of the scenario's only app) is not
        running now: the "why not yet" every user asks, answered at the current virtual time."""
        chosen = self.package_named(package, f"why_not_running({work_id!r})")
        return self.binding.why_not_running(chosen, work_id)

    # --- timeline -------------------------------------------------------------------------

    def schedule(self, schedule: Iterable[ScheduledAction]) -> None:
        """Put every timeline action on the clock."""
        for item in schedule:
            self.sim.call_at(item.t_ms, self.execute, item.action, priority=ACTION_PRIORITY)

    def package_named(self, package: str | None, what: str) -> str:
        """``package``, or the scenario's only app when none is named; else a clear error."""
        if package is not None:
            return package
        packages = self.runtime.packages
        if len(packages) != 1:
            raise ScenarioError(
                f"{what} needs a package name: the scenario has "
                f"{len(packages)} apps ({', '.join(packages)})"
            )
        return packages[0]

    def _package(self, action: Action) -> str:
        return self.package_named(action.package, f"action {action.text!r}")

    def app_action(self, package: str, action: Action) -> Callable[..., Any]:
        """The function ``ACTIONS[name]`` of ``package``'s app module that a timeline
        ``app NAME ARGS`` calls; a clear error naming the actions the module has."""
        app = next(app for app in self.scenario.apps if app.package == package)
        actions = getattr(app.load(), "ACTIONS", {})
        function = actions.get(action.name) if isinstance(actions, dict) else None
        if function is None:
            known = ", ".join(sorted(actions)) if isinstance(actions, dict) and actions else "none"
            raise ScenarioError(
                f"action {action.text!r}: app module {app.module} has no ACTIONS[{action.name!r}] "
                f"(its actions: {known}); define ACTIONS = {{'{action.name}': function}} in it"
            )
        return function  # type: ignore[no-any-return]

    def execute(self, action: Action) -> None:
        """Carry out one timeline action now."""
        self.sim.record("scenario.action", action=action.text)
        handler = getattr(self, f"_do_{action.kind}")
        handler(action)

    def _do_open_app(self, action: Action) -> None:
        self.device.apps.launch(self._package(action))

    def _do_leave_app(self, action: Action) -> None:
        self.device.apps.leave(self._package(action))

    def _do_swipe_away(self, action: Action) -> None:
        self.device.apps.swipe_away(self._package(action))

    def _do_kill_app(self, action: Action) -> None:
        package = self._package(action)
        if self.device.apps.is_running(package) and (
            self.device.apps.low_memory_kill(package) is None
        ):
            # the low-memory killer never takes the foreground (TOP) app
            reason = f"{package} is on screen; the low-memory killer spares the foreground app"
            self.sim.record("scenario.action_refused", action=action.text, reason=reason)
            note = f"'{action.text}' did nothing while the app was on screen: 'leave app' first"
            if note not in self._notes:
                self._notes.append(note)

    def _do_force_stop(self, action: Action) -> None:
        self.device.apps.force_stop(self._package(action))

    def _do_clear_data(self, action: Action) -> None:
        self.device.apps.clear_data(self._package(action))

    def _do_reboot(self, action: Action) -> None:
        self.device.reboot()

    def _do_shell(self, action: Action) -> None:
        assert action.command is not None
        output = self.device.shell(action.command)
        if output:
            self.sim.record("scenario.shell_output", command=action.command, output=output[:2000])

    def _do_app(self, action: Action) -> None:
        package = self._package(action)
        if self.runtime.process(package) is not None:
            self._perform_app_action(package, action)
            return
        if not self.device.is_on:
            self._refuse(action, f"the phone is {self.device.state.value}: nobody can use the app")
            return
        # The user acts in the app, so they open it first: the process starts as any launch does
        # (on the device, which kills, force-stops and reboots end later), and the action runs in
        # it once it is up. Starting only an app instance left one no device process backed.
        disconnects: list[Callable[[], None]] = []

        def started(process: ProcessStarted) -> None:
            if process.package == package:
                for disconnect in disconnects:
                    disconnect()
                self._perform_app_action(package, action)

        def shut_down(_shutdown: Shutdown) -> None:
            for disconnect in disconnects:
                disconnect()
            self._refuse(action, "the phone shut down before the app had started")

        disconnects.append(self.device.apps.process_started.connect(started))
        disconnects.append(self.device.shutting_down.connect(shut_down))
        self.device.apps.launch(package)

    def _refuse(self, action: Action, reason: str) -> None:
        self.sim.record("scenario.action_refused", action=action.text, reason=reason)
        note = f"'{action.text}' did nothing: {reason}"
        if note not in self._notes:
            self._notes.append(note)

    def _perform_app_action(self, package: str, action: Action) -> None:
        process = self.runtime.process(package)
        assert process is not None
        function = self.app_action(package, action)

        async def perform() -> None:
            try:
                outcome: Any = function(*action.args)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
            except Exception as error:  # app code crashed: recorded, the run goes on
                self.sim.record(
                    "app.crash",
                    package=package,
                    where=f"action {action.name}",
                    error=f"{type(error).__name__}: {error}",
                    traceback="".join(traceback.format_exception(error)),
                )
                return
            created = (
                outcome
                if isinstance(outcome, list | tuple)
                else ([] if outcome is None else [outcome])
            )
            self.sim.record(
                "app.action",
                package=package,
                name=action.name,
                args=list(action.args),
                created_ids=[str(item) for item in created],
            )

        run_as(process.instance, lambda: self.sim.loop.create_task(perform()))

    def _do_plug(self, action: Action) -> None:
        self.device.battery.plug(action.name or "ac")

    def _do_unplug(self, action: Action) -> None:
        self.device.battery.unplug()

    def _do_use_phone(self, action: Action) -> None:
        self.device.screen.use_for(action.count)

    def _do_wifi_range(self, action: Action) -> None:
        self.device.network.set_in_range(Transport.WIFI, action.name == "in")

    def _do_storage_free(self, action: Action) -> None:
        storage = self.device.storage
        if action.name == "percent":
            storage.set_free(storage.total_bytes * action.count // 100)
        else:
            storage.set_free(min(action.count, storage.total_bytes))

    def _do_server_add(self, action: Action) -> None:
        assert action.url is not None
        resource = resource_at(self.internet, action.url)
        ids = [resource.add().id for _ in range(action.count)]
        self.sim.record("backend.items_added", path=resource.path, count=action.count, ids=ids)

    def _do_server_update(self, action: Action) -> None:
        assert action.url is not None
        resource = resource_at(self.internet, action.url)
        ids = [item.id for item in resource.items()[: action.count]]
        for item_id in ids:
            resource.update(item_id)
        self.sim.record("backend.items_updated", path=resource.path, count=len(ids), ids=ids)

    def _servers(self, action: Action) -> list[Backend]:
        if action.url is not None:
            return [self.internet.backend(action.url)]
        if not self.internet.backends:
            raise ScenarioError(f"action {action.text!r}: the scenario has no servers")
        return self.internet.backends

    def _do_server_outage(self, action: Action) -> None:
        for backend in self._servers(action):
            delay = int(action.args[0]) if action.args else DEFAULT_OUTAGE_DELAY_MS
            backend.outage(self.sim.now_ms, action.count, action.name or "error", delay=delay)
        self.sim.record(
            "backend.outage", action=action.text, until_ms=self.sim.now_ms + action.count
        )

    def _do_server_rate_limit(self, action: Action) -> None:
        limit, window = int(action.args[0]), int(action.args[1])
        for backend in self._servers(action):
            backend.rate_limit(limit, window=window, start=self.sim.now_ms, duration=action.count)
        self.sim.record(
            "backend.rate_limit", action=action.text, until_ms=self.sim.now_ms + action.count
        )

    def _do_server_expire_tokens(self, action: Action) -> None:
        assert action.url is not None
        backend = self.internet.backend(action.url)
        auth = backend.auth
        if auth is None:
            raise ScenarioError(f"action {action.text!r}: {backend.origin} has no token auth")
        auth.expire_all()
        self.sim.record("backend.tokens_expired", origin=backend.origin)

    # --- results --------------------------------------------------------------------------

    def metrics(self) -> dict[str, float]:
        """Battery metrics from the device's power accounting (mAh)."""
        used = self.device.power.used_by_reason_uah()
        work = sum(
            value
            for reason, value in used.items()
            if reason.startswith(("*job*", "network:", "wakeup:job"))
        )
        return {
            "battery_mah_used": round(sum(used.values()) / 1000, 3),
            "battery_mah_used_by_work": round(work / 1000, 3),
            "battery_level_end": self.device.battery.level,
            "reboots": max(self.device.boot_count - 1, 0),
        }

    def notes(self) -> list[str]:
        """Things the user should know that are not failures (clamped intervals, ...)."""
        notes = list(self._notes)
        for record in self.sim.trace.of_kind("work.enqueued"):
            for warning in record.get("warnings") or ():
                if warning not in notes:
                    notes.append(str(warning))
        return notes
