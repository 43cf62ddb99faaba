"""A device view whose state tests set directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.platform import Bucket, DozeState, JobInfo, JobNetworkType, NetworkInfo
from harness.sim import Signal

WIFI = NetworkInfo("WIFI", validated=True, metered=False, roaming=False)
CELL = NetworkInfo("CELLULAR", validated=True, metered=True, roaming=False)


@dataclass
class FakeDevice:
    """Every field of the DeviceView protocol, settable with :meth:`set`."""

    platform_version: int = 14
    quota_constants: str | None = None  # None: by version (current from 15 on)
    concurrency_limit: int = 16
    powered_on: bool = True
    charging: bool = False
    plugged: bool | None = None  # power connected; None: as ``charging``
    battery_not_low: bool = True
    storage_not_low: bool = True
    network: NetworkInfo | None = WIFI
    device_idle: bool = False
    doze: DozeState = DozeState.NOT_IDLE
    battery_saver: bool = False
    buckets: dict[str, Bucket] = field(default_factory=dict)
    top: set[str] = field(default_factory=set)
    active_uids: set[str] = field(default_factory=set)  # uids active though not on top
    restricted: set[str] = field(default_factory=set)
    allowlisted: set[str] = field(default_factory=set)
    temp_allowlisted: set[str] = field(default_factory=set)
    changed: Signal[str] = field(default_factory=lambda: Signal("device"))

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.changed.emit(",".join(values))

    @property
    def power_connected(self) -> bool:
        return self.charging if self.plugged is None else self.plugged

    def standby_bucket(self, package: str) -> Bucket:
        return self.buckets.get(package, Bucket.ACTIVE)

    def is_top(self, package: str) -> bool:
        return package in self.top

    def is_uid_active(self, package: str) -> bool:
        return package in self.top or package in self.active_uids

    def is_background_restricted(self, package: str) -> bool:
        return package in self.restricted

    def is_power_allowlisted(self, package: str) -> bool:
        return package in self.allowlisted

    def is_temp_allowlisted(self, package: str) -> bool:
        return package in self.temp_allowlisted


def job_info(**fields: Any) -> JobInfo:
    """A job with no constraints, due at once (job 1 of ``com.example.app``'s
    ``com.example.Service``, for work ``w``), with ``fields`` in place of those defaults."""
    defaults: dict[str, Any] = {
        "job_id": 1,
        "package": "com.example.app",
        "service": "com.example.Service",
        "work_spec_id": "w",
        "generation": 0,
        "earliest_ms": 0,
        "network_type": JobNetworkType.NETWORK_TYPE_NONE,
        "requires_charging": False,
        "requires_device_idle": False,
        "requires_battery_not_low": False,
        "requires_storage_not_low": False,
        "expedited": False,
    }
    return JobInfo(**(defaults | fields))
