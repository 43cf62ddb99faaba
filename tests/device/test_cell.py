"""The cell: the battery level never leaves 0..100, whatever happens (property test)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.device import Device, PowerState
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
            if event == "run":
                sim.run_for(value * 60_000)
            elif event.startswith("plug_"):
                device.battery.plug(event.removeprefix("plug_"))
            elif event == "unplug":
                device.battery.unplug()
            elif event == "power_on":
                device.power_on()
            elif not device.is_on:
                continue
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
