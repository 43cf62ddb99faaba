"""``JobSchedulerService``: the system decides when each app's jobs run, from device state.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/JobSchedulerService.java`` and its
controllers. A pending job starts when all of these hold (``isReadyToBeExecutedLocked``):

* the device is on, and its earliest start time has come (``TimeController``);
* its constraints hold (``ConnectivityController``, ``BatteryController``, ``StorageController``,
  ``IdleController``; RESTRICTED apps also need charging, idle, battery not low and a network);
* doze does not defer it: in deep or light idle, jobs wait for a maintenance window
  (``DeviceIdleJobsController``; expedited jobs within quota are exempt);
* battery saver and a user background restriction do not block it (``BackgroundJobsController``:
  jobs of apps not in the foreground are blocked, except expedited jobs);
* the app is within its standby-bucket quota (``QuotaController``), or quota-free (charging and
  not RESTRICTED, foreground, EXEMPTED).

A running job is stopped when a constraint it needs is lost (with that constraint's stop reason),
when doze or battery saver would now defer it (``STOP_REASON_DEVICE_STATE``), when its app runs
out of quota (``STOP_REASON_QUOTA``), and when it reaches its execution limit
(``STOP_REASON_TIMEOUT``: 10 min, expedited 3 min; ``JobServiceContext.EXECUTING_TIMESLICE_MILLIS``
and ``RUNTIME_MIN_GUARANTEE_MS``).

Every decision is in the trace: ``job.scheduled``, ``job.deferred`` (the reason, each time it
changes: the answer to "why has my work not run?"), ``job.started``, ``job.stopped``,
``job.finished``, ``job.cancelled``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final, Protocol

from harness._units import MS_PER_MINUTE, format_t_ms
from harness.platform._jobs import JobInfo, JobStatus
from harness.platform._quota import QuotaSettings, QuotaTracker
from harness.platform._readiness import (
    Readiness,
    Verdict,
)
from harness.platform._view import Bucket, DeviceView, DozeState
from harness.sim import Signal, Simulation
from harness.workmanager import StopReason

#: JobScheduler's own back-off ceiling (``JobInfo.MAX_BACKOFF_DELAY_MILLIS``, 5 h).
MAX_BACKOFF_MS: Final = 5 * 60 * MS_PER_MINUTE
#: ``DEFAULT_MIN_READY_NON_ACTIVE_JOBS_COUNT`` and ``DEFAULT_MAX_NON_ACTIVE_JOB_BATCH_DELAY_MS``.
MIN_READY_NON_ACTIVE_JOBS: Final = 5
BATCH_DELAY_MS: Final = 31 * MS_PER_MINUTE
#: Timers the service sets run after device changes at the same instant.
EVALUATE_PRIORITY: Final = 10


class JobClient(Protocol):
    """An app process's ``JobService`` (WorkManager's ``SystemJobService``)."""

    def on_start_job(self, job: JobInfo) -> bool:
        """Start the job's work; ``False`` if there is nothing to run (finish it at once)."""
        ...

    def on_stop_job(self, job: JobInfo, reason: StopReason) -> bool:
        """Stop the job's work; ``True`` asks to keep the job scheduled (reschedule)."""
        ...


#: Starts (or finds running) ``package``'s process for a job (``reason``); ``False`` if it cannot
#: start (the app is force-stopped, the device is off). A started process registers its
#: JobService with :meth:`JobSchedulerService.register_client` when it is up.
ProcessStarter = Callable[[str, str], bool]


