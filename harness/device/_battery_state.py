"""The battery as the framework sees it: BatteryService's values, broadcasts and helpers.

``HealthInfo`` holds the health HAL fields ``BatteryService`` reads (``mHealthInfo``);
``BatteryState`` is what subscribers get; ``BatteryBroadcast`` names the intents it sends.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from harness._exceptions import DefinitionError
from harness.device._cell import BatteryStatus, PlugType

#: ``BatteryManager.BATTERY_HEALTH_GOOD``.
BATTERY_HEALTH_GOOD = 2


class BatteryBroadcast(enum.Enum):
    """The battery broadcasts BatteryService sends (``Intent.ACTION_*``)."""

    ACTION_BATTERY_LOW = "android.intent.action.BATTERY_LOW"  # fell to the warning level, unplugged
    ACTION_BATTERY_OKAY = "android.intent.action.BATTERY_OKAY"  # back at warning + bump after LOW
    ACTION_POWER_CONNECTED = "android.intent.action.ACTION_POWER_CONNECTED"  # a charger came
    ACTION_POWER_DISCONNECTED = "android.intent.action.ACTION_POWER_DISCONNECTED"  # it went


@dataclass(frozen=True, slots=True)
class BatteryState:
    """The battery as the framework sees it (the ``ACTION_BATTERY_CHANGED`` extras and flags).

    ``level_low`` is ``mBatteryLevelLow``; ``not_low`` is JobScheduler's battery-not-low view:
    true at boot unless the level is low, false after ``ACTION_BATTERY_LOW``, true again after
    ``ACTION_BATTERY_OKAY`` (so plugging in at 10 % does not make it true: only 20 % does).
    """

    level: int
    status: BatteryStatus | int
    plugged: PlugType
    present: bool
    charge_counter_uah: int
    level_low: bool
    not_low: bool
    updates_stopped: bool

    @property
    def powered(self) -> bool:
        """Whether a charger is connected (``BatteryManagerInternal.isPowered(ANY)``)."""
        return self.plugged is not PlugType.NONE or self.status == BatteryStatus.UNKNOWN


@dataclass(frozen=True, slots=True)
class HealthInfo:
    """The HAL's ``HealthInfo`` fields BatteryService reads (``mHealthInfo``)."""

    ac: bool = False
    usb: bool = False
    wireless: bool = False
    dock: bool = False
    status: int = BatteryStatus.UNKNOWN
    health: int = BATTERY_HEALTH_GOOD
    present: bool = True
    level: int = 0
    voltage_mv: int = 0
    temperature: int = 0
    charge_counter_uah: int = 0
    max_charging_current_ua: int = 0
    max_charging_voltage_uv: int = 0
    technology: str = "Li-ion"


def plug_type(info: HealthInfo) -> PlugType:
    """``BatteryService.plugType``: the first online charger, AC before USB before wireless."""
    if info.ac:
        return PlugType.AC
    if info.usb:
        return PlugType.USB
    if info.wireless:
        return PlugType.WIRELESS
    if info.dock:
        return PlugType.DOCK
    return PlugType.NONE


def as_status(value: int) -> BatteryStatus | int:
    try:
        return BatteryStatus(value)
    except ValueError:
        return value


def status_name(value: BatteryStatus | int) -> str:
    return value.name if isinstance(value, BatteryStatus) else str(value)


def as_charger(value: PlugType | str) -> PlugType:
    if isinstance(value, PlugType):
        return value
    try:
        return PlugType[value.upper()]
    except KeyError:
        names = ", ".join(plug.name.lower() for plug in PlugType if plug is not PlugType.NONE)
        raise DefinitionError(f"charger {value!r} is not one of: {names}") from None
