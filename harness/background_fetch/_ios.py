"""The ``background_fetch`` plugin's iOS side, over ``harness.ios``'s ``BGTaskScheduler``.

``transistor-background-fetch`` ``ios/TSBackgroundFetch``: ``TSBackgroundFetch.m``,
``TSBGTask.m``, ``TSBGAppRefreshSubscriber.m``; the Flutter ``BackgroundFetchPlugin.m``.

* As the app launches (every process start), the plugin registers a launch handler for each
  identifier in ``BGTaskSchedulerPermittedIdentifiers`` that contains ``com.transistorsoft``
  (CHANGELOG 1.2.2): ``com.transistorsoft.fetch`` for the fetch and those of ``scheduleTask``.
  Any other identifier gets no handler (iOS ends the app if it launches one).
* The fetch is a ``BGAppRefreshTaskRequest`` ``com.transistorsoft.fetch`` with
  ``earliestBeginDate = now + minimumFetchInterval * 60 s`` (no clamp in code; iOS decides when).
  Each launch **first submits the next request**, then delivers the event to Dart.
* ``configure``/``start`` fail with the ``UIBackgroundRefreshStatus`` as the error code ("0"
  restricted, "1" denied) when Background App Refresh is not available.
* ``scheduleTask`` submits a ``BGProcessingTaskRequest`` with ``earliestBeginDate = now +
  floor(delay_ms / 1000) s``, ``requiresExternalPower`` from ``requiresCharging``; periodic tasks
  are submitted again when they run.
* Expiry sends ``onTimeout`` to Dart (no subscriber: the task completes unsuccessfully);
  ``finish`` completes the task successfully. ``registerHeadlessTask`` does nothing on iOS.
* A launch that finds no Dart subscriber in the process waits for Dart's ``configure`` (a
  Flutter app's ``main()``) and is delivered then, unless it expires first.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from harness.app import AppInstance, current_app
from harness.background_fetch._config import DART_FETCH_TASK_ID, FETCH_TASK_ID
from harness.ios import (
    BackgroundRefreshStatus,
    BGAppRefreshTaskRequest,
    BGProcessingTaskRequest,
    BGTask,
    BGTaskRequest,
    BGTaskSchedulerError,
    IOSSystem,
    Launch,
)

#: Identifiers the plugin registers a launch handler for must contain this.
PERMITTED_PREFIX: Final = "com.transistorsoft"
_MEMORY_KEY: Final = "background_fetch.ios"
_ATTACHED: weakref.WeakSet[IOSSystem] = weakref.WeakSet()


@dataclass(eq=False)
class IOSState:
    """The native plugin's memory in one process."""

    interval_min: int = 15
    periodic_tasks: dict[str, int] = field(default_factory=dict)
    running: dict[str, BGTask] = field(default_factory=dict)
    #: Launches that came before Dart subscribed (delivered by ``configure``).
    waiting: list[str] = field(default_factory=list)
    on_event: Callable[[str, bool], None] | None = None


def attach_ios(ios: IOSSystem) -> None:
    """Install the plugin's launch-time registration on ``ios`` (``bind_ios_phone`` does this)."""
    if ios in _ATTACHED:
        return
    _ATTACHED.add(ios)
    ios.app_launching.connect(lambda launch: _on_launching(ios, launch))


def _on_launching(ios: IOSSystem, launch: Launch) -> None:
    """``TSBackgroundFetch didFinishLaunching``: register the permitted transistorsoft ids."""
    app = ios.app(launch.bundle_id)
    identifiers = [i for i in app.info.permitted_identifiers if PERMITTED_PREFIX in i]
    scheduler = ios.scheduler(launch.bundle_id)
    for identifier in identifiers:
        scheduler.register(identifier, _launch_handler)


def _launch_handler(task: BGTask) -> None:
    """A launch of a registered identifier, in the app's process."""
    IOSBackgroundFetch(current_app()).launched(task)


def dart_id(identifier: str) -> str:
    """The task id Dart sees (the fetch is ``flutter_background_fetch``)."""
    return DART_FETCH_TASK_ID if identifier == FETCH_TASK_ID else identifier


