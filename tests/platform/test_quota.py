"""QuotaController bookkeeping (harness/platform/_quota.py), pinned against AOSP's
``QuotaController`` (``Timer``, ``updateExecutionStatsLocked``, ``isWithinQuotaLocked``) and the
numbers of ``QuotaControllerTest``'s defaults."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND
from harness.platform import Bucket, QuotaSettings, QuotaTracker

APP = "com.example.app"
MIN = MS_PER_MINUTE


def tracker(version: int = 14) -> QuotaTracker:
    return QuotaTracker(QuotaSettings.for_version(version))


def _reason(quota: QuotaTracker, package: str, bucket: Bucket, now_ms: int) -> str | None:
    """The shortfall in words, as the trace prints it (``None``: within quota)."""
    shortfall = quota.shortfall(package, bucket, now_ms)
    return None if shortfall is None else shortfall.reason


def run(quota: QuotaTracker, start_ms: int, end_ms: int, *, tracked: bool = True) -> None:
    quota.job_started(APP, start_ms, expedited=False, tracked=tracked)
    quota.job_stopped(APP, end_ms, expedited=False)


def test_qc_constants_session_and_job_counts_per_bucket() -> None:
    """``DEFAULT_MAX_SESSION_COUNT_*`` 75/10/8/3/1 and ``DEFAULT_MAX_JOB_COUNT_*``
    75/120/200/48/10; rate limiting 20 jobs and 20 sessions per minute."""
    settings = QuotaSettings.for_version(14)
    sessions = {bucket: q.max_sessions for bucket, q in settings.buckets.items()}
    jobs = {bucket: q.max_jobs for bucket, q in settings.buckets.items()}
    assert sessions == {
        Bucket.ACTIVE: 75,
        Bucket.WORKING_SET: 10,
        Bucket.FREQUENT: 8,
        Bucket.RARE: 3,
        Bucket.RESTRICTED: 1,
    }
    assert jobs[Bucket.RARE] == 48
    assert jobs[Bucket.RESTRICTED] == 10
    assert (settings.rate_limit_jobs, settings.rate_limit_sessions) == (20, 20)
    assert settings.rate_limit_window_ms == MIN
    assert settings.session_coalescing_ms == 5 * MS_PER_SECOND


def test_concurrent_jobs_share_one_timing_session() -> None:
    """``Timer``: the session runs from the first job's start to the last one's end."""
    quota = tracker()
    quota.job_started(APP, 0, expedited=False, tracked=True)
    quota.job_started(APP, 1 * MIN, expedited=False, tracked=True)
    quota.job_stopped(APP, 2 * MIN, expedited=False)
    quota.job_stopped(APP, 3 * MIN, expedited=False)
    # 3 min used of RARE's 10, one session, two jobs
    assert quota.remaining_ms(APP, Bucket.RARE, 3 * MIN) == 7 * MIN
    run(quota, 10 * MIN, 11 * MIN)
    run(quota, 20 * MIN, 21 * MIN)
    assert _reason(quota, APP, Bucket.RARE, 22 * MIN) == (
        "standby bucket RARE: 3 job sessions in the 1440 min window (max 3)"
    )


def test_sessions_within_five_seconds_count_as_one() -> None:
    """``updateExecutionStatsLocked``: a session starting within the coalescing duration of the
    previous one's end is not counted again."""
    quota = tracker()
    run(quota, 0, 10 * MS_PER_SECOND)
    run(quota, 15 * MS_PER_SECOND, 20 * MS_PER_SECOND)  # 5 s after: coalesced
    run(quota, 30 * MS_PER_SECOND, 40 * MS_PER_SECOND)  # 10 s after: a new session
    assert _reason(quota, APP, Bucket.RARE, MIN) is None
    run(quota, 50 * MS_PER_SECOND, 55 * MS_PER_SECOND)  # the third counted session
    assert "3 job sessions" in (_reason(quota, APP, Bucket.RARE, 2 * MIN) or "")


def test_running_session_does_not_count_towards_the_session_limit() -> None:
    """ "Exclude active sessions from the session count so that new jobs aren't prevented"."""
    quota = tracker()
    run(quota, 0, MIN)
    run(quota, 10 * MIN, 11 * MIN)
    quota.job_started(APP, 20 * MIN, expedited=False, tracked=True)
    assert _reason(quota, APP, Bucket.RARE, 20 * MIN + 1) is None


