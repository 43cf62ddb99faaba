"""The ``background_fetch`` plugin's trace kinds (``bgfetch.*``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below). Registered on
import of the package; the reference is ``docs/trace.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchEventRecord(TraceKind):
    """An event reached the app (``platform`` android or ios): ``headless`` (the UI was not
    alive: the headless task ran) or not, ``timeout`` (the onTimeout event, 60 s on Android, the
    expiration on iOS) or not."""

    KIND: ClassVar[str] = "bgfetch.event"
    package: str
    task_id: str
    headless: bool
    timeout: bool
    platform: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchFinishedRecord(TraceKind):
    """A task finished (``finish``; after a timeout, ``timed_out``), ``duration_ms`` after its
    event (``platform`` android or ios)."""

    KIND: ClassVar[str] = "bgfetch.finished"
    package: str
    task_id: str
    timed_out: bool
    duration_ms: int
    platform: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchIgnoredRecord(TraceKind):
    """The plugin dropped an event or a request, and why (started < 1 s after scheduling, a
    duplicate within 5 s, no config, no launch handler, a refused submit)."""

    KIND: ClassVar[str] = "bgfetch.ignored"
    package: str
    task_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchScheduledRecord(TraceKind):
    """The plugin scheduled a task with ``scheduler`` (JobScheduler job ``job_id``, AlarmManager,
    or a BGTaskScheduler request)."""

    KIND: ClassVar[str] = "bgfetch.scheduled"
    package: str
    task_id: str
    job_id: int
    scheduler: str
    interval_ms: int
    periodic: bool
    stop_on_terminate: bool
    start_on_boot: bool
    headless: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchStopJobRecord(TraceKind):
    """JobScheduler stopped the fetch job (``onStopJob``, with its stop reason): the task times
    out."""

    KIND: ClassVar[str] = "bgfetch.stop_job"
    package: str
    task_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BgfetchStoppedRecord(TraceKind):
    """A task (``*``: every task) was stopped: its job or alarm cancelled, its config deleted."""

    KIND: ClassVar[str] = "bgfetch.stopped"
    package: str
    task_id: str
    reason: str


__all__ = [
    "BgfetchEventRecord",
    "BgfetchFinishedRecord",
    "BgfetchIgnoredRecord",
    "BgfetchScheduledRecord",
    "BgfetchStopJobRecord",
    "BgfetchStoppedRecord",
]
