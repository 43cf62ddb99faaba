"""dumpsys deviceidle: DeviceIdleController.onShellCommand's strings (FB@01740eff, A15)."""

from __future__ import annotations

from typing import Any

import pytest

from harness._exceptions import ShellCommandError
from harness.sim import Simulation
from tests.device.conftest import MakeDevice


def test_force_idle_and_unforce(device: Any) -> None:
    """force-idle steps to IDLE ('Now forced in to deep idle mode'); unforce prints both states."""
    device.screen.use_for(60_000)
    assert device.shell("dumpsys deviceidle force-idle") == "Now forced in to deep idle mode\n"
    assert device.shell("dumpsys deviceidle get deep") == "IDLE\n"
    assert device.shell("dumpsys deviceidle get force") == "true\n"
    # mForceIdle: the screen being on does not wake it
    assert device.shell("dumpsys deviceidle unforce") == "Light state: ACTIVE, deep state: ACTIVE\n"


def test_step_deep_and_light(device: Any) -> None:
    """step prints 'Stepped to deep: X'; a step from ACTIVE changes nothing."""
    device.screen.use_for(60_000)
    assert device.shell("dumpsys deviceidle step") == "Stepped to deep: ACTIVE\n"
    device.screen.go_to_sleep()
    assert device.shell("dumpsys deviceidle step deep") == "Stepped to deep: IDLE_PENDING\n"
    assert device.shell("dumpsys deviceidle step") == "Stepped to deep: SENSING\n"
    assert device.shell("dumpsys deviceidle step light") == "Stepped to light: IDLE\n"
    assert device.shell("dumpsys deviceidle step foo") == "Unknown idle mode: foo\n"


def test_force_idle_light(device: Any) -> None:
    """force-idle light: 'Now forced in to light idle mode'."""
    assert device.shell("cmd deviceidle force-idle light") == "Now forced in to light idle mode\n"
    assert device.shell("dumpsys deviceidle get light") == "IDLE\n"


def test_get_options(sim: Simulation, device: Any) -> None:
    """get prints Java booleans and state names; unknown and missing arguments print errors."""
    sim.run_for(3_000)  # the networks connect after their connect times
    assert device.shell("dumpsys deviceidle get screen") == "false\n"
    assert device.shell("dumpsys deviceidle get charging") == "false\n"
    assert device.shell("dumpsys deviceidle get network") == "true\n"
    assert device.shell("dumpsys deviceidle get quick") == "false\n"
    assert device.shell("dumpsys deviceidle get xyz") == "Unknown get option: xyz\n"
    assert device.shell("dumpsys deviceidle get") == "Argument required\n"


def test_disable_and_enable(sim: Simulation, device: Any) -> None:
    """disable prints per mode; enable prints 'Light idle mode enable' (sic)."""
    assert device.shell("dumpsys deviceidle disable") == (
        "Deep idle mode disabled\nLight idle mode disabled\n"
    )
    assert device.shell("dumpsys deviceidle get deep") == "ACTIVE\n"
    sim.run_for("3h")
    assert device.shell("dumpsys deviceidle get deep") == "ACTIVE\n"
    assert device.shell("dumpsys deviceidle enabled") == "0\n"
    assert device.shell("dumpsys deviceidle enable") == (
        "Deep idle mode enabled\nLight idle mode enable\n"
    )
    assert device.shell("dumpsys deviceidle get deep") == "INACTIVE\n"
    assert device.shell("dumpsys deviceidle enable light") == ""


def test_force_idle_when_disabled_fails(make_device: MakeDevice) -> None:
    """'Unable to go deep idle; not enabled' with a non-zero exit."""
    device = make_device(**{"doze.enable_auto_power_modes": False})
    with pytest.raises(ShellCommandError, match=r"^Unable to go deep idle; not enabled$"):
        device.shell("dumpsys deviceidle force-idle")


def test_motion_command(sim: Simulation, device: Any) -> None:
    """'motion' runs motionLocked and prints both states."""
    sim.run_for("2h")
    assert device.shell("dumpsys deviceidle motion") == (
        "Light state: INACTIVE, deep state: INACTIVE\n"
    )


def test_dump_ends_with_state_lines(sim: Simulation, device: Any) -> None:
    """dumpsys deviceidle prints Settings then '  mState=<D> mLightState=<L>' (TimeUtils format)."""
    sim.run_for("2h")
    text = device.shell("dumpsys deviceidle")
    assert "    light_after_inactive_to=+4m0s0ms\n" in text
    assert "    idle_to=+1h0m0s0ms\n" in text
    assert "  mState=IDLE mLightState=OVERRIDE\n" in text
    assert "  mInactiveTimeout=+30m0s0ms\n" in text
    assert "  mNextIdleDelay=+2h0m0s0ms\n" in text


