"""The Flutter ``workmanager`` plugin's trace kinds (``flutter.*``).

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
class FlutterEngineDestroyedRecord(TraceKind):
    """A background Flutter engine was destroyed; ``cut_off_tasks`` of its tasks were
    cancelled.
    """

    KIND: ClassVar[str] = "flutter.engine_destroyed"
    package: str
    work_id: str
    instance: int
    reason: str
    cut_off_tasks: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterEngineStartedRecord(TraceKind):
    """A background Flutter engine (process ``instance``) started for a task."""

    KIND: ClassVar[str] = "flutter.engine_started"
    package: str
    task: str
    work_id: str
    instance: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterInitializeRecord(TraceKind):
    """``Workmanager().initialize`` stored the callback ``dispatcher``."""

    KIND: ClassVar[str] = "flutter.initialize"
    package: str
    dispatcher: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterPlatformErrorRecord(TraceKind):
    """A plugin method call failed with a PlatformException, as the plugin would throw it."""

    KIND: ClassVar[str] = "flutter.platform_error"
    package: str
    call: str
    error: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterTaskErrorRecord(TraceKind):
    """A background task could not run or its Dart handler raised (``phase``
    ``on_task_stopped`` for the stop handler, ``initialization`` when plugin 0.10.9's watchdog
    failed the run).
    """

    KIND: ClassVar[str] = "flutter.task_error"
    package: str
    task: str | None
    error: str
    work_id: str | None = None
    traceback: str | None = None
    phase: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterTaskResultRecord(TraceKind):
    """A background task ended with ``result`` (success, retry, failure)."""

    KIND: ClassVar[str] = "flutter.task_result"
    package: str
    task: str
    work_id: str
    result: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterWaitingForDartRecord(TraceKind):
    """The callback dispatcher never called ``executeTask`` (or, before plugin 0.10.10, an async
    dispatcher called it after the native message was lost, #738): plugin 0.10.7 waits for Dart
    forever, 0.10.9 and later fail the run 30 s later (``flutter.task_error``, phase
    ``initialization``)."""

    KIND: ClassVar[str] = "flutter.waiting_for_dart"
    package: str
    task: str
    work_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class FlutterIosSubmittedRecord(TraceKind):
    """The plugin's iOS side submitted a BGTaskScheduler request (``task_kind`` refresh or
    processing; ``earliest_begin_ms`` -1: no earliest date)."""

    KIND: ClassVar[str] = "flutter.ios_submitted"
    package: str
    identifier: str
    task_kind: str
    earliest_begin_ms: int


__all__ = [
    "FlutterEngineDestroyedRecord",
    "FlutterEngineStartedRecord",
    "FlutterInitializeRecord",
    "FlutterIosSubmittedRecord",
    "FlutterPlatformErrorRecord",
    "FlutterTaskErrorRecord",
    "FlutterTaskResultRecord",
    "FlutterWaitingForDartRecord",
]
