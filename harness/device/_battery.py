"""``Battery``: Android's ``BatteryService`` over the simulated cell.

Ported from FB ``services/core/java/com/android/server/BatteryService.java`` (FB = AOSP
``platform_frameworks_base``): the framework sees the health HAL's values (``mHealthInfo``)
unless ``dumpsys battery set|unplug`` froze them (``mUpdatesStopped``) until ``reset``;
``processValuesLocked`` keeps the "battery low" flag with its hysteresis, sends
``ACTION_BATTERY_LOW``/``OKAY`` and ``ACTION_POWER_CONNECTED``/``DISCONNECTED``, sends
``ACTION_BATTERY_CHANGED``, and asks for a shutdown at 0 %.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from harness.device._battery_state import (
    BatteryBroadcast,
    BatteryState,
    HealthInfo,
    as_charger,
    as_status,
    plug_type,
    status_name,
)
from harness.device._cell import BatteryStatus, Cell, CellReading, PlugType
from harness.device._profile import BatterySettings
from harness.device._settings import GlobalSettings, SettingChange
from harness.sim import Signal, Simulation

#: ``BatteryService.BATTERY_SCALE``: levels are percentages.
BATTERY_SCALE = 100
#: ``Settings.Global.LOW_POWER_MODE_TRIGGER_LEVEL``: replaces the warning level when not 0.
LOW_POWER_MODE_TRIGGER_LEVEL = "low_power_trigger_level"


class Battery:
    """BatteryService: what the framework believes about the battery, and its broadcasts."""

    def __init__(
        self,
        sim: Simulation,
        settings: BatterySettings,
        cell: Cell,
        global_settings: GlobalSettings,
        *,
        android_version: int,
        request_shutdown: Callable[[str], None],
    ) -> None:
        self._sim = sim
        self._settings = settings
        self._cell = cell
        self._global = global_settings
        self._android_version = android_version
        self._request_shutdown = request_shutdown
        #: ``ACTION_BATTERY_CHANGED``: every change the framework sees.
        self.changed: Signal[BatteryState] = Signal("device.battery")
        #: ``ACTION_BATTERY_LOW``/``OKAY``, ``ACTION_POWER_CONNECTED``/``DISCONNECTED``.
        self.broadcast: Signal[BatteryBroadcast] = Signal("device.battery.broadcast")
        #: JobScheduler's battery-not-low flag flipped (see :class:`BatteryState`).
        self.not_low_changed: Signal[bool] = Signal("device.battery.not_low")
        #: Every hardware reading, even while the device is off (the charger, boot rules).
        self.cell_changed: Signal[CellReading] = Signal("device.battery.cell")
        self._running = False
        self._reset_service_state()
        global_settings.changed.connect(self._on_setting)

    def _reset_service_state(self) -> None:
        """A fresh BatteryService (construction and boot): ``mLastPlugType = -1`` and friends."""
        self._info = HealthInfo(technology=self._settings.technology)
        self._last_info = HealthInfo(technology=self._settings.technology)
        self._updates_stopped = False
        self._last_status: int = 0
        self._last_health = 0
        self._last_present = False
        self._last_level = 0
        self._last_plug_type = -1
        self._last_voltage = 0
        self._last_temperature = 0
        self._last_max_current = 0
        self._last_counter = 0
        self._plug_type = PlugType.NONE
        self._level_low = False
        self._level_critical = False
        self._sent_low = False
        self._sequence = 1
        self._not_low = True
        self._warning_level = self._settings.low_battery_warning_level
        self._last_warning_level = 0
        self._close_warning_level = (
            self._warning_level + self._settings.low_battery_close_warning_bump
        )

    # --- queries ----------------------------------------------------------------------------

    @property
    def state(self) -> BatteryState:
        """The battery as the framework sees it now."""
        return BatteryState(
            level=self._info.level,
            status=as_status(self._info.status),
            plugged=self._plug_type,
            present=self._info.present,
            charge_counter_uah=self._info.charge_counter_uah,
            level_low=self._level_low,
            not_low=self._not_low,
            updates_stopped=self._updates_stopped,
        )

    @property
    def level(self) -> int:
        """The level the framework sees (0..100)."""
        return self._info.level

    @property
    def plugged(self) -> PlugType:
        """The charger the framework sees."""
        return self._plug_type

    @property
    def charging(self) -> bool:
        """Plugged in and CHARGING or FULL (``state``'s ``plugged`` and ``status``, without
        building the whole state: JobScheduler reads it for every job verdict)."""
        return self._plug_type is not PlugType.NONE and self._info.status in (
            BatteryStatus.CHARGING,
            BatteryStatus.FULL,
        )

    @property
    def not_low(self) -> bool:
        """JobScheduler's battery-not-low flag (the ``requiresBatteryNotLow`` constraint)."""
        return self._not_low

    @property
    def warning_level(self) -> int:
        """``mLowBatteryWarningLevel`` (the trigger level of automatic battery saver, if set)."""
        return self._warning_level

    @property
    def cell(self) -> Cell:
        """The hardware: true charge, charger, draw."""
        return self._cell

    # --- the world: chargers ----------------------------------------------------------------

    def plug(self, charger: PlugType | str) -> None:
        """Connect a charger (``"ac"``, ``"usb"``, ``"wireless"``, ``"dock"``)."""
        self._cell.connect(as_charger(charger))

    def unplug(self) -> None:
        """Disconnect the charger."""
        self._cell.connect(PlugType.NONE)

    # --- the HAL callback -------------------------------------------------------------------

    def on_reading(self, reading: CellReading) -> None:
        """``BatteryService.update(HealthInfo)``: a new hardware reading."""
        self.cell_changed.emit(reading)
        if not self._running:
            return
        if reading.empty:
            self._request_shutdown("battery empty")
            return
        fresh = self._health_from(reading)
        if self._updates_stopped:
            self._last_info = fresh
        else:
            self._info = fresh
            self._process_values(force=False)

    def _health_from(self, reading: CellReading) -> HealthInfo:
        return HealthInfo(
            ac=reading.charger is PlugType.AC,
            usb=reading.charger is PlugType.USB,
            wireless=reading.charger is PlugType.WIRELESS,
            dock=reading.charger is PlugType.DOCK,
            status=reading.status,
            present=True,
            level=reading.level,
            voltage_mv=self._settings.voltage_mv,
            temperature=self._settings.temperature_tenths_c,
            charge_counter_uah=reading.charge_uah,
            max_charging_current_ua=reading.max_charging_current_ua,
            max_charging_voltage_uv=0 if reading.charger is PlugType.NONE else 5_000_000,
            technology=self._settings.technology,
        )

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """The service starts at boot: first reading, then ``updateBatteryWarningLevelLocked``."""
        self._reset_service_state()
        self._running = True
        self._info = self._health_from(self._cell.reading())
        self._update_warning_level()
        self._not_low = not self._level_low  # JobScheduler's BatteryStateTracker.startTracking

    def stop(self) -> None:
        """The device went down: the service is gone with everything else in memory."""
        self._running = False

    def _on_setting(self, change: SettingChange) -> None:
        if change.name == LOW_POWER_MODE_TRIGGER_LEVEL and self._running:
            self._update_warning_level()

    def _update_warning_level(self) -> None:
        """``updateBatteryWarningLevelLocked``: the trigger level replaces the warning level."""
        default = self._settings.low_battery_warning_level
        self._last_warning_level = self._warning_level
        level = self._global.get_int(LOW_POWER_MODE_TRIGGER_LEVEL, default)
        if level == 0:
            level = default
        level = max(level, self._settings.critical_battery_warning_level)
        self._warning_level = level
        self._close_warning_level = level + self._settings.low_battery_close_warning_bump
        self._process_values(force=True)

    # --- processValuesLocked ----------------------------------------------------------------

    def _should_send_battery_low(self) -> bool:
        """``shouldSendBatteryLowLocked``, verbatim."""
        plugged = self._plug_type is not PlugType.NONE
        old_plugged = self._last_plug_type != PlugType.NONE
        info = self._info
        return (
            not plugged
            and info.status != BatteryStatus.UNKNOWN
            and info.level <= self._warning_level
            and (
                old_plugged
                or self._last_level > self._warning_level
                or info.level > self._last_warning_level
            )
        )

    def _should_shutdown(self) -> bool:
        """``shouldShutdownLocked`` (no capacity-level HAL): 0 %, present, not CHARGING."""
        info = self._info
        if not self._settings.shutdown_if_no_power or info.level > 0 or not info.present:
            return False
        return info.status != BatteryStatus.CHARGING

    def _process_values(self, *, force: bool) -> None:
        """``processValuesLocked``: flags, broadcasts and ``ACTION_BATTERY_CHANGED``."""
        info = self._info
        self._level_critical = (
            info.status != BatteryStatus.UNKNOWN
            and info.level <= self._settings.critical_battery_warning_level
        )
        self._plug_type = plug_type(info)
        shutdown = self._should_shutdown()
        current = (
            info.status,
            info.health,
            info.present,
            info.level,
            int(self._plug_type),
            info.voltage_mv,
            info.temperature,
            info.max_charging_current_ua,
            info.charge_counter_uah,
        )
        last = (
            self._last_status,
            self._last_health,
            self._last_present,
            self._last_level,
            self._last_plug_type,
            self._last_voltage,
            self._last_temperature,
            self._last_max_current,
            self._last_counter,
        )
        if force or current != last:
            self._update_level_low(force=force)
            self._sequence += 1
            broadcasts: list[BatteryBroadcast] = []
            if self._plug_type != 0 and self._last_plug_type == 0:
                broadcasts.append(BatteryBroadcast.ACTION_POWER_CONNECTED)
            elif self._plug_type == 0 and self._last_plug_type not in (0, -1):
                broadcasts.append(BatteryBroadcast.ACTION_POWER_DISCONNECTED)
            if self._should_send_battery_low():
                self._sent_low = True
                broadcasts.append(BatteryBroadcast.ACTION_BATTERY_LOW)
            elif self._sent_low and info.level >= self._close_warning_level:
                self._sent_low = False
                broadcasts.append(BatteryBroadcast.ACTION_BATTERY_OKAY)
            plug_changed = int(self._plug_type) != self._last_plug_type
            (
                self._last_status,
                self._last_health,
                self._last_present,
                self._last_level,
                self._last_plug_type,
                self._last_voltage,
                self._last_temperature,
                self._last_max_current,
                self._last_counter,
            ) = current
            self._announce(broadcasts, plug_changed=plug_changed)
        if shutdown:
            self._request_shutdown("battery level 0")

    def _update_level_low(self, *, force: bool) -> None:
        """``mBatteryLevelLow``: set at <= warning unplugged; cleared by power or warning + bump."""
        info = self._info
        if not self._level_low:
            if (
                self._plug_type is PlugType.NONE
                and info.status != BatteryStatus.UNKNOWN
                and info.level <= self._warning_level
            ):
                self._level_low = True
        elif (
            self._plug_type is not PlugType.NONE
            or info.level >= self._close_warning_level
            or (force and info.level >= self._warning_level)
        ):
            self._level_low = False

    def _announce(self, broadcasts: list[BatteryBroadcast], *, plug_changed: bool) -> None:
        not_low = self._not_low
        for broadcast in broadcasts:
            if broadcast is BatteryBroadcast.ACTION_BATTERY_LOW:
                not_low = False
            elif broadcast is BatteryBroadcast.ACTION_BATTERY_OKAY:
                not_low = True
        state = replace(self.state, not_low=not_low)
        reading = self._cell.reading()
        fields: dict[str, Any] = {
            "level": state.level,
            "status": status_name(state.status),
            "plugged": state.plugged.name,
            "level_low": state.level_low,
            "not_low": not_low,
            "charge_uah": reading.charge_uah,
            "current_ua": reading.current_ua,
            "broadcasts": [broadcast.name for broadcast in broadcasts],
        }
        if state.updates_stopped:
            fields["updates_stopped"] = True
        self._sim.record("device.battery", **fields)
        if plug_changed:
            self._sim.record("device.power", event="plug", plugged=state.plugged.name)
        for broadcast in broadcasts:
            self.broadcast.emit(broadcast)
        self.changed.emit(state)
        if not_low != self._not_low:
            self._not_low = not_low
            self.not_low_changed.emit(not_low)

    # --- what dumpsys battery set|unplug|reset do -------------------------------------------

    @property
    def health_info(self) -> HealthInfo:
        """The values the framework uses (``mHealthInfo``), possibly frozen by the shell."""
        return self._info

    @property
    def updates_stopped(self) -> bool:
        """Whether ``dumpsys battery set|unplug`` froze the values (``mUpdatesStopped``)."""
        return self._updates_stopped

    @property
    def sequence(self) -> int:
        """``mSequence``: bumped on every processed change (``-f`` prints it)."""
        return self._sequence

    def override(self, *, force: bool = False, **values: Any) -> None:
        """``dumpsys battery set KEY VALUE`` / ``unplug``: force values and stop updates.

        ``values`` are :class:`HealthInfo` fields (``ac=True``, ``level=5``, ...). Like
        BatteryService, the hardware keeps going underneath and ``reset`` brings it back.
        """
        if not self._updates_stopped:
            self._last_info = self._info
        self._info = replace(self._info, **values)
        self._updates_stopped = True
        self._process_values(force=force)

    def reset_override(self, *, force: bool = False) -> bool:
        """``dumpsys battery reset``: back to the hardware's values; ``False`` if not frozen."""
        if not self._updates_stopped:
            return False
        self._updates_stopped = False
        self._info = self._last_info
        self._process_values(force=force)
        return True
