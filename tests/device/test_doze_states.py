"""Doze states only follow legal transitions, whatever happens to the phone (property test)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness._exceptions import ShellCommandError
from harness.device import DeepState, Device, LightState
from harness.device._doze_states import (
    DEEP_TRANSITIONS,
    LIGHT_TRANSITIONS,
    format_android_duration,
    java_float_times,
)
from harness.sim import Simulation

EVENTS = st.one_of(
    st.tuples(st.just("run"), st.integers(1, 400)),
    st.tuples(
        st.sampled_from(
            [
                "screen_on",
                "unlock",
                "screen_off",
                "plug",
                "unplug",
                "motion",
                "moving",
                "still",
                "saver_on",
                "saver_off",
                "airplane_on",
                "airplane_off",
                "jobs_on",
                "jobs_off",
                "force_idle",
                "unforce",
                "step",
                "step_light",
                "alarm_clock",
                "reboot",
            ]
        ),
        st.just(0),
    ),
)


def _apply(device: Device, sim: Simulation, event: str, minutes: int) -> None:
    actions: dict[str, Any] = {
        "screen_on": device.screen.wake_up,
        "unlock": device.screen.unlock,
        "screen_off": device.screen.go_to_sleep,
        "plug": lambda: device.battery.plug("ac"),
        "unplug": device.battery.unplug,
        "motion": device.motion.significant_motion,
        "moving": lambda: device.motion.set_moving(True),
        "still": lambda: device.motion.set_moving(False),
        "saver_on": lambda: device.battery_saver.set_enabled_manually(True),
        "saver_off": lambda: device.battery_saver.set_enabled_manually(False),
        "airplane_on": lambda: device.network.set_airplane_mode(True),
        "airplane_off": lambda: device.network.set_airplane_mode(False),
        "jobs_on": lambda: device.doze.set_jobs_active(True),
        "jobs_off": lambda: device.doze.set_jobs_active(False),
        "force_idle": lambda: device.shell("dumpsys deviceidle force-idle"),
        "unforce": lambda: device.shell("dumpsys deviceidle unforce"),
        "step": lambda: device.shell("dumpsys deviceidle step"),
        "step_light": lambda: device.shell("dumpsys deviceidle step light"),
        "alarm_clock": lambda: device.doze.set_next_wake_from_idle(sim.now_ms + 20 * 60_000),
        "reboot": device.reboot,
    }
    if event == "run":
        sim.run_for(minutes * 60_000)
    elif device.is_on:
        try:
            actions[event]()
        except ShellCommandError as error:
            # force-idle refuses when an alarm clock is near, as on a phone
            if not str(error).startswith("Unable to go"):
                raise


@pytest.mark.slow
@settings(max_examples=60)
@given(
    profile=st.sampled_from(["pixel-like", "budget"]),
    events=st.lists(EVENTS, max_size=25),
)
def test_doze_states_follow_legal_transitions(profile: str, events: list[tuple[str, int]]) -> None:
    """Every deep and light move is one DeviceIdleController can make (DEEP/LIGHT_TRANSITIONS)."""
    with Simulation(seed=7) as sim:
        device = Device(sim, profile, packages=["com.example.sync"])
        for event, minutes in events:
            _apply(device, sim, event, minutes)
        sim.run_for(60_000)
        deep = [DeepState[r["state"]] for r in sim.trace.of_kind("device.doze")]
        light = [LightState[r["state"]] for r in sim.trace.of_kind("device.light_doze")]
        for before, after in zip([DeepState.ACTIVE, *deep], deep, strict=False):
            assert after in DEEP_TRANSITIONS[before], f"deep {before.name} -> {after.name}"
        for light_before, light_after in zip([LightState.ACTIVE, *light], light, strict=False):
            assert light_after in LIGHT_TRANSITIONS[light_before], (
                f"light {light_before.name} -> {light_after.name}"
            )
        snapshot = device.doze.snapshot
        assert snapshot.device_idle_mode == (snapshot.deep == DeepState.IDLE)


def test_java_float_arithmetic() -> None:
    """(long)(delay * factor) in float32, as DeviceIdleController computes the next delay."""
    assert java_float_times(3_600_000, 2.0) == 7_200_000
    assert java_float_times(300_000, 2.0) == 600_000
    assert java_float_times(16_777_217, 1.0) == 16_777_216  # float32 cannot hold 2^24 + 1


def test_android_duration_format() -> None:
    """TimeUtils.formatDuration: '+4m0s0ms', '+1h0m0s0ms', '0', '+500ms'."""
    assert format_android_duration(240_000) == "+4m0s0ms"
    assert format_android_duration(3_600_000) == "+1h0m0s0ms"
    assert format_android_duration(0) == "0"
    assert format_android_duration(500) == "+500ms"
    assert format_android_duration(-61_000) == "-1m1s0ms"
