"""BatteryService over the simulated cell: levels, LOW/OKAY, plug broadcasts, shutdown, dumpsys."""

from __future__ import annotations

from typing import Any

import pytest

from harness._exceptions import ShellCommandError
from harness.device import BatteryBroadcast, BatteryStatus, PlugType, PowerState
from harness.sim import Simulation
from tests.device.conftest import MakeDevice
from tests.device.helpers import FLAT_DRAIN, first, records

MINUTE = 60_000


def test_level_drops_at_the_exact_whole_percent_crossing(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """The level is floor(charge * 100 / capacity); the next crossing is computed, not polled."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 50})
    # the charge starts mid-percent (50.5 %): 5 mAh to lose at 100 mA = 180 000 ms, and one
    # more ms to fall strictly below the 50 % boundary
    sim.run_for(180_000)
    assert device.battery.level == 50
    sim.run_for(1)
    assert device.battery.level == 49
    assert first(sim, "device.battery", level=49).t_ms == 180_001
    sim.run_for(6 * MINUTE)
    assert device.battery.level == 48


def test_charge_is_exact_integer_microamp_hours(sim: Simulation, make_device: MakeDevice) -> None:
    """Charge is integer µA·ms: 10 minutes at 100 mA is exactly 16 667 µAh (floor)."""
    device = make_device(**FLAT_DRAIN)
    sim.run_for(10 * MINUTE)
    assert device.power.used_uah() == 100_000 * 10 * MINUTE // 3_600_000


def test_battery_low_at_15_percent_unplugged(sim: Simulation, make_device: MakeDevice) -> None:
    """ACTION_BATTERY_LOW when the level falls to config_lowBatteryWarningLevel (BatteryService)."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 17})
    lows: list[BatteryBroadcast] = []
    device.battery.broadcast.connect(lows.append)
    not_low: list[bool] = []
    device.battery.not_low_changed.connect(not_low.append)
    sim.run_for(6 * MINUTE)
    assert device.battery.level == 16
    assert lows == []
    sim.run_for(6 * MINUTE)
    assert device.battery.level == 15
    assert lows == [BatteryBroadcast.ACTION_BATTERY_LOW]
    assert device.battery.state.level_low
    assert not_low == [False]
    low = first(sim, "device.battery", level=15)
    assert low["broadcasts"] == ["ACTION_BATTERY_LOW"]


def test_plugging_in_clears_level_low_but_jobs_wait_for_okay_at_20(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """mBatteryLevelLow clears on power; JobScheduler's battery-not-low waits for OKAY at 15 + 5."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 12, "charging.ac_ua": 1_000_000})
    assert device.battery.state.level_low
    assert not device.battery.not_low
    device.battery.plug("ac")
    state = device.battery.state
    assert not state.level_low
    assert not state.not_low
    broadcasts: list[BatteryBroadcast] = []
    device.battery.broadcast.connect(broadcasts.append)
    # 900 mA net into 1000 mAh: 1 % per 40 s
    sim.run_for(5 * MINUTE)
    assert device.battery.level >= 20
    assert broadcasts == [BatteryBroadcast.ACTION_BATTERY_OKAY]
    okay = first(sim, "device.battery", level=20)
    assert okay["broadcasts"] == ["ACTION_BATTERY_OKAY"]
    assert device.battery.not_low


def test_unplugging_below_the_warning_level_sends_low_again(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """shouldSendBatteryLowLocked: 'is just un-plugged and battery level is <= WARNING'."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 10})
    device.battery.plug("usb")
    broadcasts: list[BatteryBroadcast] = []
    device.battery.broadcast.connect(broadcasts.append)
    device.battery.unplug()
    assert broadcasts == [
        BatteryBroadcast.ACTION_POWER_DISCONNECTED,
        BatteryBroadcast.ACTION_BATTERY_LOW,
    ]


def test_power_connected_and_disconnected(device: Any) -> None:
    """ACTION_POWER_CONNECTED when mPlugType leaves NONE, DISCONNECTED when it returns."""
    broadcasts: list[BatteryBroadcast] = []
    device.battery.broadcast.connect(broadcasts.append)
    device.battery.plug(PlugType.WIRELESS)
    assert device.battery.plugged == PlugType.WIRELESS
    assert device.battery.state.status == BatteryStatus.CHARGING
    device.battery.unplug()
    assert broadcasts == [
        BatteryBroadcast.ACTION_POWER_CONNECTED,
        BatteryBroadcast.ACTION_POWER_DISCONNECTED,
    ]


def test_charging_tapers_above_80_percent(sim: Simulation, make_device: MakeDevice) -> None:
    """Constant-current then constant-voltage: the profile's rate falls linearly above 80 %."""
    device = make_device(**{"battery.initial_level": 79})
    device.battery.plug("ac")
    full = device.battery.cell.charge_rate_ua()
    assert full == 3_000_000
    sim.run_until(first_level(sim, device, 90))
    assert device.battery.cell.charge_rate_ua() == 3_000_000 * (100 * 20 - 80 * 10) // (100 * 20)


def first_level(sim: Simulation, device: Any, level: int) -> int:
    """Run until ``level`` is reached; return the time."""
    while device.battery.level < level:
        sim.run_for(MINUTE)
    return sim.now_ms


def test_full_battery_reports_full_and_holds(sim: Simulation, make_device: MakeDevice) -> None:
    """BATTERY_STATUS_FULL at 100 % on a charger; the charger carries the load."""
    device = make_device(**{"battery.initial_level": 100})
    device.battery.plug("ac")
    assert device.battery.state.status == BatteryStatus.FULL
    sim.run_for("2h")
    assert device.battery.level == 100


def test_shutdown_at_zero_percent_and_boot_on_charger(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """shouldShutdownLocked: level 0, present, not CHARGING; auto-boot when charged on a charger."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 1})
    downs: list[str] = []
    device.shutting_down.connect(lambda event: downs.append(event.reason))
    device.apps.launch("com.example.sync")
    sim.run_for(MINUTE)
    device.apps.leave("com.example.sync")
    sim.run_for("10m")
    assert device.state == PowerState.OFF
    assert downs == ["battery level 0"]
    assert first(sim, "device.process", event="died")["detail"] == "shutdown: battery level 0"
    with pytest.raises(ShellCommandError, match=r"no devices/emulators found"):
        device.shell("dumpsys battery")
    # nothing draws while off
    used = device.power.used_uah()
    sim.run_for("1h")
    assert device.power.used_uah() == used
    device.battery.plug("ac")
    sim.run_for("5m")
    assert device.state == PowerState.ON
    assert device.boot_count == 2
    boot = first(sim, "device.boot", event="boot_completed", boot_count=2)
    assert boot.t_ms > first(sim, "device.boot", event="booting").t_ms


def test_no_framework_shutdown_while_charging_but_the_cell_can_die(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """At 0 % with status CHARGING BatteryService waits; an empty cell cuts power anyway."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 1, "charging.usb_ua": 50_000})
    device.battery.plug("usb")  # 50 mA in, 100 mA out: still CHARGING, yet draining
    sim.run_for("8m")
    assert device.battery.level == 0
    assert device.is_on
    sim.run_for("30m")
    assert not device.is_on
    assert records(sim, "device.boot", event="shutdown")[0]["reason"] == "battery empty"


def test_dumpsys_battery_format(device: Any) -> None:
    """dumpsys battery prints BatteryService.dumpInternal's lines (14: Dock, Charging state)."""
    assert device.shell("adb shell dumpsys battery") == (
        "Current Battery Service state:\n"
        "  AC powered: false\n"
        "  USB powered: false\n"
        "  Wireless powered: false\n"
        "  Dock powered: false\n"
        "  Max charging current: 0\n"
        "  Max charging voltage: 0\n"
        "  Charge counter: 3622500\n"
        "  status: 3\n"
        "  health: 2\n"
        "  present: true\n"
        "  level: 80\n"
        "  scale: 100\n"
        "  voltage: 3870\n"
        "  temperature: 250\n"
        "  technology: Li-ion\n"
        "  Charging state: 1\n"
        "  Charging policy: 1\n"
    )


def test_dumpsys_battery_13_has_no_dock_line(make_device: MakeDevice) -> None:
    """The Android 13 dump (A13@717326a8) has no Dock powered / Charging state lines."""
    text = make_device("budget").shell("dumpsys battery")
    assert "Dock powered" not in text
    assert "Charging policy" not in text


def test_set_level_freezes_until_reset(sim: Simulation, make_device: MakeDevice) -> None:
    """set level N stops updates (mUpdatesStopped) until reset; -f prints mSequence."""
    device = make_device(**FLAT_DRAIN, **{"battery.initial_level": 60})
    assert device.shell("dumpsys battery set level 5") == ""
    assert device.battery.level == 5
    assert device.battery.state.updates_stopped
    assert not device.battery.not_low  # BATTERY_LOW went out
    assert "(UPDATES STOPPED -- use 'reset' to restart)" in device.shell("dumpsys battery")
    sim.run_for("30m")
    assert device.battery.level == 5  # frozen, while the hardware drained 5 %
    sequence = device.shell("dumpsys battery reset -f")
    assert sequence.strip().isdigit()
    assert device.battery.level == 55
    assert not device.battery.state.updates_stopped


def test_set_ac_changes_plug_type_not_status(device: Any) -> None:
    """'set ac 1' sets chargerAcOnline only; status stays what the HAL said."""
    device.shell("dumpsys battery set ac 1")
    state = device.battery.state
    assert state.plugged == PlugType.AC
    assert state.status == BatteryStatus.DISCHARGING
    assert device.shell("dumpsys battery get ac") == "true\n"
    assert device.battery.cell.charger == PlugType.NONE  # nothing physically charges


def test_set_usb_reports_usb_power(device: Any) -> None:
    """'set usb 1' sets chargerUsbOnline (``BatteryService.onShellCommand`` "set"): plugged USB,
    'USB powered: true' in the dump; 'reset' returns to what the HAL says."""
    device.shell("dumpsys battery set usb 1")
    assert device.battery.state.plugged == PlugType.USB
    assert "  USB powered: true\n" in device.shell("dumpsys battery")
    assert device.shell("dumpsys battery get usb") == "true\n"
    device.shell("dumpsys battery reset")
    assert device.battery.state.plugged == PlugType.NONE


def test_unplug_while_physically_charging(sim: Simulation, device: Any) -> None:
    """'dumpsys battery unplug' makes the framework see no charger; the cell still charges."""
    device.battery.plug("ac")
    level = device.battery.cell.level
    device.shell("dumpsys battery unplug")
    assert device.battery.plugged == PlugType.NONE
    sim.run_for("10m")
    assert device.battery.cell.level > level
    assert device.battery.level == level


def test_battery_shell_errors(device: Any) -> None:
    """Errors print BatteryService's texts."""
    with pytest.raises(ShellCommandError, match=r"^Bad value: x$"):
        device.shell("dumpsys battery set level x")
    with pytest.raises(ShellCommandError, match=r"^No value specified$"):
        device.shell("dumpsys battery set level")
    assert device.shell("dumpsys battery set foo 1") == "Unknown set option: foo\n"
    assert device.shell("dumpsys battery get level") == "80\n"


def test_charging_is_plugged_and_charging_or_full(make_device: MakeDevice) -> None:
    """``charging`` is the state's plugged-in and CHARGING-or-FULL, whatever set them."""
    device = make_device(**{"battery.initial_level": 100})

    def from_state() -> bool:
        state = device.battery.state
        return state.plugged is not PlugType.NONE and state.status in (
            BatteryStatus.CHARGING,
            BatteryStatus.FULL,
        )

    seen = [device.battery.charging]
    assert device.battery.charging == from_state()
    for command in ("dumpsys battery set ac 1", "dumpsys battery reset"):
        device.shell(command)  # set ac: plugged AC, still DISCHARGING
        seen.append(device.battery.charging)
        assert device.battery.charging == from_state()
    device.battery.plug("ac")  # FULL at 100 %
    seen.append(device.battery.charging)
    assert device.battery.charging == from_state()
    device.battery.unplug()
    device.battery.plug(PlugType.USB)
    seen.append(device.battery.charging)
    assert device.battery.charging == from_state()
    assert seen == [False, False, False, True, True]
