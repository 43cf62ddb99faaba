"""DeviceIdleController: the deep and light state machines with AOSP's timeouts.

Source: apex/jobscheduler/service/java/com/android/server/DeviceIdleController.java
(FB@01740eff, A15@0898a28d); key in docs/sources.md.
"""

from __future__ import annotations

from typing import Any

from harness.device import DeepState, LightState, MaintenanceWindow
from harness.sim import Simulation
from tests.device.conftest import MakeDevice
from tests.device.helpers import first, records

MIN = 60_000
HOUR = 60 * MIN


def deep_timeline(sim: Simulation) -> list[tuple[int, str]]:
    """(t_ms, state) of every deep doze change."""
    return [(r.t_ms, r["state"]) for r in records(sim, "device.doze")]


def test_deep_doze_path_with_aosp_timeouts(sim: Simulation, device: Any) -> None:
    """INACTIVE 30 min, IDLE_PENDING 30 min, SENSING until AnyMotion, LOCATING 30 s, then IDLE."""
    sim.run_for(HOUR + MIN)
    assert deep_timeline(sim) == [
        (0, "INACTIVE"),
        (30 * MIN, "IDLE_PENDING"),
        (60 * MIN, "SENSING"),
        (60 * MIN + 10_000, "LOCATING"),  # AnyMotion: stationary after the profile's 10 s
        (60 * MIN + 40_000, "IDLE"),  # no accurate fix indoors: LOCATING_TIMEOUT (30 s)
    ]
    assert device.doze.snapshot.device_idle_mode
    assert device.doze.light_state == LightState.OVERRIDE


def test_idle_periods_grow_1_2_4_6_6_hours(sim: Simulation, device: Any) -> None:
    """IDLE_TIMEOUT 60 min x IDLE_FACTOR 2, capped at MAX_IDLE_TIMEOUT 6 h; windows end at 30 s."""
    sim.run_for(30 * HOUR)
    idles = [t for t, state in deep_timeline(sim) if state == "IDLE"]
    windows = [t for t, state in deep_timeline(sim) if state == "IDLE_MAINTENANCE"]
    gaps = [window - idle for idle, window in zip(idles, windows, strict=False)]
    assert gaps[:5] == [1 * HOUR, 2 * HOUR, 4 * HOUR, 6 * HOUR, 6 * HOUR]
    # no job reported active: each window closes after MIN_DEEP_MAINTENANCE_TIME (30 s)
    assert [idle - window for window, idle in zip(windows, idles[1:], strict=False)][:3] == [
        30_000
    ] * 3


def test_maintenance_windows_last_5_then_10_minutes_with_jobs(sim: Simulation, device: Any) -> None:
    """IDLE_PENDING_TIMEOUT 5 min x IDLE_PENDING_FACTOR 2, capped at 10 min, while jobs run."""
    windows: list[MaintenanceWindow] = []

    def on_window(window: MaintenanceWindow) -> None:
        windows.append(window)
        if window.open and window.kind == "deep":
            device.doze.set_jobs_active(True)

    device.doze.maintenance.connect(on_window)
    sim.run_for(12 * HOUR)
    timeline = deep_timeline(sim)
    opened = [t for t, state in timeline if state == "IDLE_MAINTENANCE"]
    lengths = [
        next(t for t, state in timeline if state == "IDLE" and t > start) - start
        for start in opened[:3]
    ]
    assert lengths == [5 * MIN, 10 * MIN, 10 * MIN]
    deep_open = [w for w in windows if w.kind == "deep" and w.open]
    assert deep_open[0].latest_end_ms == opened[0] + 5 * MIN


def test_jobs_finishing_end_the_window_early(sim: Simulation, device: Any) -> None:
    """exitMaintenanceEarlyIfNeededLocked: jobs inactive after the 30 s minimum -> back to IDLE."""
    device.shell("dumpsys deviceidle force-idle")
    device.shell("dumpsys deviceidle step")
    assert device.doze.state == DeepState.IDLE_MAINTENANCE
    device.doze.set_jobs_active(True)
    sim.run_for(40_000)
    assert device.doze.state == DeepState.IDLE_MAINTENANCE
    device.doze.set_jobs_active(False)
    assert device.doze.state == DeepState.IDLE


