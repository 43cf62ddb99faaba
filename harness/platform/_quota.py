"""``QuotaController``: how much job execution an app gets per window, by standby bucket.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/controllers/QuotaController.java``
(constants ``qc_*``; the reference's table, section 3 of android-platform.md). An app may use
``allowed_time_ms`` of regular-job execution within the rolling window of its bucket, start at
most ``max_jobs`` jobs per window, and at most ``max_execution_24h_ms`` per day; a job may start
only with at least ``in_quota_buffer_ms`` of quota left. Quota does not apply while the device
charges (except to RESTRICTED apps), to the foreground app, or to EXEMPTED apps; NEVER apps are
never within quota. Expedited jobs draw from a separate 24-hour budget per bucket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND
from harness.platform._view import Bucket


@dataclass(frozen=True, slots=True)
class BucketQuota:
    """One bucket's regular-job quota."""

    window_ms: int
    allowed_time_ms: int
    max_jobs: int


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    """Every QuotaController number, for one Android version (a device-profile setting)."""

    buckets: dict[Bucket, BucketQuota]
    in_quota_buffer_ms: int = 30 * MS_PER_SECOND
    max_execution_24h_ms: int = 4 * MS_PER_HOUR
    rate_limit_jobs: int = 20
    rate_limit_window_ms: int = MS_PER_MINUTE
    expedited_24h_ms: dict[Bucket, int] = field(default_factory=dict)

    @classmethod
    def for_version(cls, version: int) -> QuotaSettings:
        """AOSP defaults: ``DEFAULT_*`` in ``QuotaController.QcConstants``.

        Android 12-14 ship the "legacy" windows (ACTIVE 10 min, WORKING_SET 2 h, FREQUENT 8 h,
        RARE and RESTRICTED 24 h, 10 min allowed in each). Android 15's flag-gated "current"
        constants (WORKING_SET 4 h, FREQUENT 12 h, ACTIVE 20 min per 30 min) are used for 15+.
        """
        if version >= 15:
            windows = {
                Bucket.ACTIVE: 30 * MS_PER_MINUTE,
                Bucket.WORKING_SET: 4 * MS_PER_HOUR,
                Bucket.FREQUENT: 12 * MS_PER_HOUR,
                Bucket.RARE: MS_PER_DAY,
                Bucket.RESTRICTED: MS_PER_DAY,
            }
            active_allowed = 20 * MS_PER_MINUTE
        else:
            windows = {
                Bucket.ACTIVE: 10 * MS_PER_MINUTE,
                Bucket.WORKING_SET: 2 * MS_PER_HOUR,
                Bucket.FREQUENT: 8 * MS_PER_HOUR,
                Bucket.RARE: MS_PER_DAY,
                Bucket.RESTRICTED: MS_PER_DAY,
            }
            active_allowed = 10 * MS_PER_MINUTE
        max_jobs = {
            Bucket.ACTIVE: 75,
            Bucket.WORKING_SET: 120,
            Bucket.FREQUENT: 200,
            Bucket.RARE: 48,
            Bucket.RESTRICTED: 10,
        }
        buckets = {
            bucket: BucketQuota(
                window_ms=windows[bucket],
                allowed_time_ms=active_allowed if bucket is Bucket.ACTIVE else 10 * MS_PER_MINUTE,
                max_jobs=max_jobs[bucket],
            )
            for bucket in windows
        }
        expedited = {
            Bucket.EXEMPTED: 60 * MS_PER_MINUTE,
            Bucket.ACTIVE: 30 * MS_PER_MINUTE,
            Bucket.WORKING_SET: 30 * MS_PER_MINUTE,
            Bucket.FREQUENT: 10 * MS_PER_MINUTE,
            Bucket.RARE: 10 * MS_PER_MINUTE,
            Bucket.RESTRICTED: 5 * MS_PER_MINUTE,
        }
        return cls(buckets=buckets, expedited_24h_ms=expedited)


#: A job that starts within this of the previous session's end joins that session
#: (``DEFAULT_TIMING_SESSION_COALESCING_DURATION_MS``).
SESSION_COALESCING_MS: Final = 5 * MS_PER_SECOND


@dataclass(slots=True)
class _Session:
    start_ms: int
    end_ms: int | None  # None while running


@dataclass(slots=True)
class _AppUsage:
    regular: list[_Session] = field(default_factory=list)
    expedited: list[_Session] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


