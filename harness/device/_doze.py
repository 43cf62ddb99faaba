"""``Doze``: AOSP's ``DeviceIdleController`` (deep doze here, light doze in ``_light_doze.py``).

Ported from ``apex/jobscheduler/service/java/com/android/server/DeviceIdleController.java``
(FB@01740eff for 12/13, A15@0898a28d for the 14+ light form; key in docs/sources.md):
``becomeInactiveIfAppropriateLocked``, ``becomeActiveLocked``, ``stepIdleStateLocked``,
``handleMotionDetectedLocked``, the maintenance-window ops count and quick doze. Inputs are the
screen (interactive, keyguard), charging (``EXTRA_PLUGGED`` of ``ACTION_BATTERY_CHANGED``), the
default network, motion, battery saver, and what higher layers
report: jobs and alarms active in a window, the next wake-from-idle alarm. Every alarm is a
:class:`~harness.device._timer.Timer`; nothing polls.
"""

from __future__ import annotations

from harness.device._deep_doze import DeepDoze
from harness.device._doze_states import (
    DeepState,
    DozeState,
    LightState,
    MaintenanceWindow,
)
from harness.device._light_doze import LightDoze
from harness.device._motion import Motion
from harness.device._power import IdleFloor, Power
from harness.device._profile import DozeSettings, SensorSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