def test_locked_screen_on_does_not_exit_doze(sim: Simulation, device: Any) -> None:
    """WAIT_FOR_UNLOCK (true): a screen that is on but locked neither exits nor blocks doze."""
    sim.run_for(2 * HOUR)
    assert device.doze.state == DeepState.IDLE
    device.screen.wake_up()
    assert device.doze.state == DeepState.IDLE
    device.screen.unlock()
    assert device.doze.state == DeepState.ACTIVE
    assert device.doze.light_state == LightState.ACTIVE
    assert first(sim, "device.doze", state="ACTIVE")["reason"] == "unlocked"


def test_charging_exits_and_unplugging_restarts(sim: Simulation, device: Any) -> None:
    """updateChargingLocked: plugged in -> ACTIVE; unplugged -> INACTIVE with INACTIVE_TIMEOUT."""
    sim.run_for(2 * HOUR)
    device.battery.plug("ac")
    assert device.doze.state == DeepState.ACTIVE
    sim.run_for(HOUR)
    assert device.doze.state == DeepState.ACTIVE
    device.battery.unplug()
    assert device.doze.state == DeepState.INACTIVE
    assert device.doze.inactive_timeout == 30 * MIN


def test_motion_restarts_deep_doze_with_a_10_minute_timeout(sim: Simulation, device: Any) -> None:
    """handleMotionDetectedLocked(MOTION_INACTIVE_TIMEOUT): ACTIVE, then INACTIVE for 10 min."""
    sim.run_for(2 * HOUR)
    start = sim.now_ms
    device.motion.set_moving(True)
    assert device.doze.state == DeepState.INACTIVE
    assert device.doze.inactive_timeout == 10 * MIN
    assert device.doze.light_state == LightState.INACTIVE  # light was OVERRIDE: reset too
    device.motion.set_moving(False)
    sim.run_for(10 * MIN)
    assert first(sim, "device.doze", state="IDLE_PENDING", reason="s:alarm").t_ms != start
    assert device.doze.state == DeepState.IDLE_PENDING


def test_moving_phone_never_reaches_deep_idle(sim: Simulation, device: Any) -> None:
    """The significant-motion sensor armed in IDLE_PENDING fires while the phone moves."""
    device.motion.set_moving(True)
    sim.run_for(3 * HOUR)
    assert "IDLE" not in {state for _, state in deep_timeline(sim)}
    assert device.doze.light_state in (LightState.IDLE, LightState.IDLE_MAINTENANCE)


def test_without_a_motion_sensor_deep_doze_stalls(sim: Simulation, make_device: MakeDevice) -> None:
    """scheduleAlarmLocked sets no alarm before IDLE without a motion sensor (use_motion_sensor)."""
    device = make_device(**{"sensors.significant_motion": False})
    sim.run_for(6 * HOUR)
    assert deep_timeline(sim) == [(0, "INACTIVE")]
    device.shell("dumpsys deviceidle force-idle")
    device.shell("dumpsys deviceidle unforce")
    sim.run_for(HOUR)
    assert device.doze.state is DeepState.IDLE_MAINTENANCE or device.doze.state == DeepState.IDLE


def test_no_accelerometer_skips_sensing(sim: Simulation, make_device: MakeDevice) -> None:
    """Without AnyMotion SENSING falls through to LOCATING in the same step."""
    make_device(**{"sensors.any_motion": False})
    sim.run_for(HOUR + MIN)
    timeline = deep_timeline(sim)
    assert (60 * MIN, "SENSING") in timeline
    assert (60 * MIN, "LOCATING") in timeline
    assert (60 * MIN + 30_000, "IDLE") in timeline


def test_no_location_provider_skips_locating(sim: Simulation, make_device: MakeDevice) -> None:
    """Without a location provider LOCATING falls through to IDLE in the same step."""
    make_device(**{"sensors.location_provider": False})
    sim.run_for(HOUR + MIN)
    assert (60 * MIN + 10_000, "IDLE") in deep_timeline(sim)


