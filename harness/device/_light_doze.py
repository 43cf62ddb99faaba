"""``LightDoze``: the light half of ``DeviceIdleController`` (``stepLightIdleStateLocked``).

Two forms, chosen by the profile (``DeviceIdleController``, FB@01740eff and A15@0898a28d):

* 12/13 (FB@01740eff): INACTIVE goes to PRE_IDLE (``LIGHT_PRE_IDLE_TIMEOUT``) when jobs or
  alarms are still active; the light IDLE alarm is *not* a wake-up alarm, so a sleeping phone
  reaches its light maintenance window only when something else wakes the CPU;
* 14+ (A15@0898a28d form): no PRE_IDLE, a wake-up IDLE alarm, and reset sets the initial delay.

Idle periods grow by ``LIGHT_IDLE_FACTOR`` (5, 10, 15 min); a maintenance window lasts the
current budget (1..5 min, unused time carried over); with no network the machine waits in
WAITING_FOR_NETWORK for one more period or until a network connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.device._doze_states import LightState, MaintenanceWindow, java_float_times
from harness.device._timer import Timer
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.device._doze import Doze


class LightDoze:
    """Light doze; shares the maintenance start and ops count with deep doze (as AOSP)."""

    def __init__(self, sim: Simulation, doze: Doze) -> None:
        self._sim = sim
        self._doze = doze
        self._alarm = Timer(sim, self._on_alarm)
        self._alarm_wakeup = True
        self._pending_until_wake = False
        self.state = LightState.ACTIVE
        self.next_idle_delay = 0
        self.cur_idle_budget = 0
        doze.power.cpu_woke.connect(self._on_cpu_woke)

    def reset_state(self) -> None:
        """Boot or shutdown: ACTIVE, no alarm."""
        self.state = LightState.ACTIVE
        self.next_idle_delay = 0
        self.cur_idle_budget = 0
        self.cancel_alarm()

    @property
    def _has_pre_idle(self) -> bool:
        return self._doze.constants.light_pre_idle_to_ms is not None

    # --- alarms -----------------------------------------------------------------------------

    def schedule_alarm(self, delay_ms: int, *, wakeup: bool) -> None:
        """``scheduleLightAlarmLocked``: a window alarm, delivered at its start."""
        self._alarm_wakeup = wakeup
        self._pending_until_wake = False
        self._alarm.set_after(delay_ms)

    def cancel_alarm(self) -> None:
        """``cancelLightAlarmLocked``."""
        self._alarm.cancel()
        self._pending_until_wake = False

    @property
    def alarm_due_ms(self) -> int | None:
        """When the light alarm is due (``mNextLightAlarmTime``), if set."""
        return self._alarm.due_ms

    def _on_alarm(self) -> None:
        if not self._alarm_wakeup and not self._doze.power.awake:
            # a non-wake-up alarm waits for the CPU to wake up for something else
            self._pending_until_wake = True
            return
        self.step("s:alarm")
        self._doze.publish()

    def _on_cpu_woke(self, _reason: str) -> None:
        if self._pending_until_wake:
            self._pending_until_wake = False
            self.step("s:alarm")
            self._doze.publish()

    # --- the state machine ------------------------------------------------------------------

    def reset_management(self) -> None:
        """``resetLightIdleManagementLocked`` (14+: sets the initial delay and budget)."""
        constants = self._doze.constants
        if self._has_pre_idle:
            self.next_idle_delay = 0
            self.cur_idle_budget = 0
        else:
            self.next_idle_delay = constants.light_idle_to_ms
            self._doze.maintenance_start_ms = 0
            self.cur_idle_budget = constants.light_idle_maintenance_min_budget_ms
        self.cancel_alarm()

    def step(self, reason: str) -> None:
        """``stepLightIdleStateLocked``."""
        doze = self._doze
        constants = doze.constants
        state = self.state
        if state in (LightState.OVERRIDE, LightState.ACTIVE):
            return
        if state is LightState.INACTIVE:
            self.cur_idle_budget = constants.light_idle_maintenance_min_budget_ms
            self.next_idle_delay = constants.light_idle_to_ms
            doze.maintenance_start_ms = 0
            pre_idle_ms = constants.light_pre_idle_to_ms
            if pre_idle_ms is not None and not doze.ops_inactive():
                self.move(LightState.PRE_IDLE, reason)
                self.schedule_alarm(pre_idle_ms, wakeup=True)
                return
            state = LightState.IDLE_MAINTENANCE  # fall through to going idle
        if state in (LightState.PRE_IDLE, LightState.IDLE_MAINTENANCE):
            self._go_idle(reason)
        else:  # IDLE or WAITING_FOR_NETWORK
            self._go_maintenance(reason)

    def _go_idle(self, reason: str) -> None:
        doze = self._doze
        constants = doze.constants
        was_maintenance = self.state is LightState.IDLE_MAINTENANCE
        if doze.maintenance_start_ms != 0:
            used = self._sim.now_ms - doze.maintenance_start_ms
            minimum = constants.light_idle_maintenance_min_budget_ms
            # unused minimum budget goes to the reserve; overruns come out of it
            self.cur_idle_budget += minimum - used
        doze.maintenance_start_ms = 0
        self.schedule_alarm(self.next_idle_delay, wakeup=constants.light_idle_alarm_wakeup)
        grown = java_float_times(self.next_idle_delay, constants.light_idle_factor)
        self.next_idle_delay = max(
            constants.light_idle_to_ms, min(constants.light_max_idle_to_ms, grown)
        )
        self.move(LightState.IDLE, reason)
        if was_maintenance:
            doze.publish()
            doze.maintenance.emit(MaintenanceWindow("light", False, None))

    def _go_maintenance(self, reason: str) -> None:
        doze = self._doze
        constants = doze.constants
        if doze.network_connected or self.state is LightState.WAITING_FOR_NETWORK:
            doze.active_idle_op_count = 1
            doze.maintenance_start_ms = self._sim.now_ms
            self.cur_idle_budget = max(
                constants.light_idle_maintenance_min_budget_ms,
                min(self.cur_idle_budget, constants.light_idle_maintenance_max_budget_ms),
            )
            self.schedule_alarm(self.cur_idle_budget, wakeup=True)
            self.move(LightState.IDLE_MAINTENANCE, reason)
            doze.finish_op_timer.set_after(constants.min_light_maintenance_time_ms)
            doze.publish()
            doze.maintenance.emit(
                MaintenanceWindow("light", True, self._sim.now_ms + self.cur_idle_budget)
            )
        else:
            self.schedule_alarm(self.next_idle_delay, wakeup=True)
            self.move(LightState.WAITING_FOR_NETWORK, reason)

    def move(self, state: LightState, reason: str) -> None:
        """``moveToLightStateLocked``: the new state, a trace record, the power floor."""
        if state is self.state:
            return
        closing = self.state is LightState.IDLE_MAINTENANCE and state in (
            LightState.ACTIVE,
            LightState.OVERRIDE,
        )
        self.state = state
        self._sim.record("device.light_doze", state=state.name, reason=reason)
        self._doze.power.set_idle_floor(self._doze.floor())
        if closing:
            self._doze.maintenance.emit(MaintenanceWindow("light", False, None))
