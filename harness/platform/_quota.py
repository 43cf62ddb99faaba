"""``QuotaController``: how much job execution an app gets per window, by standby bucket.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/controllers/QuotaController.java``
(constants ``QcConstants.DEFAULT_*``; the reference's table, section 3 of android-platform.md).

Bookkeeping follows ``QuotaController.Timer``: a package's background jobs that run while it is
tracked (not charging unless RESTRICTED, not in the foreground; a job started while the app is TOP
is never tracked) form one *timing session* from the first job's start to the last one's end;
charging ends the session and unplugging with jobs still running starts a new one. Verdicts follow
``updateExecutionStatsLocked`` and ``isWithinQuotaLocked``: within its bucket's rolling window an
app may use ``allowed_time_ms`` of execution (minus the ``in_quota_buffer_ms``), start
``max_jobs`` jobs and have ``max_sessions`` sessions (sessions less than 5 s apart count as one;
the running session does not count), at most ``max_execution_24h_ms`` per day, and at most 20
jobs and 20 sessions per rate-limiting window. Quota does not apply while the device charges
(except to RESTRICTED apps), to the foreground app, or to EXEMPTED apps; NEVER apps are never
within quota. Expedited jobs draw from a separate 24-hour budget per bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from harness._units import MS_PER_DAY
from harness.platform._decision import QuotaLimit, QuotaShortfall
from harness.platform._quota_settings import BucketQuota, QuotaSettings
from harness.platform._view import Bucket

#: ``MAX_PERIOD_MS``: sessions are kept (and the 24-hour execution cap counted) for a day.
MAX_PERIOD_MS: Final = MS_PER_DAY


@dataclass(frozen=True, slots=True)
class TimingSession:
    """``QuotaController.TimingSession``: a stretch of tracked execution and its job count."""

    start_ms: int
    end_ms: int
    bg_job_count: int


@dataclass(slots=True)
class _RateLimit:
    """A count that resets when its window expires (``jobRateLimitExpirationTimeElapsed`` and
    ``jobCountInRateLimitingWindow``; the same for sessions): a fixed, not a rolling, window."""

    expires_ms: int = 0
    count: int = 0

    def add(self, now_ms: int, n: int, window_ms: int) -> None:
        if self.expires_ms <= now_ms:
            self.expires_ms = now_ms + window_ms
            self.count = 0
        self.count += n

    def exceeded(self, now_ms: int, limit: int) -> bool:
        return self.expires_ms > now_ms and self.count >= limit


@dataclass(slots=True)
class _Timer:
    """``QuotaController.Timer``: a package's running background jobs and its open session."""

    running: int = 0  # mRunningBgJobs.size(): counted even while charging
    start_ms: int = 0  # mStartTimeElapsed
    bg_job_count: int = 0  # mBgJobCount: > 0 while actively tracking (isActive)
    sessions: list[TimingSession] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.bg_job_count > 0


@dataclass(slots=True)
class _Stats:
    """``ExecutionStats`` for one package and bucket at one instant."""

    time_in_window_ms: int = 0
    time_in_day_ms: int = 0
    jobs_in_window: int = 0
    sessions_in_window: int = 0


@dataclass(slots=True)
class _AppUsage:
    regular: _Timer = field(default_factory=_Timer)
    expedited: _Timer = field(default_factory=_Timer)
    job_rate: _RateLimit = field(default_factory=_RateLimit)
    session_rate: _RateLimit = field(default_factory=_RateLimit)


def _time_frees_at(sessions: list[TimingSession], threshold_ms: int, window_ms: int) -> int | None:
    """When a window sliding past ``sessions`` leaves less than ``threshold_ms`` of execution in
    it (``updateExecutionStatsLocked``: "start + executionTimeInWindowMs - allowedTimeIntoQuota
    + windowSize"), or ``None`` if the sessions never add up to the threshold."""
    total = 0
    for session in reversed(sessions):
        total += session.end_ms - session.start_ms
        if total >= threshold_ms:
            return session.start_ms + total - threshold_ms + window_ms + 1
    return None


