"""The iOS layer's trace kinds (``ios.*``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosAppRecord(TraceKind):
    """An iOS app changed state (``not_running``, ``foreground``, ``background``,
    ``suspended``); ``reason`` says why (a user open, a background launch, a force-quit)."""

    KIND: ClassVar[str] = "ios.app"
    bundle_id: str
    state: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosBackgroundTaskRecord(TraceKind):
    """``beginBackgroundTask`` / ``endBackgroundTask`` / its expiration (``event``)."""

    KIND: ClassVar[str] = "ios.background_task"
    bundle_id: str
    task_id: int
    name: str
    event: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosCancelRecord(TraceKind):
    """The app cancelled a pending request (``cancel(taskRequestWithIdentifier:)``), or all."""

    KIND: ClassVar[str] = "ios.cancel"
    bundle_id: str
    identifier: str | None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosCompletedRecord(TraceKind):
    """A background task, fetch or push ended: the app completed it (``success``), or it expired
    without an expiration handler (``success`` false, ``reason`` says so)."""

    KIND: ClassVar[str] = "ios.completed"
    bundle_id: str
    identifier: str
    task_kind: str
    success: bool
    elapsed_ms: int
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosContinuedRecord(TraceKind):
    """A continued-processing task's Live Activity (iOS 26): ``event`` is ``queued`` (no room:
    waits), ``started`` (its launch handler runs), ``user_cancelled`` (the user tapped cancel),
    ``stalled`` (no progress for the policy's timeout: expired), ``ended`` (the app died with it
    running) or ``dropped`` (a queued request cancelled as the app died); the progress units are
    absent before it starts."""

    KIND: ClassVar[str] = "ios.continued"
    bundle_id: str
    identifier: str
    event: str
    title: str
    subtitle: str
    strategy: str
    reason: str
    completed_units: int | None = None
    total_units: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosExpiredRecord(TraceKind):
    """A task's time is running out (``reason``: its budget, or the user picked up the phone):
    its expiration handler ran (``handler``) or, without one, it is marked unsuccessful."""

    KIND: ClassVar[str] = "ios.expired"
    bundle_id: str
    identifier: str
    task_kind: str
    reason: str
    handler: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosLaunchRecord(TraceKind):
    """The system launched (``cold``: started the process) or resumed an app in the background
    for a task, a legacy fetch or a silent push; ``handler`` is false when no launch handler was
    registered for the identifier."""

    KIND: ClassVar[str] = "ios.launch"
    bundle_id: str
    identifier: str
    task_kind: str
    cold: bool
    handler: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosPushRecord(TraceKind):
    """A silent (background) push reached the device: ``outcome`` is ``delivered`` or why not."""

    KIND: ClassVar[str] = "ios.push"
    bundle_id: str
    outcome: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosSettingRecord(TraceKind):
    """An iOS switch changed: ``background_app_refresh`` (global, or for ``bundle_id``),
    ``low_power_mode``, ``first_unlocked`` (data protection after a reboot)."""

    KIND: ClassVar[str] = "ios.setting"
    setting: str
    value: bool
    reason: str
    bundle_id: str = ""


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosSubmitRecord(TraceKind):
    """``BGTaskScheduler.submit``: ``outcome`` is ``accepted``, ``replaced`` (the same identifier
    was pending) or the error code's name; ``earliest_begin_ms`` is absent for no floor."""

    KIND: ClassVar[str] = "ios.submit"
    bundle_id: str
    identifier: str
    task_kind: str
    outcome: str
    earliest_begin_ms: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosTerminatedRecord(TraceKind):
    """The system killed the app (a task not completed in its budget, a background task past its
    time, a force-quit, a shutdown); its running tasks end with it."""

    KIND: ClassVar[str] = "ios.terminated"
    bundle_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosThrottledRecord(TraceKind):
    """The system held back a launch: a silent push over the hourly limit, a refresh launch
    deferred by the daily budget (``until_ms``: the earliest it may come)."""

    KIND: ClassVar[str] = "ios.throttled"
    bundle_id: str
    task_kind: str
    reason: str
    until_ms: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class IosTransferRecord(TraceKind):
    """A background ``URLSession`` task's life (``event``): ``resumed`` (``reason``
    ``discretionary`` when the system picks the time), ``waiting`` (``reason``: connectivity,
    Wi-Fi and power, the earliest begin date, ...), ``started`` (``attempt``), ``interrupted``
    (the attempt failed, or the phone shut down: tried again), ``completed`` (``status``),
    ``failed`` (the resource timeout), ``cancelled`` (by the app, or a force-quit: ``reason``),
    ``delivered`` (the app's session delegate got the outcome)."""

    KIND: ClassVar[str] = "ios.transfer"
    bundle_id: str
    session: str
    task_id: int
    transfer_kind: str
    url: str
    event: str
    reason: str = ""
    attempt: int | None = None
    status: int | None = None
    error_code: int | None = None


__all__ = [
    "IosAppRecord",
    "IosBackgroundTaskRecord",
    "IosCancelRecord",
    "IosCompletedRecord",
    "IosContinuedRecord",
    "IosExpiredRecord",
    "IosLaunchRecord",
    "IosPushRecord",
    "IosSettingRecord",
    "IosSubmitRecord",
    "IosTerminatedRecord",
    "IosThrottledRecord",
    "IosTransferRecord",
]
