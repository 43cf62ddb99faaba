"""Screen: power key, wake/sleep keys, keyguard, screen-off timeout, screen-on time."""

from __future__ import annotations

from typing import Any

from harness.sim import Simulation


def test_power_key_toggles(device: Any) -> None:
    """KEYCODE_POWER wakes a sleeping device and puts an awake one to sleep."""
    device.shell("input keyevent KEYCODE_POWER")
    assert device.screen.on
    assert device.screen.locked
    device.shell("input keyevent 26")
    assert not device.screen.on


def test_wakeup_and_sleep_keys_only_go_one_way(device: Any) -> None:
    """KEYCODE_WAKEUP only wakes; KEYCODE_SLEEP only sleeps."""
    device.shell("input keyevent KEYCODE_SLEEP")
    assert not device.screen.on
    device.shell("input keyevent KEYCODE_WAKEUP")
    device.shell("input keyevent KEYCODE_WAKEUP")
    assert device.screen.on


def test_screen_times_out_after_last_activity(sim: Simulation, device: Any) -> None:
    """def_screen_off_timeout (60 s): the screen goes off 60 s after the last user activity."""
    device.screen.unlock()
    sim.run_for(59_999)
    assert device.screen.on
    device.screen.user_activity()
    sim.run_for(59_999)
    assert device.screen.on
    sim.run_for(1)
    assert not device.screen.on
    assert device.screen.locked


def test_use_for_keeps_the_screen_on(sim: Simulation, device: Any) -> None:
    """A user session keeps the screen on, then the timeout runs; screen-on time accumulates."""
    device.screen.use_for(10 * 60_000)
    sim.run_for(10 * 60_000 + 59_999)
    assert device.screen.on
    sim.run_for(1)
    assert not device.screen.on
    assert device.screen.screen_on_time_ms() == 11 * 60_000


def test_dismiss_keyguard(device: Any) -> None:
    """wm dismiss-keyguard unlocks (ACTION_USER_PRESENT)."""
    device.shell("input keyevent KEYCODE_WAKEUP")
    device.shell("wm dismiss-keyguard")
    assert not device.screen.locked
