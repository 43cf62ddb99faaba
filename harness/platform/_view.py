"""What the system job scheduler reads from the device: a narrow, read-only view.

``JobSchedulerService`` decides from device *state*, the way AOSP's controllers read battery,
storage, connectivity, idle, doze, standby and battery-saver trackers. This protocol names that
state; :class:`harness.platform.DeviceAdapter` provides it from a simulated
:class:`harness.device.Device`, and tests can provide it from a plain object.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from harness.sim import Signal


class Bucket(enum.IntEnum):
    """App standby buckets (``UsageStatsManager.STANDBY_BUCKET_*``)."""

    EXEMPTED = 5  # exempt from every restriction (system apps, allowlisted apps)
    ACTIVE = 10  # in use now, or very recently
    WORKING_SET = 20  # used regularly
    FREQUENT = 30  # used often, not every day
    RARE = 40  # rarely used
    RESTRICTED = 45  # misbehaving or unused for days: strongest restrictions
    NEVER = 50  # installed but never opened


class DozeState(enum.Enum):
    """What doze means for jobs right now (``DeviceIdleJobsController``)."""

    NOT_IDLE = "not_idle"  # jobs may run
    IDLE = "idle"  # deep or light idle: jobs deferred until a maintenance window
    MAINTENANCE = "maintenance"  # a maintenance window is open: deferred jobs may run


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """The default network as ``ConnectivityController`` sees it."""

    transport: str  # WIFI, CELLULAR, ETHERNET
    validated: bool  # the network reached the internet (NET_CAPABILITY_VALIDATED)
    metered: bool  # no NET_CAPABILITY_NOT_METERED
    roaming: bool  # no NET_CAPABILITY_NOT_ROAMING
    temporarily_unmetered: bool = False  # NET_CAPABILITY_TEMPORARILY_NOT_METERED (API 30+)


class DeviceView(Protocol):
    """The device state the system job scheduler acts on, and a signal when any of it changes."""

    @property
    def changed(self) -> Signal[str]:
        """Fires (with what changed) on every change of the state below."""
        ...

    @property
    def platform_version(self) -> int:
        """The Android version (12 to 16): some limits differ by version."""
        ...

    @property
    def quota_constants(self) -> str | None:
        """``legacy`` or ``current``: which QuotaController defaults the build uses (``None``:
        the version's own, ``current`` from 15 on)."""
        ...

    @property
    def concurrency_limit(self) -> int:
        """``JobConcurrencyManager``'s steady-state limit of jobs running at once."""
        ...

    @property
    def powered_on(self) -> bool:
        """False while the device is off (dead battery) or booting."""
        ...

    @property
    def charging(self) -> bool:
        """``JobSchedulerService.isBatteryCharging``: plugged in and charging or full."""
        ...

    @property
    def power_connected(self) -> bool:
        """``BatteryController.PowerTracker.isPowerConnected``: a charger is plugged in, whether
        or not it charges (``ACTION_POWER_CONNECTED``)."""
        ...

    @property
    def battery_not_low(self) -> bool:
        """``BatteryController``: not below the low-battery warning (with its hysteresis)."""
        ...

    @property
    def storage_not_low(self) -> bool:
        """``StorageController``: storage is not low."""
        ...

    @property
    def network(self) -> NetworkInfo | None:
        """The default network, or ``None`` when there is none."""
        ...

    @property
    def device_idle(self) -> bool:
        """``IdleController``: idle for ``requiresDeviceIdle`` (screen off long enough)."""
        ...

    @property
    def doze(self) -> DozeState:
        """Whether doze defers jobs now."""
        ...

    @property
    def battery_saver(self) -> bool:
        """Battery saver is on."""
        ...

    def standby_bucket(self, package: str) -> Bucket:
        """The app's standby bucket now."""
        ...

    def is_top(self, package: str) -> bool:
        """The app is in the foreground (its jobs are quota-free)."""
        ...

    def is_uid_active(self, package: str) -> bool:
        """The app's uid is active (``AppStateTrackerImpl.isUidActive``): on top, or left the
        foreground less than ``BACKGROUND_SETTLE_TIME`` (60 s) ago and not made idle since."""
        ...

    def is_background_restricted(self, package: str) -> bool:
        """The user restricted the app's background activity."""
        ...

    def is_power_allowlisted(self, package: str) -> bool:
        """The app is on DeviceIdleController's user power allowlist ("Unrestricted" battery)."""
        ...

    def is_temp_allowlisted(self, package: str) -> bool:
        """The app is on DeviceIdleController's temp allowlist now."""
        ...


def api_level(platform_version: int) -> int:
    """The SDK level of an Android release (``android.os.Build.VERSION_CODES``): 10 is API 29,
    11 is 30, 12 is 31; 12L took 32, so 13 is 33, 14 is 34, 15 is 35 and 16 is 36."""
    return platform_version + (19 if platform_version <= 12 else 20)
