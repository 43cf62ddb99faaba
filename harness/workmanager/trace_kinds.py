"""WorkManager's trace kinds (``work.*``).

Every kind but ``work.not_enqueued`` carries the work's fields after the change: ``id``,
``worker``, ``tags``, ``state``, ``run_attempt_count``, ``generation``, ``period_count`` and
``next_run_time_ms`` (None unless ENQUEUED); ``work.failed`` has them only while the row exists.

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from harness.sim import TraceKind, register_trace_kind


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkSnapshot(TraceKind):
    """The work's fields after the change, shared by every ``work.*`` kind but
    ``work.not_enqueued`` (not a kind itself: a base of the kinds below)."""

    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkBlockedRecord(WorkSnapshot):
    """A request was inserted BLOCKED behind prerequisites."""

    KIND: ClassVar[str] = "work.blocked"
    unique_name: str | None
    policy: str | None
    prerequisites: list[str]
    warnings: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkCancelledRecord(WorkSnapshot):
    """The work became CANCELLED (``cause`` ``cancelled_by_app`` or
    ``prerequisite_cancelled``).
    """

    KIND: ClassVar[str] = "work.cancelled"
    previous_state: str
    cause: str
    stop_reason: str
    stop_reason_value: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkDeferredRecord(WorkSnapshot):
    """Periodic or backed-off work was started before ``due_ms`` and put back ENQUEUED
    without running.
    """

    KIND: ClassVar[str] = "work.deferred"
    due_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkForegroundRecord(WorkSnapshot):
    """A running worker moved into WorkManager's foreground runs (``setForegroundAsync``,
    ``Processor.startForeground``), before the service starts (also when that start is refused);
    JobScheduler's stops no longer stop it."""

    KIND: ClassVar[str] = "work.foreground"
    notification_id: int
    foreground_service_type: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkForegroundRefusedRecord(WorkSnapshot):
    """The foreground service for a run was refused: ``ContextCompat.startForegroundService``
    (Android 12+ background start) or ``SystemForegroundService.startForeground``'s type checks
    against the app's manifest (Android 10+/14+); the worker's ``set_foreground`` raises
    ``exception`` (its class name) with ``message``."""

    KIND: ClassVar[str] = "work.foreground_refused"
    exception: str
    message: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkDeletedRecord(WorkSnapshot):
    """A unique-work policy (REPLACE, KEEP, APPEND_OR_REPLACE, UPDATE) deleted the record."""

    KIND: ClassVar[str] = "work.deleted"
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkEnqueuedRecord(WorkSnapshot):
    """A request was inserted ENQUEUED (or FAILED/CANCELLED because a prerequisite had)."""

    KIND: ClassVar[str] = "work.enqueued"
    unique_name: str | None
    policy: str | None
    prerequisites: list[str]
    warnings: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkFailedRecord(TraceKind):
    """App code raised in ``phase`` (create_worker, merge_inputs, do_work, on_stopped); a
    ``work.finished`` follows for the first three. ``file`` and ``line`` say where: the
    innermost frame of app code (outside harness, the standard library and installed packages).
    """

    KIND: ClassVar[str] = "work.failed"
    id: str
    phase: str
    error: str
    traceback: str
    file: str | None = None
    line: int | None = None
    worker: str | None = None
    tags: list[str] | None = None
    state: str | None = None
    run_attempt_count: int | None = None
    generation: int | None = None
    period_count: int | None = None
    next_run_time_ms: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkFinishedRecord(WorkSnapshot):
    """A run completed: ``result`` success or failure (None, with ``cause`` and ``failed``,
    for dependents failed with it).
    """

    KIND: ClassVar[str] = "work.finished"
    result: str | None
    output: dict[str, Any] | None = None
    cause: str | None = None
    failed: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkNotEnqueuedRecord(TraceKind):
    """An enqueue did nothing (KEEP while active, a missing prerequisite)."""

    KIND: ClassVar[str] = "work.not_enqueued"
    ids: list[str]
    workers: list[str]
    reason: str
    unique_name: str | None = None
    existing: list[str] | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkProgressRecord(WorkSnapshot):
    """A running worker set its progress (``Data`` as JSON)."""

    KIND: ClassVar[str] = "work.progress"
    progress: dict[str, Any]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkPrunedRecord(WorkSnapshot):
    """A finished record was pruned (``reason`` ``on_open`` or ``prune_work``)."""

    KIND: ClassVar[str] = "work.pruned"
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkRetryRecord(WorkSnapshot):
    """The worker asked to retry: back to ENQUEUED after the backoff."""

    KIND: ClassVar[str] = "work.retry"


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkStartedRecord(WorkSnapshot):
    """ENQUEUED -> RUNNING (the run attempt count was incremented)."""

    KIND: ClassVar[str] = "work.started"


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkStoppedRecord(WorkSnapshot):
    """A run was stopped (constraint lost, timeout, scheduler), or found RUNNING at start-
    up (``cause`` ``process_restart``).
    """

    KIND: ClassVar[str] = "work.stopped"
    stop_reason: str
    stop_reason_value: int
    cause: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkUnblockedRecord(WorkSnapshot):
    """BLOCKED -> ENQUEUED when the last ``prerequisite`` succeeded."""

    KIND: ClassVar[str] = "work.unblocked"
    prerequisite: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkUpdatedRecord(WorkSnapshot):
    """``update_work`` or the UPDATE policy changed the work (``result`` an UpdateResult name)."""

    KIND: ClassVar[str] = "work.updated"
    result: str


__all__ = [
    "WorkBlockedRecord",
    "WorkCancelledRecord",
    "WorkDeferredRecord",
    "WorkDeletedRecord",
    "WorkEnqueuedRecord",
    "WorkFailedRecord",
    "WorkFinishedRecord",
    "WorkForegroundRecord",
    "WorkForegroundRefusedRecord",
    "WorkNotEnqueuedRecord",
    "WorkProgressRecord",
    "WorkPrunedRecord",
    "WorkRetryRecord",
    "WorkStartedRecord",
    "WorkStoppedRecord",
    "WorkUnblockedRecord",
    "WorkUpdatedRecord",
]
