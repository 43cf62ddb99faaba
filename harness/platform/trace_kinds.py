"""The system job scheduler's and alarm manager's trace kinds (``job.*``, ``alarm.*``).

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
class JobAllDroppedRecord(TraceKind):
    """Every pending job was dropped (the device shut down), except the persisted ones
    (``setPersisted``; WorkManager's jobs are not persisted).
    """

    KIND: ClassVar[str] = "job.all_dropped"
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobCancelledRecord(TraceKind):
    """The app cancelled a job (``JobScheduler.cancel``)."""

    KIND: ClassVar[str] = "job.cancelled"
    package: str
    job_id: int
    work_id: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobCancelledAllRecord(TraceKind):
    """Every job of a package was cancelled (force-stop, data cleared)."""

    KIND: ClassVar[str] = "job.cancelled_all"
    package: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobContentChangedRecord(TraceKind):
    """A ``content:`` URI changed (``ContentResolver.notifyChange``); jobs observing it
    (``addTriggerContentUri``) note the change."""

    KIND: ClassVar[str] = "job.content_changed"
    uri: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobContentTriggeredRecord(TraceKind):
    """A job's content-trigger constraint was met: the update delay passed without a further
    change, or the maximum delay since the first (``ContentObserverController``)."""

    KIND: ClassVar[str] = "job.content_triggered"
    package: str
    job_id: int
    work_id: str
    uris: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobDeferredRecord(TraceKind):
    """A due job could not start now; ``reason`` says why (a constraint, doze, quota,
    standby, ...).
    """

    KIND: ClassVar[str] = "job.deferred"
    package: str
    job_id: int
    work_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobDroppedRecord(TraceKind):
    """An expedited job was out of quota and its work asked to be dropped
    (``DROP_WORK_REQUEST``).
    """

    KIND: ClassVar[str] = "job.dropped"
    package: str
    work_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobFinishedRecord(TraceKind):
    """The app called ``jobFinished`` (``needs_reschedule`` as it asked)."""

    KIND: ClassVar[str] = "job.finished"
    package: str
    job_id: int
    work_id: str
    needs_reschedule: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobScheduleFailedRecord(TraceKind):
    """``JobScheduler.schedule`` refused a job (for example out of expedited quota)."""

    KIND: ClassVar[str] = "job.schedule_failed"
    package: str
    job_id: int
    work_id: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobScheduledRecord(TraceKind):
    """A job was scheduled, runnable from ``earliest_ms``."""

    KIND: ClassVar[str] = "job.scheduled"
    package: str
    job_id: int
    work_id: str
    earliest_ms: int
    expedited: bool


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobStartedRecord(TraceKind):
    """A job started running (binding the app's process, ``cold_start`` if it had none),
    for at most ``limit_ms``.
    """

    KIND: ClassVar[str] = "job.started"
    package: str
    job_id: int
    work_id: str
    expedited: bool
    cold_start: bool
    limit_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class JobStoppedRecord(TraceKind):
    """A running job was stopped (``stop_reason`` a JobParameters name), or its process
    died (``reschedule_in_ms``).
    """

    KIND: ClassVar[str] = "job.stopped"
    package: str
    job_id: int
    work_id: str
    reason: str
    stop_reason: str | None = None
    stop_reason_value: int | None = None
    reschedule_in_ms: int | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmCancelledRecord(TraceKind):
    """An alarm went without firing: the app cancelled it, a force-stop or reboot dropped it,
    or the app's process could not start for it."""

    KIND: ClassVar[str] = "alarm.cancelled"
    package: str
    tag: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmFiredRecord(TraceKind):
    """An alarm was delivered to the app's receiver, ``late_ms`` after its trigger time (doze
    holds alarms without ALLOW_WHILE_IDLE)."""

    KIND: ClassVar[str] = "alarm.fired"
    package: str
    tag: str
    call: str
    late_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmSetRecord(TraceKind):
    """An app set an alarm (``call`` is the AlarmManager method; ``interval_ms`` 0: one-shot)."""

    KIND: ClassVar[str] = "alarm.set"
    package: str
    tag: str
    call: str
    trigger_ms: int
    interval_ms: int


__all__ = [
    "AlarmCancelledRecord",
    "AlarmFiredRecord",
    "AlarmSetRecord",
    "JobAllDroppedRecord",
    "JobCancelledAllRecord",
    "JobCancelledRecord",
    "JobContentChangedRecord",
    "JobContentTriggeredRecord",
    "JobDeferredRecord",
    "JobDroppedRecord",
    "JobFinishedRecord",
    "JobScheduleFailedRecord",
    "JobScheduledRecord",
    "JobStartedRecord",
    "JobStoppedRecord",
]
