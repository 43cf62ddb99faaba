"""The power model: draw by state, wake locks, wake-ups, transfers, per-reason accounting."""

from __future__ import annotations

from typing import Any

from harness.device import IdleFloor
from harness.sim import Simulation
from tests.device.conftest import MakeDevice
from tests.device.helpers import FLAT_DRAIN, records

UAMS_PER_UAH = 3_600_000


def test_screen_on_draws_the_screen_current(device: Any) -> None:
    """Screen on: the screen current (screen.on + screen.full/2 + cpu) replaces the idle floor."""
    assert device.power.draw().parts == (("idle", 14_000),)
    device.screen.wake_up()
    assert device.power.draw().parts == (("screen", 360_000),)


def test_doze_lowers_the_floor(device: Any) -> None:
    """Deep IDLE draws deep_idle_ua; light IDLE draws light_idle_ua."""
    device.shell("dumpsys deviceidle force-idle")
    assert device.power.draw().parts == (("idle", 10_000),)
    device.shell("dumpsys deviceidle unforce")
    device.power.set_idle_floor(IdleFloor.LIGHT_IDLE)
    assert device.power.draw().parts == (("idle", 12_000),)


def test_wakelock_keeps_the_cpu_awake_and_is_charged_to_its_tag(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """A partial wake lock costs awake_ua while held, charged to the holder (BatteryStats)."""
    device = make_device(**FLAT_DRAIN, **{"power.awake_ua": 60_000})
    device.power.acquire_wakelock("work:sync")
    assert device.power.awake
    sim.run_for(60_000)
    device.power.release_wakelock("work:sync")
    assert not device.power.awake
    assert device.power.used_uah("work:sync") == 60_000 * 60_000 // UAMS_PER_UAH
    assert [r["held"] for r in records(sim, "device.wakelock")] == [True, False]


def test_two_wakelocks_split_the_cpu_evenly(sim: Simulation, make_device: MakeDevice) -> None:
    """Simultaneous holders share the awake current; the parts always sum to the total."""
    device = make_device(**{"power.awake_ua": 60_001})
    device.power.acquire_wakelock("a")
    device.power.acquire_wakelock("b")
    draw = device.power.draw()
    assert dict(draw.parts)["a"] == 30_001
    assert dict(draw.parts)["b"] == 30_000
    assert sum(current for _, current in draw.parts) == draw.total_ua


def test_wakelocks_are_reference_counted(device: Any) -> None:
    """PowerManager wake locks are reference counted; an extra release is ignored."""
    device.power.acquire_wakelock("x")
    device.power.acquire_wakelock("x")
    device.power.release_wakelock("x")
    assert device.power.wakelocks == ["x"]
    device.power.release_wakelock("x")
    device.power.release_wakelock("x")
    assert device.power.wakelocks == []


def test_wakeup_costs_charge_and_is_traced(sim: Simulation, device: Any) -> None:
    """Each wake-up costs wakeup_uah and is a device.wakeup record (wake-ups per hour)."""
    device.power.note_wakeup("alarm:sync")
    assert device.power.used_uah("wakeup:alarm:sync") == 2
    assert records(sim, "device.wakeup", reason="alarm:sync")


def test_transfer_costs_bytes_active_time_and_a_radio_tail(sim: Simulation, device: Any) -> None:
    """Bytes cost per-MiB energy; the radio stays active for its tail (LTE about 10 s)."""
    device.power.note_transfer(1 << 20, 1 << 20, "CELLULAR", tag="work:sync", duration_ms=2000)
    lump = 100 * 2 * UAMS_PER_UAH + 250_000 * 2000
    assert device.power.used_uah("work:sync") == lump // UAMS_PER_UAH
    assert dict(device.power.draw().parts)["work:sync"] == 250_000
    sim.run_for(10_000)
    assert "work:sync" not in dict(device.power.draw().parts)
    assert device.power.used_uah("work:sync") == (lump + 250_000 * 10_000) // UAMS_PER_UAH


def test_battery_per_sync_is_measurable(sim: Simulation, device: Any) -> None:
    """Everything a sync caused is charged to its tags: wake-up, CPU and radio."""
    device.power.note_wakeup("job:1")
    device.power.acquire_wakelock("job:1")
    sim.run_for(5_000)
    device.power.note_transfer(2000, 50_000, "WIFI", tag="job:1", duration_ms=300)
    device.power.release_wakelock("job:1")
    sim.run_for(1_000)
    by_reason = device.power.used_by_reason_uah()
    assert by_reason["job:1"] > 0
    assert by_reason["wakeup:job:1"] == 2
    assert device.power.used_uah(prefix="job:") == by_reason["job:1"]


def test_off_device_ignores_wakelocks(sim: Simulation, device: Any) -> None:
    """Nothing runs while the device is off: wake locks and wake-ups are dropped."""
    device.reboot()
    device.power.acquire_wakelock("late")
    device.power.note_wakeup("late")
    assert device.power.draw().total_ua == 0
    assert device.power.wakelocks == []


def test_a_change_that_leaves_the_draw_as_it_was_arms_no_timer(
    sim: Simulation, device: Any
) -> None:
    """An input set to what it was (the same current for every reason) recomputes nothing: the
    next whole percent stays armed as it was (the loop's timer count does not move)."""
    device.screen.wake_up()
    sim.run_for(1_000)
    armed = sim.loop._timer_sequence  # every timer the loop ever armed, in order
    device.power.set_screen_on(True)
    device.power.set_idle_floor(IdleFloor.SUSPENDED)
    assert sim.loop._timer_sequence == armed


def test_a_transfer_on_an_active_radio_arms_two_timers(sim: Simulation, device: Any) -> None:
    """A transfer while the radio is still in its tail changes no current: its lump brings the
    next whole percent nearer (one timer) and it moves the tail's end (one timer), no more."""
    device.screen.wake_up()
    device.power.note_transfer(1000, 1000, "WIFI", tag="network:a")
    sim.run_for(100)
    armed = sim.loop._timer_sequence
    device.power.note_transfer(1000, 1000, "WIFI", tag="network:a")
    assert sim.loop._timer_sequence == armed + 2


def test_deferred_settling_accounts_the_same_charge(sim: Simulation, device: Any) -> None:
    """Charge is linear in time, so inputs that leave the draw as it was change no total."""
    device.screen.wake_up()
    for _ in range(6):
        sim.run_for(10_000)
        device.power.set_screen_on(True)
    assert device.power.used_uah("screen") == 360_000 * 60_000 // UAMS_PER_UAH


def test_the_draw_follows_every_input_and_the_end_of_a_radio_tail(
    sim: Simulation, device: Any
) -> None:
    """The draw is recomputed when an input changes and when a radio's tail ends, and only
    then: the same instant asked twice gives the same draw."""
    device.power.note_transfer(1000, 1000, "WIFI", tag="network:a")
    assert device.power.draw() is device.power.draw()
    device.power.acquire_wakelock("job:1")
    assert [reason for reason, _ in device.power.draw().parts] == ["idle", "job:1", "network:a"]
    sim.run_for(60_000)  # the Wi-Fi tail is long over
    assert [reason for reason, _ in device.power.draw().parts] == ["idle", "job:1"]
    device.power.release_wakelock("job:1")
    assert device.power.draw().parts == (("idle", 14_000),)


def test_a_battery_record_between_updates_reports_the_charge_at_the_last_input(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """An input that leaves the draw as it was still brings the charge up to that instant, as
    an update does: a ``device.battery`` record written later (``dumpsys battery set``) reports
    the charge as of then, not as of the last whole percent."""
    device = make_device(**{**FLAT_DRAIN, "battery.capacity_mah": 20_000})
    sim.run_for(1_000)
    device.power.used_uah()  # brings the charge up to now
    start_uams = device._cell.charge_uams
    draw_ua = device.power.draw().total_ua
    sim.run_for(600_000)
    assert device.power.draw().total_ua == draw_ua
    device.power.set_idle_floor(IdleFloor.SUSPENDED)  # as it was: the same current
    sim.run_for(1_000)
    device.shell("dumpsys battery set level 50")
    expected_uah = (start_uams - draw_ua * 600_000) // UAMS_PER_UAH
    assert records(sim, "device.battery")[-1]["charge_uah"] == expected_uah


def test_a_burst_on_an_active_radio_only_moves_the_tail(sim: Simulation, device: Any) -> None:
    """A transfer while its radio is active for the same tag changes no current: the draw and
    the battery's draw stay what a full recompute gives, and the tail ends after the last one."""
    tail_ms = device.power._radios["wifi"][2]
    device.power.note_transfer(1000, 1000, "WIFI", tag="network:a")
    for _ in range(5):
        sim.run_for(100)
        device.power.note_transfer(1000, 1000, "WIFI", tag="network:a")
    assert device.power.draw() == device.power._compute_draw() == device._cell._draw
    sim.run_for(tail_ms - 1)
    assert "network:a" in dict(device.power.draw().parts)
    sim.run_for(1)
    assert "network:a" not in dict(device.power.draw().parts)
    assert device._cell._draw == device.power._compute_draw()
