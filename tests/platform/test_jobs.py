"""A job's constraints against the device (harness/platform/_jobs.py): stable power."""

from __future__ import annotations

from harness.device import Device
from harness.platform import DeviceAdapter, JobSchedulerService
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    JobIds,
    OneTimeWorkRequest,
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


def charging_work() -> OneTimeWorkRequest:
    return (
        OneTimeWorkRequest.builder(Quick)
        .set_constraints(Constraints(requires_charging=True))
        .build()
    )


def starts(sim: Simulation) -> list[int]:
    return [r.t_ms for r in sim.trace.of_kind("work.started")]


def test_requires_charging_waits_for_stable_power_when_the_battery_is_low(
    sim: Simulation,
) -> None:
    """BatteryController.maybeReportNewChargingStateLocked: the charging constraint holds only on
    stable power, isBatteryCharging() && isBatteryNotLow(); charging with a low battery is not."""
    device = FakeDevice(charging=True, battery_not_low=False)
    service = JobSchedulerService(sim, device)
    wm = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    wm.enqueue(charging_work())
    sim.run_for("10m")
    assert starts(sim) == []
    deferred = [r["reason"] for r in sim.trace.of_kind("job.deferred")]
    assert deferred[-1] == (
        "constraint unmet: needs charging: charging, but the battery is low (no stable power)"
    )
    device.set(battery_not_low=True)
    sim.run_for("1m")
    assert starts(sim) == [10 * 60_000]


def test_a_top_app_needs_only_power_connected_for_requires_charging(sim: Simulation) -> None:
    """BatteryController.hasTopExemptionLocked: a job of the TOP app (priority DEFAULT or above)
    runs on power connected, even with a low battery or a charger that does not charge."""
    device = FakeDevice(charging=False, plugged=True, battery_not_low=False, top={PACKAGE})
    service = JobSchedulerService(sim, device)
    wm = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    wm.enqueue(charging_work())
    sim.run_for("1m")
    assert starts(sim) == [0]


def test_plugging_in_at_10_percent_runs_a_charging_job_only_at_20_percent() -> None:
    """BatteryController (stable power) with BatteryService's ACTION_BATTERY_OKAY at the warning
    level + 5 (20 %): a charging-constrained job does not run the instant the charger goes in at
    10 %, only once the battery is no longer low."""
    with Simulation(seed=0) as sim:
        phone = Device(sim, "pixel-like", overrides={"battery.initial_level": 10})
        service = JobSchedulerService(sim, DeviceAdapter(phone))
        phone.install(PACKAGE)
        phone.shell(f"am set-standby-bucket {PACKAGE} active")  # used, not on top
        service.set_process_starter(lambda _package, _reason: True)
        wm = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
        sim.run_for("1m")
        wm.enqueue(charging_work())
        phone.battery.plug("ac")
        sim.run_for("1m")
        assert starts(sim) == []
        sim.run_for("2h")
        levels = {r.t_ms: r["level"] for r in sim.trace.of_kind("device.battery")}
        (started,) = starts(sim)
        assert levels[max(t for t in levels if t <= started)] == 20
