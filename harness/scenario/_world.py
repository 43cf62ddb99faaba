"""The simulated world of one run: servers, the device, the system scheduler, the apps.

:class:`World` builds them from a scenario (the device from its profile and overrides, one
``JobSchedulerService`` on it, an app runtime whose WorkManagers schedule through it, the
servers of the ``backend`` section), joins them with :class:`DeviceBinding`, and carries out
timeline actions on them: each action (``harness.scenario._actions``) carries out its own effect
on the world.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError, ScenarioError
from harness.app import AppStorage
from harness.backends import Backend
from harness.device import Device, load_profile
from harness.phone import DeviceBinding, bind_phone
from harness.platform import DeviceView, JobSchedulerService
from harness.scenario._actions import Action
from harness.scenario._loader import Scenario, ScheduledAction
from harness.scenario._servers import build_servers
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.ios import IOSSystem
    from harness.phone import IOSBinding

#: Timeline actions fire before anything else due at the same millisecond.
ACTION_PRIORITY = -100


class World:
    """Servers, apps and (later) the device and system scheduler of one run."""

    def __init__(self, sim: Simulation, scenario: Scenario, vendor: str | None = None) -> None:
        """``vendor``: a vendor preset a drawn life chose, for a profile whose vendor is stock
        and not overridden (a vendor written in the profile or the overrides wins)."""
        self.sim = sim
        self.scenario = scenario
        spec = scenario.spec
        self.internet = build_servers(spec.backend, sim, scenario.path)
        overrides = dict(spec.device.overrides)
        if (
            vendor is not None
            and not any(key == "vendor" or key.startswith("vendor.") for key in overrides)
            and load_profile(spec.device.profile, overrides or None).vendor.preset == "stock"
        ):
            overrides["vendor"] = vendor
        self.device = Device(sim, spec.device.profile, overrides=overrides or None)
        versions = spec.versions.model_dump()
        #: ``android`` or ``ios``: the device profile's platform.
        self.platform = self.device.profile.platform
        self._binding: DeviceBinding | None = None
        #: The iPhone's binding (iOS and its app runtime) on an iOS profile, else ``None``.
        self.ios_binding: IOSBinding | None = None
        #: iOS (``harness.ios``) on an iOS profile, else ``None``.
        self.ios: IOSSystem | None = None
        if self.platform == "ios":
            from harness.phone import bind_ios_phone  # iOS is imported by iOS runs only

            self.ios_binding = bind_ios_phone(sim, self.device, self.internet, versions=versions)
            self.ios = self.ios_binding.ios
            self.runtime = self.ios_binding.runtime
            for app in scenario.apps:
                self.ios_binding.install(app)
        else:
            self._binding = bind_phone(sim, self.device, self.internet, versions=versions)
            self.runtime = self._binding.runtime
            for app in scenario.apps:
                self.runtime.install(app)
        self._notes: list[str] = []

    @property
    def binding(self) -> DeviceBinding:
        """The Android phone's binding (JobScheduler, WorkManager, processes)."""
        return self._android("the phone's JobScheduler binding", self._binding)

    @property
    def view(self) -> DeviceView:
        """JobScheduler's view of the Android device."""
        return self.binding.view

    @property
    def job_scheduler(self) -> JobSchedulerService:
        """The Android device's JobScheduler."""
        return self.binding.service

    def _android(self, what: str, binding: DeviceBinding | None) -> DeviceBinding:
        if binding is None:
            raise ScenarioError(
                f"{what} is Android's; this run's device {self.device.profile.name!r} runs iOS"
            )
        return binding

    def why_not_running(self, work_id: str, package: str | None = None) -> str:
        """Why the work ``work_id`` (of ``package``, or of the scenario's only app) is not
        running now: the "why not yet" every user asks, answered at the current virtual time."""
        chosen = self.package_named(package, f"why_not_running({work_id!r})")
        return self.binding.why_not_running(chosen, work_id)

    # --- reading state (checks, invariants) ----------------------------------------------------

    def storage(self, package: str | None = None) -> AppStorage:
        """The storage of ``package`` (or of the scenario's only app) as it is on the device now:
        preferences, hive boxes and sqlite databases (:class:`~harness.app.AppStorage`)."""
        chosen = self.package_named(package, "storage()")
        return AppStorage(chosen, self.runtime.data_area(chosen))

    def server(self, origin: str) -> Backend:
        """The fake server at ``origin`` (``"https://api.example.com"``): its resources (items,
        uploads) and its request log; a clear error naming the servers for an unknown one."""
        key = origin.rstrip("/").lower()
        for backend in self.internet.backends:
            if backend.origin.lower() == key:
                return backend
        known = ", ".join(backend.origin for backend in self.internet.backends) or "none"
        raise DefinitionError(
            f"no server at {origin!r}; the scenario's servers are: {known} (name one of them, "
            "e.g. run.server('https://api.example.com'))"
        )

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

    def note(self, text: str) -> None:
        """Tell the user something that is not a failure (once, however often it happens)."""
        if text not in self._notes:
            self._notes.append(text)

    def refuse(self, action: Action, reason: str, note: str) -> None:
        """``action`` did nothing, as on a phone, for ``reason``: traced, and ``note`` told once."""
        self.sim.record("scenario.action_refused", action=action.text, reason=reason)
        self.note(note)

    def execute(self, action: Action) -> None:
        """Carry out one timeline action now (each action class owns its effect)."""
        self.sim.record("scenario.action", action=action.text)
        action.apply(self)

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

    def notes(self, enqueue_warnings: Iterable[str] | None = None) -> list[str]:
        """Things the user should know that are not failures (clamped intervals, ...).

        ``enqueue_warnings`` are the warnings of the run's ``work.enqueued`` records when the
        caller folded them as they were written; without them the trace is read back."""
        notes = list(self._notes)
        if enqueue_warnings is None:
            enqueue_warnings = (
                str(warning)
                for record in self.sim.trace.of_kind("work.enqueued")
                for warning in record.get("warnings") or ()
            )
        for warning in enqueue_warnings:
            if warning not in notes:
                notes.append(warning)
        return notes