def test_charging_time_is_not_counted_and_unplugging_starts_a_session() -> None:
    """``Timer.onStateChangedLocked``: plugging in ends the session; unplugging with the job
    still running starts a new one ("Start timing from unplug")."""
    quota = tracker()
    quota.job_started(APP, 0, expedited=False, tracked=True)
    quota.state_changed(APP, 2 * MIN, quota_free=True)  # plugged in
    quota.state_changed(APP, 62 * MIN, quota_free=False)  # unplugged an hour later
    quota.job_stopped(APP, 65 * MIN, expedited=False)
    # 2 min before the charger, 3 min after it: 5 min of RARE's 10 used, two sessions
    assert quota.remaining_ms(APP, Bucket.RARE, 65 * MIN) == 5 * MIN
    run(quota, 70 * MIN, 71 * MIN)
    assert "3 job sessions" in (_reason(quota, APP, Bucket.RARE, 72 * MIN) or "")


def test_a_job_started_while_charging_counts_only_from_unplug() -> None:
    """``startTrackingJobLocked``: always ref-counted, tracked only when ``shouldTrackLocked``."""
    quota = tracker()
    quota.job_started(APP, 0, expedited=False, tracked=False)
    assert quota.remaining_ms(APP, Bucket.RARE, 30 * MIN) == 10 * MIN
    quota.state_changed(APP, 30 * MIN, quota_free=False)
    assert quota.remaining_ms(APP, Bucket.RARE, 34 * MIN) == 6 * MIN
    quota.job_stopped(APP, 34 * MIN, expedited=False)
    assert quota.remaining_ms(APP, Bucket.RARE, 40 * MIN) == 6 * MIN


def test_time_quota_has_a_30_second_buffer_and_recovers_as_the_window_slides() -> None:
    """``mAllowedTimeIntoQuotaMs = allowed - DEFAULT_IN_QUOTA_BUFFER_MS``; the in-quota time is
    ``start + executionTimeInWindow - allowedTimeIntoQuota + window``."""
    quota = tracker()
    run(quota, 0, 9 * MIN + 30 * MS_PER_SECOND)  # exactly 10 min - 30 s in WORKING_SET's 2 h
    reason = _reason(quota, APP, Bucket.WORKING_SET, 10 * MIN)
    assert reason == "standby bucket WORKING_SET: 30 s of the 600 s quota left per 120 min window"
    back = quota.next_in_quota_ms(APP, Bucket.WORKING_SET, 10 * MIN)
    # one ms of the session has left the window: 2 h + 1 ms after it started
    assert back == 2 * MS_PER_HOUR + 1
    assert _reason(quota, APP, Bucket.WORKING_SET, back) is None
    assert _reason(quota, APP, Bucket.WORKING_SET, back - 1) is not None


def test_rate_limit_is_20_jobs_per_fixed_one_minute_window() -> None:
    """``incrementJobCountLocked``: the count resets when ``jobRateLimitExpirationTimeElapsed``
    passes (a window fixed at the first job, not a rolling one)."""
    quota = tracker()
    for i in range(20):
        quota.job_started(APP, i * 1000, expedited=False, tracked=True)
    reason = _reason(quota, APP, Bucket.ACTIVE, 20_000)
    assert reason == "rate limited: 20 jobs within 60 s"
    assert quota.next_in_quota_ms(APP, Bucket.ACTIVE, 20_000) is not None
    for _ in range(20):
        quota.job_stopped(APP, 59_000, expedited=False)
    assert _reason(quota, APP, Bucket.ACTIVE, 59_999) is not None
    assert _reason(quota, APP, Bucket.ACTIVE, 60_000) is None


def test_the_24_hour_execution_cap() -> None:
    """``DEFAULT_MAX_EXECUTION_TIME_MS``: 4 h in any 24 h, whatever the bucket window."""
    quota = tracker()
    for hour in range(4):  # ACTIVE's 10 min window frees each hour; 1 h sessions add up
        run(quota, hour * 2 * MS_PER_HOUR, (hour * 2 + 1) * MS_PER_HOUR)
    reason = _reason(quota, APP, Bucket.ACTIVE, 8 * MS_PER_HOUR)
    assert reason is not None
    assert "0 s of the 600 s quota" in reason
    # the first session starts leaving the day at 24 h; 30 s and 1 ms later 30 s are free again
    back = quota.next_in_quota_ms(APP, Bucket.ACTIVE, 8 * MS_PER_HOUR)
    assert back == MS_PER_DAY + 30 * MS_PER_SECOND + 1


def test_never_bucket_has_no_quota_and_old_sessions_are_dropped() -> None:
    """NEVER: ``inQuotaTimeElapsed = Long.MAX_VALUE``; sessions older than a day are pruned."""
    quota = tracker()
    assert quota.next_in_quota_ms(APP, Bucket.NEVER, 0) is None
    for day in range(30):
        run(quota, day * MS_PER_DAY, day * MS_PER_DAY + MIN)
    assert quota.remaining_ms(APP, Bucket.RARE, 29 * MS_PER_DAY + MIN) == 9 * MIN


