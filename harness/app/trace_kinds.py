"""The app runtime's trace kinds (``app.*``, ``http.request``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppActionRecord(TraceKind):
    """A scenario ``app`` action called the app's function ``name``; ``created_ids`` are
    the items it made.
    """

    KIND: ClassVar[str] = "app.action"
    package: str
    name: str
    args: list[Any]
    created_ids: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppCrashRecord(TraceKind):
    """App code raised outside a worker (``where``: ``main`` or ``action NAME``); the run
    goes on.
    """

    KIND: ClassVar[str] = "app.crash"
    package: str
    where: str
    error: str
    traceback: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppDataClearedRecord(TraceKind):
    """The app's data was cleared (``pm clear``)."""

    KIND: ClassVar[str] = "app.data_cleared"
    package: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppInstalledRecord(TraceKind):
    """An app (its Python ``module``) was installed on the device."""

    KIND: ClassVar[str] = "app.installed"
    package: str
    module: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppLaunchedRecord(TraceKind):
    """The user launched the app (its ``main`` runs in process ``instance``)."""

    KIND: ClassVar[str] = "app.launched"
    package: str
    instance: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppNotificationRecord(TraceKind):
    """The app posted a notification."""

    KIND: ClassVar[str] = "app.notification"
    package: str
    id: int
    title: str
    body: str
    channel: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppProcessDiedRecord(TraceKind):
    """The app's process ``instance`` died; ``cut_off_tasks`` of its tasks were cancelled."""

    KIND: ClassVar[str] = "app.process_died"
    package: str
    reason: str
    instance: int
    cut_off_tasks: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppThawedRecord(TraceKind):
    """The app's frozen (Android) or suspended (iOS) process ``instance`` runs again
    (``reason``); it was frozen from ``frozen_at_ms`` and ``held`` of its callbacks (task steps,
    timers that fell due) had waited, and run now. Only written when the freeze held something.
    """

    KIND: ClassVar[str] = "app.thawed"
    package: str
    instance: int
    frozen_at_ms: int
    held: int
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AppProcessStartedRecord(TraceKind):
    """A process of the app started (``instance`` counts processes), for ``reason``."""

    KIND: ClassVar[str] = "app.process_started"
    package: str
    reason: str
    instance: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequestRecord(TraceKind):
    """The app made an HTTP request: its outcome (``status`` or ``error``), bytes and duration."""

    KIND: ClassVar[str] = "http.request"
    package: str
    method: str
    url: str
    status: int | None
    error: str | None
    bytes_up: int
    bytes_down: int
    duration_ms: int
    transport: str | None = None
    metered: bool | None = None
    fault: str | None = None


__all__ = [
    "AppActionRecord",
    "AppCrashRecord",
    "AppDataClearedRecord",
    "AppInstalledRecord",
    "AppLaunchedRecord",
    "AppNotificationRecord",
    "AppProcessDiedRecord",
    "AppProcessStartedRecord",
    "AppThawedRecord",
    "HttpRequestRecord",
]