class QuotaTracker:
    """Per-app execution bookkeeping and the in-quota verdicts derived from it."""

    def __init__(self, settings: QuotaSettings) -> None:
        self.settings = settings
        self._apps: dict[str, _AppUsage] = {}

    def _app(self, package: str) -> _AppUsage:
        return self._apps.setdefault(package, _AppUsage())

    # --- bookkeeping (Timer.startTrackingJobLocked, stopTrackingJob, onStateChangedLocked) ------

    def job_started(self, package: str, now_ms: int, *, expedited: bool, tracked: bool) -> None:
        """A background job of ``package`` started now; ``tracked``: it counts towards quota now
        (``Timer.shouldTrackLocked``: not charging unless RESTRICTED, app not in the foreground).
        Do not call this for a job started while its app is TOP: it is never tracked."""
        usage = self._app(package)
        timer = usage.expedited if expedited else usage.regular
        timer.running += 1
        if not tracked:
            return
        if not timer.active:
            timer.start_ms = now_ms
            self._prune(timer, now_ms)
        timer.bg_job_count += 1
        if not expedited:
            usage.job_rate.add(now_ms, 1, self.settings.rate_limit_window_ms)

    def job_stopped(self, package: str, now_ms: int, *, expedited: bool) -> None:
        """A background job of ``package`` (of that kind) ended now."""
        usage = self._app(package)
        timer = usage.expedited if expedited else usage.regular
        if timer.running == 0:
            return
        timer.running -= 1
        if timer.running == 0:
            self._emit(usage, timer, now_ms, expedited=expedited)

    def state_changed(self, package: str, now_ms: int, *, quota_free: bool) -> None:
        """Charging or the app's foreground state changed: ``quota_free`` ends the open session;
        otherwise running jobs start a new one now ("Start timing from unplug")."""
        usage = self._apps.get(package)
        if usage is None:
            return
        for expedited, timer in ((False, usage.regular), (True, usage.expedited)):
            if quota_free:
                self._emit(usage, timer, now_ms, expedited=expedited)
            elif not timer.active and timer.running > 0:
                timer.start_ms = now_ms
                timer.bg_job_count = timer.running
                if not expedited:
                    usage.job_rate.add(now_ms, timer.running, self.settings.rate_limit_window_ms)

    def packages_running(self) -> list[str]:
        """Packages with tracked background jobs running now."""
        return [
            package
            for package, usage in sorted(self._apps.items())
            if usage.regular.running or usage.expedited.running
        ]

    def _emit(self, usage: _AppUsage, timer: _Timer, now_ms: int, *, expedited: bool) -> None:
        """``Timer.emitSessionLocked``: save the open session."""
        if not timer.active:
            return
        timer.sessions.append(TimingSession(timer.start_ms, now_ms, timer.bg_job_count))
        timer.bg_job_count = 0
        if not expedited:
            usage.session_rate.add(now_ms, 1, self.settings.rate_limit_window_ms)

    @staticmethod
    def _prune(timer: _Timer, now_ms: int) -> None:
        """Drop sessions that ended more than a day ago (``deleteObsoleteSessionsLocked``)."""
        cutoff = now_ms - MAX_PERIOD_MS
        keep = next((i for i, s in enumerate(timer.sessions) if s.end_ms > cutoff), None)
        del timer.sessions[: len(timer.sessions) if keep is None else keep]

    # --- verdicts -------------------------------------------------------------------------

    def _stats(self, timer: _Timer, window_ms: int, now_ms: int) -> _Stats:
        """``updateExecutionStatsLocked``: sessions ending in the window count, clipped to it."""
        stats = _Stats()
        if timer.active:
            stats.time_in_window_ms = stats.time_in_day_ms = now_ms - timer.start_ms
            stats.jobs_in_window = timer.bg_job_count
        window_start = now_ms - window_ms
        day_start = now_ms - MAX_PERIOD_MS
        sessions = timer.sessions
        for i in range(len(sessions) - 1, -1, -1):
            session = sessions[i]
            if window_start < session.end_ms:
                stats.time_in_window_ms += session.end_ms - max(session.start_ms, window_start)
                stats.jobs_in_window += session.bg_job_count
                if (
                    i == len(sessions) - 1
                    or sessions[i + 1].start_ms - session.end_ms
                    > self.settings.session_coalescing_ms
                ):
                    stats.sessions_in_window += 1
            if day_start < session.end_ms:
                stats.time_in_day_ms += session.end_ms - max(session.start_ms, day_start)
            else:
                break
        return stats

    def _remaining(self, stats: _Stats, quota: BucketQuota) -> int:
        """``getRemainingExecutionTimeLocked``: the less of what the window and the day leave."""
        return min(
            quota.allowed_time_ms - stats.time_in_window_ms,
            self.settings.max_execution_24h_ms - stats.time_in_day_ms,
        )

    def remaining_ms(self, package: str, bucket: Bucket, now_ms: int) -> int:
        """Regular-job quota left now (may be negative while a job overruns)."""
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return 0
        return self._remaining(
            self._stats(self._app(package).regular, quota.window_ms, now_ms), quota
        )

    def time_until_quota_consumed_ms(self, package: str, bucket: Bucket, now_ms: int) -> int:
        """``getTimeUntilQuotaConsumedLocked``: how long a running job may go on before its app is
        out of time quota. In the "Regular ACTIVE case" the window equals the allowed time, so
        only the 24-hour cap binds; otherwise the less of the window and the day (a lower bound:
        sessions leaving the window meanwhile are credited when the job is checked again)."""
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return 0
        stats = self._stats(self._app(package).regular, quota.window_ms, now_ms)
        if quota.window_ms == quota.allowed_time_ms:
            return self.settings.max_execution_24h_ms - stats.time_in_day_ms
        return self._remaining(stats, quota)

    def shortfall(self, package: str, bucket: Bucket, now_ms: int) -> QuotaShortfall | None:
        """Which limit keeps a regular job of ``package`` from starting now, or ``None`` if it
        may (``isWithinQuotaLocked``)."""
        if bucket is Bucket.NEVER:
            return QuotaShortfall(QuotaLimit.NEVER_BUCKET, bucket)
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return None
        usage = self._app(package)
        stats = self._stats(usage.regular, quota.window_ms, now_ms)
        remaining = self._remaining(stats, quota)
        if remaining <= self.settings.in_quota_buffer_ms:
            return QuotaShortfall(
                QuotaLimit.TIME,
                bucket,
                count=max(remaining, 0) // 1000,
                maximum=quota.allowed_time_ms // 1000,
                window_ms=quota.window_ms,
            )
        if stats.jobs_in_window >= quota.max_jobs:
            return QuotaShortfall(
                QuotaLimit.JOBS,
                bucket,
                count=stats.jobs_in_window,
                maximum=quota.max_jobs,
                window_ms=quota.window_ms,
            )
        if stats.sessions_in_window >= quota.max_sessions:
            return QuotaShortfall(
                QuotaLimit.SESSIONS,
                bucket,
                count=stats.sessions_in_window,
                maximum=quota.max_sessions,
                window_ms=quota.window_ms,
            )
        rate_window_ms = self.settings.rate_limit_window_ms
        if usage.job_rate.exceeded(now_ms, self.settings.rate_limit_jobs):
            return QuotaShortfall(
                QuotaLimit.RATE_JOBS, None, count=usage.job_rate.count, window_ms=rate_window_ms
            )
        if usage.session_rate.exceeded(now_ms, self.settings.rate_limit_sessions):
            return QuotaShortfall(
                QuotaLimit.RATE_SESSIONS,
                None,
                count=usage.session_rate.count,
                window_ms=rate_window_ms,
            )
        return None

    def next_in_quota_ms(self, package: str, bucket: Bucket, now_ms: int) -> int | None:
        """The earliest time ``package`` is back within quota (``None``: never, as for NEVER).

        Candidates are the instants the window or the day slides past a session's end (or far
        enough into it to free the time that is over) and the rate-limit expiries; the first
        candidate at which :meth:`shortfall` clears is the answer."""
        if bucket is Bucket.NEVER:
            return None
        quota = self.settings.buckets.get(bucket)
        if quota is None:
            return now_ms
        usage = self._app(package)
        sessions = usage.regular.sessions
        buffer = self.settings.in_quota_buffer_ms
        candidates = {now_ms, usage.job_rate.expires_ms, usage.session_rate.expires_ms}
        for session in sessions:
            candidates.add(session.end_ms + quota.window_ms)
            candidates.add(session.end_ms + MAX_PERIOD_MS)
        for window_ms, allowed_ms in (
            (quota.window_ms, quota.allowed_time_ms),
            (MAX_PERIOD_MS, self.settings.max_execution_24h_ms),
        ):
            frees = _time_frees_at(sessions, allowed_ms - buffer, window_ms)
            if frees is not None:
                candidates.add(frees)
        for candidate in sorted(candidates):
            if candidate >= now_ms and self.shortfall(package, bucket, candidate) is None:
                return candidate
        return None

    def expedited_remaining_ms(self, package: str, bucket: Bucket, now_ms: int) -> int:
        """Expedited-job budget left in the last 24 hours."""
        budget = self.settings.expedited_24h_ms.get(bucket, 0)
        used = self._stats(self._app(package).expedited, MAX_PERIOD_MS, now_ms).time_in_day_ms
        return budget - used
