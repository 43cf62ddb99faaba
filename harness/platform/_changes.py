"""Which device changes the job scheduler evaluates: only those that change what a verdict reads.

AOSP's controllers report a state change to ``JobSchedulerService.onControllerStateChanged``
only when a job's constraint really changed: ``BatteryController.maybeReportNewChargingStateLocked``
compares the charging and battery-not-low flags with the last ones; ``DeviceIdleJobsController``
acts on ``updateIdleMode`` only when the idle mode flips; ``QuotaController`` and
``BackgroundJobsController`` react to a uid's process state only when it enters or leaves the
foreground (TOP, active). A process going from CACHED to SERVICE (a job's service bound), a
battery percent, or a light-doze step between two states that both defer jobs change no job's
readiness, and the service posts no ``MSG_CHECK_CHANGED_JOBS`` for them.

:class:`ChangeFilter` keeps, for the device changes that are mostly of that kind (a process
state, a battery reading, a doze step), the :func:`view_key` of everything a verdict reads from
the device as of the last such change; an equal key means no verdict can differ from the one the
last evaluation (done or queued) reached, so no evaluation is asked for. Every other change
(network, idle, standby bucket, uid, allowlists, storage, boot) is evaluated as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from harness.platform._view import DeviceView

#: The device-view change names (:class:`~._device_adapter.DeviceAdapter`) filtered by key.
FILTERED: Final = frozenset({"process", "doze", "battery"})

ViewKey = tuple[object, ...]


def view_key(device: DeviceView, packages: Iterable[str]) -> ViewKey:
    """Everything a verdict, a start or a quota session reads from ``device`` now, for the
    device-wide state and for each of ``packages`` (sorted, so equal states give equal keys)."""
    key: list[object] = [
        device.powered_on,
        device.charging,
        device.power_connected,
        device.battery_not_low,
        device.storage_not_low,
        device.network,
        device.device_idle,
        device.doze,
        device.battery_saver,
    ]
    for package in sorted(packages):
        key.append(package)
        key.append(device.standby_bucket(package))
        key.append(device.is_top(package))
        key.append(device.is_uid_active(package))
        key.append(device.is_background_restricted(package))
        key.append(device.is_power_allowlisted(package))
        key.append(device.is_temp_allowlisted(package))
    return tuple(key)


class ChangeFilter:
    """The last :func:`view_key` seen at a filtered change."""

    def __init__(self, device: DeviceView) -> None:
        self._device = device
        self._seen: ViewKey | None = None

    def unchanged(self, what: str, packages: Iterable[str]) -> bool:
        """Whether change ``what`` left every verdict input as it was at the last filtered
        change (always ``False`` for a change that is not filtered, which also forgets the key:
        a later change back to it must be evaluated, as the evaluation between saw another
        state)."""
        if what not in FILTERED:
            self._seen = None
            return False
        key = view_key(self._device, packages)
        if key == self._seen:
            return True
        self._seen = key
        return False
