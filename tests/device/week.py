"""A week in the life of a pixel-like phone: the device timeline behind the golden trace.

Monday 2026-01-05 00:00 UTC (the default epoch) to the next Monday. Every day the user picks the
phone up in the morning, at lunch and in the evening and opens the app. On weekdays the commute
(08:00-09:00 and 17:30-18:30) is out of home Wi-Fi range and the phone moves; cellular drops in
tunnels on the morning commute. Weeknights the phone charges from 22:30 to 06:30 on AC; weekend
nights it sleeps unplugged and dozes. A stand-in for a sync job runs in every maintenance window
(a wake-up, a wake lock, a small transfer), so battery per sync shows in the accounting.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.device import Device, MaintenanceWindow
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Simulation

PACKAGE = "com.example.sync"
SEED = 2026
DAYS = 7


def _daily(sim: Simulation, hour: float, action: Callable[[], None], days: range) -> None:
    for day in days:
        sim.call_at(day * MS_PER_DAY + round(hour * MS_PER_HOUR), action)


def build_week(sim: Simulation) -> Device:
    """The phone and its week on ``sim`` (nothing has run yet)."""
    device = Device(sim, "pixel-like", packages=[PACKAGE])
    weekdays, every_day = range(5), range(DAYS)
    device.network.schedule_outage("wifi", start="08:00", end="09:00", days="weekdays")
    device.network.schedule_outage("wifi", start="17:30", end="18:30", days="weekdays")
    device.network.schedule_flapping(
        "cellular",
        start="08:15",
        end="08:45",
        mean_up_ms=5 * MS_PER_MINUTE,
        mean_down_ms=30_000,
        days="weekdays",
        label="tunnels",
    )

    def use(minutes: int) -> Callable[[], None]:
        def session() -> None:
            if not device.is_on:
                return
            device.screen.use_for(minutes * MS_PER_MINUTE)
            device.apps.launch(PACKAGE)
            sim.call_later(minutes * MS_PER_MINUTE, device.apps.leave, PACKAGE)

        return session

    _daily(sim, 7.0, use(20), every_day)
    _daily(sim, 12.5, use(15), every_day)
    _daily(sim, 21.0, use(45), every_day)
    for start, end in ((8.0, 9.0), (17.5, 18.5)):
        _daily(sim, start, lambda: device.motion.set_moving(True), weekdays)
        _daily(sim, end, lambda: device.motion.set_moving(False), weekdays)
    # charge on weeknights (Monday..Thursday evening to the next morning, and Sunday evening)
    for day in (0, 1, 2, 3, 6):
        sim.call_at(day * MS_PER_DAY + round(22.5 * MS_PER_HOUR), device.battery.plug, "ac")
        sim.call_at((day + 1) * MS_PER_DAY + round(6.5 * MS_PER_HOUR), device.battery.unplug)

    def sync(window: MaintenanceWindow) -> None:
        if not window.open or not device.is_on:
            return
        device.power.note_wakeup("sync")
        device.power.acquire_wakelock("sync")
        device.doze.set_jobs_active(True)

        def finish() -> None:
            if device.is_on:
                link = device.network.sample_link()
                if link is not None:
                    device.power.note_transfer(
                        4_000, 60_000, link.transport.value, tag="sync", duration_ms=800
                    )
                device.power.release_wakelock("sync")
            device.doze.set_jobs_active(False)

        sim.call_later(20_000, finish)

    device.doze.maintenance.connect(sync)
    return device


def simulate_week(seed: int = SEED, days: int = DAYS) -> tuple[list[str], dict[str, object]]:
    """Run the week; return the device trace lines (canonical JSON) and a small summary."""
    with Simulation(seed=seed) as sim:
        device = build_week(sim)
        sim.run_for(days * MS_PER_DAY)
        lines = [record.to_json() for record in sim.trace if record.kind.startswith("device.")]
        summary: dict[str, object] = {
            "seed": seed,
            "days": days,
            "records": len(lines),
            "battery_level": device.battery.level,
            "used_mah_by_reason": {
                reason: round(uah / 1000, 3)
                for reason, uah in device.power.used_by_reason_uah().items()
            },
            "boot_count": device.boot_count,
        }
        device.close()
    return lines, summary
