"""The device as one evaluation pass reads it: each device-wide value read once.

``JobSchedulerService`` checks every job it holds in one pass (``JobSchedulerService``'s
``maybeRunPendingJobsLocked`` over ``isReadyToBeExecutedLocked``), and within a pass the device
does not change until the pass itself starts or stops a job. AOSP's controllers hold their
state in fields each job's check reads (``BatteryController.mPowerTracker``,
``DeviceIdleJobsController.mDeviceIdleMode``); a :class:`PassView` is the same for the
simulated device: the first read of a device-wide value (power, charging, doze, battery saver,
the network) goes to the device, later ones in the pass read the kept value. The per-app
queries are the device's methods, kept as such: they ask the device each time. The service
takes a new view after each start or stop.
"""

from __future__ import annotations

from typing import Any

from harness.platform._view import DeviceView

#: What a pass keeps after its first read: the device-wide values, and the per-app queries (the
#: device's own methods, which still ask the device each time).
_KEPT = (
    "battery_not_low",
    "battery_saver",
    "charging",
    "device_idle",
    "doze",
    "is_background_restricted",
    "is_power_allowlisted",
    "is_temp_allowlisted",
    "is_top",
    "is_uid_active",
    "network",
    "power_connected",
    "powered_on",
    "standby_bucket",
    "storage_not_low",
)


class PassView:
    """A :class:`DeviceView` over ``device`` that reads each device-wide value once."""

    __slots__ = (*_KEPT, "_device")

    def __init__(self, device: DeviceView) -> None:
        self._device = device

    def __getattr__(self, name: str) -> Any:
        # called only on the first read of a name in this pass (an unset slot), or for a
        # profile value (not kept)
        value = getattr(self._device, name)
        if name in _KEPT:
            object.__setattr__(self, name, value)
        return value
