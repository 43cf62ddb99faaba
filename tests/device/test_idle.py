"""DeviceIdlenessTracker: the requiresDeviceIdle constraint (JS/job/controllers/idle/)."""

from __future__ import annotations

from typing import Any

from harness.sim import Simulation
from tests.device.conftest import MakeDevice

MIN = 60_000


def test_idle_31_minutes_after_screen_off(sim: Simulation, device: Any) -> None:
    """config_jobSchedulerInactivityIdleThreshold = 1 860 000 ms after the screen went off."""
    events: list[bool] = []
    device.idle.changed.connect(events.append)
    sim.run_for(31 * MIN - 1)
    assert not device.idle.device_idle
    sim.run_for(1)
    assert device.idle.device_idle
    assert events == [True]


def test_screen_on_ends_idle_and_restarts_the_count(sim: Simulation, device: Any) -> None:
    """ACTION_SCREEN_ON cancels the check and ends idle; the next screen-off starts over."""
    sim.run_for(40 * MIN)
    device.screen.wake_up()
    assert not device.idle.device_idle
    sim.run_for(MIN)  # the screen times out at 60 s
    assert not device.screen.on
    sim.run_for(31 * MIN - 1)
    assert not device.idle.device_idle
    sim.run_for(1)
    assert device.idle.device_idle


def test_locked_screen_on_also_ends_idle(sim: Simulation, device: Any) -> None:
    """Unlike doze, the tracker reacts to the screen itself (ACTION_SCREEN_ON), locked or not."""
    sim.run_for(40 * MIN)
    device.screen.wake_up()
    assert device.screen.locked
    assert not device.idle.device_idle


def test_idle_maintenance_command_triggers_idle(device: Any) -> None:
    """am idle-maintenance sends ACTION_TRIGGER_IDLE: idle at once if the screen is off."""
    device.shell("am idle-maintenance")
    assert device.idle.device_idle


def test_stable_power_threshold(sim: Simulation, make_device: MakeDevice) -> None:
    """On stable power (charging, battery not low) the stable-power threshold applies."""
    device = make_device(**{"idle.inactivity_idle_threshold_on_stable_power_ms": 5 * MIN})
    device.battery.plug("ac")
    sim.run_for(5 * MIN)
    assert device.idle.device_idle
