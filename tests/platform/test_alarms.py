"""AlarmManagerService (harness/platform/_alarms.py): delivery, repeats, doze, cancels."""

from __future__ import annotations

from harness.platform import Alarm, AlarmKind, AlarmManagerService, DozeState
from harness.sim import Simulation
from tests.platform.fakes import FakeDevice

PACKAGE = "com.example.alarms"


def setup(
    sim: Simulation, device: FakeDevice | None = None
) -> tuple[FakeDevice, AlarmManagerService, list[tuple[int, str]]]:
    view = device or FakeDevice()
    alarms = AlarmManagerService(sim, view)
    fired: list[tuple[int, str]] = []
    alarms.register_receiver("Receiver", lambda alarm: fired.append((sim.now_ms, alarm.tag)))
    return view, alarms, fired


def alarm(kind: AlarmKind, trigger_ms: int, interval_ms: int = 0, tag: str = "a") -> Alarm:
    return Alarm(PACKAGE, tag, "Receiver", kind, trigger_ms, interval_ms)


def test_a_repeating_alarm_fires_every_interval_and_collapses_missed_repeats(
    sim: Simulation,
) -> None:
    """setRepeating: delivered at its trigger, then one interval later; repeats missed while it
    could not fire become one delivery (AlarmManagerService: 1 + (now - when) / interval)."""
    device, alarms, fired = setup(sim)
    alarms.set(alarm(AlarmKind.SET_REPEATING, 60_000, 60_000))
    sim.run_until(130_000)
    assert [t for t, _ in fired] == [60_000, 120_000]
    device.set(powered_on=False)
    sim.run_until(400_000)
    device.set(powered_on=True)
    sim.run_until(400_001)
    assert [t for t, _ in fired] == [60_000, 120_000, 400_000]
    (pending,) = alarms.pending(PACKAGE)
    assert pending.trigger_ms == 420_000


def test_deep_idle_holds_alarms_without_allow_while_idle(sim: Simulation) -> None:
    """In deep idle only setAndAllowWhileIdle / setExactAndAllowWhileIdle alarms fire; the
    others wait for idle to end (AlarmManagerService.mPendingIdleUntil)."""
    device, alarms, fired = setup(sim, FakeDevice(doze=DozeState.IDLE))
    alarms.set(alarm(AlarmKind.SET_EXACT, 10_000, tag="exact"))
    alarms.set(alarm(AlarmKind.SET_EXACT_AND_ALLOW_WHILE_IDLE, 20_000, tag="while-idle"))
    sim.run_until(60_000)
    assert fired == [(20_000, "while-idle")]
    device.set(doze=DozeState.NOT_IDLE)
    sim.run_until(60_001)
    assert fired == [(20_000, "while-idle"), (60_000, "exact")]
    (late,) = [r for r in sim.trace.of_kind("alarm.fired") if r["tag"] == "exact"]
    assert late["late_ms"] == 50_000


def test_force_stop_and_reboot_drop_alarms(sim: Simulation) -> None:
    """A force-stop cancels the package's alarms, and alarms do not survive a reboot."""
    _, alarms, fired = setup(sim)
    alarms.set(alarm(AlarmKind.SET_EXACT, 10_000, tag="one"))
    alarms.cancel_all(PACKAGE, reason="app force stopped")
    alarms.set(alarm(AlarmKind.SET_EXACT, 10_000, tag="two"))
    alarms.drop_all(reason="shutdown")
    sim.run_until(20_000)
    assert fired == []
    assert [r["reason"] for r in sim.trace.of_kind("alarm.cancelled")] == [
        "app force stopped",
        "shutdown",
    ]


def test_exact_alarms_are_denied_by_default_from_android_14(sim: Simulation) -> None:
    """canScheduleExactAlarms: apps targeting API 33+ without USE_EXACT_ALARM are denied the
    permission by default on Android 14 (SCHEDULE_EXACT_ALARM no longer pre-granted)."""
    _, on_13, _ = setup(sim, FakeDevice(platform_version=13))
    assert on_13.can_schedule_exact_alarms(PACKAGE)
    on_14 = AlarmManagerService(sim, FakeDevice(platform_version=14))
    assert not on_14.can_schedule_exact_alarms(PACKAGE)
