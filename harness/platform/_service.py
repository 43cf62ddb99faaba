"""``JobSchedulerService``: the system decides when each app's jobs run, from device state.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/JobSchedulerService.java`` and its
controllers. A pending job starts when all of these hold (``isReadyToBeExecutedLocked``):

* the device is on, and its earliest start time has come (``TimeController``);
* its constraints hold (``ConnectivityController``, ``BatteryController``, ``StorageController``,
  ``IdleController``; RESTRICTED apps also need charging, idle, battery not low and a network);
* doze does not defer it: in deep or light idle, jobs wait for a maintenance window
  (``DeviceIdleJobsController``; expedited jobs within quota are exempt), and a background app's
  jobs wait 3 s more once doze ends (``BACKGROUND_JOBS_DELAY``, :mod:`._doze_exit`);
* battery saver and a user background restriction do not block it (``BackgroundJobsController``:
  jobs of apps not in the foreground are blocked, except expedited jobs);
* the app is within its standby-bucket quota (``QuotaController``), or quota-free (charging and
  not RESTRICTED, foreground, EXEMPTED);
* a job slot is free (``JobConcurrencyManager``, :mod:`._concurrency`): at most the device's
  concurrency limit of jobs run at once, the others wait pending until one ends.

A running job is stopped when a constraint it needs is lost (with that constraint's stop reason),
when doze or battery saver would now defer it (``STOP_REASON_DEVICE_STATE``), when its app runs
out of quota (``STOP_REASON_QUOTA``), and when it reaches its execution limit
(``STOP_REASON_TIMEOUT``: 10 min, expedited 3 min; ``JobServiceContext.EXECUTING_TIMESLICE_MILLIS``
and ``RUNTIME_MIN_GUARANTEE_MS``).

The service is split by concept: :mod:`._readiness` (``isReady``), :mod:`._batching`,
:mod:`._runs` (starts, stops, back-off), :mod:`._wakeup` (the timer), :mod:`._overrides` (the
adb shell's ``run``/``timeout``); decisions are :class:`~._decision.Verdict` values worded in
:mod:`._decision`.

Every decision is in the trace: ``job.scheduled``, ``job.deferred`` (the reason, each time it
changes: the answer to "why has my work not run?"), ``job.started``, ``job.stopped``,
``job.finished``, ``job.cancelled``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from operator import attrgetter
from typing import cast

from harness.platform import _batching, _overrides
from harness.platform._changes import POWER_AND_TIME, ChangeFilter
from harness.platform._client import JobClient, ProcessStarter
from harness.platform._concurrency import ConcurrencyLimits, SlotPass
from harness.platform._content import ContentObserverController
from harness.platform._decision import Blocker, Verdict
from harness.platform._doze_exit import DozeExit
from harness.platform._job_info import JobInfo, next_periodic
from harness.platform._job_parameters import JobStopReason
from harness.platform._jobs import JobStatus
from harness.platform._pass_view import PassView
from harness.platform._quota import QuotaTracker
from harness.platform._quota_settings import QuotaSettings
from harness.platform._readiness import Readiness
from harness.platform._runs import JobRuns
from harness.platform._view import Bucket, DeviceView, DozeState
from harness.platform._wakeup import WakeupTimer, next_wakeup_ms
from harness.sim import Signal, Simulation

#: The order an evaluation checks jobs in (:attr:`JobStatus.order`).
_ORDER = attrgetter("order")

#: Deferrals an evaluation may decide otherwise with no verdict input changed.
_TIME_OR_PROCESS = frozenset({Blocker.QUOTA, Blocker.PROCESS_CANNOT_START})


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
        self.concurrency = ConcurrencyLimits.for_version(
            device.platform_version, device.concurrency_limit
        )
        self.doze_exit = DozeExit(
            sim, lambda: self._changed("doze_exit"), idle=device.doze is DozeState.IDLE
        )
        self.readiness = Readiness(device, self.quota, self.doze_exit)
        self._jobs: dict[tuple[str, int], JobStatus] = {}
        self.runs = JobRuns(
            sim,
            device,
            self.readiness,
            self._jobs,
            finished_empty=lambda package, job_id: self.job_finished(
                package, job_id, needs_reschedule=False
            ),
            evaluate=self.evaluate,
        )
        self.runs.process_starter = process_starter
        #: A job started (``True``) or ended (``False``): the device binds the app's service,
        #: holds the job's wake lock and keeps a doze maintenance window open meanwhile.
        self.run_changed: Signal[tuple[JobInfo, bool]] = self.runs.run_changed
        self.content = ContentObserverController(
            sim, self.evaluate, lambda s: self._jobs.get((s.job.package, s.job.job_id)) is s
        )
        self._timer = WakeupTimer(sim, self.evaluate_now)
        self._evaluating = False
        self._again = False
        self._queued: asyncio.Handle | None = None
        self._changes = ChangeFilter(device)
        device.changed.connect(self._device_changed)

    def _device_changed(self, what: str) -> None:
        """A controller saw a change: doze's idle mode first (``DeviceIdleJobsController``),
        then an evaluation, unless the change left every verdict input as it was
        (:mod:`._changes`: controllers report only real changes)."""
        self.doze_exit.observe(self.device.doze is DozeState.IDLE, self._jobs.values())
        self._changed(what)

    def _changed(self, what: str) -> None:
        """Evaluate after a change of kind ``what``, unless it can tell nothing new: it left
        every verdict input the last evaluation read as it was, and time has not moved a
        verdict either."""
        if self._changes.unchanged(what, self._packages) and not self._time_may_tell():
            return
        self.evaluate()

    def _packages(self) -> set[str]:
        """The packages whose state a verdict or a quota session reads."""
        packages = {package for package, _ in self._jobs}
        packages.update(self.quota.packages_running())
        return packages

    def _time_may_tell(self) -> bool:
        """Whether an evaluation now may decide otherwise than the last one with no input
        changed: a job's wake-up is due now (not fired yet: an evaluation now starts the job
        ahead of it), a job waits for quota (the numbers its deferral reports move with time),
        or for its app's process (whether it may start depends on more than the verdict
        reads: a vendor's autostart rule lets a job start once the process is up)."""
        due = self._timer.due_ms
        if due is not None and due <= self.sim.now_ms:
            return True
        return any(
            status.deferred is not None and status.deferred.blocker in _TIME_OR_PROCESS
            for status in self._jobs.values()
        )

    def set_process_starter(self, starter: ProcessStarter) -> None:
        """Who starts an app's process when one of its jobs is ready."""
        self.runs.process_starter = starter

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
            self.runs.stop(previous, JobStopReason.STOP_REASON_CANCELLED_BY_APP, "rescheduled")
        if job.periodic and job.latest_ms < 0:
            # JobStatus.createFromJobInfo: the first window ends one period from now and opens
            # flex before that (with flex == period, at once)
            latest = self.sim.now_ms + job.interval_ms
            job = replace(job, latest_ms=latest, earliest_ms=latest - job.flex_ms)
        self._jobs[key] = JobStatus(job, self.sim.now_ms)
        self.content.track(self._jobs[key], previous)
        self._record_scheduled(job)
        self.evaluate()
        return True

    def _record_scheduled(self, job: JobInfo) -> None:
        self.sim.record(
            "job.scheduled",
            package=job.package,
            job_id=job.job_id,
            work_id=job.work_spec_id,
            earliest_ms=job.earliest_ms,
            expedited=job.expedited,
        )

    def cancel(self, package: str, job_id: int) -> None:
        """``JobScheduler.cancel``: drop the job; a running one is stopped (reason 1)."""
        status = self._jobs.pop((package, job_id), None)
        if status is None:
            return
        if status.running:
            self.runs.stop(
                status, JobStopReason.STOP_REASON_CANCELLED_BY_APP, "cancelled", drop=True
            )
        self.sim.record(
            "job.cancelled", package=package, job_id=job_id, work_id=status.job.work_spec_id
        )

    def cancel_all(self, package: str, *, reason: str) -> None:
        """Drop every job of ``package`` (a force-stop, ``pm clear``, or the app's cancelAll)."""
        for key in [key for key in self._jobs if key[0] == package]:
            status = self._jobs.pop(key)
            if status.running:
                self.runs.stop(status, JobStopReason.STOP_REASON_USER, reason, drop=True)
        self.sim.record("job.cancelled_all", package=package, reason=reason)

    def pending_jobs(self, package: str) -> list[JobInfo]:
        """Jobs ``package`` has scheduled (``getAllPendingJobs``), running ones included."""
        return [status.job for key, status in sorted(self._jobs.items()) if key[0] == package]

    def notify_content_changed(self, uri: str) -> None:
        """``ContentResolver.notifyChange(uri)``: jobs observing ``uri`` see the change
        (``ContentObserverController``; see :mod:`._content`)."""
        self.sim.record("job.content_changed", uri=uri)
        self.content.notify_change(
            uri, sorted(self._jobs.values(), key=lambda s: (s.job.package, s.job.job_id))
        )

    def prepare_triggered_content(
        self, package: str, job_id: int
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The changed URIs and authorities a starting run reports
        (``JobParameters.getTriggeredContentUris``/``Authorities``); changes from now on
        belong to the next run (``prepareForExecutionLocked``)."""
        status = self._jobs.get((package, job_id))
        if status is None or status.content_trigger is None:
            return (), ()
        self.content.prepare(status)
        trigger = status.content_trigger
        return trigger.triggered_uris, trigger.triggered_authorities

    def job_status(self, package: str, job_id: int) -> JobStatus | None:
        """The service's record of a job."""
        return self._jobs.get((package, job_id))

    def register_client(self, package: str, client: JobClient) -> None:
        """The app's process is up and can run jobs (jobs waiting for it start now)."""
        self.runs.clients[package] = client
        for status in [s for s in self._jobs.values() if s.job.package == package]:
            if status.running and not status.delivered:
                self.runs.deliver_start(status)
        self.evaluate()

    def unregister_client(self, package: str, client: JobClient) -> None:
        """The app's process died: its running jobs end and are rescheduled with back-off."""
        if self.runs.clients.get(package) is not client:
            return
        del self.runs.clients[package]
        for status in [
            s
            for s in self._jobs.values()
            if s.job.package == package
            and s.running
            and s.job.service not in self.runs.service_factories
        ]:
            self.runs.end_for_process_death(status)
        self.evaluate()

    def register_service(self, service: str, factory: Callable[[str], JobClient | None]) -> None:
        """An app-declared ``JobService`` other than WorkManager's: when a package's process is
        up (:meth:`process_up`), ``factory(package)`` creates the service there (``None``: the
        package does not declare it); jobs whose ``JobInfo.service`` is ``service`` run in it."""
        self.runs.service_factories[service] = factory

    def process_up(self, package: str) -> None:
        """``package``'s process started: its declared services can take jobs (jobs waiting
        for the process start now)."""
        if self.runs.attach_services(package):
            self.evaluate()

    def process_down(self, package: str) -> None:
        """``package``'s process died: running jobs of its declared services end, with
        back-off (WorkManager's are ended by :meth:`unregister_client`)."""
        if self.runs.detach_services(package):
            self.evaluate()

    def job_finished(self, package: str, job_id: int, *, needs_reschedule: bool) -> None:
        """``JobService.jobFinished``: the job's work ended."""
        status = self._jobs.get((package, job_id))
        if status is None or not status.running:
            return
        self.runs.end_run(status)
        self.sim.record(
            "job.finished",
            package=package,
            job_id=job_id,
            work_id=status.job.work_spec_id,
            needs_reschedule=needs_reschedule,
        )
        if needs_reschedule:
            self.runs.back_off(status)
        elif status.job.periodic:
            # onJobCompletedLocked -> getRescheduleJobForPeriodic: the next window
            status.job = next_periodic(status.job, self.sim.now_ms)
            self._record_scheduled(status.job)
        else:
            del self._jobs[(package, job_id)]
        self.evaluate()

    def drop_all(self, *, reason: str) -> None:
        """A reboot or shutdown: every job is gone but the persisted ones (``JobStore``: jobs
        built with ``setPersisted(true)`` are written to disk and loaded at boot; WorkManager's
        are not persisted)."""
        for status in list(self._jobs.values()):
            if status.running:
                self.runs.end_run(status)
        kept = {
            key: JobStatus(s.job, s.scheduled_ms)
            for key, s in self._jobs.items()
            if s.job.persisted
        }
        self._jobs.clear()
        self._jobs.update(kept)
        self.runs.clients.clear()
        self.runs.service_clients.clear()
        self.sim.record("job.all_dropped", reason=reason)

    # --- deciding ---------------------------------------------------------------------------

    def effective_bucket(self, package: str) -> Bucket:
        """``JobStatus.getEffectiveStandbyBucket``: a foreground app counts as ACTIVE."""
        return self.readiness.effective_bucket(package)

    def verdict(self, status: JobStatus) -> Verdict:
        """``JobStatus.isReady``: whether the job may run now, and if not, the first blocker."""
        return self.readiness.verdict(status, self.sim.now_ms)

    def evaluate(self) -> None:
        """Ask for an evaluation at this instant; every ask until it runs joins the same one.

        AOSP does not re-check every job on each change either: controllers report state
        changes through ``onControllerStateChanged``, which posts ``MSG_CHECK_CHANGED_JOBS`` to
        the service's handler, and the handler checks the jobs once for all changes queued by
        then (``apex/jobscheduler/service/java/com/android/server/job/JobSchedulerService.java``).
        Here the evaluation is one callback run right after the callback that asked
        (:meth:`Simulation.call_next`), before any other ready callback, so a burst of changes
        made by one callback (twenty jobs scheduled, a run's end and the next schedule, a
        process start) is evaluated once. (Deferring it to the end of the instant instead
        changes decisions: a stop for lost connectivity could be missed.)
        """
        if self._queued is None:
            self._queued = self.sim.call_next(self._run_queued)

    def _run_queued(self) -> None:
        self._queued = None
        self.evaluate_now()

    def evaluate_now(self) -> None:
        """Start ready jobs, stop running ones that may no longer run, set the next timer."""
        if self._queued is not None:
            self._queued.cancel()
            self._queued = None
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
        self._timer.arm(
            next_wakeup_ms(
                self._jobs.values(),
                self.quota,
                self.device.standby_bucket,
                self.readiness.quota_free,
                self.sim.now_ms,
            )
        )

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
        # A ready job's verdict, and how many stops came before it: until a stop or a start
        # changes what a verdict reads, the check before a start reaches the same verdict.
        ready_verdicts: dict[int, tuple[Verdict, int]] = {}
        changes = 0
        view = self._pass_view()
        # whether every job checked waits for power or time alone (:mod:`._changes`)
        power_and_time_only = True
        for status in sorted(self._jobs.values(), key=_ORDER):
            if status.stopping:
                power_and_time_only = False
                continue
            verdict = self.readiness.verdict(status, now, view)
            if status.running or verdict.blocker not in POWER_AND_TIME:
                power_and_time_only = False
            if status.running:
                if not verdict.runnable:
                    self.runs.stop(status, verdict.stop_reason, verdict.reason)
                    changes += 1
                    view = self._pass_view()
                continue
            if verdict.runnable:
                ready.append(status)
                ready_verdicts[id(status)] = (verdict, changes)
            else:
                self._note_deferred(status, verdict)
        self._changes.evaluated(power_and_time_only=power_and_time_only)
        if not ready:
            return
        forced = [s for s in ready if _batching.batchable(s, self.effective_bucket(s.job.package))]
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
        if _batching.release(ready, forced, active=active, now=now):
            running = [status for status in self._jobs.values() if status.running]
            slots = SlotPass(self.concurrency, running, len(ready))
            for status in ready:
                status.first_batched_ms = None
                # each start counts against the app's quota (job and session counts), so the
                # next job is checked again (JobConcurrencyManager re-checks readiness)
                verdict, seen_at = ready_verdicts[id(status)]
                if seen_at != changes:
                    verdict = self.readiness.verdict(status, now, view)
                if not verdict.runnable:
                    self._note_deferred(status, verdict)
                    continue
                # JobConcurrencyManager: no free slot, the job stays pending
                no_slot = slots.blocker(status, top=self.device.is_top(status.job.package))
                if no_slot is not None:
                    self._note_deferred(status, no_slot)
                    continue
                changes += 1  # a start (or an attempt to start the app's process)
                started = self.runs.start(status)
                view = self._pass_view()
                if started:
                    slots.started(status)
                else:
                    self._note_deferred(status, Verdict(Blocker.PROCESS_CANNOT_START))
            return
        for status in forced:
            self._note_deferred(
                status, _batching.waiting(self.effective_bucket(status.job.package))
            )

    def _pass_view(self) -> DeviceView:
        """The device as the checks of a pass read it until a start or stop: a
        :class:`~._pass_view.PassView` when there is more than one job to check."""
        if len(self._jobs) > 1:
            return cast(DeviceView, PassView(self.device))
        return self.device

    def _note_deferred(self, status: JobStatus, verdict: Verdict) -> None:
        """Record ``job.deferred`` when the job's blocker or its data changed."""
        if verdict != status.deferred:
            status.deferred = verdict
            self.sim.record(
                "job.deferred",
                package=status.job.package,
                job_id=status.job.job_id,
                work_id=status.job.work_spec_id,
                reason=verdict.reason,
            )

    # --- the adb shell (cmd jobscheduler) ---------------------------------------------------

    def run_now(self, package: str, job_id: int, *, force: bool, satisfied: bool) -> JobStatus:
        """``cmd jobscheduler run [-f|-s]`` (:func:`._overrides.run_now`)."""
        return _overrides.run_now(self, package, job_id, force=force, satisfied=satisfied)

    def time_out(self, package: str | None = None, job_id: int | None = None) -> list[JobStatus]:
        """``cmd jobscheduler timeout`` (:func:`._overrides.time_out`)."""
        return _overrides.time_out(self, package, job_id)

    def all_jobs(self) -> list[JobStatus]:
        """Every job the service holds, by package and id."""
        return [status for _, status in sorted(self._jobs.items())]

    # --- why not yet ------------------------------------------------------------------------

    def explain(self, package: str, work_spec_id: str) -> Verdict:
        """Why the job for ``work_spec_id`` is not running now (or since when it runs):
        ``NOT_SCHEDULED`` when JobScheduler holds no job for it."""
        for status in self._jobs.values():
            if status.job.package == package and status.job.work_spec_id == work_spec_id:
                if status.running:
                    return Verdict(running_since_ms=status.running_since_ms or 0)
                return self.verdict(status)
        return Verdict(Blocker.NOT_SCHEDULED)
