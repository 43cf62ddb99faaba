"""The cell: the battery level never leaves 0..100, whatever happens (property test)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harness.device import Device, PowerState
from harness.device._cell import Cell
from harness.sim import Simulation

EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(1, 24 * 60)),
        st.tuples(
            st.sampled_from(
                [
                    "plug_ac",
                    "plug_usb",
                    "plug_wireless",
                    "unplug",
                    "screen_on",
                    "use",
                    "screen_off",
                    "wakelock",
                    "release",
                    "transfer",
                    "wakeup",
                    "reboot",
                    "power_on",
                    "set_level",
                    "reset",
                ]
            ),
            st.integers(0, 100),
        ),
    ),
    max_size=30,
)


def _apply_common_event(sim: Simulation, device: Any, event: str, value: int) -> bool:
    """Apply EVENTS' time, charger and power-on actions; ``True`` when ``event`` was one of them
    or the phone is off (no other action applies), ``False`` when it is the caller's to apply."""
    if event == "run":
        sim.run_for(value * 60_000)
    elif event.startswith("plug_"):
        device.battery.plug(event.removeprefix("plug_"))
    elif event == "unplug":
        device.battery.unplug()
    elif event == "power_on":
        device.power_on()
    else:
        return not device.is_on
    return True


@pytest.mark.slow
@settings(max_examples=60)
@given(
    profile=st.sampled_from(["pixel-like", "budget"]),
    initial=st.integers(0, 100),
    events=EVENTS,
)
def test_level_stays_within_0_and_100(
    profile: str, initial: int, events: list[tuple[str, int]]
) -> None:
    """Reported and true levels stay in 0..100 and the charge within capacity (BATTERY_SCALE)."""
    with Simulation(seed=1) as sim:
        device: Any = Device(sim, profile, overrides={"battery.initial_level": initial})
        cell = device.battery.cell
        for event, value in events:
            if _apply_common_event(sim, device, event, value):
                pass  # time, a charger, power-on, or the phone is off: checked below all the same
            elif event == "screen_on":
                device.screen.wake_up()
            elif event == "use":
                device.screen.use_for(value * 60_000)
            elif event == "screen_off":
                device.screen.go_to_sleep()
            elif event == "wakelock":
                device.power.acquire_wakelock(f"w{value % 3}")
            elif event == "release":
                device.power.release_wakelock(f"w{value % 3}")
            elif event == "transfer":
                device.power.note_transfer(value << 16, value << 18, "CELLULAR", duration_ms=value)
            elif event == "wakeup":
                device.power.note_wakeup("alarm")
            elif event == "reboot":
                device.reboot()
            elif event == "set_level":
                device.shell(f"dumpsys battery set level {value}")
            elif event == "reset":
                device.shell("dumpsys battery reset")
            cell.settle()
            assert 0 <= cell.level <= 100
            assert 0 <= cell.charge_uams <= cell.capacity_uams
            assert 0 <= device.battery.level <= 100
        sim.run_for(1)  # BatteryService posts its shutdown: let it run
        levels = [r["level"] for r in sim.trace.of_kind("device.battery")]
        assert all(0 <= level <= 100 for level in levels)
        if device.battery.level == 0 and device.state is PowerState.ON:
            # BatteryService shuts down at 0 % unless the phone is charging
            assert device.battery.state.status.name == "CHARGING"


def test_level_does_not_step_down_when_a_wakeup_lands_on_a_percent_while_charging() -> None:
    """A job's wake-up as the level reaches 20 % on the charger leaves it at 20 %: the charger
    carries the lump (BatteryService reports the fuel gauge's level; a phone on a charger does
    not show 20 -> 19 -> 20 within milliseconds)."""
    with Simulation(seed=1) as sim:
        device: Any = Device(sim, "pixel-like", overrides={"battery.initial_level": 19})
        device.battery.plug("ac")

        def on_change(state: Any) -> None:
            if state.level == 20:
                device.power.note_wakeup("job:1")

        device.battery.changed.connect(on_change)
        sim.run_for(10 * 60_000)
        levels = [r["level"] for r in sim.trace.of_kind("device.battery")]
        assert 20 in levels
        assert all(b >= a for a, b in pairwise(levels)), levels


