"""Jobs when doze ends (harness/platform/_doze_exit.py): DeviceIdleJobsController's
BACKGROUND_JOBS_DELAY of 3 s for background apps, none for foreground apps and expedited jobs."""

from __future__ import annotations

from harness.device import Device
from harness.platform import DeviceAdapter, DozeState, JobSchedulerService
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


class Quick(CoroutineWorker):
    """Works for 1 second of virtual time."""

    async def do_work(self) -> Result:
        import asyncio

        await asyncio.sleep(1)
        return Result.success()


def setup(sim: Simulation, device: FakeDevice) -> WorkManager:
    service = JobSchedulerService(sim, device)
    return WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))


def starts(sim: Simulation) -> list[int]:
    return [r.t_ms for r in sim.trace.of_kind("work.started")]


def dozing_with_work(sim: Simulation, **device: object) -> FakeDevice:
    fake = FakeDevice(doze=DozeState.IDLE, **device)  # type: ignore[arg-type]
    setup(sim, fake).enqueue(OneTimeWorkRequest.builder(Quick).build())
    sim.run_for("10m")
    assert starts(sim) == []
    return fake


def test_a_background_job_starts_3_s_after_a_maintenance_window_opens(sim: Simulation) -> None:
    """DeviceIdleJobsController.updateIdleMode(false): other jobs are processed after
    BACKGROUND_JOBS_DELAY (3000 ms), not at the window's first millisecond."""
    device = dozing_with_work(sim)
    device.set(doze=DozeState.MAINTENANCE)
    opened = sim.now_ms
    sim.run_for("1m")
    assert starts(sim) == [opened + 3_000]
    reasons = [r["reason"] for r in sim.trace.of_kind("job.deferred")]
    assert reasons[-1] == "doze ended: background jobs wait 3 s to be re-evaluated"


def test_a_foreground_apps_job_starts_when_the_window_opens(sim: Simulation) -> None:
    """DeviceIdleJobsController.updateIdleMode(false): jobs of foreground UIDs are processed
    immediately (mForegroundUids)."""
    device = dozing_with_work(sim)
    device.set(top={PACKAGE})
    device.set(doze=DozeState.MAINTENANCE)
    opened = sim.now_ms
    sim.run_for("1m")
    assert starts(sim) == [opened]


def test_coming_to_the_foreground_during_the_delay_releases_the_apps_jobs(
    sim: Simulation,
) -> None:
    """DeviceIdleJobsController.setUidActiveLocked: a UID going active re-evaluates its jobs at
    once, before PROCESS_BACKGROUND_JOBS."""
    device = dozing_with_work(sim)
    device.set(doze=DozeState.MAINTENANCE)
    sim.run_for(1_000)
    device.set(top={PACKAGE})
    sim.run_for("1m")
    assert len(starts(sim)) == 1
    assert starts(sim)[0] < sim.now_ms - 60_000 + 3_000


def test_a_window_that_closes_within_3_s_runs_no_background_job(sim: Simulation) -> None:
    """DeviceIdleJobsController.updateIdleMode(true) removes PROCESS_BACKGROUND_JOBS: idle mode
    back within 3 s leaves background jobs for the next window (and its own 3 s)."""
    device = dozing_with_work(sim)
    device.set(doze=DozeState.MAINTENANCE)
    sim.run_for(2_000)
    device.set(doze=DozeState.IDLE)
    sim.run_for("1h")
    assert starts(sim) == []
    device.set(doze=DozeState.NOT_IDLE)
    left = sim.now_ms
    sim.run_for("1m")
    assert starts(sim) == [left + 3_000]


def test_a_job_scheduled_after_doze_ended_runs_at_once(sim: Simulation) -> None:
    """DeviceIdleJobsController.maybeStartTrackingJobLocked: a job tracked while not in idle
    mode has its not-dozing constraint satisfied at once."""
    device = FakeDevice(doze=DozeState.IDLE)
    wm = setup(sim, device)
    sim.run_for("1m")
    device.set(doze=DozeState.MAINTENANCE)
    sim.run_for(1_000)
    wm.enqueue(OneTimeWorkRequest.builder(Quick).build())
    sim.run_for("1m")
    assert starts(sim) == [61_000]


def test_an_expedited_job_is_not_held_after_doze(sim: Simulation) -> None:
    """JobStatus.canRunInDoze: an expedited job within quota runs in doze, so doze's end does not
    hold it either."""
    device = FakeDevice(doze=DozeState.IDLE)
    wm = setup(sim, device)
    request = (
        OneTimeWorkRequest.builder(Quick)
        .set_expedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
        .build()
    )
    wm.enqueue(request)
    sim.run_for("1m")
    assert starts(sim) == [0]


def test_light_and_deep_maintenance_windows_both_delay_background_jobs_by_3_s() -> None:
    """DeviceIdleJobsController listens to ACTION_LIGHT_DEVICE_IDLE_MODE_CHANGED and
    ACTION_DEVICE_IDLE_MODE_CHANGED alike (idle = deep || light): a background job deferred by
    light or deep doze starts 3 s after the maintenance window opens."""
    with Simulation(seed=0) as sim:
        phone = Device(sim, "pixel-like")
        service = JobSchedulerService(sim, DeviceAdapter(phone))
        phone.install(PACKAGE)
        phone.shell(f"am set-standby-bucket {PACKAGE} active")
        service.set_process_starter(lambda _package, _reason: True)
        wm = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
        opened: list[tuple[str, int]] = []
        phone.doze.maintenance.connect(
            lambda window: opened.append((window.kind, sim.now_ms)) if window.open else None
        )
        phone.screen.go_to_sleep()
        sim.run_for("7m")  # light idle
        wm.enqueue(OneTimeWorkRequest.builder(Quick).build())
        sim.run_for("1h")  # deep idle from here on
        wm.enqueue(OneTimeWorkRequest.builder(Quick).build())
        sim.run_for("2h")
        light = next(at for kind, at in opened if kind == "light")
        deep = next(at for kind, at in opened if kind == "deep")
        assert starts(sim) == [light + 3_000, deep + 3_000]


def test_an_allowlisted_apps_job_is_not_held_after_doze(sim: Simulation) -> None:
    """DeviceIdleJobsController.updateTaskStateLocked: enableTask = !mDeviceIdleMode ||
    whitelisted, so a power-allowlisted app's jobs never wait for PROCESS_BACKGROUND_JOBS."""
    device = dozing_with_work(sim)
    device.set(allowlisted={PACKAGE}, doze=DozeState.MAINTENANCE)
    opened = sim.now_ms
    sim.run_for("1m")
    assert starts(sim) == [opened]
