"""``DeepDoze``: the deep half of ``DeviceIdleController`` (``stepIdleStateLocked``).

FB@01740eff / A15@0898a28d (key in docs/sources.md): INACTIVE -> IDLE_PENDING
(motion monitoring starts) -> SENSING (AnyMotion checks the phone is still; skipped without an
accelerometer) -> LOCATING (a location fix, up to LOCATING_TIMEOUT; skipped without a provider)
-> IDLE, then IDLE <-> IDLE_MAINTENANCE with idle periods growing by IDLE_FACTOR (1, 2, 4, 6 h)
and windows by IDLE_PENDING_FACTOR (5, 10 min). Without a significant-motion sensor (and
``use_motion_sensor``), ``scheduleAlarmLocked`` sets no alarm before IDLE, so deep doze stays
where it is until stepped by hand (section 1.7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.device._doze_states import (
    DeepState,
    LightState,
    MaintenanceWindow,
    java_float_times,
)
from harness.device._motion import Motion
from harness.device._profile import SensorSettings
from harness.device._timer import Timer
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.device._doze import Doze


class DeepDoze:
    """Deep doze's alarms, growth and sensors; the state itself lives on :class:`Doze`."""

    def __init__(self, sim: Simulation, doze: Doze, sensors: SensorSettings, motion: Motion):
        self._sim = sim
        self._doze = doze
        self._sensors = sensors
        self._motion = motion
        self._alarm = Timer(sim, self._on_alarm)
        self._sensing = Timer(sim, self._on_any_motion_result)
        self._locating = Timer(sim, self._on_location_fix)
        self.next_idle_pending_delay = 0
        self.next_idle_delay = 0
        self.not_moving = False
        self.located = False
        self.locating = False

    def reset_state(self) -> None:
        """``resetIdleManagementLocked``'s deep part: no growth, no alarms, no sensing."""
        self.next_idle_pending_delay = 0
        self.next_idle_delay = 0
        self._alarm.cancel()
        self._sensing.cancel()
        self._locating.cancel()
        self.locating = False

    @property
    def alarm_due_ms(self) -> int | None:
        """When the deep alarm is due (``mNextAlarmTime``), if set."""
        return self._alarm.due_ms

    def schedule_alarm(self, delay_ms: int) -> None:
        """``scheduleAlarmLocked``: no alarm without the motion sensor doze needs."""
        doze = self._doze
        if (
            doze.constants.use_motion_sensor
            and not self._motion.has_significant_motion_sensor
            and doze.state
            not in (DeepState.QUICK_DOZE_DELAY, DeepState.IDLE, DeepState.IDLE_MAINTENANCE)
        ):
            return
        self._alarm.set_after(delay_ms)

    def step(self, reason: str) -> None:
        """``stepIdleStateLocked``, with its fall-throughs."""
        doze = self._doze
        constants = doze.constants
        if doze.upcoming_alarm_clock():
            if doze.state is not DeepState.ACTIVE:
                doze.become_active("alarm")
                doze.become_inactive_if_appropriate()
            return
        state = doze.state
        if state is DeepState.INACTIVE:
            self._motion.arm_significant_motion(doze.motion)
            self.schedule_alarm(constants.idle_after_inactive_to_ms)
            doze.move(DeepState.IDLE_PENDING, reason)
            return
        if state is DeepState.IDLE_PENDING:
            self.located = False
            self._locating.cancel()
            self.locating = False
            doze.move(DeepState.SENSING, reason)
            if constants.use_motion_sensor and self._sensors.any_motion:
                # AnyMotionDetector measures; its result moves SENSING on. The SENSING_TIMEOUT
                # alarm only re-checks becomeInactive, which a non-ACTIVE state ignores.
                self.not_moving = False
                self._sensing.set_after(self._sensors.any_motion_ms)
                return
            self.not_moving = True
            state = DeepState.SENSING
        if state is DeepState.SENSING:
            self._sensing.cancel()
            doze.move(DeepState.LOCATING, reason)
            self.schedule_alarm(constants.locating_to_ms)
            if constants.location_prefetch and self._sensors.location_provider:
                self.locating = True
                fix_ms = self._sensors.location_fix_ms
                if fix_ms is not None and fix_ms < constants.locating_to_ms:
                    self._locating.set_after(fix_ms)
                return
            state = DeepState.LOCATING
        if state is DeepState.LOCATING:
            self._alarm.cancel()
            self._locating.cancel()
            self.locating = False
            state = DeepState.QUICK_DOZE_DELAY
        if state is DeepState.QUICK_DOZE_DELAY:
            self.next_idle_pending_delay = constants.idle_pending_to_ms
            self.next_idle_delay = constants.idle_to_ms
            state = DeepState.IDLE_MAINTENANCE
        if state is DeepState.IDLE_MAINTENANCE:
            self._enter_idle(reason)
        elif state is DeepState.IDLE:
            self._enter_maintenance(reason)

    def _enter_idle(self, reason: str) -> None:
        doze = self._doze
        constants = doze.constants
        was_maintenance = doze.state is DeepState.IDLE_MAINTENANCE
        doze.move(DeepState.IDLE, reason)
        self.schedule_alarm(self.next_idle_delay)
        grown = java_float_times(self.next_idle_delay, constants.idle_factor)
        self.next_idle_delay = max(constants.idle_to_ms, min(grown, constants.max_idle_to_ms))
        if doze.light.state is not LightState.OVERRIDE:
            doze.light.move(LightState.OVERRIDE, "deep")
            doze.light.cancel_alarm()
        doze.publish()
        if was_maintenance:
            doze.maintenance.emit(MaintenanceWindow("deep", False, None))

    def _enter_maintenance(self, reason: str) -> None:
        doze = self._doze
        constants = doze.constants
        doze.active_idle_op_count = 1
        doze.maintenance_start_ms = self._sim.now_ms
        window_ms = self.next_idle_pending_delay
        self.schedule_alarm(window_ms)
        grown = java_float_times(self.next_idle_pending_delay, constants.idle_pending_factor)
        self.next_idle_pending_delay = max(
            constants.idle_pending_to_ms, min(constants.max_idle_pending_to_ms, grown)
        )
        doze.move(DeepState.IDLE_MAINTENANCE, reason)
        doze.publish()
        doze.finish_op_timer.set_after(constants.min_deep_maintenance_time_ms)
        doze.maintenance.emit(MaintenanceWindow("deep", True, self._sim.now_ms + window_ms))

    def _on_alarm(self) -> None:
        self._doze.power.wake_cpu("DeviceIdleController.deep")
        self.step("s:alarm")
        self._doze.publish()

    def _on_any_motion_result(self) -> None:
        """``onAnyMotionResult``: moved restarts doze; stationary moves SENSING on."""
        doze = self._doze
        if self._motion.moving:
            doze.handle_motion_detected(doze.constants.inactive_to_ms, "non_stationary")
        elif doze.state is DeepState.SENSING:
            self.not_moving = True
            self.step("s:stationary")
        doze.publish()

    def _on_location_fix(self) -> None:
        """``receivedGenericLocationLocked`` with an accurate fix."""
        self.located = True
        if self.not_moving and self._doze.state is DeepState.LOCATING:
            self.step("s:location")
        self._doze.publish()
