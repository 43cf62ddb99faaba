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
    api_level,
)
from harness.workmanager._enums import BackoffPolicy, NetworkType, OutOfQuotaPolicy, StopReason
from harness.workmanager._manager import WorkManager
from harness.workmanager._processor import Executed
from harness.workmanager._scheduler import SchedulerFactory
from harness.workmanager._spec import WorkSpec

#: The ``JobService`` component WorkManager's jobs name (``SystemJobInfoConverter``).
SYSTEM_JOB_SERVICE: Final = "androidx.work.impl.background.systemjob.SystemJobService"
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


def to_job_info(spec: WorkSpec, *, job_id: int, package: str, now_ms: int, api: int) -> JobInfo:
    """``SystemJobInfoConverter.convert``: one non-persisted, one-shot job per run (periodic
    work too), earliest start ``max(next run time - now, 0)`` later, no deadline, the work's
    constraints, expedited only for a first undelayed run of expedited work on API 31+.

    ``setRequiredNetwork``: TEMPORARILY_UNMETERED on API 30+ is a request for
    ``NET_CAPABILITY_TEMPORARILY_NOT_METERED`` (network type ANY); everything else a network
    type (:func:`convert_network_type`)."""
    next_run = spec.calculate_next_run_time()
    offset = max(next_run - now_ms, 0)
    constraints = spec.constraints
    expedited = (
        api >= EXPEDITED_MIN_API and spec.expedited and spec.run_attempt_count == 0 and offset == 0
    )
    required = constraints.required_network_type
    capabilities: frozenset[NetCapability] = frozenset()
    if required is NetworkType.TEMPORARILY_UNMETERED and api >= 30:
        capabilities = frozenset({NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED})
    return JobInfo(
        job_id=job_id,
        package=package,
        service=SYSTEM_JOB_SERVICE,
        work_spec_id=spec.id,
        generation=spec.generation,
        earliest_ms=now_ms + offset,
        network_type=convert_network_type(required, api),
        network_capabilities=capabilities,
        requires_charging=constraints.requires_charging,
        requires_device_idle=constraints.requires_device_idle,
        requires_battery_not_low=constraints.requires_battery_not_low,
        requires_storage_not_low=constraints.requires_storage_not_low,
        expedited=expedited,
        # setBackoffCriteria(backoffDelayDuration, policy) unless it requires device idle
        backoff_delay_ms=spec.backoff_delay_duration,
        backoff_linear=spec.backoff_policy is BackoffPolicy.LINEAR,
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

    def job_id(self, package: str, work_spec_id: str) -> int:
        """The job id of ``work_spec_id`` (allocated on first use, then kept)."""
        key = (package, work_spec_id)
        if key not in self._ids:
            self._ids[key] = self._next.get(package, 0)
            self._next[package] = self._ids[key] + 1
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
        processor = self._work_manager.processor
        started = processor.start_work(job.work_spec_id, generation=job.generation)
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
        # SystemJobService.onStartJob hands the job to WorkManager's serial task executor, behind
        # the start-up work (ForceStopRunnable) queued when WorkManager initialised: so jobs are
        # delivered to this process only once WorkManager's start-up (this constructor's caller)
        # has reset and rescheduled what the last process left RUNNING.
        work_manager.sim.loop.call_soon(self._attach)

    def _attach(self) -> None:
        if self._work_manager.is_alive and not self._detached:
            self._service.register_client(self._package, self.job_service)

    @property
    def has_limited_scheduling_slots(self) -> bool:
        """JobScheduler limits how many jobs an app may hold, so WorkManager rations slots."""
        return True

    def schedule(self, *work_specs: WorkSpec) -> None:
        """``SystemJobScheduler.schedule``: one job per spec; handle expedited refusals."""
        now = self._work_manager.sim.now_ms
        api = api_level(self._service.device.platform_version)
        for spec in work_specs:
            job_id = self._ids.job_id(self._package, spec.id)
            job = to_job_info(spec, job_id=job_id, package=self._package, now_ms=now, api=api)
            if self._service.schedule(job) or not job.expedited:
                continue
            if spec.out_of_quota_policy is OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST:
                self._service.schedule(job.as_regular())
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