CHARGING_LOADS = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(1, 10 * 60_000)),
        st.tuples(
            st.sampled_from(
                ["screen_on", "screen_off", "wakelock", "release", "transfer", "wakeup"]
            ),
            st.integers(0, 100),
        ),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@example(initial=100, charger="ac", events=[("wakeup", 0), ("run", 60_000)])
@example(initial=99, charger="ac", events=[("transfer", 100), ("run", 600_000)])
@given(
    initial=st.integers(0, 100),
    charger=st.just("ac"),  # 3 A: more than any load the profile draws, even tapered at 100 %
    events=CHARGING_LOADS,
)
def test_level_never_decreases_while_charging(
    initial: int, charger: str, events: list[tuple[str, int]]
) -> None:
    """While the charger supplies more than the device draws, the level never goes down, for
    any mix of load: screen, wake locks, transfers and wake-ups (BatteryService level while
    plugged in, net of load)."""
    with Simulation(seed=1) as sim:
        device: Any = Device(sim, "pixel-like", overrides={"battery.initial_level": initial})
        device.battery.plug(charger)
        sim.run_for(1)
        start = len(sim.trace.of_kind("device.battery"))
        for event, value in events:
            if event == "run":
                sim.run_for(value)
            elif event == "screen_on":
                device.screen.wake_up()
            elif event == "screen_off":
                device.screen.go_to_sleep()
            elif event == "wakelock":
                device.power.acquire_wakelock(f"w{value % 3}")
            elif event == "release":
                device.power.release_wakelock(f"w{value % 3}")
            elif event == "transfer":
                device.power.note_transfer(value << 14, value << 16, "WIFI", duration_ms=value)
            elif event == "wakeup":
                device.power.note_wakeup("job")
            cell = device.battery.cell
            assert cell.charge_rate_ua() > cell.draw.total_ua  # the premise: net charging
        sim.run_for(1)
        levels = [r["level"] for r in sim.trace.of_kind("device.battery")[start - 1 :]]
        assert all(b >= a for a, b in pairwise(levels)), levels


def _consume_with_a_whole_update(cell: Cell, charge_uams: int, reason: str) -> None:
    """``Cell.consume`` as it was before its on-battery shortcut: settle, take or owe the
    lump, account it, then the whole update (the reference the shortcut must equal)."""
    cell._settle()
    if cell._has_headroom():
        cell._debt += charge_uams
    else:
        cell._charge = max(0, cell._charge - charge_uams)
    cell._account(reason, charge_uams)
    cell.update()


def _life_of(profile: str, initial: int, events: list[tuple[str, int]]) -> tuple[object, ...]:
    """The trace digest and the cell's state after ``events`` (EVENTS' actions, many of them
    transfers and wake-ups: each takes a lump through ``Cell.consume``)."""
    with Simulation(seed=1) as sim:
        device: Any = Device(sim, profile, overrides={"battery.initial_level": initial})
        for event, value in events:
            if _apply_common_event(sim, device, event, value):
                continue
            if event in ("transfer", "use"):
                for _ in range(value % 4 + 1):  # bursts: the radio active for the tag already
                    device.power.note_transfer(value << 12, value << 14, "WIFI", tag="network:a")
                    sim.run_for(value * 7 + 1)
            elif event in ("wakeup", "wakelock"):
                device.power.note_wakeup("alarm")
            elif event == "screen_on":
                device.screen.wake_up()
            elif event == "screen_off":
                device.screen.go_to_sleep()
            elif event == "set_level":
                device.shell(f"dumpsys battery set level {value}")
        sim.run_for(60 * 60_000)
        cell = device.battery.cell
        cell.settle()
        return (
            sim.trace.digest(),
            cell.charge_uams,
            cell.reading(),
            cell._timer.due_ms,
            device.power.used_by_reason_uah(),
        )


@settings(max_examples=40, deadline=None)
@given(
    profile=st.sampled_from(["pixel-like", "budget"]),
    initial=st.integers(0, 100),
    events=EVENTS,
)
def test_a_lump_on_battery_leaves_what_a_whole_update_leaves(
    profile: str, initial: int, events: list[tuple[str, int]]
) -> None:
    """A lump taken on battery (``Cell.consume`` without a charger) leaves the charge, the
    readings, the next percent's timer and the accounting exactly as settling, taking it and
    running the whole update does: the trace is byte for byte the same."""
    fast = _life_of(profile, initial, events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Cell, "consume", _consume_with_a_whole_update)
        reference = _life_of(profile, initial, events)
    assert fast == reference
