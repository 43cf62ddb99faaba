"""How many jobs run at once (harness/platform/_concurrency.py): JobConcurrencyManager's slots."""

from __future__ import annotations

import pytest

from harness._exceptions import ProfileError
from harness.device import Device, load_profile
from harness.platform import DeviceAdapter, JobSchedulerService
from harness.sim import Simulation
from harness.workmanager import (
    CoroutineWorker,
    JobIds,
    OneTimeWorkRequest,
    OutOfQuotaPolicy,
    Result,
    WorkManager,
    system_job_schedulers,
)
from tests.platform.fakes import FakeDevice

PACKAGE = "com.example.app"


class TwoMinutes(CoroutineWorker):
    """Works for 2 minutes of virtual time."""

    async def do_work(self) -> Result:
        import asyncio

        await asyncio.sleep(120)
        return Result.success()


def run_twenty(sim: Simulation, device: FakeDevice, *, expedited: bool) -> list[int]:
    """Enqueue 20 works at once; the number of jobs running after each start or end."""
    service = JobSchedulerService(sim, device)
    wm = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    for _ in range(20):
        builder = OneTimeWorkRequest.builder(TwoMinutes)
        if expedited:
            builder = builder.set_expedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
        wm.enqueue(builder.build())
    sim.run_for("1h")
    running = 0
    counts = []
    for record in sim.trace:
        if record.kind == "job.started":
            running += 1
        elif record.kind in ("job.finished", "job.stopped"):
            running -= 1
        else:
            continue
        counts.append(running)
    assert len(sim.trace.of_kind("job.started")) == 20  # every job ran in the end
    return counts


def started_at_once(sim: Simulation) -> int:
    return sum(1 for r in sim.trace.of_kind("job.started") if r.t_ms == 0)


def test_twenty_expedited_jobs_of_a_background_app_take_three_slots_while_slots_are_short(
    sim: Simulation,
) -> None:
    """JobConcurrencyManager.isPkgConcurrencyLimitedLocked: while pending + running jobs reach
    the limit (16), one app runs at most DEFAULT_PKG_CONCURRENCY_LIMIT_EJ (3) expedited jobs; the
    rest wait pending and start as slots free, never more than 16 at once."""
    counts = run_twenty(sim, FakeDevice(charging=True), expedited=True)
    assert started_at_once(sim) == 3
    assert max(counts) <= 16
    reasons = {r["reason"] for r in sim.trace.of_kind("job.deferred")}
    assert (
        "waiting for a job slot: the app runs its 3 expedited jobs allowed while all slots are "
        "wanted"
    ) in reasons


def test_twenty_regular_jobs_of_the_top_app_run_sixteen_at_a_time(sim: Simulation) -> None:
    """JobConcurrencyManager: at most the concurrency limit (DEFAULT_CONCURRENCY_LIMIT, 16 up to
    6 GB of RAM) of jobs run at once; the TOP app has no per-app limit, and the others start when
    a running job ends (onJobCompletedLocked)."""
    counts = run_twenty(sim, FakeDevice(top={PACKAGE}), expedited=False)
    assert started_at_once(sim) == 16
    assert max(counts) == 16
    later = [r.t_ms for r in sim.trace.of_kind("job.started") if r.t_ms > 0]
    assert later == [120_000] * 4
    reasons = {r["reason"] for r in sim.trace.of_kind("job.deferred")}
    assert "waiting for a job slot: 16 jobs are running (JobScheduler's concurrency limit)" in (
        reasons
    )


def test_regular_jobs_of_a_background_app_take_half_the_slots(sim: Simulation) -> None:
    """JobConcurrencyManager DEFAULT_PKG_CONCURRENCY_LIMIT_REGULAR = DEFAULT_CONCURRENCY_LIMIT / 2:
    8 regular jobs of one app while the slots are wanted."""
    counts = run_twenty(sim, FakeDevice(), expedited=False)
    assert started_at_once(sim) == 8
    assert max(counts) <= 16


def test_the_top_apps_expedited_jobs_start_at_once_beyond_the_limit(sim: Simulation) -> None:
    """JobConcurrencyManager.hasImmediacyPrivilegeLocked (Android 14+): an expedited job of the
    TOP app runs immediately, on an extra context if every slot is taken."""
    run_twenty(sim, FakeDevice(top={PACKAGE}), expedited=True)
    assert started_at_once(sim) == 20


def test_android_12_has_sixteen_slots_and_no_per_app_limit(sim: Simulation) -> None:
    """Android 12 JobSchedulerService.MAX_JOB_CONTEXTS_COUNT = 16, no per-app concurrency limit."""
    counts = run_twenty(sim, FakeDevice(platform_version=12, charging=True), expedited=True)
    assert started_at_once(sim) == 16
    assert max(counts) == 16


def test_the_limit_is_a_device_constant(sim: Simulation) -> None:
    """A low-RAM device's JobConcurrencyManager.DEFAULT_CONCURRENCY_LIMIT is 8."""
    counts = run_twenty(sim, FakeDevice(concurrency_limit=8, top={PACKAGE}), expedited=False)
    assert started_at_once(sim) == 8
    assert max(counts) == 8


def test_device_profiles_carry_the_limit_and_a_profile_can_set_it(sim: Simulation) -> None:
    """JobConcurrencyManager's limit is a profile constant (jobscheduler.concurrency_limit):
    16 on the bundled releases, 8 on a low-RAM phone, 64 at most (MAX_CONCURRENCY_LIMIT)."""

    for name in ("pixel-like", "budget"):
        assert load_profile(name).jobscheduler.concurrency_limit == 16
    phone = Device(sim, "pixel-like", overrides={"jobscheduler.concurrency_limit": 8})
    service = JobSchedulerService(sim, DeviceAdapter(phone))
    assert service.concurrency.total == 8
    with pytest.raises(ProfileError, match=r"jobscheduler\.concurrency_limit = 65"):
        load_profile("pixel-like", {"jobscheduler.concurrency_limit": 65})
