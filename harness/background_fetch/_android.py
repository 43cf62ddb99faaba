"""The ``background_fetch`` plugin's Android side: JobScheduler or AlarmManager, headless events.

``transistor-background-fetch`` (``android/tsbackgroundfetch``): ``BackgroundFetch.java``
(configure, start, stop, scheduleTask, finish, onFetch/doFetch, onBoot), ``BGTask.java``
(schedule, cancel, the 60 s ``MAX_TIME`` timeout), ``FetchJobService.java`` (the <1 s and 5 s
filters, ``onStopJob``), ``FetchAlarmReceiver.java`` (the 64 s wake lock), ``BootReceiver.java``;
the Flutter module ``BackgroundFetchModule.java`` / ``HeadlessTask.java``.

* The fetch task is JobScheduler job **999**, a periodic job ``setPeriodic(i, i)`` (clamped by
  JobScheduler to 15 min); ``scheduleTask`` tasks use ``taskId.hashCode()`` and
  ``setMinimumLatency(delay)`` (or ``setPeriodic``). ``setPersisted(startOnBoot &&
  !stopOnTerminate)``. With ``forceAlarmManager``: ``setRepeating`` for periodic tasks, and for a
  one-shot ``setExactAndAllowWhileIdle`` (``setAndAllowWhileIdle`` on API 31+ without exact-alarm
  permission).
* ``onStartJob`` within 1000 ms of scheduling is ignored (JobScheduler's immediate first run of a
  periodic job), as is the same task id again within 5000 ms.
* An event is *headless* when the app's UI is not alive in the process (the process was started
  for the job, the alarm or the boot; ``LifecycleManager``). Then: ``stopOnTerminate`` cancels the
  task and no Dart code runs; a ``jobService`` (``enableHeadless``) runs the registered headless
  task in a new background isolate; otherwise the task is finished and stopped.
* 60 s after the event starts, an unfinished task times out: Dart's ``onTimeout`` (UI) or the
  headless task with ``timeout: true``. ``onStopJob`` sends the same timeout; the job then ends
  with ``jobFinished(false)`` (a periodic job gets its next window).
* ``finish`` ends the job (``jobFinished(false)``) or releases the alarm's wake lock; a one-shot
  task's config is deleted when its event is delivered.
* BOOT_COMPLETED: configs without ``startOnBoot`` or with ``stopOnTerminate`` are deleted; only
  AlarmManager tasks are scheduled again (persisted JobScheduler jobs survive the reboot on their
  own, the others are gone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from harness.background_fetch import _requests, _store
from harness.background_fetch._config import (
    ALARM_WAKELOCK_MS,
    DUPLICATE_WINDOW_MS,
    IGNORE_START_WITHIN_MS,
    MAX_TIME_MS,
    NativeConfig,
    dart_task_id,
)
from harness.background_fetch._requests import FETCH_ALARM_RECEIVER, FETCH_JOB_SERVICE
from harness.platform import (
    Alarm,
    AlarmManagerService,
    JobInfo,
    JobSchedulerService,
    JobStopReason,
    api_level,
)

if TYPE_CHECKING:
    import asyncio

    from harness.app import AppInstance, AppRuntime

_MEMORY_KEY: Final = "background_fetch.native"


@dataclass(eq=False)
class _Task:
    """``BGTask``: one delivered event until it finishes."""

    task_id: str
    job_id: int
    started_ms: int
    on_finish: Callable[[], None]
    timeout_handle: asyncio.TimerHandle | None = None
    timed_out: bool = False
    finished: bool = False


@dataclass(eq=False)
class ProcessState:
    """The native plugin's memory in one process (statics die with the process)."""

    configs: dict[str, NativeConfig] = field(default_factory=dict)
    tasks: dict[str, _Task] = field(default_factory=dict)
    #: ``FetchJobService.sExecutedJobs``: (task id, time) of the last 5 started jobs.
    executed: list[tuple[str, int]] = field(default_factory=list)
    #: The UI's Dart callbacks (``configure``): set only while the app's UI lives here.
    on_event: Callable[[str, bool], None] | None = None


