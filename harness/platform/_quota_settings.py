"""``QuotaController.QcConstants``: every quota number, per bucket and Android version.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/controllers/QuotaController.java``
(``DEFAULT_*`` constants; the "legacy" and flag-gated "current" windows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness._exceptions import DefinitionError
from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND
from harness.platform._view import Bucket


@dataclass(frozen=True, slots=True)
class BucketQuota:
    """One bucket's regular-job quota (``mBucketPeriodsMs``, ``mAllowedTimePerPeriodMs``,
    ``mMaxBucketJobCounts``, ``mMaxBucketSessionCounts``)."""

    window_ms: int
    allowed_time_ms: int
    max_jobs: int
    max_sessions: int


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    """Every QuotaController number, for one Android version (a device-profile setting)."""

    buckets: dict[Bucket, BucketQuota]
    in_quota_buffer_ms: int = 30 * MS_PER_SECOND
    max_execution_24h_ms: int = 4 * MS_PER_HOUR
    #: ``DEFAULT_MAX_{JOB,SESSION}_COUNT_PER_RATE_LIMITING_WINDOW`` per ``RATE_LIMITING_WINDOW``.
    rate_limit_jobs: int = 20
    rate_limit_sessions: int = 20
    rate_limit_window_ms: int = MS_PER_MINUTE
    #: ``DEFAULT_TIMING_SESSION_COALESCING_DURATION_MS``.
    session_coalescing_ms: int = 5 * MS_PER_SECOND
    expedited_24h_ms: dict[Bucket, int] = field(default_factory=dict)
    #: ``QuotaController``: a job started while its app is TOP is never tracked (up to Android
    #: 15). Android 16 enforces quota on it (``Flags.enforceQuotaPolicyToTopStartedJobs``, on;
    #: the compat change ``OVERRIDE_QUOTA_ENFORCEMENT_TO_TOP_STARTED_JOBS`` is @Disabled): its
    #: time counts once the app leaves the foreground.
    top_started_jobs_quota_free: bool = True

    @classmethod
    def for_version(cls, version: int, constants: str | None = None) -> QuotaSettings:
        """AOSP defaults: ``DEFAULT_*`` in ``QuotaController.QcConstants``.

        Android 12-14 ship the "legacy" windows (ACTIVE 10 min, WORKING_SET 2 h, FREQUENT 8 h,
        RARE and RESTRICTED 24 h, 10 min allowed in each). The flag-gated "current" constants
        (``DEFAULT_CURRENT_*``: WORKING_SET 4 h, FREQUENT 12 h, ACTIVE 20 min per 30 min) are
        chosen with ``constants="current"`` (a device profile's ``jobscheduler.quota_constants``),
        and by default from version 15. Job counts per window: 75 / 120 / 200 / 48 / 10; session
        counts: 75 / 10 / 8 / 3 / 1.
        """
        if constants not in (None, "legacy", "current", "latest"):
            raise DefinitionError(
                f"quota constants {constants!r} are not one of: legacy, current, latest"
            )
        if constants is None and version >= 16:
            constants = "latest"
        if constants in ("current", "latest") or (constants is None and version >= 15):
            windows = {
                Bucket.ACTIVE: 30 * MS_PER_MINUTE,
                Bucket.WORKING_SET: 4 * MS_PER_HOUR,
                Bucket.FREQUENT: 12 * MS_PER_HOUR,
                Bucket.RARE: MS_PER_DAY,
                Bucket.RESTRICTED: MS_PER_DAY,
            }
            active_allowed = 20 * MS_PER_MINUTE
            if constants == "latest":
                # A16 QuotaController.QcConstants: DEFAULT_LATEST_WINDOW_SIZE_ACTIVE_MS = 60 min
                windows[Bucket.ACTIVE] = 60 * MS_PER_MINUTE
        else:
            windows = {
                Bucket.ACTIVE: 10 * MS_PER_MINUTE,
                Bucket.WORKING_SET: 2 * MS_PER_HOUR,
                Bucket.FREQUENT: 8 * MS_PER_HOUR,
                Bucket.RARE: MS_PER_DAY,
                Bucket.RESTRICTED: MS_PER_DAY,
            }
            active_allowed = 10 * MS_PER_MINUTE
        counts = {  # (max jobs, max sessions) per window
            Bucket.ACTIVE: (75, 75),
            Bucket.WORKING_SET: (120, 10),
            Bucket.FREQUENT: (200, 8),
            Bucket.RARE: (48, 3),
            Bucket.RESTRICTED: (10, 1),
        }
        buckets = {
            bucket: BucketQuota(
                window_ms=windows[bucket],
                allowed_time_ms=active_allowed if bucket is Bucket.ACTIVE else 10 * MS_PER_MINUTE,
                max_jobs=counts[bucket][0],
                max_sessions=counts[bucket][1],
            )
            for bucket in windows
        }
        expedited = {
            Bucket.EXEMPTED: 60 * MS_PER_MINUTE,
            Bucket.ACTIVE: 30 * MS_PER_MINUTE,
            # A16: DEFAULT_CURRENT_EJ_LIMIT_WORKING_MS = 15 min under the adjusted constants
            Bucket.WORKING_SET: (15 if constants == "latest" else 30) * MS_PER_MINUTE,
            Bucket.FREQUENT: 10 * MS_PER_MINUTE,
            Bucket.RARE: 10 * MS_PER_MINUTE,
            Bucket.RESTRICTED: 5 * MS_PER_MINUTE,
        }
        return cls(
            buckets=buckets,
            expedited_24h_ms=expedited,
            top_started_jobs_quota_free=version < 16,
        )
