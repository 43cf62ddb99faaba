"""Periodic and persisted JobScheduler jobs, and app-declared JobServices (JobInfo.setPeriodic,
setPersisted; JobSchedulerService.getRescheduleJobForPeriodic)."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.platform import (
    JobInfo,
    JobNetworkType,
    JobSchedulerService,
    JobStopReason,
    periodic_window,
)
from harness.sim import Simulation
from tests.platform.fakes import FakeDevice, job_info

PACKAGE = "com.example.periodic"
SERVICE = "com.example.MyJobService"


@dataclass
class Service:
    """A JobService that finishes each run after ``run_ms``."""

    jobs: JobSchedulerService
    sim: Simulation
    run_ms: int = 1_000
    starts: list[int] = field(default_factory=list)

    def on_start_job(self, job: JobInfo) -> bool:
        self.starts.append(self.sim.now_ms)
        self.sim.call_later(
            self.run_ms,
            lambda: self.jobs.job_finished(job.package, job.job_id, needs_reschedule=False),
        )
        return True

    def on_stop_job(self, job: JobInfo, reason: JobStopReason) -> bool:
        return False


def job(interval_ms: int, flex_ms: int, *, persisted: bool = False) -> JobInfo:
    interval, flex = periodic_window(interval_ms, flex_ms)
    return job_info(
        job_id=7,
        package=PACKAGE,
        service=SERVICE,
        work_spec_id="periodic",
        interval_ms=interval,
        flex_ms=flex,
        persisted=persisted,
    )


def setup(sim: Simulation) -> tuple[JobSchedulerService, Service]:
    jobs = JobSchedulerService(sim, FakeDevice(), process_starter=lambda _p, _r: True)
    service = Service(jobs, sim)
    jobs.register_service(SERVICE, lambda package: service if package == PACKAGE else None)
    jobs.process_up(PACKAGE)
    return jobs, service


def test_set_periodic_clamps_interval_and_flex() -> None:
    """JobInfo.Builder.setPeriodic raises the interval to 15 min and the flex to
    max(5 % of the interval, 5 min)."""
    assert periodic_window(60_000, 60_000) == (900_000, 300_000)
    assert periodic_window(3_600_000, 3_600_000) == (3_600_000, 3_600_000)
    assert periodic_window(10 * 3_600_000, 0) == (10 * 3_600_000, 30 * 60_000)


def test_a_periodic_job_runs_once_per_window(sim: Simulation) -> None:
    """A periodic job's first window ends one period after scheduling and opens flex before
    (flex == period: at once); after each run the next window ends one period after the last
    (JobStatus.createFromJobInfo, getRescheduleJobForPeriodic)."""
    jobs, service = setup(sim)
    jobs.schedule(job(900_000, 900_000))
    sim.run_until(3_000_000)
    assert service.starts == [0, 900_000, 1_800_000, 2_700_000]
    jobs.cancel(PACKAGE, 7)
    jobs.schedule(job(900_000, 300_000))  # a 5-minute flex: the window opens 10 min in
    sim.run_until(3_700_000)
    assert service.starts[-1] == 3_000_000 + 600_000


def test_only_persisted_jobs_survive_a_reboot(sim: Simulation) -> None:
    """JobStore keeps jobs built with setPersisted(true) across a reboot; others are gone."""
    jobs, _ = setup(sim)
    jobs.schedule(job(900_000, 900_000, persisted=True))
    jobs.schedule(
        JobInfo(
            job_id=8,
            package=PACKAGE,
            service=SERVICE,
            work_spec_id="one-shot",
            generation=0,
            earliest_ms=10_000_000,
            network_type=JobNetworkType.NETWORK_TYPE_NONE,
            requires_charging=False,
            requires_device_idle=False,
            requires_battery_not_low=False,
            requires_storage_not_low=False,
            expedited=False,
        )
    )
    jobs.drop_all(reason="shutdown")
    assert [j.job_id for j in jobs.pending_jobs(PACKAGE)] == [7]


def test_a_declared_service_loses_its_running_jobs_when_the_process_dies(
    sim: Simulation,
) -> None:
    """A job of an app-declared JobService runs in it; when the process dies the job ends and
    is rescheduled with back-off, like WorkManager's."""
    jobs, service = setup(sim)
    service.run_ms = 60_000
    jobs.schedule(job(900_000, 900_000))
    sim.run_until(1_000)
    assert service.starts == [0]
    jobs.process_down(PACKAGE)
    (stopped,) = sim.trace.of_kind("job.stopped")
    assert stopped["reason"] == "process died"
