"""Scheduling decisions as values: what blocks a job, with its data, and the one place it is worded.

``JobStatus.isReady`` in AOSP is a conjunction of controller flags; when a job waits the question
"why?" has one first answer. A :class:`Verdict` carries that answer as a :class:`Blocker` plus the
typed data the wording needs (which constraint, until when, which quota limit); code acts on the
blocker, and :func:`describe` is the only place the words are made (``job.deferred`` reasons,
``explain``, ``dumpsys``). The words are the ones the trace has always carried, so digests hold.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from harness._units import MS_PER_MINUTE, format_t_ms
from harness.platform._job_info import JobNetworkType, NetCapability
from harness.platform._job_parameters import JobStopReason
from harness.platform._view import Bucket

#: ``DEFAULT_MIN_READY_NON_ACTIVE_JOBS_COUNT`` and ``DEFAULT_MAX_NON_ACTIVE_JOB_BATCH_DELAY_MS``.
MIN_READY_NON_ACTIVE_JOBS = 5
BATCH_DELAY_MS = 31 * MS_PER_MINUTE


class Blocker(enum.Enum):
    """The first reason a job does not run now (``JobStatus.isReady`` and the service's queue)."""

    DEVICE_OFF = "device_off"  # the device is off or still booting
    DELAY = "delay"  # its earliest start is later (initial delay, period or backoff)
    STANDBY_NEVER = "standby_never"  # the app is in the NEVER bucket (never opened)
    CONSTRAINT = "constraint"  # a constraint it asked for (or a dynamic one) does not hold
    DOZE = "doze"  # doze defers it to the next maintenance window
    DOZE_EXIT = "doze_exit"  # doze just ended: background jobs wait 3 s (BACKGROUND_JOBS_DELAY)
    BACKGROUND_RESTRICTED = "background_restricted"  # the user restricted the app
    BATTERY_SAVER = "battery_saver"  # battery saver pauses background jobs
    QUOTA = "quota"  # the app is out of its standby bucket's quota
    BATCHING = "batching"  # a non-ACTIVE app's job waits for a batch
    CONCURRENCY = "concurrency"  # ready, but every job slot (or the app's share) is taken
    PROCESS_CANNOT_START = "process_cannot_start"  # the app's process is refused (force-stop)
    NOT_SCHEDULED = "not_scheduled"  # JobScheduler holds no job for it


class Constraint(enum.Enum):
    """A job constraint (``JobStatus.CONSTRAINT_*``), in stop-reason priority order."""

    CHARGING = "charging"
    BATTERY_NOT_LOW = "battery_not_low"
    STORAGE_NOT_LOW = "storage_not_low"
    CONNECTIVITY = "connectivity"
    DEVICE_IDLE = "device_idle"
    CONTENT_TRIGGER = "content_trigger"  # no change of a trigger URI reported yet


class NetworkProblem(enum.Enum):
    """Why the default network does not satisfy a job's network request."""

    NO_NETWORK = "no_network"  # none connected
    NOT_VALIDATED = "not_validated"  # connected, not validated
    DOES_NOT_QUALIFY = "does_not_qualify"  # validated, wrong kind (metered, roaming, ...)


@dataclass(frozen=True, slots=True)
class NetworkNeed:
    """A job's network request and what is wrong with the network there is."""

    network_type: JobNetworkType
    capabilities: frozenset[NetCapability]
    problem: NetworkProblem
    transport: str | None  # the default network's transport, if any


@dataclass(frozen=True, slots=True)
class Unmet:
    """One constraint that does not hold now, and the stop reason it gives a running job."""

    constraint: Constraint
    stop_reason: JobStopReason = field(compare=False)
    network: NetworkNeed | None = None  # for CONNECTIVITY
    battery_low: bool = False  # for CHARGING: charging, but not stable power (battery low)

    @property
    def reason(self) -> str:
        """The constraint in words."""
        return _describe_unmet(self)


class QuotaLimit(enum.Enum):
    """Which ``QuotaController`` limit an app has reached (``isWithinQuotaLocked``)."""

    NEVER_BUCKET = "never_bucket"  # NEVER apps have no quota
    TIME = "time"  # execution time in the window (or the day) is used up, less the buffer
    JOBS = "jobs"  # job count in the window
    SESSIONS = "sessions"  # session count in the window
    RATE_JOBS = "rate_jobs"  # jobs per rate-limiting window
    RATE_SESSIONS = "rate_sessions"  # sessions per rate-limiting window
    USED_UP = "used_up"  # a running job's time quota ran out (MSG_REACHED_QUOTA)


@dataclass(frozen=True, slots=True)
class QuotaShortfall:
    """An app out of quota: the limit it reached and the numbers the message reports.

    ``count``/``maximum`` are seconds left and allowed (TIME), jobs or sessions counted and
    allowed (JOBS, SESSIONS), or the count in the rate window (RATE_*); ``window_ms`` is the
    bucket window (or the rate-limiting window). ``bucket`` is ``None`` for the rate limits,
    which hold for the app whatever its bucket."""

    limit: QuotaLimit
    bucket: Bucket | None
    count: int = 0
    maximum: int = 0
    window_ms: int = 0

    @property
    def reason(self) -> str:
        """The shortfall in words."""
        return _describe_quota(self)


@dataclass(frozen=True, slots=True)
class SlotShortage:
    """A ready job without a slot (``JobConcurrencyManager``): ``limit`` jobs run at once
    device-wide (``expedited`` is ``None``), or the app already runs its ``limit`` of expedited
    (``True``) or regular (``False``) jobs while the slots are wanted."""

    limit: int
    expedited: bool | None = None

    @property
    def reason(self) -> str:
        """The shortage in words."""
        if self.expedited is None:
            return f"{self.limit} jobs are running (JobScheduler's concurrency limit)"
        kind = "expedited" if self.expedited else "regular"
        return f"the app runs its {self.limit} {kind} jobs allowed while all slots are wanted"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a job may run now; if not, the first :class:`Blocker` and its data.

    ``stop_reason`` is what a running job is stopped with when the verdict turns against it.
    ``running_since_ms`` is set when :meth:`JobSchedulerService.explain` answers for a running
    job."""

    blocker: Blocker | None = None
    stop_reason: JobStopReason = field(default=JobStopReason.STOP_REASON_UNDEFINED, compare=False)
    until_ms: int | None = None  # DELAY: the earliest start
    unmet: Unmet | None = None  # CONSTRAINT
    quota: QuotaShortfall | None = None  # QUOTA
    bucket: Bucket | None = None  # BATCHING: the effective bucket
    shortage: SlotShortage | None = None  # CONCURRENCY
    running_since_ms: int | None = None

    @property
    def runnable(self) -> bool:
        """Whether the job may run now."""
        return self.blocker is None

    @property
    def reason(self) -> str:
        """The verdict in words (:func:`describe`)."""
        return describe(self)


def describe(verdict: Verdict) -> str:
    """The one wording of a verdict, as ``job.deferred``, ``explain`` and ``dumpsys`` print it."""
    blocker = verdict.blocker
    if blocker is None:
        if verdict.running_since_ms is not None:
            return f"running since {format_t_ms(verdict.running_since_ms)}"
        return "ready"
    if blocker is Blocker.DELAY:
        until = format_t_ms(verdict.until_ms or 0)
        return f"waiting until {until} (initial delay, period or backoff)"
    if blocker is Blocker.CONSTRAINT:
        assert verdict.unmet is not None
        return f"constraint unmet: {_describe_unmet(verdict.unmet)}"
    if blocker is Blocker.QUOTA:
        assert verdict.quota is not None
        return f"out of quota: {_describe_quota(verdict.quota)}"
    if blocker is Blocker.CONCURRENCY:
        assert verdict.shortage is not None
        return f"waiting for a job slot: {verdict.shortage.reason}"
    if blocker is Blocker.BATCHING:
        bucket = verdict.bucket.name if verdict.bucket is not None else "?"
        return (
            f"batching: waiting for {MIN_READY_NON_ACTIVE_JOBS} ready jobs or "
            f"{BATCH_DELAY_MS // MS_PER_MINUTE} min (standby bucket {bucket})"
        )
    return _FIXED[blocker]


_FIXED = {
    Blocker.DEVICE_OFF: "the device is off",
    Blocker.STANDBY_NEVER: "app is in the NEVER standby bucket (never opened)",
    Blocker.DOZE: "doze: deferred to the next maintenance window",
    Blocker.DOZE_EXIT: "doze ended: background jobs wait 3 s to be re-evaluated",
    Blocker.BACKGROUND_RESTRICTED: "the user restricted the app's background activity",
    Blocker.BATTERY_SAVER: "battery saver: background jobs are paused",
    Blocker.PROCESS_CANNOT_START: "the app's process cannot start (force-stopped?)",
    Blocker.NOT_SCHEDULED: "no job is scheduled for it in JobScheduler",
}

_CONSTRAINT_WORDS = {
    Constraint.CHARGING: "needs charging",
    Constraint.BATTERY_NOT_LOW: "battery is low",
    Constraint.STORAGE_NOT_LOW: "storage is low",
    Constraint.DEVICE_IDLE: "device is not idle",
    Constraint.CONTENT_TRIGGER: "waiting for a change of a trigger content URI",
}


def network_label(network_type: JobNetworkType, capabilities: frozenset[NetCapability]) -> str:
    """A job's network request as the trace names it: the name of the WorkManager
    ``NetworkType`` it was converted from (``SystemJobInfoConverter``), the words the trace has
    always used."""
    if NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED in capabilities:
        return "TEMPORARILY_UNMETERED"
    return _NETWORK_LABELS[network_type]


_NETWORK_LABELS = {
    JobNetworkType.NETWORK_TYPE_NONE: "NOT_REQUIRED",
    JobNetworkType.NETWORK_TYPE_ANY: "CONNECTED",
    JobNetworkType.NETWORK_TYPE_UNMETERED: "UNMETERED",
    JobNetworkType.NETWORK_TYPE_NOT_ROAMING: "NOT_ROAMING",
    JobNetworkType.NETWORK_TYPE_CELLULAR: "METERED",
}


def _describe_unmet(unmet: Unmet) -> str:
    if unmet.battery_low:
        return "needs charging: charging, but the battery is low (no stable power)"
    if unmet.constraint is not Constraint.CONNECTIVITY:
        return _CONSTRAINT_WORDS[unmet.constraint]
    need = unmet.network
    assert need is not None
    label = network_label(need.network_type, need.capabilities)
    if need.problem is NetworkProblem.NO_NETWORK:
        return f"needs network {label}: no network"
    if need.problem is NetworkProblem.NOT_VALIDATED:
        return f"needs network {label}: {need.transport} is not validated"
    return f"needs network {label}: {need.transport} does not qualify"


def _describe_quota(shortfall: QuotaShortfall) -> str:
    limit = shortfall.limit
    bucket = shortfall.bucket.name if shortfall.bucket is not None else "?"
    window = f"{shortfall.window_ms // MS_PER_MINUTE} min window"
    if limit is QuotaLimit.NEVER_BUCKET:
        return "app is in the NEVER standby bucket (never opened): no job quota"
    if limit is QuotaLimit.USED_UP:
        return f"standby bucket {bucket}: quota used up"
    if limit is QuotaLimit.TIME:
        return (
            f"standby bucket {bucket}: {shortfall.count} s of the {shortfall.maximum} s quota "
            f"left per {window}"
        )
    if limit is QuotaLimit.JOBS:
        return (
            f"standby bucket {bucket}: {shortfall.count} jobs in the {window} "
            f"(max {shortfall.maximum})"
        )
    if limit is QuotaLimit.SESSIONS:
        return (
            f"standby bucket {bucket}: {shortfall.count} job sessions in the {window} "
            f"(max {shortfall.maximum})"
        )
    rate_s = shortfall.window_ms // 1000
    if limit is QuotaLimit.RATE_JOBS:
        return f"rate limited: {shortfall.count} jobs within {rate_s} s"
    return f"rate limited: {shortfall.count} job sessions within {rate_s} s"
