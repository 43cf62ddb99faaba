"""The flutter ``workmanager`` plugin's types, in snake_case, and how they map to androidx.

Source: fluttercommunity/flutter_workmanager 0.10.7 (``workmanager_platform_interface/pigeons/
workmanager_api.dart``, ``workmanager_android/.../WorkManagerUtils.kt``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from harness.workmanager import BackoffPolicy as AndroidBackoffPolicy
from harness.workmanager import Constraints as AndroidConstraints
from harness.workmanager import ExistingPeriodicWorkPolicy as AndroidPeriodicPolicy
from harness.workmanager import ExistingWorkPolicy as AndroidWorkPolicy
from harness.workmanager import NetworkType as AndroidNetworkType
from harness.workmanager import OutOfQuotaPolicy as AndroidOutOfQuotaPolicy
from harness.workmanager import State


class NetworkType(enum.Enum):
    """Dart ``NetworkType``."""

    CONNECTED = "connected"  # any working network
    METERED = "metered"  # a metered network (cellular)
    NOT_REQUIRED = "notRequired"  # no network needed
    NOT_ROAMING = "notRoaming"  # a network that is not roaming
    UNMETERED = "unmetered"  # an unmetered network (Wi-Fi)
    TEMPORARILY_UNMETERED = "temporarilyUnmetered"  # metered but temporarily free (API 30+)

    def to_android(self) -> AndroidNetworkType:
        """``NetworkType.toAndroid`` in ``WorkManagerUtils.kt`` (names map one to one)."""
        return AndroidNetworkType[self.name]


class BackoffPolicy(enum.Enum):
    """Dart ``BackoffPolicy``."""

    EXPONENTIAL = "exponential"  # delay doubles per attempt
    LINEAR = "linear"  # delay grows linearly per attempt

    def to_android(self) -> AndroidBackoffPolicy:
        """Same name in androidx."""
        return AndroidBackoffPolicy[self.name]


class ExistingWorkPolicy(enum.Enum):
    """Dart ``ExistingWorkPolicy`` (one-off tasks)."""

    APPEND = "append"  # maps to APPEND_OR_REPLACE (WorkManagerUtils.kt)
    KEEP = "keep"  # keep existing unfinished work, drop the new one
    REPLACE = "replace"  # cancel existing work, enqueue the new one
    UPDATE = "update"  # for one-off tasks the plugin maps it to APPEND_OR_REPLACE too

    def to_android(self) -> AndroidWorkPolicy:
        """``toAndroidWorkPolicy``: APPEND and UPDATE both become APPEND_OR_REPLACE."""
        if self in (ExistingWorkPolicy.APPEND, ExistingWorkPolicy.UPDATE):
            return AndroidWorkPolicy.APPEND_OR_REPLACE
        return AndroidWorkPolicy[self.name]


class ExistingPeriodicWorkPolicy(enum.Enum):
    """Dart ``ExistingPeriodicWorkPolicy`` (periodic tasks)."""

    KEEP = "keep"  # keep the existing periodic work (and its old schedule)
    REPLACE = "replace"  # cancel and re-enqueue (androidx REPLACE, deprecated there)
    UPDATE = "update"  # update the existing work in place (the plugin's default since 0.9.0)

    def to_android(self) -> AndroidPeriodicPolicy:
        """Same name in androidx."""
        return AndroidPeriodicPolicy[self.name]


class OutOfQuotaPolicy(enum.Enum):
    """Dart ``OutOfQuotaPolicy`` (expedited one-off tasks)."""

    RUN_AS_NON_EXPEDITED_WORK_REQUEST = "runAsNonExpeditedWorkRequest"  # run as regular work
    DROP_WORK_REQUEST = "dropWorkRequest"  # drop the request when out of expedited quota

    def to_android(self) -> AndroidOutOfQuotaPolicy:
        """Same name in androidx."""
        return AndroidOutOfQuotaPolicy[self.name]


class StopReason(enum.Enum):
    """Dart ``StopReason`` (``stop_reason.dart``), with its own raw values.

    The Android side sends androidx's raw ``STOP_REASON_*`` integer and Dart maps it through
    ``StopReason.fromRawValue``, whose numbering differs from Android's: Android's 7
    (constraint: connectivity) arrives as ``device_state``. The simulation reproduces that
    mapping, because that is what Dart code sees.
    """

    UNKNOWN = 0  # unknown, or any value Dart does not know
    TIMEOUT = 1  # raw value 1 (Android: cancelled by app)
    PREEMPT = 2  # raw value 2 (Android: preempt)
    CANCELLED_BY_APP = 3  # raw value 3 (Android: timeout)
    SYSTEM_IGNORED_CANCELLED_BY_APP = 4  # raw value 4 (Android: device state)
    BACKGROUND_RESTRICTION = 5  # raw value 5 (Android: battery not low)
    ESTIMATED_APP_GPU_LIMIT = 6  # raw value 6 (Android: charging)
    DEVICE_STATE = 7  # raw value 7 (Android: connectivity)
    APP_STANDBY = 8  # raw value 8 (Android: device idle)
    DEVICE_IDLE = 9  # raw value 9 (Android: storage not low)

    @classmethod
    def from_raw_value(cls, raw: int) -> StopReason:
        """``StopReason.fromRawValue``: unknown raw values become UNKNOWN."""
        try:
            return cls(raw)
        except ValueError:
            return cls.UNKNOWN


class WorkState(enum.Enum):
    """Dart ``WorkState`` as ``getWorkInfo`` reports it."""

    SCHEDULED = "scheduled"  # ENQUEUED or BLOCKED
    RUNNING = "running"  # RUNNING
    SUCCEEDED = "succeeded"  # SUCCEEDED
    FAILED = "failed"  # FAILED
    CANCELLED = "cancelled"  # CANCELLED

    @classmethod
    def from_android(cls, state: State) -> WorkState:
        """``toWorkInfoData``: ENQUEUED and BLOCKED both read as ``scheduled``."""
        if state in (State.ENQUEUED, State.BLOCKED):
            return cls.SCHEDULED
        return cls[state.name]


@dataclass(frozen=True, slots=True)
class Constraints:
    """Dart ``Constraints``: every field optional; only the ones given are applied."""

    network_type: NetworkType | None = None
    requires_battery_not_low: bool | None = None
    requires_charging: bool | None = None
    requires_device_idle: bool | None = None
    requires_storage_not_low: bool | None = None

    def to_android(self) -> AndroidConstraints:
        """``toAndroidConstraints``: a field is applied only when it is not ``None``."""
        network = self.network_type.to_android() if self.network_type is not None else None
        return AndroidConstraints(
            required_network_type=(
                network if network is not None else AndroidNetworkType.NOT_REQUIRED
            ),
            requires_charging=bool(self.requires_charging),
            requires_device_idle=bool(self.requires_device_idle),
            requires_battery_not_low=bool(self.requires_battery_not_low),
            requires_storage_not_low=bool(self.requires_storage_not_low),
        )


@dataclass(frozen=True, slots=True)
class WorkInfo:
    """Dart ``WorkInfo`` from ``getWorkInfo`` (0.10.3+)."""

    unique_name: str
    state: WorkState
    run_attempt_count: int
    is_periodic: bool
    task_name: str | None