def _used(sessions: Sequence[_Session], since_ms: int, now_ms: int) -> int:
    """Execution time in ``[since_ms, now_ms]``: the union of the job intervals (jobs running
    at the same time share one timing session, ``QuotaController.TimingSession``)."""
    intervals = sorted(
        (max(session.start_ms, since_ms), now_ms if session.end_ms is None else session.end_ms)
        for session in sessions
    )
    total = 0
    covered_until = since_ms
    for start, end in intervals:
        start = max(start, covered_until)
        if end > start:
            total += end - start
            covered_until = end
    return total


class QuotaTracker:
    """Per-app execution bookkeeping and the in-quota verdicts derived from it."""

    def __init__(self, settings: QuotaSettings) -> None:
        self.settings = settings
        self._apps: dict[str, _AppUsage] = {}

    def _app(self, package: str) -> _AppUsage:
        return self._apps.setdefault(package, _AppUsage())

    # --- bookkeeping ----------------------------------------------------------------------

    def job_started(self, package: str, now_ms: int, *, expedited: bool) -> None:
        """A job of ``package`` started now."""
        usage = self._app(package)
        usage.starts.append(now_ms)
        sessions = usage.expedited if expedited else usage.regular
        sessions.append(_Session(now_ms, None))

    def job_stopped(self, package: str, now_ms: int, *, expedited: bool) -> None:
        """The oldest running job of ``package`` (of that kind) ended now."""
        sessions = self._app(package).expedited if expedited else self._app(package).regular
        for session in sessions:
            if session.end_ms is None:
                session.end_ms = now_ms
                return

    # --- verdicts -------------------------------------------------------------------------

    def remaining_ms(self, package: str, bucket: Bucket, now_ms: int) -> int:
        """Regular-job quota left now (may be negative while a job overruns)."""
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return 0
        usage = self._app(package)
        in_window = quota.allowed_time_ms - _used(usage.regular, now_ms - quota.window_ms, now_ms)
        in_day = self.settings.max_execution_24h_ms - _used(
            usage.regular, now_ms - MS_PER_DAY, now_ms
        )
        return min(in_window, in_day)

    def out_of_quota_reason(self, package: str, bucket: Bucket, now_ms: int) -> str | None:
        """Why a regular job of ``package`` may not start now, or ``None`` if it may."""
        if bucket is Bucket.NEVER:
            return "app is in the NEVER standby bucket (never opened): no job quota"
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return None
        usage = self._app(package)
        remaining = self.remaining_ms(package, bucket, now_ms)
        if remaining < self.settings.in_quota_buffer_ms:
            return (
                f"standby bucket {bucket.name}: {max(remaining, 0) // 1000} s of the "
                f"{quota.allowed_time_ms // 1000} s quota left per "
                f"{quota.window_ms // MS_PER_MINUTE} min window"
            )
        started = sum(1 for t in usage.starts if t > now_ms - quota.window_ms)
        if started >= quota.max_jobs:
            return (
                f"standby bucket {bucket.name}: {started} jobs in the window (max {quota.max_jobs})"
            )
        recent = sum(1 for t in usage.starts if t > now_ms - self.settings.rate_limit_window_ms)
        if recent >= self.settings.rate_limit_jobs:
            return f"rate limited: {recent} jobs in the last minute"
        return None

    def next_in_quota_ms(self, package: str, bucket: Bucket, now_ms: int) -> int | None:
        """The earliest time ``package`` is back within quota (``None``: never, as for NEVER)."""
        if bucket is Bucket.NEVER:
            return None
        usage = self._app(package)
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return now_ms
        candidates = sorted(
            {now_ms}
            | {s.end_ms + quota.window_ms for s in usage.regular if s.end_ms is not None}
            | {s.end_ms + MS_PER_DAY for s in usage.regular if s.end_ms is not None}
            | {t + quota.window_ms + 1 for t in usage.starts}
            | {t + self.settings.rate_limit_window_ms + 1 for t in usage.starts}
        )
        for candidate in candidates:
            if candidate >= now_ms and self.out_of_quota_reason(package, bucket, candidate) is None:
                return candidate
        return None

    def expedited_remaining_ms(self, package: str, bucket: Bucket, now_ms: int) -> int:
        """Expedited-job budget left in the last 24 hours."""
        budget = self.settings.expedited_24h_ms.get(bucket, 0)
        return budget - _used(self._app(package).expedited, now_ms - MS_PER_DAY, now_ms)