class IOSBackgroundFetch:
    """The plugin's native iOS side for the app of ``instance``."""

    def __init__(self, instance: AppInstance) -> None:
        ios = instance.ios
        if ios is None:
            raise RuntimeError(f"{instance.package} does not run on iOS")
        self.ios = ios
        self.instance = instance
        self.sim = instance.sim
        self.package = instance.package
        self.state: IOSState = instance.singleton(_MEMORY_KEY, IOSState)

    def status(self) -> BackgroundRefreshStatus:
        """``UIApplication.backgroundRefreshStatus``."""
        return self.ios.background_refresh_status(self.package)

    def subscribe(self, on_event: Callable[[str, bool], None]) -> None:
        """Dart's ``configure`` callbacks; launches that waited for them are delivered now."""
        self.state.on_event = on_event
        waiting, self.state.waiting = self.state.waiting, []
        for task_id in waiting:
            if task_id in self.state.running:
                on_event(task_id, False)

    def start(self, interval_min: int) -> None:
        """``TSBackgroundFetch start``: submit the refresh request."""
        self.state.interval_min = interval_min
        self._submit_refresh()

    def _submit_refresh(self) -> None:
        earliest = self.sim.now_ms + self.state.interval_min * 60_000
        self._submit(BGAppRefreshTaskRequest(FETCH_TASK_ID, earliest_begin_ms=earliest))

    def _submit(self, request: BGTaskRequest) -> bool:
        try:
            self.ios.scheduler(self.package).submit(request)
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
            periodic=isinstance(request, BGAppRefreshTaskRequest)
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
        if PERMITTED_PREFIX not in task_id:
            self.sim.record(
                "bgfetch.ignored",
                package=self.package,
                task_id=task_id,
                reason=f"no launch handler: only identifiers containing {PERMITTED_PREFIX!r} "
                "are registered",
            )
        request = BGProcessingTaskRequest(
            task_id,
            earliest_begin_ms=self.sim.now_ms + (delay_ms // 1000) * 1000,
            requires_network_connectivity=network,
            requires_external_power=power,
        )
        return self._submit(request)

    def stop(self, task_id: str | None) -> None:
        """``stop``: cancel one request, or every one."""
        scheduler = self.ios.scheduler(self.package)
        if task_id is None:
            scheduler.cancel_all()
            self.state.periodic_tasks.clear()
        else:
            identifier = FETCH_TASK_ID if task_id == DART_FETCH_TASK_ID else task_id
            scheduler.cancel(identifier)
            self.state.periodic_tasks.pop(identifier, None)
        self.sim.record(
            "bgfetch.stopped", package=self.package, task_id=task_id or "*", reason="stop()"
        )

    def launched(self, task: BGTask) -> None:
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
        task_id = dart_id(identifier)
        self.state.running[task_id] = task
        task.expiration_handler = lambda: self._expired(task_id)
        self._record_event(task_id, timeout=False)
        on_event = self.state.on_event
        if on_event is None:
            self.state.waiting.append(task_id)
            return
        on_event(task_id, False)

    def _record_event(self, task_id: str, *, timeout: bool) -> None:
        """An event for Dart (on iOS never headless): a launch, or its expiry (``timeout``)."""
        self.sim.record(
            "bgfetch.event",
            platform="ios",
            package=self.package,
            task_id=task_id,
            headless=False,
            timeout=timeout,
        )

    def _expired(self, task_id: str) -> None:
        self._record_event(task_id, timeout=True)
        if self.state.on_event is None:
            self.finish(task_id, success=False)
        else:
            self.state.on_event(task_id, True)

    def finish(self, task_id: str, *, success: bool = True) -> None:
        """``finish``: ``setTaskCompleted(success: YES)``."""
        task = self.state.running.pop(task_id, None)
        if task is None or task.completed:
            return
        self.sim.record(
            "bgfetch.finished",
            platform="ios",
            package=self.package,
            task_id=task_id,
            timed_out=not success,
            duration_ms=0,
        )
        task.set_task_completed(success=success)