def test_accurate_location_fix_ends_locating_early(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """receivedGenericLocationLocked: an accurate fix while not moving steps to IDLE."""
    make_device(**{"sensors.location_fix_ms": 5_000})
    sim.run_for(HOUR + MIN)
    assert (60 * MIN + 15_000, "IDLE") in deep_timeline(sim)


def test_upcoming_alarm_clock_prevents_deep_idle(sim: Simulation, device: Any) -> None:
    """isUpcomingAlarmClock: an alarm clock within MIN_TIME_TO_ALARM (60 min in 14) -> restart."""
    device.doze.set_next_wake_from_idle(50 * MIN)
    sim.run_for(30 * MIN)
    assert device.doze.state == DeepState.INACTIVE
    assert first(sim, "device.doze", state="ACTIVE")["reason"] == "alarm"


def test_quick_doze_ignores_motion(sim: Simulation, device: Any) -> None:
    """handleMotionDetectedLocked returns early under quick doze (unless enabled while idling)."""
    device.shell("cmd power set-mode 1")
    sim.run_for(2 * MIN)
    device.doze.motion()
    assert device.doze.state == DeepState.IDLE


def test_light_doze_14_cycle(sim: Simulation, device: Any) -> None:
    """Light: INACTIVE 4 min (14 xml), IDLE 5, 10, 15 min; windows end after 5 s with no jobs."""
    sim.run_for(40 * MIN)
    light = [(r.t_ms, r["state"]) for r in records(sim, "device.light_doze")]
    assert light == [
        (0, "INACTIVE"),
        (4 * MIN, "IDLE"),
        (9 * MIN, "IDLE_MAINTENANCE"),
        (9 * MIN + 5_000, "IDLE"),
        (19 * MIN + 5_000, "IDLE_MAINTENANCE"),
        (19 * MIN + 10_000, "IDLE"),
        (34 * MIN + 10_000, "IDLE_MAINTENANCE"),
        (34 * MIN + 15_000, "IDLE"),
    ]


def test_light_budget_carries_unused_time(sim: Simulation, device: Any) -> None:
    """Unused minimum budget goes to the reserve: next budget = 1 min + (1 min - 5 s), max 5 min."""
    sim.run_for(10 * MIN)
    assert device.doze.light.cur_idle_budget == 2 * MIN - 5_000


def test_light_doze_13_waits_for_a_wakeup(sim: Simulation, make_device: MakeDevice) -> None:
    """13: the light IDLE alarm is not a wake-up; a sleeping phone reaches maintenance later."""
    make_device("budget")
    sim.run_for(31 * MIN)
    light = [(r.t_ms, r["state"]) for r in records(sim, "device.light_doze")]
    assert light[:3] == [(0, "INACTIVE"), (MIN, "IDLE"), (30 * MIN, "IDLE_MAINTENANCE")]


def test_light_doze_13_pre_idle_when_jobs_run(sim: Simulation, make_device: MakeDevice) -> None:
    """13: jobs active at the INACTIVE step -> PRE_IDLE for LIGHT_PRE_IDLE_TIMEOUT (3 min)."""
    device = make_device("budget")
    device.doze.set_jobs_active(True)
    sim.run_for(MIN)
    assert device.doze.light_state == LightState.PRE_IDLE
    device.doze.set_jobs_active(False)  # "s:predone"
    assert device.doze.light_state == LightState.IDLE


def test_waiting_for_network(sim: Simulation, device: Any) -> None:
    """No network at maintenance time -> WAITING_FOR_NETWORK; a network steps it on."""
    sim.run_for(5 * MIN)
    device.network.set_airplane_mode(True)
    sim.run_for(5 * MIN)
    assert device.doze.light_state == LightState.WAITING_FOR_NETWORK
    assert device.doze.snapshot.light_idle_mode
    device.network.set_airplane_mode(False)
    sim.run_for(5_000)
    assert first(sim, "device.light_doze", state="IDLE_MAINTENANCE")["reason"] == "network"


def test_auto_power_modes_off_disables_doze(sim: Simulation, make_device: MakeDevice) -> None:
    """config_enableAutoPowerModes is false in AOSP: no light or deep doze (GMS sets it true)."""
    device = make_device(**{"doze.enable_auto_power_modes": False})
    sim.run_for(5 * HOUR)
    assert device.doze.state == DeepState.ACTIVE
    assert device.doze.light_state == LightState.ACTIVE


def test_a_passed_alarm_clock_no_longer_blocks(sim: Simulation, device: Any) -> None:
    """getNextWakeFromIdleTime reports future alarms only: once it fired, doze proceeds."""
    device.doze.set_next_wake_from_idle(40 * MIN)
    sim.run_for(3 * HOUR)
    assert device.doze.state in (DeepState.IDLE, DeepState.IDLE_MAINTENANCE)
