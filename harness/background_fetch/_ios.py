"""The ``background_fetch`` plugin's iOS side, over the iOS port's ``BGTaskScheduler``.

``transistor-background-fetch`` ``ios/TSBackgroundFetch``: ``TSBackgroundFetch.m``,
``TSBGTask.m``, ``TSBGAppRefreshSubscriber.m``; the Flutter ``BackgroundFetchPlugin.m``.

* The fetch is a ``BGAppRefreshTaskRequest`` ``com.transistorsoft.fetch`` with
  ``earliestBeginDate = now + minimumFetchInterval * 60 s`` (no clamp in code; iOS decides when).
  Each launch **first submits the next request**, then delivers the event to Dart.
* ``configure``/``start`` fail with the ``UIBackgroundRefreshStatus`` as the error code ("0"
  restricted, "1" denied) when Background App Refresh is not available.
* ``scheduleTask`` submits a ``BGProcessingTaskRequest`` with ``earliestBeginDate = now +
  floor(delay_ms / 1000) s``, ``requiresExternalPower`` from ``requiresCharging``; periodic tasks
  are submitted again when they run. Only identifiers containing ``com.transistorsoft`` get a
  launch handler (CHANGELOG 1.2.2: the plugin registers permitted ids with that prefix), so any
  other id never reaches Dart.
* Expiry sends ``onTimeout`` (no subscriber: the task completes unsuccessfully); ``finish``
  completes the task successfully. ``registerHeadlessTask`` does nothing on iOS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from harness.background_fetch._config import DART_FETCH_TASK_ID, FETCH_TASK_ID
from harness.flutter import (
    BackgroundRefreshStatus,
    BGTaskHandle,
    BGTaskKind,
    BGTaskRequest,
    BGTaskSchedulerError,
    IOSPort,
)

if TYPE_CHECKING:
    from harness.app import AppInstance

#: Identifiers the plugin registers a launch handler for must contain this.
PERMITTED_PREFIX: Final = "com.transistorsoft"
_MEMORY_KEY: Final = "background_fetch.ios"


@dataclass(eq=False)
class IOSState:
    """The native plugin's memory in one app launch."""

    interval_min: int = 15
    registered: set[str] = field(default_factory=set)
    periodic_tasks: dict[str, int] = field(default_factory=dict)
    running: dict[str, BGTaskHandle] = field(default_factory=dict)
    on_event: Callable[[str, bool], None] | None = None


class IOSBackgroundFetch:
    """The plugin's native iOS side for one app instance."""

    def __init__(self, port: IOSPort, instance: AppInstance) -> None:
        self.port = port
        self.instance = instance
        self.sim = instance.sim
        self.package = instance.package
        self.state: IOSState = instance.singleton(_MEMORY_KEY, IOSState)

    def status(self) -> BackgroundRefreshStatus:
        """``UIApplication.backgroundRefreshStatus``."""
        return self.port.background_refresh_status(self.package)

    def _register(self, identifier: str) -> None:
        if identifier in self.state.registered:
            return  # registering an id twice kills the app: the plugin does it once per launch
        if PERMITTED_PREFIX not in identifier:
            self.sim.record(
                "bgfetch.ignored",
                package=self.package,
                task_id=identifier,
                reason=f"no launch handler: only identifiers containing {PERMITTED_PREFIX!r} "
                "are registered",
            )
            return
        if self.port.register(self.package, identifier, self._launched):
            self.state.registered.add(identifier)

    def start(self, interval_min: int) -> None:
        """``TSBackgroundFetch start``: submit the refresh request."""
        self.state.interval_min = interval_min
        self._register(FETCH_TASK_ID)
        self._submit_refresh()

    def _submit_refresh(self) -> None:
        earliest = self.sim.now_ms + self.state.interval_min * 60_000
        request = BGTaskRequest(FETCH_TASK_ID, BGTaskKind.APP_REFRESH, earliest_begin_ms=earliest)
        self._submit(request)

    def _submit(self, request: BGTaskRequest) -> bool:
        try:
            self.port.submit(self.package, request)
        except BGTaskSchedulerError as error:
            self.sim.record(
                "bgfetch.ignored",
                package=self.package,
                task_id=request.identifier,
                reason=f"submit failed: {error}",
            )
            return False
        self.sim.record(
            "bgfetch.scheduled",
            package=self.package,
            task_id=request.identifier,
            job_id=0,
            scheduler=f"BGTaskScheduler ({request.kind.value})",
            interval_ms=(request.earliest_begin_ms or self.sim.now_ms) - self.sim.now_ms,
            periodic=request.kind is BGTaskKind.APP_REFRESH
            or request.identifier in self.state.periodic_tasks,
            stop_on_terminate=False,
            start_on_boot=False,
            headless=False,
        )
        return True

    def schedule_task(
        self, task_id: str, delay_ms: int, *, periodic: bool, network: bool, power: bool
    ) -> bool:
        """``scheduleProcessingTaskWithIdentifier``: seconds are whole (5500 ms -> 5 s)."""
        if periodic:
            self.state.periodic_tasks[task_id] = delay_ms
        self._register(task_id)
        earliest = self.sim.now_ms + (delay_ms // 1000) * 1000
        request = BGTaskRequest(
            task_id,
            BGTaskKind.PROCESSING,
            earliest_begin_ms=earliest,
            requires_network_connectivity=network,
            requires_external_power=power,
        )
        return self._submit(request)

    def stop(self, task_id: str | None) -> None:
        """``stop``: cancel one request, or every one."""
        if task_id is None:
            self.port.cancel_all(self.package)
            self.state.periodic_tasks.clear()
        else:
            identifier = FETCH_TASK_ID if task_id == DART_FETCH_TASK_ID else task_id
            self.port.cancel(self.package, identifier)
            self.state.periodic_tasks.pop(identifier, None)
        self.sim.record(
            "bgfetch.stopped", package=self.package, task_id=task_id or "*", reason="stop()"
        )

    def _launched(self, task: BGTaskHandle) -> None:
        """A launch: resubmit first (refresh, or a periodic processing task), then Dart."""
        identifier = task.identifier
        if identifier == FETCH_TASK_ID:
            self._submit_refresh()
        elif identifier in self.state.periodic_tasks:
            self.schedule_task(
                identifier,
                self.state.periodic_tasks[identifier],
                periodic=True,
                network=False,
                power=False,
            )
        dart_id = DART_FETCH_TASK_ID if identifier == FETCH_TASK_ID else identifier
        self.state.running[dart_id] = task
        task.expiration_handler = lambda: self._expired(dart_id)
        on_event = self.state.on_event
        self.sim.record(
            "bgfetch.event", package=self.package, task_id=dart_id, headless=False, timeout=False
        )
        if on_event is None:
            self.finish(dart_id, success=False)
            return
        on_event(dart_id, False)

    def _expired(self, dart_id: str) -> None:
        self.sim.record(
            "bgfetch.event", package=self.package, task_id=dart_id, headless=False, timeout=True
        )
        if self.state.on_event is None:
            self.finish(dart_id, success=False)
        else:
            self.state.on_event(dart_id, True)

    def finish(self, dart_id: str, *, success: bool = True) -> None:
        """``finish``: ``setTaskCompleted(success: YES)``."""
        task = self.state.running.pop(dart_id, None)
        if task is None:
            return
        self.sim.record(
            "bgfetch.finished",
            package=self.package,
            task_id=dart_id,
            timed_out=not success,
            duration_ms=0,
        )
        task.set_task_completed(success)