class Doze:
    """Deep and light doze of one device."""

    def __init__(
        self,
        sim: Simulation,
        settings: DozeSettings,
        sensors: SensorSettings,
        motion: Motion,
        power: Power,
    ) -> None:
        self._sim = sim
        self.constants = settings
        self._motion = motion
        self.power = power
        #: Deep or light state, or an idle mode, changed.
        self.changed: Signal[DozeState] = Signal("device.doze")
        #: A maintenance window opened or closed (the job scheduler runs deferred jobs in it).
        self.maintenance: Signal[MaintenanceWindow] = Signal("device.doze.maintenance")
        self.light = LightDoze(sim, self)
        self.deep = DeepDoze(sim, self, sensors, motion)
        self.finish_op_timer = Timer(sim, self.dec_active_idle_ops)
        self._published = DozeState(DeepState.ACTIVE, LightState.ACTIVE, False, False)
        self._reset(running=False)

    def _reset(self, *, running: bool) -> None:
        self.running = running
        self.deep_enabled = self.light_enabled = self.constants.enable_auto_power_modes
        self.state = DeepState.ACTIVE
        self.force_idle = False
        self.screen_on = True  # "at boot we presume the user just interacted"
        self.screen_locked = False
        self.charging = True  # "start out assuming we are charging"
        self.network_connected = True
        self.quick_doze = False
        self.quick_doze_while_idling = False
        self.inactive_timeout = self.constants.inactive_to_ms
        self.maintenance_start_ms = 0
        self.active_idle_op_count = 0
        self.jobs_active = False
        self.alarms_active = False
        self.next_wake_from_idle_ms: int | None = None
        self.device_idle_mode = False
        self.light_idle_mode = False
        self.light.reset_state()
        self.deep.reset_state()
        self.finish_op_timer.cancel()

    # --- queries ----------------------------------------------------------------------------

    @property
    def light_state(self) -> LightState:
        """The light doze state."""
        return self.light.state

    @property
    def snapshot(self) -> DozeState:
        """Both states and the idle modes now."""
        return DozeState(self.state, self.light.state, self.device_idle_mode, self.light_idle_mode)

    def ops_inactive(self) -> bool:
        """``isOpsInactiveLocked``: no idle op, no job and no alarm active."""
        return self.active_idle_op_count <= 0 and not self.jobs_active and not self.alarms_active

    # --- life cycle -------------------------------------------------------------------------

    def power_on(self, *, screen_on: bool, locked: bool, charging: bool, network: bool) -> None:
        """Boot: start ACTIVE and read the inputs (``onBootPhase``)."""
        self._reset(running=True)
        self.screen_on, self.screen_locked = screen_on, locked
        self.charging, self.network_connected = charging, network
        self.become_inactive_if_appropriate()
        self.publish()

    def power_off(self) -> None:
        """The device went down: the controller and its alarms are gone."""
        if self.state is DeepState.IDLE_MAINTENANCE:
            self.maintenance.emit(MaintenanceWindow("deep", False, None))
        if self.light.state is LightState.IDLE_MAINTENANCE:
            self.maintenance.emit(MaintenanceWindow("light", False, None))
        deep, light = self.state, self.light.state
        self._reset(running=False)
        if deep is not DeepState.ACTIVE:
            self._sim.record("device.doze", state=self.state.name, reason="shutdown")
        if light is not LightState.ACTIVE:
            self._sim.record("device.light_doze", state=self.light.state.name, reason="shutdown")
        self.power.set_idle_floor(self.floor())
        self.publish()

    # --- inputs -----------------------------------------------------------------------------

    def update_interactivity(self, screen_on: bool) -> None:
        """``updateInteractivityLocked``: the screen went off or on."""
        if not self.running:
            return
        if not screen_on and self.screen_on:
            self.screen_on = False
            if not self.force_idle:
                self.become_inactive_if_appropriate()
        elif screen_on:
            self.screen_on = True
            if not self.force_idle and (
                not self.screen_locked or not self.constants.wait_for_unlock
            ):
                self.become_active("screen")
        self.publish()

    def keyguard_showing(self, showing: bool) -> None:
        """``keyguardShowingLocked``: unlocking with the screen on exits doze."""
        if not self.running or showing == self.screen_locked:
            return
        self.screen_locked = showing
        if self.screen_on and not self.force_idle and not showing:
            self.become_active("unlocked")
        self.publish()

    def update_charging(self, charging: bool) -> None:
        """``updateChargingLocked``: plugged in exits doze; unplugged may start it."""
        if not self.running:
            return
        if not charging and self.charging:
            self.charging = False
            if not self.force_idle:
                self.become_inactive_if_appropriate()
        elif charging:
            self.charging = True
            if not self.force_idle:
                self.become_active("charging")
        self.publish()

    def update_connectivity(self, connected: bool) -> None:
        """``updateConnectivityState``: a network coming back ends WAITING_FOR_NETWORK."""
        if not self.running or connected == self.network_connected:
            return
        self.network_connected = connected
        if connected and self.light.state is LightState.WAITING_FOR_NETWORK:
            self.light.step("network")
        self.publish()

    def update_quick_doze(self, enabled: bool) -> None:
        """``updateQuickDozeFlagLocked``: battery saver turns quick doze on or off."""
        if not self.running:
            return
        self.quick_doze = enabled
        self.quick_doze_while_idling = enabled and self.state in (
            DeepState.IDLE,
            DeepState.IDLE_MAINTENANCE,
        )
        if enabled:
            self.become_inactive_if_appropriate()
        self.publish()

    def set_jobs_active(self, active: bool) -> None:
        """``DeviceIdleInternal.setJobsActive``: the job scheduler runs jobs (or stopped)."""
        self.jobs_active = active
        if not active:
            self.exit_maintenance_early_if_needed()
        self.publish()

    def set_alarms_active(self, active: bool) -> None:
        """``setAlarmsActive``: AlarmManager delivers alarms (or is done)."""
        self.alarms_active = active
        if not active:
            self.exit_maintenance_early_if_needed()
        self.publish()

    def set_next_wake_from_idle(self, t_ms: int | None) -> None:
        """``AlarmManager.getNextWakeFromIdleTime()``: an alarm clock due then blocks deep idle."""
        self.next_wake_from_idle_ms = t_ms

    def motion(self) -> None:
        """``motionLocked``: the significant-motion sensor fired."""
        if self.running:
            self.handle_motion_detected(self.constants.motion_inactive_to_ms, "motion")
            self.publish()

    # --- becoming active / inactive ---------------------------------------------------------

    def become_active(
        self, reason: str, inactive_timeout: int | None = None, *, change_light: bool = True
    ) -> None:
        """``becomeActiveLocked``."""
        if self.state is DeepState.ACTIVE and self.light.state is LightState.ACTIVE:
            return
        self.move(DeepState.ACTIVE, reason)
        self.inactive_timeout = (
            self.constants.inactive_to_ms if inactive_timeout is None else inactive_timeout
        )
        self._reset_idle_management()
        if self.light.state is not LightState.IDLE_MAINTENANCE:
            self.maintenance_start_ms = 0
        if change_light:
            self.light.move(LightState.ACTIVE, reason)
            self.light.reset_management()

    def become_inactive_if_appropriate(self) -> None:
        """``becomeInactiveIfAppropriateLocked``."""
        constants = self.constants
        screen_blocks = self.screen_on and (not constants.wait_for_unlock or not self.screen_locked)
        if not self.running or (not self.force_idle and (self.charging or screen_blocks)):
            return
        if self.deep_enabled:
            if self.quick_doze:
                if self.state in (
                    DeepState.QUICK_DOZE_DELAY,
                    DeepState.IDLE,
                    DeepState.IDLE_MAINTENANCE,
                ):
                    return  # already "idling"; light cannot be ACTIVE in these states
                self.move(DeepState.QUICK_DOZE_DELAY, "quick doze")
                self._reset_idle_management()
                self.deep.schedule_alarm(self._after_alarm_clock(constants.quick_doze_delay_to_ms))
            elif self.state is DeepState.ACTIVE:
                self.move(DeepState.INACTIVE, "inactive")
                self._reset_idle_management()
                self.deep.schedule_alarm(self._after_alarm_clock(self.inactive_timeout))
        if self.light.state is LightState.ACTIVE and self.light_enabled:
            self.light.move(LightState.INACTIVE, "inactive")
            self.light.reset_management()
            self.light.schedule_alarm(constants.light_after_inactive_to_ms, wakeup=True)

    def handle_motion_detected(self, timeout_ms: int, reason: str) -> None:
        """``handleMotionDetectedLocked``: deep doze starts over (light only from OVERRIDE)."""
        if self.quick_doze and not self.quick_doze_while_idling:
            return  # quick doze ignores motion
        self._motion.disarm_significant_motion()
        become_inactive = (
            self.state is not DeepState.ACTIVE or self.light.state is LightState.OVERRIDE
        )
        self.become_active(reason, timeout_ms, change_light=self.light.state is LightState.OVERRIDE)
        if become_inactive:
            self.become_inactive_if_appropriate()

    def exit_force_idle(self) -> None:
        """``exitForceIdleLocked``."""
        if self.force_idle:
            self.force_idle = False
            if self.screen_on or self.charging:
                self.become_active("exit-force")

    def step(self, reason: str) -> None:
        """``stepIdleStateLocked``: one step of deep doze (``_deep_doze.py``)."""
        self.deep.step(reason)

    # --- maintenance ops --------------------------------------------------------------------

    def dec_active_idle_ops(self) -> None:
        """``MSG_FINISH_IDLE_OP``: the minimum maintenance time is over."""
        self.active_idle_op_count -= 1
        if self.active_idle_op_count <= 0:
            self.exit_maintenance_early_if_needed()
        self.publish()

    def exit_maintenance_early_if_needed(self) -> None:
        """``exitMaintenanceEarlyIfNeededLocked``."""
        light = self.light.state
        in_window = (
            self.state is DeepState.IDLE_MAINTENANCE
            or light is LightState.IDLE_MAINTENANCE
            or light is LightState.PRE_IDLE
        )
        if not in_window or not self.ops_inactive():
            return
        if self.state is DeepState.IDLE_MAINTENANCE:
            self.step("s:early")
        elif light is LightState.PRE_IDLE:
            self.light.step("s:predone")
        else:
            self.light.step("s:early")

    # --- internals --------------------------------------------------------------------------

    def upcoming_alarm_clock(self) -> bool:
        """``isUpcomingAlarmClock``: an alarm clock is due within ``MIN_TIME_TO_ALARM``."""
        wake = self.next_wake_from_idle_ms
        now = self._sim.now_ms
        # an alarm clock in the past has fired: AlarmManager no longer reports it
        return wake is not None and now <= wake <= now + self.constants.min_time_to_alarm_ms

    def _after_alarm_clock(self, delay_ms: int) -> int:
        """With an alarm clock coming, the next step is set after it (it would undo idling)."""
        if self.upcoming_alarm_clock():
            assert self.next_wake_from_idle_ms is not None
            return self.next_wake_from_idle_ms - self._sim.now_ms + delay_ms
        return delay_ms

    def _reset_idle_management(self) -> None:
        """``resetIdleManagementLocked``."""
        self.deep.reset_state()
        self._motion.disarm_significant_motion()

    def move(self, state: DeepState, reason: str) -> None:
        """``moveToStateLocked``: the new deep state, a trace record, the power floor."""
        if state is self.state:
            return
        closing = self.state is DeepState.IDLE_MAINTENANCE and state is DeepState.ACTIVE
        self.state = state
        self._sim.record("device.doze", state=state.name, reason=reason)
        self.power.set_idle_floor(self.floor())
        if closing:
            self.maintenance.emit(MaintenanceWindow("deep", False, None))

    def floor(self) -> IdleFloor:
        """The power floor the doze states allow."""
        if self.state is DeepState.IDLE:
            return IdleFloor.DEEP_IDLE
        if self.light.state in (LightState.IDLE, LightState.WAITING_FOR_NETWORK):
            return IdleFloor.LIGHT_IDLE
        return IdleFloor.SUSPENDED

    def publish(self) -> None:
        """Report idle modes (``MSG_REPORT_IDLE_ON``/``IDLE_ON_LIGHT``/``IDLE_OFF``/``ACTIVE``).

        The modes follow from the states: deep IDLE is device idle mode; light IDLE and
        WAITING_FOR_NETWORK are light idle mode; maintenance windows and ACTIVE are neither.
        Then :attr:`changed` fires once if anything changed since the last publish.
        """
        deep = self.running and self.state is DeepState.IDLE
        light = (
            self.running
            and not deep
            and self.light.state in (LightState.IDLE, LightState.WAITING_FOR_NETWORK)
        )
        if (deep, light) != (self.device_idle_mode, self.light_idle_mode):
            self.device_idle_mode, self.light_idle_mode = deep, light
            self._sim.record("device.idle_mode", deep=deep, light=light)
        # compare the fields before building a snapshot (most publishes change nothing)
        published = self._published
        light_state = self.light.state
        if (
            published.deep is not self.state
            or published.light is not light_state
            or published.device_idle_mode is not deep
            or published.light_idle_mode is not light
        ):
            snapshot = self._published = DozeState(self.state, light_state, deep, light)
            self.changed.emit(snapshot)
