"""WorkManager's side of JobScheduler: ``SystemJobScheduler`` and ``SystemJobService``.

androidx ``impl/background/systemjob/``: each ENQUEUED work spec WorkManager hands over becomes one
JobScheduler job (``SystemJobInfoConverter``) under a job id kept per work spec
(``SystemIdInfo``); when JobScheduler starts the job, ``SystemJobService.onStartJob`` starts the
work in the process's ``Processor``; ``onStopJob`` stops it with JobScheduler's stop reason and
asks to be rescheduled unless the work was cancelled; when the run ends, ``onExecuted`` calls
``jobFinished``. If JobScheduler refuses an expedited job (no quota), ``RUN_AS_NON_EXPEDITED``
schedules it as a regular job and ``DROP_WORK_REQUEST`` drops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from harness.platform import (
    JobInfo,
    JobNetworkType,
    JobSchedulerService,
    JobStopReason,
    NetCapability,
    NetTransport,
    TriggerContentUri,
    api_level,
)
from harness.workmanager._configuration import INTEGER_MAX_VALUE
from harness.workmanager._enums import BackoffPolicy, NetworkType, OutOfQuotaPolicy, StopReason
from harness.workmanager._fgs_timeout import DataSyncTimeLimit
from harness.workmanager._foreground import (
    ForegroundInfo,
    ForegroundServiceStartNotAllowedException,
    check_start_foreground,
)
from harness.workmanager._manager import WorkManager
from harness.workmanager._processor import Executed
from harness.workmanager._scheduler import SchedulerFactory
from harness.workmanager._spec import WorkSpec
from harness.workmanager._worker import RuntimeExtras

#: The ``JobService`` component WorkManager's jobs name (``SystemJobInfoConverter``).
SYSTEM_JOB_SERVICE: Final = "androidx.work.impl.background.systemjob.SystemJobService"
#: WorkManager's foreground service (``impl/foreground/SystemForegroundService``).
SYSTEM_FOREGROUND_SERVICE: Final = "androidx.work.impl.foreground.SystemForegroundService"
#: ``Build.VERSION_CODES.S``: expedited jobs exist from API 31.
EXPEDITED_MIN_API: Final = 31


def convert_network_type(network_type: NetworkType, api: int) -> JobNetworkType:
    """``SystemJobInfoConverter.convertNetworkType``: WorkManager's network type in
    ``JobInfo.NETWORK_TYPE_*`` words (METERED is ``NETWORK_TYPE_METERED``, the alias of
    ``NETWORK_TYPE_CELLULAR``); a type the API level lacks becomes NETWORK_TYPE_ANY."""
    if network_type is NetworkType.NOT_REQUIRED:
        return JobNetworkType.NETWORK_TYPE_NONE
    if network_type is NetworkType.UNMETERED:
        return JobNetworkType.NETWORK_TYPE_UNMETERED
    if network_type is NetworkType.NOT_ROAMING and api >= 24:
        return JobNetworkType.NETWORK_TYPE_NOT_ROAMING
    if network_type is NetworkType.METERED and api >= 26:
        return JobNetworkType.NETWORK_TYPE_CELLULAR
    return JobNetworkType.NETWORK_TYPE_ANY


def to_job_info(
    spec: WorkSpec,
    *,
    job_id: int,
    package: str,
    now_ms: int,
    api: int,
    mark_important_while_foreground: bool = False,
) -> JobInfo:
    """``SystemJobInfoConverter.convert``: one non-persisted, one-shot job per run (periodic
    work too), earliest start ``max(next run time - now, 0)`` later, no deadline, the work's
    constraints, expedited only for a first undelayed run of expedited work on API 31+.

    ``setRequiredNetwork``: a ``required_network_request`` on API 28+ is handed over as it is
    (``setRequiredNetworkRequest``; the job's network type is ``JobInfo.getNetworkType`` of it);
    TEMPORARILY_UNMETERED on API 30+ is a request for ``NET_CAPABILITY_TEMPORARILY_NOT_METERED``
    (network type ANY); everything else a network type (:func:`convert_network_type`).
    Content-URI triggers become ``addTriggerContentUri`` with the trigger delays. On API 29+ a
    job with no delay whose work is not expedited is ``setImportantWhileForeground(true)`` when
    ``mark_important_while_foreground`` (``Configuration.isMarkingJobsAsImportantWhileForeground``,
    2.11 on; ``SystemJobInfoConverter.convert`` @a9b06aaf)."""
    next_run = spec.calculate_next_run_time()
    offset = max(next_run - now_ms, 0)
    constraints = spec.constraints
    expedited = (
        api >= EXPEDITED_MIN_API and spec.expedited and spec.run_attempt_count == 0 and offset == 0
    )
    required = constraints.required_network_type
    network_type = convert_network_type(required, api)
    capabilities: frozenset[NetCapability] = frozenset()
    transports: frozenset[NetTransport] = frozenset()
    request = constraints.required_network_request
    if api >= 28 and request is not None:  # setRequiredNetworkRequest -> setRequiredNetwork
        network_type = request.job_network_type
        capabilities, transports = request.capabilities, request.transports
    elif required is NetworkType.TEMPORARILY_UNMETERED and api >= 30:
        capabilities = frozenset({NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED})
    # addTriggerContentUri (FLAG_NOTIFY_FOR_DESCENDANTS) and the trigger delays, API 24+
    triggers = tuple(
        TriggerContentUri(
            trigger.uri,
            TriggerContentUri.FLAG_NOTIFY_FOR_DESCENDANTS
            if trigger.is_triggered_for_descendants
            else 0,
        )
        for trigger in constraints.content_uri_triggers
    )
    return JobInfo(
        job_id=job_id,
        package=package,
        service=SYSTEM_JOB_SERVICE,
        work_spec_id=spec.id,
        generation=spec.generation,
        earliest_ms=now_ms + offset,
        network_type=network_type,
        network_capabilities=capabilities,
        network_transports=transports,
        trigger_content_uris=triggers,
        trigger_content_update_delay_ms=(
            constraints.content_trigger_update_delay_millis if triggers else -1
        ),
        trigger_content_max_delay_ms=(
            constraints.content_trigger_max_delay_millis if triggers else -1
        ),
        requires_charging=constraints.requires_charging,
        requires_device_idle=constraints.requires_device_idle,
        requires_battery_not_low=constraints.requires_battery_not_low,
        requires_storage_not_low=constraints.requires_storage_not_low,
        expedited=expedited,
        # setBackoffCriteria(backoffDelayDuration, policy) unless it requires device idle
        backoff_delay_ms=spec.backoff_delay_duration,
        backoff_linear=spec.backoff_policy is BackoffPolicy.LINEAR,
        important_while_foreground=(
            api > 28 and offset == 0 and not spec.expedited and mark_important_while_foreground
        ),
    )


def to_stop_reason(reason: JobStopReason) -> StopReason:
    """``SystemJobService.stopReason``: ``JobParameters.getStopReason`` as WorkManager's
    ``StopReason`` (same numbers; one it does not know is STOP_REASON_UNKNOWN)."""
    return StopReason.from_value(int(reason))


class JobIds:
    """``SystemIdInfo``/``IdGenerator``: a stable job id per (package, work spec), device-wide."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._next: dict[str, int] = {}

    def job_id(
        self,
        package: str,
        work_spec_id: str,
        *,
        min_id: int = 0,
        max_id: int = INTEGER_MAX_VALUE,
    ) -> int:
        """The job id of ``work_spec_id`` (allocated on first use, then kept), within
        ``min_id .. max_id`` (``Configuration.setJobSchedulerJobIdRange``).

        ``IdGenerator.nextJobSchedulerIdWithRange``: take the next id (after ``Integer.MAX_VALUE``
        comes 0); one outside the range starts the count again at ``min_id``."""
        key = (package, work_spec_id)
        if key not in self._ids:
            job_id = self._next.get(package, 0)
            next_id = 0 if job_id == INTEGER_MAX_VALUE else job_id + 1
            if not min_id <= job_id <= max_id:
                job_id, next_id = min_id, min_id + 1
            self._ids[key] = job_id
            self._next[package] = next_id
        return self._ids[key]

    def known(self, package: str, work_spec_id: str) -> int | None:
        """The job id if one was allocated."""
        return self._ids.get((package, work_spec_id))


class SystemJobService:
    """The app process's JobService: starts and stops WorkManager work for JobScheduler."""

    def __init__(
        self, work_manager: WorkManager, service: JobSchedulerService, package: str
    ) -> None:
        self._work_manager = work_manager
        self._service = service
        self._package = package
        self._running: dict[str, JobInfo] = {}
        work_manager.processor.executed.connect(self._on_executed)

    def on_start_job(self, job: JobInfo) -> bool:
        """``onStartJob``: start the work; refused if WorkManager already runs or dropped it."""
        if not self._work_manager.is_alive:
            return False
        if job.work_spec_id in self._running:
            # mJobParameters already holds this work: "Job is already being executed by
            # SystemJobService" (SystemJobService.onStartJob) -- not started twice
            return False
        self._running[job.work_spec_id] = job
        extras = None
        if job.trigger_content_uris:  # getTriggeredContentUris/Authorities -> RuntimeExtras
            uris, authorities = self._service.prepare_triggered_content(job.package, job.job_id)
            extras = RuntimeExtras(uris, authorities)
        processor = self._work_manager.processor
        started = processor.start_work(
            job.work_spec_id, generation=job.generation, runtime_extras=extras
        )
        if started:
            return True
        if processor.running_generation(job.work_spec_id) == job.generation:
            # GreedyScheduler already runs this work in process: Processor.startWork logs "Work
            # ... is already enqueued for processing" and adds the job's token to the run, and
            # onStartJob returns true, so JobScheduler holds the job until the run ends and
            # onExecuted calls jobFinished (SystemJobService.onStartJob/onExecuted).
            return True
        self._running.pop(job.work_spec_id, None)
        return False

    def on_stop_job(self, job: JobInfo, reason: JobStopReason) -> bool:
        """``onStopJob``: stop the work with JobScheduler's reason; reschedule unless cancelled."""
        self._running.pop(job.work_spec_id, None)
        processor = self._work_manager.processor
        processor.stop_work(job.work_spec_id, to_stop_reason(reason))
        return not processor.is_cancelled(job.work_spec_id)

    def _on_executed(self, executed: Executed) -> None:
        """``onExecuted``: ``jobFinished(params, needsReschedule)``."""
        job = self._running.pop(executed.work_spec_id, None)
        if job is not None:
            self._service.job_finished(
                self._package, job.job_id, needs_reschedule=executed.needs_reschedule
            )


class SystemJobScheduler:
    """WorkManager's ``Scheduler`` over the device's :class:`JobSchedulerService`."""

    def __init__(
        self, work_manager: WorkManager, service: JobSchedulerService, package: str, ids: JobIds
    ) -> None:
        self._work_manager = work_manager
        self._service = service
        self._package = package
        self._ids = ids
        self.job_service = SystemJobService(work_manager, service, package)
        self._detached = False
        work_manager.processor.foreground_service_starter = self._start_foreground_service
        self._foreground_service_started = False
        # Android 15's dataSync time limit (ActivityManagerConstants, ActiveServices)
        self._data_sync_limit = (
            DataSyncTimeLimit(work_manager.sim, work_manager.processor)
            if service.device.platform_version >= 15
            else None
        )
        # SystemJobService.onStartJob hands the job to WorkManager's serial task executor, behind
        # the start-up work (ForceStopRunnable) queued when WorkManager initialised: so jobs are
        # delivered to this process only once WorkManager's start-up (this constructor's caller)
        # has reset and rescheduled what the last process left RUNNING.
        work_manager.sim.loop.call_soon(self._attach)

    def _attach(self) -> None:
        if self._work_manager.is_alive and not self._detached:
            self._service.register_client(self._package, self.job_service)

    def _start_foreground_service(self, work_spec_id: str, info: ForegroundInfo) -> None:
        """``ContextCompat.startForegroundService`` for ``SystemForegroundService``: from
        Android 12 an app without a visible activity may not start one
        (``ActiveServices``: ``ForegroundServiceStartNotAllowedException``); then its
        ``startForeground`` checks the type against the manifest."""
        device = self._service.device
        if set(self._work_manager.processor.foreground_runs()) == {work_spec_id}:
            self._foreground_service_started = False  # the first run: the service (re)starts
        if device.platform_version >= 12 and not device.is_top(self._package):
            raise ForegroundServiceStartNotAllowedException(
                "startForegroundService() not allowed due to mAllowStartForeground false: "
                f"service {self._package}/{SYSTEM_FOREGROUND_SERVICE}"
            )
        # SystemForegroundService.startForeground: the type against the app's manifest
        # (ActiveServices.setServiceForegroundInnerLocked; see _foreground.py)
        check_start_foreground(
            self._work_manager.processor.app_manifest, info, api_level(device.platform_version)
        )
        self._foreground_service_started = True
        if self._data_sync_limit is not None:
            self._data_sync_limit.service_started(info)

    @property
    def foreground_service_running(self) -> bool:
        """Whether ``SystemForegroundService`` runs: it started, and runs remain in it (a
        foreground service keeps the process out of the cached states, so never frozen)."""
        return self._foreground_service_started and bool(
            self._work_manager.processor.foreground_runs()
        )

    @property
    def has_limited_scheduling_slots(self) -> bool:
        """JobScheduler limits how many jobs an app may hold, so WorkManager rations slots."""
        return True

    def schedule(self, *work_specs: WorkSpec) -> None:
        """``SystemJobScheduler.schedule``: one job per spec; handle expedited refusals."""
        now = self._work_manager.sim.now_ms
        api = api_level(self._service.device.platform_version)
        for spec in work_specs:
            configuration = self._work_manager.configuration
            job_id = self._ids.job_id(
                self._package,
                spec.id,
                min_id=configuration.min_job_scheduler_id,
                max_id=configuration.max_job_scheduler_id,
            )
            mark = self._work_manager.version.marks_jobs_important_while_foreground
            job = to_job_info(
                spec,
                job_id=job_id,
                package=self._package,
                now_ms=now,
                api=api,
                mark_important_while_foreground=mark,
            )
            if self._service.schedule(job) or not job.expedited:
                continue
            if spec.out_of_quota_policy is OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST:
                # scheduleInternal again with workSpec.expedited = false: converted anew, so a
                # marking WorkManager makes the regular job important while foreground
                self._service.schedule(job.as_regular().marked_important(mark))
            else:
                self._work_manager.sim.record(
                    "job.dropped",
                    package=self._package,
                    work_id=spec.id,
                    reason="DROP_WORK_REQUEST: out of expedited quota",
                )

    def cancel(self, work_spec_id: str) -> None:
        """``SystemJobScheduler.cancel``: cancel its job."""
        job_id = self._ids.known(self._package, work_spec_id)
        if job_id is not None:
            self._service.cancel(self._package, job_id)

    def reconcile(self, scheduled_work_spec_ids: Sequence[str]) -> bool:
        """``reconcileJobs``: ``True`` if a scheduled spec has no job (after a reboot, say)."""
        held = {job.work_spec_id for job in self._service.pending_jobs(self._package)}
        return any(work_id not in held for work_id in scheduled_work_spec_ids)

    def detach(self) -> None:
        """The process died: JobScheduler no longer has this process to run jobs in."""
        self._detached = True
        self._service.unregister_client(self._package, self.job_service)


def system_job_schedulers(
    service: JobSchedulerService, package: str, ids: JobIds
) -> SchedulerFactory:
    """A WorkManager scheduler factory for ``package`` (``Schedulers.createBestAvailable...``)."""

    def factory(work_manager: WorkManager) -> Sequence[SystemJobScheduler]:
        return [SystemJobScheduler(work_manager, service, package, ids)]

    return factory
