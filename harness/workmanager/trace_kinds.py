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


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkBlockedRecord(TraceKind):
    """A request was inserted BLOCKED behind prerequisites."""

    KIND: ClassVar[str] = "work.blocked"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    unique_name: str | None
    policy: str | None
    prerequisites: list[str]
    warnings: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkCancelledRecord(TraceKind):
    """The work became CANCELLED (``cause`` ``cancelled_by_app`` or
    ``prerequisite_cancelled``).
    """

    KIND: ClassVar[str] = "work.cancelled"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    previous_state: str
    cause: str
    stop_reason: str
    stop_reason_value: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkDeferredRecord(TraceKind):
    """Periodic or backed-off work was started before ``due_ms`` and put back ENQUEUED
    without running.
    """

    KIND: ClassVar[str] = "work.deferred"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    due_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkDeletedRecord(TraceKind):
    """A unique-work policy (REPLACE, KEEP, APPEND_OR_REPLACE, UPDATE) deleted the record."""

    KIND: ClassVar[str] = "work.deleted"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkEnqueuedRecord(TraceKind):
    """A request was inserted ENQUEUED (or FAILED/CANCELLED because a prerequisite had)."""

    KIND: ClassVar[str] = "work.enqueued"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    unique_name: str | None
    policy: str | None
    prerequisites: list[str]
    warnings: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkFailedRecord(TraceKind):
    """App code raised in ``phase`` (create_worker, merge_inputs, do_work, on_stopped); a
    ``work.finished`` follows for the first three.
    """

    KIND: ClassVar[str] = "work.failed"
    id: str
    phase: str
    error: str
    traceback: str
    worker: str | None = None
    tags: list[str] | None = None
    state: str | None = None
    run_attempt_count: int | None = None
    generation: int | None = None
    period_count: int | None = None
    next_run_time_ms: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkFinishedRecord(TraceKind):
    """A run completed: ``result`` success or failure (None, with ``cause`` and ``failed``,
    for dependents failed with it).
    """

    KIND: ClassVar[str] = "work.finished"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
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
class WorkProgressRecord(TraceKind):
    """A running worker set its progress (``Data`` as JSON)."""

    KIND: ClassVar[str] = "work.progress"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    progress: dict[str, Any]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkPrunedRecord(TraceKind):
    """A finished record was pruned (``reason`` ``on_open`` or ``prune_work``)."""

    KIND: ClassVar[str] = "work.pruned"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkRetryRecord(TraceKind):
    """The worker asked to retry: back to ENQUEUED after the backoff."""

    KIND: ClassVar[str] = "work.retry"
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
class WorkStartedRecord(TraceKind):
    """ENQUEUED -> RUNNING (the run attempt count was incremented)."""

    KIND: ClassVar[str] = "work.started"
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
class WorkStoppedRecord(TraceKind):
    """A run was stopped (constraint lost, timeout, scheduler), or found RUNNING at start-
    up (``cause`` ``process_restart``).
    """

    KIND: ClassVar[str] = "work.stopped"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    stop_reason: str
    stop_reason_value: int
    cause: str | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkUnblockedRecord(TraceKind):
    """BLOCKED -> ENQUEUED when the last ``prerequisite`` succeeded."""

    KIND: ClassVar[str] = "work.unblocked"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    prerequisite: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class WorkUpdatedRecord(TraceKind):
    """``update_work`` or the UPDATE policy changed the work (``result`` an UpdateResult name)."""

    KIND: ClassVar[str] = "work.updated"
    id: str
    worker: str
    tags: list[str]
    state: str
    run_attempt_count: int
    generation: int
    period_count: int
    next_run_time_ms: int | None
    result: str


__all__ = [
    "WorkBlockedRecord",
    "WorkCancelledRecord",
    "WorkDeferredRecord",
    "WorkDeletedRecord",
    "WorkEnqueuedRecord",
    "WorkFailedRecord",
    "WorkFinishedRecord",
    "WorkNotEnqueuedRecord",
    "WorkProgressRecord",
    "WorkPrunedRecord",
    "WorkRetryRecord",
    "WorkStartedRecord",
    "WorkStoppedRecord",
    "WorkUnblockedRecord",
    "WorkUpdatedRecord",
]
