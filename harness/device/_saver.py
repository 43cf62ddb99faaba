"""``BatterySaver``: Android's ``BatterySaverStateMachine`` (manual, automatic, sticky).

Ported from ``services/core/java/com/android/server/power/batterysaver/
BatterySaverStateMachine.java`` (R+ form; key in docs/sources.md). States:

* OFF -> MANUAL_ON (the user; refused while plugged in), OFF -> AUTOMATIC_ON (automatic mode on
  and the battery "low": BatteryService's ``mBatteryLevelLow``, whose warning level *is* the
  trigger level when one is set);
* MANUAL_ON -> OFF (the user, or plugged in without sticky) or -> PENDING_STICKY_ON (plugged in,
  sticky): unplugging turns it back on, unless charged to the sticky auto-disable level (90 %);
* AUTOMATIC_ON -> OFF (plugged in, or the level is no longer low) or -> OFF_AUTOMATIC_SNOOZED (the
  user turned it off: not turned on again until plugged in or not low).

``Settings.Global.LOW_POWER_MODE`` mirrors the state and is cleared at every boot; writing it
(``settings put global low_power 1``) enables or disables battery saver directly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from harness.device._battery import LOW_POWER_MODE_TRIGGER_LEVEL
from harness.device._battery_state import BatteryState
from harness.device._profile import BatterySaverSettings
from harness.device._settings import GlobalSettings, SettingChange
from harness.sim import Signal, Simulation

LOW_POWER_MODE = "low_power"
LOW_POWER_MODE_STICKY = "low_power_sticky"
LOW_POWER_MODE_STICKY_AUTO_DISABLE_ENABLED = "low_power_sticky_auto_disable_enabled"
LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL = "low_power_sticky_auto_disable_level"
AUTOMATIC_POWER_SAVE_MODE = "automatic_power_save_mode"
#: ``PowerManager.POWER_SAVE_MODE_TRIGGER_PERCENTAGE``: automatic mode by battery percentage.
POWER_SAVE_MODE_TRIGGER_PERCENTAGE = 0
_WATCHED = frozenset(
    {
        LOW_POWER_MODE,
        LOW_POWER_MODE_STICKY,
        LOW_POWER_MODE_TRIGGER_LEVEL,
        LOW_POWER_MODE_STICKY_AUTO_DISABLE_ENABLED,
        LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL,
        AUTOMATIC_POWER_SAVE_MODE,
    }
)


class SaverState(enum.IntEnum):
    """``BatterySaverStateMachine.STATE_*`` (``BatterySaverStateMachineProto`` values)."""

    STATE_OFF = 1  # off, and the system may turn it on automatically
    STATE_MANUAL_ON = 2  # turned on by the user
    STATE_AUTOMATIC_ON = 3  # turned on by the system at the trigger level
    STATE_OFF_AUTOMATIC_SNOOZED = 4  # turned off by the user while low: not back on until reset
    STATE_PENDING_STICKY_ON = 5  # on manually, then plugged in: back on after unplugging


@dataclass(frozen=True, slots=True)
class SaverChange:
    """Battery saver turned on or off, and why (``BatterySaverController.REASON_*`` text)."""

    enabled: bool
    reason: str


class BatterySaver:
    """Battery saver of one device: its state machine and the policy consumers read."""

    def __init__(
        self, sim: Simulation, settings: BatterySaverSettings, global_settings: GlobalSettings
    ) -> None:
        self._sim = sim
        self._global = global_settings
        # config_batterySaverStickyBehaviourDisabled: false in AOSP config.xml
        self._sticky_behaviour_disabled = False
        #: Battery saver turned on or off (``ACTION_POWER_SAVE_MODE_CHANGED``).
        self.changed: Signal[SaverChange] = Signal("device.battery_saver")
        self._state = SaverState.STATE_OFF
        self._enabled = False
        self._boot_completed = False
        self._battery_status_set = False
        self._powered = False
        self._level = 0
        self._level_low = False
        self._setting_enabled = False
        self._setting_sticky = False
        self._trigger_level = 0
        self._sticky_auto_disable_enabled = settings.sticky_auto_disable_enabled
        self._sticky_auto_disable_level = settings.sticky_auto_disable_level
        self._automatic_mode = POWER_SAVE_MODE_TRIGGER_PERCENTAGE
        global_settings.changed.connect(self._on_setting)

    # --- queries ----------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """Whether battery saver is on (``PowerManager.isPowerSaveMode()``)."""
        return self._enabled

    @property
    def state(self) -> SaverState:
        """The state machine's state."""
        return self._state

    @property
    def quick_doze(self) -> bool:
        """``DEFAULT_FULL_POLICY.enableQuickDoze``: while on, deep IDLE after 60 s."""
        return self._enabled

    # --- inputs -----------------------------------------------------------------------------

    def set_enabled_manually(self, enabled: bool) -> bool:
        """The user (or ``cmd power set-mode``) turns it on or off; ``False`` if refused.

        ``PowerManagerService.setLowPowerModeInternal`` refuses while plugged in.
        """
        if self._powered:
            return False
        self._update_state(manual=True, enable=enabled)
        return True

    def on_battery(self, state: BatteryState) -> None:
        """``setBatteryStatus(isPowered, level, batteryLevelLow)`` from PowerManagerService."""
        self._battery_status_set = True
        current = (state.powered, state.level, state.level_low)
        if current == (self._powered, self._level, self._level_low):
            return
        self._powered, self._level, self._level_low = current
        self._do_auto()

    def on_boot_completed(self) -> None:
        """``onBootCompleted``: clear ``low_power``, restore a pending sticky state, re-evaluate."""
        self._setting_enabled = False
        self._global.put(LOW_POWER_MODE, "0")
        if self._global.get_int(LOW_POWER_MODE_STICKY, 0) != 0:
            self._state = SaverState.STATE_PENDING_STICKY_ON
        self._boot_completed = True
        self._refresh_settings()
        self._do_auto()

    def on_shutdown(self) -> None:
        """The device went down: battery saver is off until the next boot decides again."""
        self._boot_completed = False
        self._battery_status_set = False
        if self._enabled:
            self._enabled = False
            self._announce(False, "device off")

    def _on_setting(self, change: SettingChange) -> None:
        if change.name in _WATCHED and self._boot_completed:
            self._refresh_settings()

    def _refresh_settings(self) -> None:
        """``refreshSettingsLocked`` + ``setSettingsLocked``."""
        enabled = self._global.get_int(LOW_POWER_MODE, 0) != 0
        sticky = self._global.get_int(LOW_POWER_MODE_STICKY, 0) != 0
        trigger = self._global.get_int(LOW_POWER_MODE_TRIGGER_LEVEL, 0)
        automatic = self._global.get_int(
            AUTOMATIC_POWER_SAVE_MODE, POWER_SAVE_MODE_TRIGGER_PERCENTAGE
        )
        auto_disable = self._global.get_int(LOW_POWER_MODE_STICKY_AUTO_DISABLE_ENABLED, 1) != 0
        auto_disable_level = max(
            self._global.get_int(LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL, 90), trigger
        )
        enabled_changed = enabled != self._setting_enabled
        new = (sticky, trigger, automatic, auto_disable, auto_disable_level)
        old = (
            self._setting_sticky,
            self._trigger_level,
            self._automatic_mode,
            self._sticky_auto_disable_enabled,
            self._sticky_auto_disable_level,
        )
        if not enabled_changed and new == old:
            return
        self._setting_enabled = enabled
        (
            self._setting_sticky,
            self._trigger_level,
            self._automatic_mode,
            self._sticky_auto_disable_enabled,
            self._sticky_auto_disable_level,
        ) = new
        if enabled_changed:
            # setSettingsLocked -> updateStateLocked(true, enabled): the state machine moves too,
            # so plugging in later turns a setting-enabled saver off
            self._update_state(manual=True, enable=enabled)
        else:
            self._do_auto()

    # --- the state machine ------------------------------------------------------------------

    def _automatic_active(self) -> bool:
        return (
            self._automatic_mode == POWER_SAVE_MODE_TRIGGER_PERCENTAGE and self._trigger_level > 0
        )

    def _do_auto(self) -> None:
        if self._boot_completed and self._battery_status_set:
            self._update_state(manual=False, enable=False)

    def _update_state(self, *, manual: bool, enable: bool) -> None:
        """``updateStateLocked``, verbatim (without the dynamic-power-savings mode)."""
        if not manual and not (self._boot_completed and self._battery_status_set):
            return
        state = self._state
        if state is SaverState.STATE_OFF:
            if self._powered:
                return
            if manual:
                if enable:
                    self._enable(True, manual=True, reason="manual on")
                    self._state = SaverState.STATE_MANUAL_ON
            elif self._automatic_active() and self._level_low:
                self._enable(True, manual=False, reason="percentage automatic on")
                self._state = SaverState.STATE_AUTOMATIC_ON
        elif state is SaverState.STATE_MANUAL_ON:
            if manual:
                if not enable:
                    self._enable(False, manual=True, reason="manual off")
                    self._state = SaverState.STATE_OFF
            elif self._powered:
                self._enable(False, manual=False, reason="plugged in")
                sticky = self._setting_sticky and not self._sticky_behaviour_disabled
                self._state = SaverState.STATE_PENDING_STICKY_ON if sticky else SaverState.STATE_OFF
        elif state is SaverState.STATE_AUTOMATIC_ON:
            if self._powered:
                self._enable(False, manual=False, reason="plugged in")
                self._state = SaverState.STATE_OFF
            elif manual:
                if not enable:
                    self._enable(False, manual=True, reason="manual off")
                    self._state = SaverState.STATE_OFF_AUTOMATIC_SNOOZED
            elif self._automatic_active() and not self._level_low:
                self._enable(False, manual=False, reason="percentage automatic off")
                self._state = SaverState.STATE_OFF
            elif not self._automatic_active():
                self._enable(False, manual=False, reason="setting changed")
                self._state = SaverState.STATE_OFF
        elif state is SaverState.STATE_OFF_AUTOMATIC_SNOOZED:
            if manual:
                if enable:
                    self._enable(True, manual=True, reason="manual on")
                    self._state = SaverState.STATE_MANUAL_ON
            elif (
                self._powered
                or (self._automatic_active() and not self._level_low)
                or not self._automatic_active()
            ):
                self._state = SaverState.STATE_OFF
        elif not manual:  # STATE_PENDING_STICKY_ON
            turn_off_sticky = (
                self._sticky_auto_disable_enabled and self._level >= self._sticky_auto_disable_level
            )
            sticky_disabled = self._sticky_behaviour_disabled or not self._setting_sticky
            if sticky_disabled or turn_off_sticky:
                self._set_sticky(False)
                self._state = SaverState.STATE_OFF
            elif not self._powered:
                self._enable(True, manual=True, reason="sticky restore")
                self._state = SaverState.STATE_MANUAL_ON

    def _enable(self, enable: bool, *, manual: bool, reason: str) -> None:
        """``enableBatterySaverLocked``: refused while powered; writes the settings."""
        if self._enabled == enable:
            return
        if enable and self._powered:
            return
        self._setting_enabled = enable
        self._enabled = enable
        self._global.put(LOW_POWER_MODE, "1" if enable else "0")
        if manual:
            self._set_sticky(not self._sticky_behaviour_disabled and enable)
        self._announce(enable, reason)

    def _set_sticky(self, active: bool) -> None:
        self._setting_sticky = active
        self._global.put(LOW_POWER_MODE_STICKY, "1" if active else "0")

    def _announce(self, enabled: bool, reason: str) -> None:
        self._sim.record(
            "device.power", event="battery_saver", battery_saver=enabled, reason=reason
        )
        self.changed.emit(SaverChange(enabled, reason))
