"""Battery saver: BatterySaverStateMachine (manual, automatic, sticky, snooze) and quick doze."""

from __future__ import annotations

from typing import Any

from harness.device import DeepState, SaverState
from harness.sim import Simulation
from tests.device.conftest import MakeDevice
from tests.device.helpers import FLAT_DRAIN, records


def test_manual_on_and_off(device: Any) -> None:
    """STATE_OFF -> STATE_MANUAL_ON on 'cmd power set-mode 1'; back on 'set-mode 0'."""
    device.shell("cmd power set-mode 1")
    assert device.battery_saver.enabled
    assert device.battery_saver.state == SaverState.STATE_MANUAL_ON
    assert device.settings.get("low_power") == "1"
    device.shell("cmd power set-mode 0")
    assert not device.battery_saver.enabled


def test_settings_low_power_moves_the_state_machine(device: Any) -> None:
    """'settings put global low_power 1' goes through updateStateLocked: plugging turns it off."""
    device.shell("settings put global low_power 1")
    assert device.battery_saver.enabled
    assert device.battery_saver.state == SaverState.STATE_MANUAL_ON
    device.battery.plug("ac")
    assert not device.battery_saver.enabled


def test_cannot_turn_on_while_plugged(device: Any) -> None:
    """setLowPowerModeInternal refuses while powered ('Can't enable: isPowered')."""
    device.battery.plug("ac")
    device.shell("cmd power set-mode 1")
    assert not device.battery_saver.enabled


def test_plugging_in_turns_it_off_and_sticky_brings_it_back(device: Any) -> None:
    """MANUAL_ON -> PENDING_STICKY_ON when plugged (sticky); unplugged -> MANUAL_ON again."""
    device.shell("cmd power set-mode 1")
    device.battery.plug("usb")
    assert not device.battery_saver.enabled
    assert device.battery_saver.state == SaverState.STATE_PENDING_STICKY_ON
    device.battery.unplug()
    assert device.battery_saver.enabled
    assert device.battery_saver.state == SaverState.STATE_MANUAL_ON


def test_sticky_ends_once_charged_to_90(sim: Simulation, make_device: MakeDevice) -> None:
    """PENDING_STICKY_ON -> OFF at LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL (90 %)."""
    device = make_device(**{"battery.initial_level": 85})
    device.shell("cmd power set-mode 1")
    device.battery.plug("ac")
    sim.run_for("1h")
    assert device.battery.level >= 90
    assert device.battery_saver.state == SaverState.STATE_OFF
    device.battery.unplug()
    assert not device.battery_saver.enabled


def test_automatic_at_the_trigger_level(sim: Simulation, make_device: MakeDevice) -> None:
    """Automatic mode turns on when mBatteryLevelLow (warning level = trigger level), off at +5."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 22})
    device.shell("settings put global low_power_trigger_level 20")
    assert device.battery.warning_level == 20
    sim.run_for("12m")
    assert device.battery.level == 20
    assert device.battery_saver.state == SaverState.STATE_AUTOMATIC_ON
    device.battery.plug("ac")
    assert device.battery_saver.state == SaverState.STATE_OFF


def test_manual_off_while_automatic_snoozes(sim: Simulation, make_device: MakeDevice) -> None:
    """AUTOMATIC_ON -> OFF_AUTOMATIC_SNOOZED when the user turns it off: it stays off."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 19})
    device.settings.put("low_power_trigger_level", "20")
    assert device.battery_saver.enabled
    device.shell("cmd power set-mode 0")
    assert device.battery_saver.state == SaverState.STATE_OFF_AUTOMATIC_SNOOZED
    sim.run_for("20m")
    assert not device.battery_saver.enabled


def test_low_power_cleared_at_boot_then_sticky_restores_it(sim: Simulation, device: Any) -> None:
    """onBootCompleted clears LOW_POWER_MODE; LOW_POWER_MODE_STICKY then restores manual mode."""
    device.shell("settings put global low_power 1")
    assert device.settings.get("low_power_sticky") == "1"
    device.reboot()
    sim.run_for("1m")
    values = [r["value"] for r in records(sim, "device.settings", name="low_power")]
    assert values[-2:] == ["0", "1"]
    assert device.battery_saver.enabled
    device.shell("cmd power set-mode 0")
    device.reboot()
    sim.run_for("1m")
    assert device.settings.get("low_power") == "0"
    assert not device.battery_saver.enabled


def test_quick_doze_reaches_idle_after_60_s(sim: Simulation, device: Any) -> None:
    """Battery saver's quick doze: QUICK_DOZE_DELAY, then IDLE after QUICK_DOZE_DELAY_TIMEOUT."""
    device.shell("cmd power set-mode 1")
    assert device.doze.state == DeepState.QUICK_DOZE_DELAY
    sim.run_for(59_999)
    assert device.doze.state == DeepState.QUICK_DOZE_DELAY
    sim.run_for(1)
    assert device.doze.state == DeepState.IDLE
