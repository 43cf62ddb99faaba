"""The device's trace kinds (``device.*``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceBatteryRecord(TraceKind):
    """A battery reading changed (BatteryService's update), or the cell changed while the
    device was off (``device_off``).
    """

    KIND: ClassVar[str] = "device.battery"
    level: int
    status: str
    plugged: str
    charge_uah: int
    level_low: bool | None = None
    not_low: bool | None = None
    current_ua: int | None = None
    broadcasts: list[str] | None = None
    updates_stopped: bool | None = None
    device_off: bool | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceBootRecord(TraceKind):
    """The device's power life cycle: ``shutdown``, ``booting``, ``boot_completed``, or a
    power-on refused for ``no_charge``.
    """

    KIND: ClassVar[str] = "device.boot"
    event: Literal["no_charge", "shutdown", "booting", "boot_completed"]
    level: int | None = None
    reason: str | None = None
    reboot: bool | None = None
    boot_count: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceDozeRecord(TraceKind):
    """DeviceIdleController's deep state changed (``state`` a DeepState name)."""

    KIND: ClassVar[str] = "device.doze"
    state: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceIdleRecord(TraceKind):
    """JobScheduler's idleness tracker changed (``requiresDeviceIdle`` holds when ``idle``)."""

    KIND: ClassVar[str] = "device.idle"
    idle: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceIdleModeRecord(TraceKind):
    """The device entered or left (deep or light) idle mode: what apps see as doze."""

    KIND: ClassVar[str] = "device.idle_mode"
    deep: bool
    light: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceLightDozeRecord(TraceKind):
    """DeviceIdleController's light state changed (``state`` a LightState name)."""

    KIND: ClassVar[str] = "device.light_doze"
    state: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceMotionRecord(TraceKind):
    """The device started or stopped ``moving``, or the significant-motion sensor fired
    (``event``).
    """

    KIND: ClassVar[str] = "device.motion"
    moving: bool | None = None
    event: Literal["significant_motion"] | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceNetworkLinkRecord(TraceKind):
    """A transport's link quality changed (the network of the place the phone is at): latency,
    best bandwidths (each request draws 60-100 % of them) and packet loss."""

    KIND: ClassVar[str] = "device.network.link"
    transport: str
    latency_ms: int
    down_bytes_per_s: int
    up_bytes_per_s: int
    loss: float


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceNetworkRecord(TraceKind):
    """The default network changed (transport, metered, roaming, validation, connected
    transports).
    """

    KIND: ClassVar[str] = "device.network"
    transport: str
    metered: bool
    roaming: bool
    validated: bool
    connected: list[str]
    generation: int
    reason: str
    temporarily_unmetered: bool | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DevicePowerRecord(TraceKind):
    """A charger was plugged or unplugged (``plug``), or battery saver turned on or off
    (``battery_saver``).
    """

    KIND: ClassVar[str] = "device.power"
    event: Literal["plug", "battery_saver"]
    plugged: str | None = None
    battery_saver: bool | None = None
    reason: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceProcessRecord(TraceKind):
    """A package or its process changed: installed, launched, started, died, force-stopped,
    data cleared, restricted, state.
    """

    KIND: ClassVar[str] = "device.process"
    event: Literal[
        "installed",
        "unstopped",
        "launched",
        "force_stopped",
        "data_cleared",
        "background_restricted",
        "autostart_denied",
        "started",
        "died",
        "state",
    ]
    package: str
    pid: int | None = None
    reason: str | None = None
    detail: str | None = None
    state: str | None = None
    value: bool | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceScreenRecord(TraceKind):
    """The screen turned on or off, or the keyguard locked or unlocked."""

    KIND: ClassVar[str] = "device.screen"
    on: bool
    locked: bool
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSettingsRecord(TraceKind):
    """A ``Settings.Global`` value was put or deleted (``value`` None)."""

    KIND: ClassVar[str] = "device.settings"
    name: str
    value: str | None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceShellRecord(TraceKind):
    """An adb shell command ran on the device."""

    KIND: ClassVar[str] = "device.shell"
    command: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceShellErrorRecord(TraceKind):
    """An adb shell command failed (the error as the shell printed it)."""

    KIND: ClassVar[str] = "device.shell_error"
    command: str
    error: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceStandbyRecord(TraceKind):
    """AppStandbyController moved a package to another bucket (``bucket`` a StandbyBucket
    name).
    """

    KIND: ClassVar[str] = "device.standby"
    package: str
    bucket: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceStorageRecord(TraceKind):
    """Free space changed (``space``), the storage level changed (``level``), or a
    package's data was wiped (``wiped``).
    """

    KIND: ClassVar[str] = "device.storage"
    event: Literal["space", "level", "wiped"]
    free_bytes: int | None = None
    level: str | None = None
    low_bytes: int | None = None
    package: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceWakelockRecord(TraceKind):
    """A wake lock with ``tag`` was acquired (``held``) or released."""

    KIND: ClassVar[str] = "device.wakelock"
    tag: str
    held: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceWakeupRecord(TraceKind):
    """The device woke from suspend (an alarm, a job, a push), for ``reason``."""

    KIND: ClassVar[str] = "device.wakeup"
    reason: str


__all__ = [
    "DeviceBatteryRecord",
    "DeviceBootRecord",
    "DeviceDozeRecord",
    "DeviceIdleModeRecord",
    "DeviceIdleRecord",
    "DeviceLightDozeRecord",
    "DeviceMotionRecord",
    "DeviceNetworkLinkRecord",
    "DeviceNetworkRecord",
    "DevicePowerRecord",
    "DeviceProcessRecord",
    "DeviceScreenRecord",
    "DeviceSettingsRecord",
    "DeviceShellErrorRecord",
    "DeviceShellRecord",
    "DeviceStandbyRecord",
    "DeviceStorageRecord",
    "DeviceWakelockRecord",
    "DeviceWakeupRecord",
]
