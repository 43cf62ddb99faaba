"""What happens to the phone itself: a reboot, a charger, the user's hands, Wi-Fi reach, storage.

Effects are the device's (``harness.device``): ``Battery.plug``
(``BatteryManager.BATTERY_PLUGGED_*``), ``Screen.use_for`` (wake, unlock, use),
``Network.set_in_range`` and ``Storage.set_free``
(``DeviceStorageMonitorService``: storage is low below min(5 %, 500 MiB) free on stock Android).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self

from harness.device import PlugType, Transport
from harness.scenario._actions._base import Action, duration_ms, fail, register

if TYPE_CHECKING:
    from harness.scenario._world import World


@register
@dataclass(frozen=True, slots=True)
class Reboot(Action):
    """The device shuts down and boots again (jobs rescheduled on BOOT_COMPLETED)."""

    kind = "reboot"
    form = "reboot"
    summary = "the device reboots (adb reboot)"
    example = "reboot"

    @classmethod
    def parse(cls, text: str) -> Self | None:
        return cls(text) if text.lower() in ("reboot", "adb reboot") else None

    def apply(self, world: World) -> None:
        world.device.reboot()


_PLUG_RE: Final = re.compile(r"^plug in(?:\s+(?P<charger>ac|usb|wireless|dock))?$")


@register
@dataclass(frozen=True, slots=True)
class PlugIn(Action):
    """A charger is connected: the battery charges."""

    kind = "plug"
    form = "plug in [ac|usb|wireless|dock]"
    summary = "a charger is connected (the battery charges); ac by default"
    example = "plug in usb"

    charger: PlugType = PlugType.AC

    @classmethod
    def parse(cls, text: str) -> Self | None:
        match = _PLUG_RE.match(text.lower())
        if match is None:
            return None
        return cls(text, charger=PlugType[(match["charger"] or "ac").upper()])

    def apply(self, world: World) -> None:
        world.device.battery.plug(self.charger)


@register
@dataclass(frozen=True, slots=True)
class Unplug(Action):
    """The charger is disconnected."""

    kind = "unplug"
    form = "unplug"
    summary = "the charger is disconnected"
    example = "unplug"

    @classmethod
    def parse(cls, text: str) -> Self | None:
        return cls(text) if text.lower() == "unplug" else None

    def apply(self, world: World) -> None:
        world.device.battery.unplug()


_USE_RE: Final = re.compile(r"^use phone for\s+(?P<duration>\S+)$")


@register
@dataclass(frozen=True, slots=True)
class UsePhone(Action):
    """The user wakes, unlocks and uses the phone for a while (the screen is on)."""

    kind = "use_phone"
    form = "use phone for DURATION"
    summary = "the user wakes, unlocks and uses the phone (screen on) for DURATION"
    example = "use phone for 10m"

    duration_ms: int = 0

    @classmethod
    def parse(cls, text: str) -> Self | None:
        match = _USE_RE.match(text.lower())
        if match is None:
            return None
        return cls(text, duration_ms=duration_ms(text, match["duration"], "the time of use"))

    def apply(self, world: World) -> None:
        world.device.screen.use_for(self.duration_ms)


@register
@dataclass(frozen=True, slots=True)
class WifiRange(Action):
    """The known Wi-Fi network goes out of reach (a commute), or comes back."""

    kind = "wifi_range"
    form = "wifi out of range | wifi in range"
    summary = "the known Wi-Fi network is out of reach (a commute), or back in reach"
    example = "wifi out of range"

    in_range: bool = True

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if lowered not in ("wifi out of range", "wifi in range"):
            return None
        return cls(text, in_range=lowered == "wifi in range")

    def apply(self, world: World) -> None:
        world.device.network.set_in_range(Transport.WIFI, self.in_range)


_STORAGE_RE: Final = re.compile(
    r"^set storage free\s+(?P<amount>\d+)\s*(?P<unit>%|b|kb|mb|gb|kib|mib|gib)$"
)
#: Bytes per unit of ``set storage free N UNIT`` (decimal as storage is sold, binary as ``df``).
STORAGE_UNITS: Final = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}


@register
@dataclass(frozen=True, slots=True)
class SetStorageFree(Action):
    """Free space becomes a share of the disk (``percent``) or an amount (``free_bytes``)."""

    kind = "storage_free"
    form = "set storage free N% | N MB"
    summary = (
        "free space becomes N % of the total, or N B/KB/MB/GB (KiB, MiB, GiB); "
        "stock Android reports storage low below min(5 %, 500 MiB)"
    )
    example = "set storage free 300 MB"

    #: Free space as a percentage of the total (0-100), or ``None`` when given in bytes.
    percent: int | None = None
    #: Free space in bytes, or ``None`` when given as a percentage.
    free_bytes: int | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if not lowered.startswith("set storage free"):
            return None
        match = _STORAGE_RE.match(lowered)
        if match is None:
            raise fail(
                text,
                "give the free space as N% or N with a unit of "
                f"{', '.join(unit.upper() for unit in STORAGE_UNITS)}, e.g. "
                "'set storage free 3%' or 'set storage free 300 MB'",
            )
        amount, unit = int(match["amount"]), match["unit"]
        if unit == "%":
            if amount > 100:
                raise fail(text, "free space is at most 100 %")
            return cls(text, percent=amount)
        return cls(text, free_bytes=amount * STORAGE_UNITS[unit])

    def apply(self, world: World) -> None:
        storage = world.device.storage
        if self.percent is not None:
            storage.set_free(storage.total_bytes * self.percent // 100)
        else:
            assert self.free_bytes is not None
            storage.set_free(min(self.free_bytes, storage.total_bytes))
