"""``IOSSystem``: the iOS side of a simulated phone, on the shared device model.

The battery, charger, network and screen are :class:`harness.device.Device`'s; iOS adds its own
switches (Background App Refresh, globally and per app; Low Power Mode; the first unlock after a
reboot), its app life cycle (foreground, background, suspended, not running; the app switcher's
force-quit) and the background launches: ``BGTaskScheduler`` requests, the legacy background
fetch, silent pushes and ``beginBackgroundTask``. Apple's documented rules are exact; *when* the
system launches is the modelled ``LaunchPolicy`` (docs/ios.md).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from harness._exceptions import DefinitionError
from harness.device import BatteryState, Device, NetworkState, ScreenState
from harness.ios._app import AppDelegate, AppInfo, IOSApp, Launch
from harness.ios._background_time import BackgroundTime
from harness.ios._continued import ContinuedProcessing
from harness.ios._enums import AppState, BackgroundRefreshStatus, TaskKind
from harness.ios._launches import Activity
from harness.ios._planner import AppSlot, plan, prune, push_outcome
from harness.ios._policy import LaunchPolicy
from harness.ios._scheduler import BGTaskScheduler
from harness.ios._task import FetchCompletion, new_task
from harness.ios._transfers import BackgroundTransfers
from harness.ios._urlsession import URLSession, URLSessionConfiguration, URLSessionDelegate
from harness.ios._usage import UsagePredictor
from harness.sim import MS_PER_HOUR, Signal, Simulation

#: The identifier ``ios.*`` records use for silent pushes.
PUSH_IDENTIFIER = "remote-notification"


@dataclass(frozen=True, slots=True)
class AppStateChange:
    """An app's state changed (``reason``: why); a higher layer drops its app instance when the
    state becomes ``NOT_RUNNING``."""

    bundle_id: str
    state: AppState
    reason: str


class IOSSystem:
    """iOS on ``device``: switches, apps, ``BGTaskScheduler`` and the launches it decides."""

    def __init__(self, sim: Simulation, device: Device, policy: LaunchPolicy | None = None) -> None:
        self.sim = sim
        self.device = device
        self.policy = policy or LaunchPolicy()
        self._slots: dict[str, AppSlot] = {}
        self._bar_global = True
        self._low_power = False
        self._first_unlocked = True
        self._screen_off_since: int | None = None if device.screen.on else sim.now_ms
        self._alarm: asyncio.TimerHandle | None = None
        self._launching = False
        #: An app changed state (``AppStateChange``).
        self.app_state_changed: Signal[AppStateChange] = Signal("ios.app")
        #: How app code runs: ``app_runner(bundle_id, call)`` calls ``call()`` as the app (the
        #: phone layer runs it inside the app's process instance); by default, directly.
        self.app_runner: Callable[[str, Callable[[], None]], None] = lambda _bundle, call: call()
        #: An app's process is starting (``Launch``), emitted right after the app delegate's
        #: ``did_finish_launching`` (the process and its Info.plist are there) and while the app
        #: is still launching: plugins register their launch handlers here.
        self.app_launching: Signal[Launch] = Signal("ios.app_launching")
        #: Continued-processing tasks (iOS 26): running, queued, their Live Activities.
        self.continued = ContinuedProcessing(self)
        device.screen.changed.connect(self._on_screen)
        device.battery.changed.connect(self._on_battery)
        device.network.changed.connect(self._on_network)
        device.shutting_down.connect(lambda _s: self._on_shutdown())
        device.boot_completed.connect(lambda _b: self.reconsider())
        #: The system's background ``URLSession`` transfers (``nsurlsessiond``).
        self.transfers = BackgroundTransfers(self)

    # --- apps -------------------------------------------------------------------------------

    def install(
        self, bundle_id: str, info: AppInfo | None = None, delegate: AppDelegate | None = None
    ) -> IOSApp:
        """Install an app (not running; Background App Refresh on for it)."""
        if bundle_id in self._slots:
            raise DefinitionError(f"app {bundle_id!r} is already installed on this iPhone")
        app = IOSApp(bundle_id, info or AppInfo(), delegate or AppDelegate())
        epoch = self.sim.epoch
        offset = ((epoch.hour * 60 + epoch.minute) * 60 + epoch.second) * 1000
        self._slots[bundle_id] = AppSlot(
            app=app,
            scheduler=BGTaskScheduler(self, app),
            background_time=BackgroundTime(
                self.sim,
                self.policy,
                bundle_id,
                terminate=lambda reason: self.terminate(bundle_id, reason),
                on_idle=lambda: self._maybe_suspend(self._slots[bundle_id]),
            ),
            usage=UsagePredictor(
                self.policy, self.sim.random(f"ios.refresh {bundle_id}"), epoch_offset_ms=offset
            ),
        )
        return app

    def _slot(self, bundle_id: str) -> AppSlot:
        slot = self._slots.get(bundle_id)
        if slot is None:
            raise DefinitionError(
                f"app {bundle_id!r} is not installed on this iPhone; installed: "
                f"{sorted(self._slots)}"
            )
        return slot

    def app(self, bundle_id: str) -> IOSApp:
        """The installed app ``bundle_id``."""
        return self._slot(bundle_id).app

    def apps(self) -> tuple[IOSApp, ...]:
        """Every installed app, in install order."""
        return tuple(slot.app for slot in self._slots.values())

    def scheduler(self, bundle_id: str) -> BGTaskScheduler:
        """``BGTaskScheduler.shared`` as app ``bundle_id`` sees it."""
        return self._slot(bundle_id).scheduler

    def background_time(self, bundle_id: str) -> BackgroundTime:
        """The app's ``beginBackgroundTask``, ``endBackgroundTask``, ``backgroundTimeRemaining``."""
        return self._slot(bundle_id).background_time

    def url_session(
        self,
        bundle_id: str,
        configuration: URLSessionConfiguration,
        delegate: URLSessionDelegate | None = None,
    ) -> URLSession:
        """``URLSession(configuration:delegate:)`` for a background configuration, in the
        running app ``bundle_id`` (its tasks are the system's: :class:`BackgroundTransfers`)."""
        return self.transfers.session(bundle_id, configuration, delegate or URLSessionDelegate())

    def set_minimum_background_fetch_interval(
        self, bundle_id: str, interval_ms: int | None
    ) -> None:
        """``setMinimumBackgroundFetchInterval``: ``None`` is ``...IntervalNever``; ``0`` is
        ``...IntervalMinimum`` (as often as the system allows)."""
        self._slot(bundle_id).app.minimum_fetch_interval_ms = interval_ms
        self.reconsider()

    # --- switches ---------------------------------------------------------------------------

    @property
    def background_app_refresh(self) -> bool:
        """The global Background App Refresh switch (Settings > General)."""
        return self._bar_global

    @property
    def low_power_mode(self) -> bool:
        """Whether Low Power Mode is on (it switches Background App Refresh off)."""
        return self._low_power

    @property
    def first_unlocked(self) -> bool:
        """Whether the user has unlocked the phone since it booted (data protection)."""
        return self._first_unlocked

    @property
    def screen_off_since_ms(self) -> int | None:
        """When the screen went off, or ``None`` while it is on."""
        return self._screen_off_since

    def background_refresh_status(self, bundle_id: str) -> BackgroundRefreshStatus:
        """``UIApplication.backgroundRefreshStatus`` for the app: DENIED when the switch is off
        (globally or for the app) or in Low Power Mode (uiapplication/backgroundrefreshstatus)."""
        app = self._slot(bundle_id).app
        if self._low_power or not self._bar_global or not app.background_app_refresh:
            return BackgroundRefreshStatus.DENIED
        return BackgroundRefreshStatus.AVAILABLE

    def set_background_app_refresh(self, enabled: bool, bundle_id: str | None = None) -> None:
        """The user flips Background App Refresh, globally or (``bundle_id``) for one app."""
        if bundle_id is None:
            self._bar_global = enabled
        else:
            self._slot(bundle_id).app.background_app_refresh = enabled
        self.sim.record(
            "ios.setting",
            setting="background_app_refresh",
            value=enabled,
            reason="user",
            **({} if bundle_id is None else {"bundle_id": bundle_id}),
        )
        self.reconsider()

    def set_low_power_mode(self, enabled: bool, reason: str = "user") -> None:
        """The user turns Low Power Mode on or off."""
        if enabled == self._low_power:
            return
        self._low_power = enabled
        self.sim.record("ios.setting", setting="low_power_mode", value=enabled, reason=reason)
        self.reconsider()

    # --- the user ---------------------------------------------------------------------------

    def pick_up_phone(self) -> None:
        """The user picks the phone up and unlocks it (this is also the first unlock)."""
        self.device.screen.unlock()

    def open_app(self, bundle_id: str) -> None:
        """The user opens the app: foreground (launching it if needed), force-quit forgotten,
        the open recorded for the usage prediction."""
        slot = self._slot(bundle_id)
        self.pick_up_phone()
        app = slot.app
        app.force_quit = False
        slot.usage.record_open(self.sim.now_ms)
        slot.background_time.enter_foreground()
        if app.state is AppState.NOT_RUNNING:
            self._start_process(slot, None)
        self._set_state(slot, AppState.FOREGROUND, "user opened the app")
        self.reconsider()

    def leave_app(self, bundle_id: str) -> None:
        """The user goes to the home screen: the app is in the background, then suspended."""
        slot = self._slot(bundle_id)
        if slot.app.state is not AppState.FOREGROUND:
            return
        self._set_state(slot, AppState.BACKGROUND, "user left the app")
        slot.background_time.enter_background()
        self._maybe_suspend(slot)
        self.reconsider()

    def swipe_away(self, bundle_id: str) -> None:
        """The user swipes the app away in the app switcher: killed, its background
        ``URLSession`` transfers cancelled, and no background launches until the user opens it
        again (developer.apple.com/forums/thread/119758; URLSessionConfiguration.background(
        withIdentifier:))."""
        slot = self._slot(bundle_id)
        self.terminate(bundle_id, "force-quit in the app switcher")
        slot.app.force_quit = True
        self.transfers.force_quit(bundle_id)
        self.reconsider()

    def terminate(self, bundle_id: str, reason: str) -> None:
        """The system kills the app's process (its tasks end with it)."""
        slot = self._slot(bundle_id)
        app = slot.app
        if app.state is AppState.NOT_RUNNING:
            return
        self.sim.record("ios.terminated", bundle_id=bundle_id, reason=reason)
        for activity in app.activities:
            activity.kill()
        app.activities.clear()
        app.handlers.clear()
        app.launching = False
        slot.background_time.drop()
        self._set_state(slot, AppState.NOT_RUNNING, reason)

    # --- silent pushes ----------------------------------------------------------------------

    def deliver_silent_push(self, bundle_id: str, payload: Mapping[str, Any] | None = None) -> str:
        """A background push (``content-available: 1``) reaches the phone; returns the outcome
        (``delivered``, ``throttled`` or why not), also recorded as ``ios.push``."""
        slot = self._slot(bundle_id)
        app = slot.app
        now = self.sim.now_ms
        handler = app.delegate.did_receive_remote_notification
        outcome = push_outcome(self, slot)
        self.sim.record("ios.push", bundle_id=bundle_id, outcome=outcome or "delivered")
        if outcome is not None or handler is None:
            return outcome or "delivered"
        if app.state is not AppState.FOREGROUND:
            slot.push_times = [t for t in slot.push_times if t > now - MS_PER_HOUR] + [now]
        activity = self._begin(slot, TaskKind.SILENT_PUSH, PUSH_IDENTIFIER, handler=True)
        self._call_app(slot, handler, dict(payload or {}), FetchCompletion(activity))
        return "delivered"

    # --- launches ---------------------------------------------------------------------------

    def reconsider(self) -> None:
        """Plan the next background launch again (after any change that may move it)."""
        if self._launching:
            return
        self.transfers.pump()
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
        due = [item[0] for item in self._plan()]
        if due:
            self._alarm = self.sim.call_at(min(due), self._on_alarm)

    def _plan(self) -> list[tuple[int, str, TaskKind, str]]:
        return plan(self, self._slots)

    def _on_alarm(self) -> None:
        self._alarm = None
        now = self.sim.now_ms
        self._launching = True
        try:
            for t, bundle_id, kind, identifier in self._plan():
                if t <= now:
                    self._launch(self._slots[bundle_id], kind, identifier)
        finally:
            self._launching = False
        self.reconsider()

    def _launch(self, slot: AppSlot, kind: TaskKind, identifier: str) -> None:
        app = slot.app
        now = self.sim.now_ms
        if kind is TaskKind.BACKGROUND_FETCH:
            slot.refresh_launches.append(now)
            app.last_fetch_ms = now
            activity = self._begin(slot, kind, identifier, handler=True)
            if app.delegate.perform_fetch is not None:
                self._call_app(slot, app.delegate.perform_fetch, FetchCompletion(activity))
            return
        if slot.scheduler.take(identifier) is None:
            return
        (
            slot.refresh_launches if kind is TaskKind.APP_REFRESH else slot.processing_launches
        ).append(now)
        prune(slot, now)
        activity = self._begin(slot, kind, identifier, handler=None)
        handler = app.handlers.get(identifier)
        if handler is None:
            # BackgroundTasks raises NSInternalInconsistencyException "No launch handler
            # registered for task with identifier ...": the app crashes
            self.terminate(app.bundle_id, f"no launch handler registered for {identifier!r}")
            return
        self._call_app(slot, handler, new_task(kind, identifier, activity))

    def begin_background_launch(self, bundle_id: str, kind: TaskKind, identifier: str) -> Activity:
        """Resume or launch the app in the background for ``kind`` (its process started if
        needed); the returned activity has the kind's budget. The caller checked the rules."""
        return self._begin(self._slot(bundle_id), kind, identifier, handler=True)

    def _begin(
        self, slot: AppSlot, kind: TaskKind, identifier: str, *, handler: bool | None
    ) -> Activity:
        app = slot.app
        cold = app.state is AppState.NOT_RUNNING
        if cold:
            self._start_process(slot, kind)
        if app.state is not AppState.FOREGROUND:
            self._set_state(slot, AppState.BACKGROUND, f"background launch: {kind.value}")
            slot.background_time.enter_background()
        registered = handler if handler is not None else identifier in app.handlers
        self.sim.record(
            "ios.launch",
            bundle_id=app.bundle_id,
            identifier=identifier,
            task_kind=kind.value,
            cold=cold,
            handler=registered,
        )
        activity = Activity(
            self.sim,
            bundle_id=app.bundle_id,
            identifier=identifier,
            kind=kind,
            policy=self.policy,
            on_end=lambda a: self._on_activity_end(slot, a),
            terminate=lambda reason: self._overrun(slot, reason),
        )
        app.activities.append(activity)
        return activity

    def _start_process(self, slot: AppSlot, reason: TaskKind | None) -> None:
        app = slot.app
        app.launch_count += 1
        app.launching = True
        launch = Launch(app.bundle_id, reason, self.sim.now_ms)
        try:
            if app.delegate.did_finish_launching is not None:
                self._call_app(slot, app.delegate.did_finish_launching, launch)
            self.app_launching.emit(launch)
        finally:
            app.launching = False

    def _call_app(self, slot: AppSlot, function: Callable[..., object], *args: Any) -> None:
        def call() -> None:
            result = function(*args)
            if inspect.iscoroutine(result):
                coroutine: Coroutine[Any, Any, object] = result
                self.sim.create_task(coroutine, name=f"{slot.app.bundle_id} background")

        self.app_runner(slot.app.bundle_id, call)

    def _on_activity_end(self, slot: AppSlot, activity: Activity) -> None:
        if activity in slot.app.activities:
            slot.app.activities.remove(activity)
        if activity.kind is TaskKind.CONTINUED_PROCESSING:
            self.continued.task_ended(activity)
        self._maybe_suspend(slot)

    def _overrun(self, slot: AppSlot, reason: str) -> None:
        if slot.app.state is AppState.FOREGROUND:
            # iOS ends an app that overruns its background time, never the one on screen
            for activity in list(slot.app.activities):
                if activity.overrun:
                    activity.complete(success=False, reason="time ran out in the foreground")
            return
        self.terminate(slot.app.bundle_id, reason)
        self.reconsider()

    def _maybe_suspend(self, slot: AppSlot) -> None:
        app = slot.app
        if (
            app.state is AppState.BACKGROUND
            and not app.activities
            and slot.background_time.outstanding == 0
        ):
            self._set_state(slot, AppState.SUSPENDED, "nothing left to run")

    def _set_state(self, slot: AppSlot, state: AppState, reason: str) -> None:
        if slot.app.state is state:
            return
        slot.app.state = state
        self.sim.record("ios.app", bundle_id=slot.app.bundle_id, state=state.value, reason=reason)
        self.app_state_changed.emit(AppStateChange(slot.app.bundle_id, state, reason))

    # --- the device -------------------------------------------------------------------------

    def _on_screen(self, state: ScreenState) -> None:
        now = self.sim.now_ms
        if state.on:
            self._screen_off_since = None
            for slot in self._slots.values():
                for activity in list(slot.app.activities):
                    if activity.kind is TaskKind.PROCESSING:
                        # BGProcessingTask: terminated "when the user starts using the device"
                        activity.expire(
                            "user picked up the phone", grace_ms=self.policy.expiration_warning_ms
                        )
        elif self._screen_off_since is None:
            self._screen_off_since = now
            for slot in self._slots.values():
                if slot.app.state is AppState.FOREGROUND:
                    # locking the phone sends the app on screen to the background
                    self._set_state(slot, AppState.BACKGROUND, "screen locked")
                    slot.background_time.enter_background()
                    self._maybe_suspend(slot)
        if not state.locked and not self._first_unlocked:
            self._first_unlocked = True
            self.sim.record("ios.setting", setting="first_unlocked", value=True, reason="user")
        self.reconsider()

    def _on_battery(self, state: BatteryState) -> None:
        if (
            self._low_power
            and state.powered
            and state.level >= self.policy.low_power_mode_off_level
        ):
            self.set_low_power_mode(False, reason=f"charged to {state.level} %")
        self.reconsider()

    def _on_network(self, _state: NetworkState) -> None:
        self.reconsider()

    def _on_shutdown(self) -> None:
        for bundle_id in self._slots:
            self.terminate(bundle_id, "shutdown")
        if self._first_unlocked:
            self._first_unlocked = False
            self.sim.record("ios.setting", setting="first_unlocked", value=False, reason="reboot")
        self.reconsider()
