"""The simulated :class:`~harness.device.Device` as the job scheduler's :class:`DeviceView`.

Each property reads the device the way the matching AOSP controller reads the framework:

* charging: ``BatteryController`` treats the device as charging when it is plugged in and the
  status is CHARGING or FULL (``BatteryManagerInternal``/``isCharging``); power connected: any
  charger is plugged in (``ACTION_POWER_CONNECTED``);
* battery not low: ``BatteryState.not_low`` (BATTERY_LOW / BATTERY_OKAY hysteresis);
* storage not low: the DEVICE_STORAGE_LOW state;
* network: the default network (``ConnectivityController``): its transport, validation, metered
  and roaming capabilities;
* device idle: ``IdleController`` (``Idleness``);
* doze: ``DeviceIdleJobsController`` defers jobs in deep *or* light idle mode and lets them run
  in maintenance windows;
* standby bucket, foreground (TOP), background restriction: ``AppStandby`` and ``Apps``; the
  uid's active/idle state: ``ActiveUids``;
* power allowlists: ``PowerAllowlist`` (``DeviceIdleController``'s user and temp lists).

``changed`` fires on any change of those, so the scheduler re-evaluates at the right instant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from harness.device import (
    DeepState,
    Device,
    LightState,
    NetworkState,
    PlugType,
    StandbyBucket,
    Transport,
)
from harness.platform._view import Bucket, DozeState, NetworkInfo
from harness.sim import Signal

#: The platform's bucket of each device bucket (same values: ``UsageStatsManager``'s); a dict
#: lookup, as every job verdict reads the bucket.
_BUCKETS: Final = {member: Bucket(int(member)) for member in StandbyBucket}


class DeviceAdapter:
    """:class:`DeviceView` over a simulated :class:`Device`."""

    def __init__(self, device: Device) -> None:
        self._device = device
        # The NetworkInfo of the last NetworkState read: the state is a frozen value replaced on
        # every change, so the same object means the same info (read for every job verdict).
        self._network_of: tuple[NetworkState, NetworkInfo | None] | None = None
        self.changed: Signal[str] = Signal("platform.device_view")
        # The per-app queries are the device's own methods, bound once: every verdict and every
        # firewall check reads them, so an adapter method around each would double the calls.
        #: The app's activity is in the foreground.
        self.is_top: Callable[[str], bool] = device.apps.is_top
        #: ``ActiveUids.is_active``: on top or within the background settle time.
        self.is_uid_active: Callable[[str], bool] = device.uids.is_active
        #: The user restricted the app's background activity.
        self.is_background_restricted: Callable[[str], bool] = device.apps.is_background_restricted
        #: ``dumpsys deviceidle whitelist +PKG`` (the user allowlist).
        self.is_power_allowlisted: Callable[[str], bool] = device.allowlist.contains
        #: ``cmd deviceidle tempwhitelist PKG`` (until it expires).
        self.is_temp_allowlisted: Callable[[str], bool] = device.allowlist.is_temp_allowlisted
        for name, signal in (
            ("battery", device.battery.changed),
            ("battery_not_low", device.battery.not_low_changed),
            ("network", device.network.changed),
            ("idle", device.idle.changed),
            ("doze", device.doze.changed),
            ("battery_saver", device.battery_saver.changed),
            ("standby", device.standby.changed),
            ("process", device.apps.state_changed),
            ("restriction", device.apps.restriction_changed),
            ("uid", device.uids.changed),
            ("allowlist", device.allowlist.changed),
            ("storage", device.storage.level_changed),
            ("boot", device.boot_completed),
            ("shutdown", device.shutting_down),
        ):
            signal.connect(lambda _value, name=name: self.changed.emit(name))  # type: ignore[misc]

    @property
    def platform_version(self) -> int:
        """The profile's Android version."""
        return int(self._device.profile.android_version)

    @property
    def quota_constants(self) -> str | None:
        """The profile's ``jobscheduler.quota_constants``."""
        return self._device.profile.jobscheduler.quota_constants

    @property
    def concurrency_limit(self) -> int:
        """The profile's ``jobscheduler.concurrency_limit``."""
        return self._device.profile.jobscheduler.concurrency_limit

    @property
    def powered_on(self) -> bool:
        """Booted and not shutting down."""
        return self._device.is_on

    @property
    def charging(self) -> bool:
        """Plugged in and charging or full."""
        return self._device.battery.charging

    @property
    def power_connected(self) -> bool:
        """A charger is plugged in (the framework's plug type)."""
        return self._device.battery.plugged is not PlugType.NONE

    @property
    def battery_not_low(self) -> bool:
        """JobScheduler's battery-not-low flag."""
        return self._device.battery.not_low

    @property
    def storage_not_low(self) -> bool:
        """Not in the DEVICE_STORAGE_LOW state."""
        return not self._device.storage.low

    @property
    def network(self) -> NetworkInfo | None:
        """The default network, if one is connected."""
        state = self._device.network.state
        cached = self._network_of
        if cached is not None and cached[0] is state:
            return cached[1]
        info = (
            None
            if state.transport is Transport.NONE
            else NetworkInfo(
                transport=state.transport.value,
                validated=state.validated,
                metered=state.metered,
                roaming=state.roaming,
                temporarily_unmetered=state.temporarily_unmetered,
            )
        )
        self._network_of = (state, info)
        return info

    @property
    def device_idle(self) -> bool:
        """``IdleController``'s idle state."""
        return self._device.idle.device_idle

    @property
    def doze(self) -> DozeState:
        """Deep or light idle mode defers jobs; a maintenance window lets them run."""
        # the fields of Doze.snapshot, read without building one (every verdict reads this)
        doze = self._device.doze
        if doze.device_idle_mode or doze.light_idle_mode:
            return DozeState.IDLE
        if (
            doze.state is DeepState.IDLE_MAINTENANCE
            or doze.light.state is LightState.IDLE_MAINTENANCE
        ):
            return DozeState.MAINTENANCE
        return DozeState.NOT_IDLE

    @property
    def battery_saver(self) -> bool:
        """Battery saver is on."""
        return self._device.battery_saver.enabled

    def standby_bucket(self, package: str) -> Bucket:
        """``AppStandby.bucket``."""
        bucket = self._device.standby.bucket(package)
        found = _BUCKETS.get(bucket)
        return Bucket(int(bucket)) if found is None else found
