"""Starting and stopping jobs (``JobServiceContext``): binding the app's JobService, the execution
limit, stop reasons, and JobScheduler's own back-off after a failed run.

A start binds the app's ``JobService`` (starting its process, a cold start, if it is not up:
``onStartJob`` is delivered once it registers), counts towards the app's quota unless the app is
on top (QuotaController: "Top jobs won't count towards quota"), and arms the execution limit
(``STOP_REASON_TIMEOUT``). A stop calls ``onStopJob`` with the reason; the job is dropped unless
the JobService asks to keep it, and a timed-out job is rescheduled with back-off
(``getRescheduleJobForFailureLocked``: ``JobInfo.MAX_BACKOFF_DELAY_MILLIS``, 5 h, at most).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from harness._units import MS_PER_MINUTE
from harness.platform._client import JobClient, ProcessStarter
from harness.platform._job_info import JobInfo, next_periodic
from harness.platform._job_parameters import JobStopReason
from harness.platform._jobs import JobStatus, Override
from harness.platform._quota import QuotaTracker
from harness.platform._readiness import Readiness
from harness.platform._view import DeviceView
from harness.platform._wakeup import EVALUATE_PRIORITY
from harness.sim import Signal, Simulation

#: JobScheduler's own back-off ceiling (``JobInfo.MAX_BACKOFF_DELAY_MILLIS``, 5 h).
MAX_BACKOFF_MS: Final = 5 * 60 * MS_PER_MINUTE


class JobRuns:
    """The running side of the service: clients (JobServices), starts, deliveries, stops."""

    def __init__(
        self,
        sim: Simulation,
        device: DeviceView,
        readiness: Readiness,
        jobs: dict[tuple[str, int], JobStatus],
        *,
        finished_empty: Callable[[str, int], None],
        evaluate: Callable[[], None],
    ) -> None:
        self.sim = sim
        self.device = device
        self.readiness = readiness
        self.quota: QuotaTracker = readiness.quota
        self.jobs = jobs
        #: WorkManager's JobService of each package whose process is up.
        self.clients: dict[str, JobClient] = {}
        #: Other JobServices (``JobInfo.service``) that an app declares: a factory per service
        #: name creates the service in the app's process when a job of it starts there.
        self.service_factories: dict[str, Callable[[str], JobClient | None]] = {}
        self.service_clients: dict[tuple[str, str], JobClient] = {}
        self.process_starter: ProcessStarter | None = None
        self._finished_empty = finished_empty
        self._evaluate = evaluate
        #: A job started (``True``) or ended (``False``): the device binds the app's service,
        #: holds the job's wake lock and keeps a doze maintenance window open meanwhile.
        self.run_changed: Signal[tuple[JobInfo, bool]] = Signal("platform.job_running")

    def client_for(self, job: JobInfo) -> JobClient | None:
        """The JobService that runs ``job`` in its app's process, if that is up."""
        if job.service in self.service_factories:
            return self.service_clients.get((job.package, job.service))
        return self.clients.get(job.package)

    def attach_services(self, package: str) -> bool:
        """Create ``package``'s declared services in its (new) process and deliver the starts
        that waited for it; whether any was created."""
        attached = False
        for service, factory in sorted(self.service_factories.items()):
            key = (package, service)
            if key in self.service_clients:
                continue
            client = factory(package)
            if client is not None:
                self.service_clients[key] = client
                attached = True
        if attached:
            for status in [s for s in self.jobs.values() if s.job.package == package]:
                if status.running and not status.delivered:
                    self.deliver_start(status)
        return attached

    def detach_services(self, package: str) -> bool:
        """``package``'s process died: drop its declared services; their running jobs end and
        are rescheduled with back-off. Whether it had any."""
        services = [key[1] for key in self.service_clients if key[0] == package]
        for service in services:
            del self.service_clients[(package, service)]
        for status in [
            s
            for s in self.jobs.values()
            if s.job.package == package and s.job.service in services and s.running
        ]:
            self.end_for_process_death(status)
        return bool(services)

    def end_for_process_death(self, status: JobStatus) -> None:
        """``status``'s job ran in a process that died: the run ends and the job is rescheduled
        with back-off (``job.stopped`` with reason ``process died``)."""
        self.end_run(status)
        self.sim.record(
            "job.stopped",
            package=status.job.package,
            job_id=status.job.job_id,
            work_id=status.job.work_spec_id,
            reason="process died",
            reschedule_in_ms=self.back_off(status),
        )

    def start(self, status: JobStatus) -> bool:
        """Start the job: bind the app's JobService, starting its process if needed; ``False``
        if the process cannot start."""
        job = status.job
        cold = self.client_for(job) is None
        if cold and (
            self.process_starter is None
            or not self.process_starter(job.package, f"job {job.job_id}")
        ):
            return False
        status.running_since_ms = self.sim.now_ms
        status.deferred = None
        status.delivered = False
        status.started_count += 1
        # QuotaController: "Top jobs won't count towards quota" for their whole run (up to 15;
        # Android 16 tracks them: enforceQuotaPolicyToTopStartedJobs)
        status.top_started = (
            self.device.is_top(job.package) and self.quota.settings.top_started_jobs_quota_free
        )
        if not status.top_started:
            bucket = self.readiness.effective_bucket(job.package)
            self.quota.job_started(
                job.package,
                self.sim.now_ms,
                expedited=job.expedited,
                tracked=not self.readiness.quota_free(job.package, bucket),
            )
        status.limit_ms = self.readiness.execution_limit_ms(job, self.sim.now_ms)
        self.run_changed.emit((job, True))
        self.sim.record(
            "job.started",
            package=job.package,
            job_id=job.job_id,
            work_id=job.work_spec_id,
            expedited=job.expedited,
            cold_start=cold,
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
        if self.client_for(job) is not None:
            self.deliver_start(status)
        return True

    def deliver_start(self, status: JobStatus) -> None:
        """``onStartJob`` in the app's process (now, or once a cold start brought it up)."""
        client = self.client_for(status.job)
        if client is None or not status.running or status.stopping or status.delivered:
            return
        status.delivered = True
        if not client.on_start_job(status.job):
            self._finished_empty(status.job.package, status.job.job_id)

    def _timeout(self, package: str, job_id: int) -> None:
        status = self.jobs.get((package, job_id))
        if status is not None and status.running:
            self.stop(
                status,
                JobStopReason.STOP_REASON_TIMEOUT,
                f"ran for its execution limit of {status.limit_ms // 1000} s",
            )
            self._evaluate()

    def stop(
        self, status: JobStatus, reason: JobStopReason, why: str, *, drop: bool = False
    ) -> None:
        """``onStopJob`` with ``reason``; ``why`` is the trace's words for it."""
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
        client = self.client_for(job)
        keep = client.on_stop_job(job, reason) if client is not None else True
        self.end_run(status)
        if drop:
            self.jobs.pop((job.package, job.job_id), None)
        elif not keep and job.periodic and self.jobs.get((job.package, job.job_id)) is status:
            # onJobCompletedLocked: a periodic job that wants no back-off gets its next window
            status.job = next_periodic(job, self.sim.now_ms)
        elif not keep:
            self.jobs.pop((job.package, job.job_id), None)
        elif reason is JobStopReason.STOP_REASON_TIMEOUT:
            self.back_off(status)

    def end_run(self, status: JobStatus) -> None:
        """The run is over: unbind, stop quota tracking, cancel the execution limit."""
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
        status.override = Override.NONE

    def back_off(self, status: JobStatus) -> int:
        """Count a failure and move the job's earliest start by the back-off; the delay."""
        status.failures += 1
        delay = self.backoff_ms(status)
        status.job = replace(status.job, earliest_ms=self.sim.now_ms + delay)
        return delay

    @staticmethod
    def backoff_ms(status: JobStatus) -> int:
        """``getRescheduleJobForFailureLocked``: the JobInfo back-off for the failure count."""
        job = status.job
        n = max(status.failures, 1)
        delay = (
            job.backoff_delay_ms * n
            if job.backoff_linear
            else job.backoff_delay_ms * (2 ** (n - 1))
        )
        return min(delay, MAX_BACKOFF_MS)