class JobSchedulerService:
    """The system job scheduler of one simulated device."""

    def __init__(
        self,
        sim: Simulation,
        device: DeviceView,
        *,
        quota: QuotaSettings | None = None,
        process_starter: ProcessStarter | None = None,
    ) -> None:
        self.sim = sim
        self.device = device
        self.quota = QuotaTracker(
            quota or QuotaSettings.for_version(device.platform_version, device.quota_constants)
        )
        self.readiness = Readiness(device, self.quota)
        self._process_starter = process_starter
        self._jobs: dict[tuple[str, int], JobStatus] = {}
        self._clients: dict[str, JobClient] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due: int | None = None
        self._evaluating = False
        self._again = False
        #: A job started (``True``) or ended (``False``): the device binds the app's service,
        #: holds the job's wake lock and keeps a doze maintenance window open meanwhile.
        self.run_changed: Signal[tuple[JobInfo, bool]] = Signal("platform.job_running")
        device.changed.connect(lambda _what: self.evaluate())

    def set_process_starter(self, starter: ProcessStarter) -> None:
        """Who starts an app's process when one of its jobs is ready."""
        self._process_starter = starter

    # --- the API apps use (android.app.job.JobScheduler) ---------------------------------

    def schedule(self, job: JobInfo) -> bool:
        """``JobScheduler.schedule``: replace any job with the same id; ``False`` = FAILURE.

        An expedited job is refused (RESULT_FAILURE) when its app has no expedited quota left.
        """
        key = (job.package, job.job_id)
        bucket = self.device.standby_bucket(job.package)
        # JobSchedulerService.scheduleAsPackage: RESULT_FAILURE unless isWithinEJQuotaLocked
        if job.expedited and not self.readiness.within_ej_quota(
            job.package, bucket, self.sim.now_ms
        ):
            self.sim.record(
                "job.schedule_failed",
                package=job.package,
                job_id=job.job_id,
                work_id=job.work_spec_id,
                reason="out of expedited job quota",
            )
            return False
        previous = self._jobs.get(key)
        if previous is not None and previous.running:
            self._stop(previous, StopReason.STOP_REASON_CANCELLED_BY_APP, "rescheduled")
        self._jobs[key] = JobStatus(job, self.sim.now_ms)
        self.sim.record(
            "job.scheduled",
            package=job.package,
            job_id=job.job_id,
            work_id=job.work_spec_id,
            earliest_ms=job.earliest_ms,
            expedited=job.expedited,
        )
        self.evaluate()
        return True

    def cancel(self, package: str, job_id: int) -> None:
        """``JobScheduler.cancel``: drop the job; a running one is stopped (reason 1)."""
        status = self._jobs.pop((package, job_id), None)
        if status is None:
            return
        if status.running:
            self._stop(status, StopReason.STOP_REASON_CANCELLED_BY_APP, "cancelled", drop=True)
        self.sim.record(
            "job.cancelled", package=package, job_id=job_id, work_id=status.job.work_spec_id
        )

    def cancel_all(self, package: str, *, reason: str) -> None:
        """Drop every job of ``package`` (a force-stop, ``pm clear``, or the app's cancelAll)."""
        for key in [key for key in self._jobs if key[0] == package]:
            status = self._jobs.pop(key)
            if status.running:
                self._stop(status, StopReason.STOP_REASON_USER, reason, drop=True)
        self.sim.record("job.cancelled_all", package=package, reason=reason)

    def pending_jobs(self, package: str) -> list[JobInfo]:
        """Jobs ``package`` has scheduled (``getAllPendingJobs``), running ones included."""
        return [status.job for key, status in sorted(self._jobs.items()) if key[0] == package]

    def job_status(self, package: str, job_id: int) -> JobStatus | None:
        """The service's record of a job."""
        return self._jobs.get((package, job_id))

    def register_client(self, package: str, client: JobClient) -> None:
        """The app's process is up and can run jobs (jobs waiting for it start now)."""
        self._clients[package] = client
        for status in [s for s in self._jobs.values() if s.job.package == package]:
            if status.running and not status.delivered:
                self._deliver_start(status)
        self.evaluate()

    def unregister_client(self, package: str, client: JobClient) -> None:
        """The app's process died: its running jobs end and are rescheduled with back-off."""
        if self._clients.get(package) is not client:
            return
        del self._clients[package]
        for status in [s for s in self._jobs.values() if s.job.package == package and s.running]:
            self._end_run(status)
            status.failures += 1
            delay = self._backoff_ms(status)
            status.job = _with_earliest(status.job, self.sim.now_ms + delay)
            self.sim.record(
                "job.stopped",
                package=package,
                job_id=status.job.job_id,
                work_id=status.job.work_spec_id,
                reason="process died",
                reschedule_in_ms=delay,
            )
        self.evaluate()

    def job_finished(self, package: str, job_id: int, *, needs_reschedule: bool) -> None:
        """``JobService.jobFinished``: the job's work ended."""
        status = self._jobs.get((package, job_id))
        if status is None or not status.running:
            return
        self._end_run(status)
        self.sim.record(
            "job.finished",
            package=package,
            job_id=job_id,
            work_id=status.job.work_spec_id,
            needs_reschedule=needs_reschedule,
        )
        if needs_reschedule:
            status.failures += 1
            status.job = _with_earliest(status.job, self.sim.now_ms + self._backoff_ms(status))
        else:
            del self._jobs[(package, job_id)]
        self.evaluate()

    def drop_all(self, *, reason: str) -> None:
        """A reboot or shutdown: every job is gone (WorkManager's jobs are not persisted)."""
        for status in list(self._jobs.values()):
            if status.running:
                self._end_run(status)
        self._jobs.clear()
        self._clients.clear()
        self.sim.record("job.all_dropped", reason=reason)

    # --- deciding ---------------------------------------------------------------------------

    def effective_bucket(self, package: str) -> Bucket:
        """``JobStatus.getEffectiveStandbyBucket``: a foreground app counts as ACTIVE."""
        return self.readiness.effective_bucket(package)

    def verdict(self, status: JobStatus) -> Verdict:
        """``JobStatus.isReady``: whether the job may run now, and if not, the first reason."""
        return self.readiness.verdict(status, self.sim.now_ms)

    def _quota_free(self, job: JobInfo, bucket: Bucket) -> bool:
        return self.readiness.quota_free(job.package, bucket)

    def evaluate(self) -> None:
        """Start ready jobs, stop running ones that may no longer run, set the next timer."""
        if self._evaluating:
            self._again = True
            return
        self._evaluating = True
        try:
            self._again = True
            while self._again:
                self._again = False
                self._evaluate_once()
        finally:
            self._evaluating = False
        self._arm_timer()

    def _batchable(self, status: JobStatus) -> bool:
        """``MaybeReadyJobQueueFunctor``: non-ACTIVE, never-failed, regular jobs wait in batches."""
        if status.job.expedited or status.failures > 0:
            return False
        return self.effective_bucket(status.job.package) is not Bucket.ACTIVE

    def _evaluate_once(self) -> None:
        now = self.sim.now_ms
        # QuotaController.Timer.onStateChangedLocked: charging or the foreground ends a package's
        # timing session; running jobs start a new one when the package is tracked again
        for package in self.quota.packages_running():
            bucket = self.effective_bucket(package)
            self.quota.state_changed(
                package, now, quota_free=self.readiness.quota_free(package, bucket)
            )
        ready: list[JobStatus] = []
        for status in sorted(self._jobs.values(), key=lambda s: (s.scheduled_ms, s.job.job_id)):
            if status.stopping:
                continue
            verdict = self.verdict(status)
            if status.running:
                if not verdict.runnable:
                    self._stop(status, verdict.stop_reason, verdict.reason)
                continue
            if verdict.runnable:
                ready.append(status)
            else:
                self._note_deferred(status, verdict.reason)
        if not ready:
            return
        # JobSchedulerService.maybeQueueReadyJobsForExecutionLocked: with nothing else active on
        # the device, jobs of non-ACTIVE apps wait until 5 are ready or one waited 31 minutes;
        # a job scheduled ready, an ACTIVE app's job or a retry runs (and takes the batch along).
        forced = [s for s in ready if self._batchable(s) and s.override == "none"]
        for status in forced:
            if status.first_batched_ms is None:
                status.first_batched_ms = now
        # A real phone runs other apps' and the system's jobs in a doze maintenance window, so
        # JobScheduler is "active" there (mReportedActive) and queues every ready job at once;
        # the simulation has only the apps under test, so it treats a window as active.
        active = (
            any(status.running for status in self._jobs.values())
            or self.device.doze is DozeState.MAINTENANCE
        )
        # schedule() of a job that is ready at once runs it at once (no batching)
        immediate = any(status.scheduled_ms == now for status in forced)
        expired = any(now - (status.first_batched_ms or now) >= BATCH_DELAY_MS for status in forced)
        if (
            len(forced) < len(ready)
            or len(forced) >= MIN_READY_NON_ACTIVE_JOBS
            or expired
            or active
            or immediate
        ):
            for status in ready:
                status.first_batched_ms = None
                # each start counts against the app's quota (job and session counts), so the
                # next job is checked again (JobConcurrencyManager re-checks readiness)
                verdict = self.verdict(status)
                if verdict.runnable:
                    self._start(status)
                else:
                    self._note_deferred(status, verdict.reason)
            return
        for status in forced:
            self._note_deferred(
                status,
                f"batching: waiting for {MIN_READY_NON_ACTIVE_JOBS} ready jobs or "
                f"{BATCH_DELAY_MS // MS_PER_MINUTE} min (standby bucket "
                f"{self.effective_bucket(status.job.package).name})",
            )

    def _note_deferred(self, status: JobStatus, reason: str) -> None:
        if reason != status.deferred_reason:
            status.deferred_reason = reason
            self.sim.record(
                "job.deferred",
                package=status.job.package,
                job_id=status.job.job_id,
                work_id=status.job.work_spec_id,
                reason=reason,
            )

    def _start(self, status: JobStatus) -> None:
        """Start the job: bind the app's JobService, starting its process if needed."""
        job = status.job
        if job.package not in self._clients and (
            self._process_starter is None
            or not self._process_starter(job.package, f"job {job.job_id}")
        ):
            self._note_deferred(status, "the app's process cannot start (force-stopped?)")
            return
        status.running_since_ms = self.sim.now_ms
        status.deferred_reason = None
        status.delivered = False
        status.started_count += 1
        # QuotaController: "Top jobs won't count towards quota" for their whole run
        status.top_started = self.device.is_top(job.package)
        if not status.top_started:
            bucket = self.effective_bucket(job.package)
            self.quota.job_started(
                job.package,
                self.sim.now_ms,
                expedited=job.expedited,
                tracked=not self._quota_free(job, bucket),
            )
        status.limit_ms = self.readiness.execution_limit_ms(job, self.sim.now_ms)
        self.run_changed.emit((job, True))
        self.sim.record(
            "job.started",
            package=job.package,
            job_id=job.job_id,
            work_id=job.work_spec_id,
            expedited=job.expedited,
            cold_start=job.package not in self._clients,
            limit_ms=status.limit_ms,
        )
        status.stop_handles = [
            self.sim.call_later(
                status.limit_ms,
                self._timeout,
                job.package,
                job.job_id,
                priority=EVALUATE_PRIORITY,
            )
        ]
        if job.package in self._clients:
            self._deliver_start(status)

    def _deliver_start(self, status: JobStatus) -> None:
        """``onStartJob`` in the app's process (now, or once a cold start brought it up)."""
        client = self._clients.get(status.job.package)
        if client is None or not status.running or status.stopping or status.delivered:
            return
        status.delivered = True
        if not client.on_start_job(status.job):
            self.job_finished(status.job.package, status.job.job_id, needs_reschedule=False)

    def _timeout(self, package: str, job_id: int) -> None:
        status = self._jobs.get((package, job_id))
        if status is not None and status.running:
            self._stop(
                status,
                StopReason.STOP_REASON_TIMEOUT,
                f"ran for its execution limit of {status.limit_ms // 1000} s",
            )
            self.evaluate()

    def _stop(self, status: JobStatus, reason: StopReason, why: str, *, drop: bool = False) -> None:
        job = status.job
        status.stopping = True
        self.sim.record(
            "job.stopped",
            package=job.package,
            job_id=job.job_id,
            work_id=job.work_spec_id,
            stop_reason=reason.name,
            stop_reason_value=int(reason),
            reason=why,
        )
        client = self._clients.get(job.package)
        keep = client.on_stop_job(job, reason) if client is not None else True
        self._end_run(status)
        if drop or not keep:
            self._jobs.pop((job.package, job.job_id), None)
        elif reason is StopReason.STOP_REASON_TIMEOUT:
            status.failures += 1
            status.job = _with_earliest(job, self.sim.now_ms + self._backoff_ms(status))

    # --- shell (cmd jobscheduler) -----------------------------------------------------------

    def run_now(self, package: str, job_id: int, *, force: bool, satisfied: bool) -> JobStatus:
        """``executeRunCommand``: override the job's constraints and queue it now.

        Raises ``LookupError`` for an unknown job and ``ValueError`` if, without ``force``,
        its connectivity constraint does not hold (``CMD_ERR_CONSTRAINTS``).
        """
        status = self._jobs.get((package, job_id))
        if status is None:
            raise LookupError(job_id)
        status.override = "full" if force else ("sorting" if satisfied else "soft")
        verdict = self.verdict(status)
        if not verdict.runnable and verdict.reason.startswith("constraint unmet") and not force:
            status.override = "none"
            raise ValueError(job_id)
        self.evaluate()
        return status

    def time_out(self, package: str | None = None, job_id: int | None = None) -> list[JobStatus]:
        """``cmd jobscheduler timeout``: stop matching running jobs with STOP_REASON_TIMEOUT."""
        matched = [
            status
            for (pkg, jid), status in sorted(self._jobs.items())
            if status.running
            and (package is None or pkg == package)
            and (job_id is None or jid == job_id)
        ]
        for status in matched:
            self._stop(status, StopReason.STOP_REASON_TIMEOUT, "timed out from the shell")
        self.evaluate()
        return matched

    def all_jobs(self) -> list[JobStatus]:
        """Every job the service holds, by package and id."""
        return [status for _, status in sorted(self._jobs.items())]

    def _end_run(self, status: JobStatus) -> None:
        if status.running:
            self.run_changed.emit((status.job, False))
            if not status.top_started:
                self.quota.job_stopped(
                    status.job.package, self.sim.now_ms, expedited=status.job.expedited
                )
        for handle in status.stop_handles:
            if isinstance(handle, asyncio.TimerHandle):
                handle.cancel()
        status.stop_handles = []
        status.running_since_ms = None
        status.stopping = False
        status.override = "none"

    def _backoff_ms(self, status: JobStatus) -> int:
        """``getRescheduleJobForFailureLocked``: the JobInfo back-off for the failure count."""
        job = status.job
        n = max(status.failures, 1)
        delay = (
            job.backoff_delay_ms * n
            if job.backoff_linear
            else job.backoff_delay_ms * (2 ** (n - 1))
        )
        return min(delay, MAX_BACKOFF_MS)

    # --- timers -----------------------------------------------------------------------------

    def _next_wakeup_ms(self) -> int | None:
        now = self.sim.now_ms
        candidates: list[int] = []
        for status in self._jobs.values():
            if status.running:
                bucket = self.device.standby_bucket(status.job.package)
                if not self._quota_free(status.job, bucket) and not status.job.expedited:
                    remaining = self.quota.time_until_quota_consumed_ms(
                        status.job.package, bucket, now
                    )
                    if remaining > 0:
                        candidates.append(now + remaining)
                continue
            if status.job.earliest_ms > now:
                candidates.append(status.job.earliest_ms)
            elif status.first_batched_ms is not None:
                candidates.append(status.first_batched_ms + BATCH_DELAY_MS)
            elif status.deferred_reason is not None and status.deferred_reason.startswith(
                "out of quota"
            ):
                bucket = self.device.standby_bucket(status.job.package)
                back = self.quota.next_in_quota_ms(status.job.package, bucket, now)
                if back is not None and back > now:
                    candidates.append(back)
        future = [t for t in candidates if t > now]  # a wake-up at now would spin in place
        return min(future) if future else None

    def _arm_timer(self) -> None:
        due = self._next_wakeup_ms()
        if due == self._timer_due:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_due = due
        if due is not None:
            self._timer = self.sim.call_at(due, self._on_timer, priority=EVALUATE_PRIORITY)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_due = None
        self.evaluate()

    # --- why not yet ------------------------------------------------------------------------

    def explain(self, package: str, work_spec_id: str) -> str:
        """Why the job for ``work_spec_id`` is not running now (or that it is)."""
        for status in self._jobs.values():
            if status.job.package == package and status.job.work_spec_id == work_spec_id:
                if status.running:
                    return f"running since {format_t_ms(status.running_since_ms or 0)}"
                return self.verdict(status).reason
        return "no job is scheduled for it in JobScheduler"


def _with_earliest(job: JobInfo, earliest_ms: int) -> JobInfo:
    from dataclasses import replace

    return replace(job, earliest_ms=earliest_ms)