def test_unknown_deviceidle_command(device: Any) -> None:
    """A word DeviceIdleController does not know prints ``Unknown command: X``
    (``ShellCommand.handleDefaultCommands``) and fails; a dash word is ``Unknown option: -x``
    (``DeviceIdleController.dump``); a real command the simulation lacks lists the supported."""
    with pytest.raises(ShellCommandError, match=r"^Unknown command: bogus$"):
        device.shell("dumpsys deviceidle bogus")
    with pytest.raises(ShellCommandError, match=r"^Unknown command: bogus$"):
        device.shell("cmd deviceidle bogus")
    assert device.shell("dumpsys deviceidle -x") == "Unknown option: -x\n"
    with pytest.raises(
        ShellCommandError, match=r"^dumpsys deviceidle 'sys-whitelist' is not supported"
    ):
        device.shell("dumpsys deviceidle sys-whitelist")


def test_dump_lists_light_pre_idle_only_where_the_release_has_it() -> None:
    """``DeviceIdleController.Constants.dump``: 12/13 print ``light_pre_idle_to``; 14 dropped
    the PRE_IDLE state and its constant."""
    from harness.device import Device
    from harness.sim import Simulation

    for version, expected in ((13, True), (14, False)):
        with Simulation(seed=0) as sim:
            device = Device(sim, "pixel-like", overrides={"android_version": version})
            text = device.shell("dumpsys deviceidle")
            assert ("    light_pre_idle_to=+3m0s0ms\n" in text) is expected


#: ``DeviceIdleController.Constants.dump`` key order, 12/13 (FB@01740eff).
_KEYS_13 = """flex_time_short light_after_inactive_to light_pre_idle_to light_idle_to
light_idle_to_initial_flex light_max_idle_to_flex light_idle_factor light_max_idle_to
light_idle_maintenance_min_budget light_idle_maintenance_max_budget min_light_maintenance_time
min_deep_maintenance_time inactive_to sensing_to locating_to location_accuracy motion_inactive_to
motion_inactive_to_flex idle_after_inactive_to idle_pending_to max_idle_pending_to
idle_pending_factor quick_doze_delay_to idle_to max_idle_to idle_factor min_time_to_alarm
max_temp_app_allowlist_duration_ms mms_temp_app_allowlist_duration_ms
sms_temp_app_allowlist_duration_ms notification_allowlist_duration_ms wait_for_unlock
pre_idle_factor_long pre_idle_factor_short use_window_alarms""".split()  # noqa: SIM905

#: ``DeviceIdleController.Constants.dump`` key order, 14+ (A15@0898a28d).
_KEYS_14 = """flex_time_short light_after_inactive_to light_idle_to light_idle_to_initial_flex
light_max_idle_to_flex light_idle_factor light_idle_increase_linearly
light_idle_linear_increase_factor_ms light_idle_flex_linear_increase_factor_ms light_max_idle_to
light_idle_maintenance_min_budget light_idle_maintenance_max_budget min_light_maintenance_time
min_deep_maintenance_time inactive_to sensing_to locating_to location_accuracy motion_inactive_to
motion_inactive_to_flex idle_after_inactive_to idle_pending_to max_idle_pending_to
idle_pending_factor quick_doze_delay_to idle_to max_idle_to idle_factor min_time_to_alarm
max_temp_app_allowlist_duration_ms mms_temp_app_allowlist_duration_ms
sms_temp_app_allowlist_duration_ms notification_allowlist_duration_ms wait_for_unlock
use_window_alarms use_mode_manager""".split()  # noqa: SIM905


@pytest.mark.parametrize(
    ("version", "keys"), [(12, _KEYS_13), (13, _KEYS_13), (14, _KEYS_14), (15, _KEYS_14)]
)
def test_settings_block_has_every_key_of_the_release_in_its_order(
    version: int, keys: list[str]
) -> None:
    """``DeviceIdleController.Constants.dump`` prints every key of its release in this order
    (12/13: FB@01740eff; 14+: A15@0898a28d), durations in ``TimeUtils.formatDuration``."""
    from harness.device import Device

    with Simulation(seed=0) as sim:
        device = Device(sim, "pixel-like", overrides={"android_version": version})
        text = device.shell("dumpsys deviceidle")
    block = text[: text.index("  mLightEnabled=")].splitlines()
    assert block[0] == "  Settings:"
    assert [line.strip().split("=", 1)[0] for line in block[1:]] == keys
    assert "    location_accuracy=20.0m" in block
    assert "    max_temp_app_allowlist_duration_ms=+5m0s0ms" in block
    assert "    idle_factor=2.0" in block
