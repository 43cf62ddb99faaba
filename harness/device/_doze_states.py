"""Doze states (``DeviceIdleController`` names and numbers), their legal moves, and values.

Numbers and names are ``STATE_*`` / ``LIGHT_STATE_*`` and ``stateToString`` /
``lightStateToString`` of ``apex/jobscheduler/service/java/com/android/server/
DeviceIdleController.java`` (FB@01740eff for 13, A15@0898a28d for 15; key in
docs/sources.md). The transition tables are what the code can do; the
property tests check every run against them.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import Final


class DeepState(enum.IntEnum):
    """Deep doze (``DeviceIdleController.STATE_*``)."""

    ACTIVE = 0  # in use, charging, or just moved: no doze
    INACTIVE = 1  # screen off and unplugged: waiting INACTIVE_TIMEOUT (30 min)
    IDLE_PENDING = 2  # waiting IDLE_AFTER_INACTIVE_TIMEOUT (30 min) with motion monitoring on
    SENSING = 3  # the accelerometer (AnyMotion) checks that the phone is still
    LOCATING = 4  # a location fix is taken before going idle
    IDLE = 5  # deep doze: network off, jobs, syncs and alarms deferred, wake locks ignored
    IDLE_MAINTENANCE = 6  # a maintenance window: deferred work may run
    QUICK_DOZE_DELAY = 7  # battery saver's quick doze: IDLE after QUICK_DOZE_DELAY_TIMEOUT


class LightState(enum.IntEnum):
    """Light doze (``DeviceIdleController.LIGHT_STATE_*``)."""

    ACTIVE = 0  # no light doze
    INACTIVE = 1  # screen off and unplugged: waiting LIGHT_IDLE_AFTER_INACTIVE_TIMEOUT
    PRE_IDLE = 3  # (12/13 only) jobs or alarms were active: a last chance to finish
    IDLE = 4  # light doze: app network and jobs deferred
    WAITING_FOR_NETWORK = 5  # maintenance is due but no network is up: wait for one
    IDLE_MAINTENANCE = 6  # a light maintenance window (budget 1..5 min)
    OVERRIDE = 7  # deep doze took over (deep IDLE)


#: Every move the deep state machine can make (becomeActive reaches ACTIVE from anywhere).
#: ``stepIdleStateLocked`` records every state it passes: when it falls through (no motion
#: sensor, no location provider) it still moves IDLE_PENDING -> SENSING -> LOCATING -> IDLE.
DEEP_TRANSITIONS: Final[dict[DeepState, frozenset[DeepState]]] = {
    DeepState.ACTIVE: frozenset({DeepState.INACTIVE, DeepState.QUICK_DOZE_DELAY}),
    DeepState.INACTIVE: frozenset(
        {DeepState.ACTIVE, DeepState.IDLE_PENDING, DeepState.QUICK_DOZE_DELAY}
    ),
    DeepState.IDLE_PENDING: frozenset(
        {DeepState.ACTIVE, DeepState.SENSING, DeepState.QUICK_DOZE_DELAY}
    ),
    DeepState.SENSING: frozenset(
        {DeepState.ACTIVE, DeepState.LOCATING, DeepState.QUICK_DOZE_DELAY}
    ),
    DeepState.LOCATING: frozenset({DeepState.ACTIVE, DeepState.IDLE, DeepState.QUICK_DOZE_DELAY}),
    DeepState.QUICK_DOZE_DELAY: frozenset({DeepState.ACTIVE, DeepState.IDLE}),
    DeepState.IDLE: frozenset({DeepState.ACTIVE, DeepState.IDLE_MAINTENANCE}),
    DeepState.IDLE_MAINTENANCE: frozenset({DeepState.ACTIVE, DeepState.IDLE}),
}

#: Every move the light state machine can make (deep IDLE forces OVERRIDE from anywhere).
LIGHT_TRANSITIONS: Final[dict[LightState, frozenset[LightState]]] = {
    LightState.ACTIVE: frozenset({LightState.INACTIVE, LightState.OVERRIDE}),
    LightState.INACTIVE: frozenset(
        {LightState.ACTIVE, LightState.PRE_IDLE, LightState.IDLE, LightState.OVERRIDE}
    ),
    LightState.PRE_IDLE: frozenset({LightState.ACTIVE, LightState.IDLE, LightState.OVERRIDE}),
    LightState.IDLE: frozenset(
        {
            LightState.ACTIVE,
            LightState.IDLE_MAINTENANCE,
            LightState.WAITING_FOR_NETWORK,
            LightState.OVERRIDE,
        }
    ),
    LightState.WAITING_FOR_NETWORK: frozenset(
        {LightState.ACTIVE, LightState.IDLE_MAINTENANCE, LightState.OVERRIDE}
    ),
    LightState.IDLE_MAINTENANCE: frozenset(
        {LightState.ACTIVE, LightState.IDLE, LightState.OVERRIDE}
    ),
    LightState.OVERRIDE: frozenset({LightState.ACTIVE}),
}


@dataclass(frozen=True, slots=True)
class DozeState:
    """Both doze machines and the idle modes PowerManager reports from them.

    ``device_idle_mode`` is ``PowerManager.isDeviceIdleMode()`` (deep IDLE) and
    ``light_idle_mode`` is ``isLightDeviceIdleMode()`` (light IDLE or WAITING_FOR_NETWORK);
    both are false in maintenance windows. JobScheduler defers jobs while either is true.
    """

    deep: DeepState
    light: LightState
    device_idle_mode: bool
    light_idle_mode: bool

    @property
    def in_maintenance(self) -> bool:
        """Whether a deep or light maintenance window is open."""
        return self.deep is DeepState.IDLE_MAINTENANCE or self.light is LightState.IDLE_MAINTENANCE


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    """A maintenance window opened or closed (``kind`` is ``"deep"`` or ``"light"``).

    ``latest_end_ms`` is when it closes at the latest; it may close early once the minimum
    (30 s deep, 5 s light) has passed and no jobs or alarms are active.
    """

    kind: str
    open: bool
    latest_end_ms: int | None


def java_float_times(value: int, factor: float) -> int:
    """``(long)(value * factor)`` with Java's float (32-bit) arithmetic, as DeviceIdleController."""
    as_float = struct.unpack("f", struct.pack("f", float(value)))[0]
    factor32 = struct.unpack("f", struct.pack("f", factor))[0]
    product = struct.unpack("f", struct.pack("f", as_float * factor32))[0]
    return int(product)


def format_android_duration(duration_ms: int) -> str:
    """``android.util.TimeUtils.formatDuration``: ``240000`` -> ``"+4m0s0ms"``, ``0`` -> ``"0"``."""
    if duration_ms == 0:
        return "0"
    sign = "+" if duration_ms > 0 else "-"
    rest = abs(duration_ms)
    days, rest = divmod(rest, 86_400_000)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    parts = [sign]
    printed = False
    for value, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")):
        if value or printed:
            parts.append(f"{value}{unit}")
            printed = True
    parts.append(f"{millis}ms")
    return "".join(parts)