class AndroidBackgroundFetch:
    """The plugin's native Android side for every app on one phone."""

    def __init__(
        self,
        runtime: AppRuntime,
        jobs: JobSchedulerService,
        alarms: AlarmManagerService,
        *,
        wakelock: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.sim = runtime.sim
        self.jobs = jobs
        self.alarms = alarms
        self._wakelock = wakelock
        #: Packages that use the plugin (its manifest entries: service, receivers).
        self.packages: set[str] = set()
        self._scheduled_at: dict[tuple[str, str], int] = {}
        self._early: dict[str, list[Alarm]] = {}
        #: ``runs a headless event``: set by the Dart side (:mod:`._plugin`).
        self.headless_runner: Callable[[AppInstance, str, bool], None] | None = None
        jobs.register_service(FETCH_JOB_SERVICE, self._job_service_for)
        alarms.register_receiver(FETCH_ALARM_RECEIVER, self._on_alarm)

    # --- state ------------------------------------------------------------------------------

    def process_instance(self, package: str) -> AppInstance | None:
        """The app's process instance (its UI isolate), if the process is up."""
        process = self.runtime.process(package)
        return None if process is None else process.instance

    def state(self, instance: AppInstance) -> ProcessState:
        """The native memory of ``instance``'s process."""
        state: ProcessState = instance.singleton(_MEMORY_KEY, ProcessState)
        return state

    def save(self, instance: AppInstance, config: NativeConfig) -> None:
        """``BackgroundFetchConfig.save``."""
        _store.save(instance, config)

    def destroy(self, instance: AppInstance, task_id: str) -> None:
        """``BackgroundFetchConfig.destroy`` (and out of this process's memory)."""
        _store.delete(instance, task_id)
        self.state(instance).configs.pop(task_id, None)

    def stored(self, instance: AppInstance) -> list[NativeConfig]:
        """The persisted configs, by task id."""
        return _store.load(instance)

    def config(self, instance: AppInstance, task_id: str) -> NativeConfig | None:
        """``getConfig`` (loading the persisted configs into memory first, as ``onFetch``)."""
        state = self.state(instance)
        if not state.configs:
            state.configs.update({c.task_id: c for c in self.stored(instance)})
        return state.configs.get(task_id)

    # --- scheduling (BGTask.schedule / cancel) ------------------------------------------------

    def schedule(self, instance: AppInstance, config: NativeConfig) -> None:
        """``registerTask``: save the config, then ``BGTask.schedule``."""
        package = instance.package
        if package not in self.packages:
            # the manifest's FetchJobService: bound in the running process from now on
            self.packages.add(package)
            if self.process_instance(package) is not None:
                self.jobs.process_up(package)
        self.state(instance).configs[config.task_id] = config
        self.save(instance, config)
        now = self.sim.now_ms
        self._scheduled_at[(package, config.task_id.lower())] = now
        if not config.force_alarm_manager:
            self.jobs.schedule(_requests.job_info(package, config, now))
            scheduler = "JobScheduler"
        else:
            api = api_level(self.jobs.device.platform_version)
            can_exact = self.alarms.can_schedule_exact_alarms(package)
            self.alarms.set(
                _requests.alarm(package, config, now, api=api, can_schedule_exact=can_exact)
            )
            scheduler = "AlarmManager"
        self.sim.record(
            "bgfetch.scheduled",
            package=package,
            task_id=config.task_id,
            job_id=config.job_id,
            scheduler=scheduler,
            interval_ms=config.interval_ms,
            periodic=config.is_periodic,
            stop_on_terminate=config.stop_on_terminate,
            start_on_boot=config.start_on_boot,
            headless=config.job_service is not None,
        )

    def cancel(self, package: str, config: NativeConfig) -> None:
        """``BGTask.cancel``: the job (job id non-zero) and the alarm."""
        self.jobs.cancel(package, config.job_id)
        self.alarms.cancel(package, config.task_id)

    def stop(self, instance: AppInstance, task_id: str | None, *, reason: str) -> None:
        """``BackgroundFetch.stop``: no id stops every task; an id stops that task."""
        state = self.state(instance)
        if task_id is None:
            configs = list(state.configs.values()) or self.stored(instance)
            for config in configs:
                self.finish(instance, config.task_id)
                self.cancel(instance.package, config)
                self.destroy(instance, config.task_id)
            state.tasks.clear()
        else:
            self.finish(instance, task_id)
            found = self.config(instance, task_id)
            if found is not None:
                self.destroy(instance, task_id)
                self.cancel(instance.package, found)
        self.sim.record(
            "bgfetch.stopped", package=instance.package, task_id=task_id or "*", reason=reason
        )

    # --- events -----------------------------------------------------------------------------

    def _job_service_for(self, package: str) -> _FetchJobService | None:
        if package not in self.packages:
            return None
        return _FetchJobService(self, package)

    def _on_alarm(self, alarm: Alarm) -> None:
        """``FetchAlarmReceiver.onReceive``: a 64 s wake lock, then the event."""
        instance = self.process_instance(alarm.package)
        if instance is None:
            # the process is starting for the broadcast; the receiver runs once it is up
            self._early.setdefault(alarm.package, []).append(alarm)
            return
        tag = f"TSBackgroundFetch:{alarm.tag}"
        if self._wakelock is not None:
            self._wakelock(tag, True)
            release = self.sim.call_later(ALARM_WAKELOCK_MS, self._wakelock, tag, False)
        else:
            release = None

        def on_finish() -> None:
            if release is not None and self._wakelock is not None:
                release.cancel()
                self._wakelock(tag, False)

        self.on_fetch(instance, alarm.tag, 0, on_finish)

    def process_started(self, package: str) -> None:
        """The process is up: alarm events that waited for its cold start are delivered."""
        for alarm in self._early.pop(package, []):
            self._on_alarm(alarm)

    def start_job(self, package: str, job: JobInfo) -> bool:
        """``FetchJobService.onStartJob``."""
        instance = self.process_instance(package)
        task_id = job.work_spec_id
        if instance is None:
            return False
        now = self.sim.now_ms
        scheduled_at = self._scheduled_at.get((package, task_id.lower()), -IGNORE_START_WITHIN_MS)
        if now - scheduled_at < IGNORE_START_WITHIN_MS:
            # "JobScheduler always immediately fires an initial event on Periodic jobs"
            self._ignored(package, task_id, "started < 1000 ms after it was scheduled")
            return False
        state = self.state(instance)
        if any(
            known.lower() == task_id.lower() and now - at < DUPLICATE_WINDOW_MS
            for known, at in state.executed
        ):
            self._ignored(package, task_id, "duplicate: the same task started < 5000 ms ago")
            return False
        state.executed = [*state.executed, (task_id, now)][-5:]

        def on_finish() -> None:
            self.jobs.job_finished(package, job.job_id, needs_reschedule=False)

        self.on_fetch(instance, task_id, job.job_id, on_finish)
        return True

    def stop_job(self, package: str, job: JobInfo, reason: JobStopReason) -> bool:
        """``FetchJobService.onStopJob``: the task times out, then ``jobFinished(false)``
        (its call reaches JobScheduler before ``onStopJob``'s ``true``: no back-off)."""
        instance = self.process_instance(package)
        if instance is not None:
            task = self.state(instance).tasks.get(job.work_spec_id.lower())
            if task is not None:
                self.sim.record(
                    "bgfetch.stop_job", package=package, task_id=task.task_id, reason=reason.name
                )
                self.on_timeout(instance, task)
        return False

    def _ignored(self, package: str, task_id: str, reason: str) -> None:
        self.sim.record("bgfetch.ignored", package=package, task_id=task_id, reason=reason)

    def on_fetch(
        self, instance: AppInstance, task_id: str, job_id: int, on_finish: Callable[[], None]
    ) -> None:
        """``BackgroundFetch.onFetch`` -> ``doFetch``: a new ``BGTask`` with its 60 s timeout."""
        state = self.state(instance)
        task = _Task(task_id, job_id, self.sim.now_ms, on_finish)
        state.tasks[task_id.lower()] = task
        task.timeout_handle = self.sim.call_later(MAX_TIME_MS, self.on_timeout, instance, task)
        config = self.config(instance, task_id)
        package = instance.package
        if config is None:
            self.sim.record(
                "bgfetch.ignored",
                package=package,
                task_id=task_id,
                reason="no config for the task (doFetch failed to find BackgroundFetchConfig)",
            )
            self.finish(instance, task_id)
            return
        headless = state.on_event is None
        if not headless:
            self._event(package, task_id, headless=False, timeout=False)
            assert state.on_event is not None
            state.on_event(dart_task_id(task_id), False)
        elif config.stop_on_terminate:
            self.stop(
                instance, task_id, reason="stopOnTerminate: event while the app is terminated"
            )
        elif config.job_service is not None:
            self._event(package, task_id, headless=True, timeout=False)
            if self.headless_runner is not None:
                self.headless_runner(instance, dart_task_id(task_id), False)
        else:
            self.finish(instance, task_id)
            self.stop(instance, task_id, reason="terminated without a headless task")
        if not config.is_periodic:
            self.destroy(instance, task_id)

    def _event(self, package: str, task_id: str, *, headless: bool, timeout: bool) -> None:
        self.sim.record(
            "bgfetch.event",
            platform="android",
            package=package,
            task_id=dart_task_id(task_id),
            headless=headless,
            timeout=timeout,
        )

    def on_timeout(self, instance: AppInstance, task: _Task) -> None:
        """``BGTask.onTimeout``: Dart's onTimeout in the UI, a headless event with ``timeout``,
        or ``finish``."""
        if task.finished or task.timed_out:
            return
        task.timed_out = True
        state = self.state(instance)
        package = instance.package
        if state.on_event is not None:
            self._event(package, task.task_id, headless=False, timeout=True)
            state.on_event(dart_task_id(task.task_id), True)
            return
        config = self.config(instance, task.task_id)
        if config is not None and config.job_service is not None:
            self._event(package, task.task_id, headless=True, timeout=True)
            if self.headless_runner is not None:
                self.headless_runner(instance, dart_task_id(task.task_id), True)
        else:
            self.finish(instance, task.task_id)

    def finish(self, instance: AppInstance, task_id: str) -> None:
        """``BGTask.finish``: cancel the timeout, end the job or release the wake lock."""
        task = self.state(instance).tasks.pop(task_id.lower(), None)
        if task is None or task.finished:
            return
        task.finished = True
        if task.timeout_handle is not None:
            task.timeout_handle.cancel()
        self.sim.record(
            "bgfetch.finished",
            platform="android",
            package=instance.package,
            task_id=dart_task_id(task_id),
            timed_out=task.timed_out,
            duration_ms=self.sim.now_ms - task.started_ms,
        )
        task.on_finish()

    # --- boot -------------------------------------------------------------------------------

    def on_boot(self, package: str) -> None:
        """``BootReceiver`` -> ``onBoot`` in the app's (just started) process."""
        instance = self.process_instance(package)
        if instance is None:
            return
        for config in self.stored(instance):
            if not config.start_on_boot or config.stop_on_terminate:
                self.destroy(instance, config.task_id)
                continue
            self.state(instance).configs[config.task_id] = config
            if config.force_alarm_manager:
                # only alarms are re-registered: persisted JobScheduler jobs survived
                self.schedule(instance, config)


class _FetchJobService:
    """``FetchJobService`` in one app's process (a ``JobClient``)."""

    def __init__(self, native: AndroidBackgroundFetch, package: str) -> None:
        self._native = native
        self._package = package

    def on_start_job(self, job: JobInfo) -> bool:
        return self._native.start_job(self._package, job)

    def on_stop_job(self, job: JobInfo, reason: JobStopReason) -> bool:
        return self._native.stop_job(self._package, job, reason)