@given(
    st.lists(
        st.tuples(st.integers(0, 20 * MIN), st.integers(1, 3 * MIN), st.booleans()),
        max_size=30,
    ),
    st.sampled_from([Bucket.ACTIVE, Bucket.WORKING_SET, Bucket.FREQUENT, Bucket.RARE]),
)
def test_next_in_quota_is_the_first_instant_the_verdict_clears(
    gaps: list[tuple[int, int, bool]], bucket: Bucket
) -> None:
    """Property: ``next_in_quota_ms`` is a time at which the app is within quota, and no
    earlier instant is (checked each minute and the millisecond before)."""
    quota = tracker()
    now = 0
    for gap, duration, tracked in gaps:
        now += gap
        run(quota, now, now + duration, tracked=tracked)
        now += duration
    back = quota.next_in_quota_ms(APP, bucket, now)
    assert back is not None
    assert back >= now
    assert _reason(quota, APP, bucket, back) is None
    for t in [*range(now, back, MIN), back - 1]:
        if t >= now:
            assert _reason(quota, APP, bucket, t) is not None


@pytest.mark.parametrize("version", [12, 13, 14])
def test_versions_before_15_keep_the_legacy_windows(version: int) -> None:
    """Android 12-14: ACTIVE 10 min, WORKING_SET 2 h, FREQUENT 8 h, RARE 24 h."""
    windows = {b: q.window_ms for b, q in QuotaSettings.for_version(version).buckets.items()}
    assert windows[Bucket.WORKING_SET] == 2 * MS_PER_HOUR
    assert windows[Bucket.FREQUENT] == 8 * MS_PER_HOUR


@pytest.mark.parametrize(("constants", "working_set_h"), [("legacy", 2), ("current", 4)])
def test_a_device_profile_chooses_the_quota_constants(constants: str, working_set_h: int) -> None:
    """``jobscheduler.quota_constants`` picks QcConstants' ``DEFAULT_*`` or the flag-gated
    ``DEFAULT_CURRENT_*`` windows on a simulated phone (both modelled, selectable per profile)."""
    from harness.device import Device
    from harness.platform import DeviceAdapter, JobSchedulerService
    from harness.sim import Simulation

    with Simulation(seed=0) as sim:
        device = Device(sim, "pixel-like", overrides={"jobscheduler.quota_constants": constants})
        service = JobSchedulerService(sim, DeviceAdapter(device))
        windows = {b: q.window_ms for b, q in service.quota.settings.buckets.items()}
    assert windows[Bucket.WORKING_SET] == working_set_h * MS_PER_HOUR
    assert windows[Bucket.ACTIVE] == (10 if constants == "legacy" else 30) * MIN


def test_unknown_quota_constants_are_refused() -> None:
    from harness import DefinitionError

    with pytest.raises(DefinitionError, match=r"quota constants 'newest' are not one of"):
        QuotaSettings.for_version(14, "newest")


def test_android_16_runs_the_adjusted_quota_constants() -> None:
    """A16 QuotaController.QcConstants under adjustQuotaDefaultConstants (on in 16, opt-out
    compat change @Disabled): ACTIVE 20 min per 60 min (DEFAULT_LATEST_WINDOW_SIZE_ACTIVE_MS),
    WORKING_SET 4 h, FREQUENT 12 h, expedited WORKING_SET 15 min a day
    (DEFAULT_CURRENT_EJ_LIMIT_WORKING_MS); jobs started TOP are no longer quota-free."""
    from harness.device import Device
    from harness.platform import DeviceAdapter, JobSchedulerService
    from harness.sim import Simulation

    with Simulation(seed=0) as sim:
        device = Device(sim, "pixel-like", overrides={"android_version": 16})
        settings = JobSchedulerService(sim, DeviceAdapter(device)).quota.settings
    active = settings.buckets[Bucket.ACTIVE]
    assert (active.window_ms, active.allowed_time_ms) == (60 * MIN, 20 * MIN)
    assert settings.buckets[Bucket.WORKING_SET].window_ms == 4 * MS_PER_HOUR
    assert settings.buckets[Bucket.FREQUENT].window_ms == 12 * MS_PER_HOUR
    assert settings.expedited_24h_ms[Bucket.WORKING_SET] == 15 * MIN
    assert not settings.top_started_jobs_quota_free
    fifteen = QuotaSettings.for_version(15, "legacy")
    assert fifteen.expedited_24h_ms[Bucket.WORKING_SET] == 30 * MIN
    assert fifteen.top_started_jobs_quota_free
