"""Next-run arithmetic: WorkSpec.calculateNextRunTime, verbatim (workmanager/_schedule.py)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.workmanager import BackoffPolicy, calculate_next_run_time
from harness.workmanager._schedule import (
    LONG_MAX_VALUE,
    MAX_BACKOFF_MILLIS,
    MIN_BACKOFF_MILLIS,
    backoff_delay,
    java_long,
    scalb_float,
)

HOUR = 3_600_000


def next_run(**overrides: object) -> int:
    arguments: dict[str, object] = {
        "is_backed_off": False,
        "run_attempt_count": 0,
        "backoff_policy": BackoffPolicy.EXPONENTIAL,
        "backoff_delay_duration": 30_000,
        "last_enqueue_time": 0,
        "period_count": 0,
        "is_periodic": False,
        "initial_delay": 0,
        "flex_duration": 0,
        "interval_duration": 0,
        "next_schedule_time_override": LONG_MAX_VALUE,
    }
    arguments.update(overrides)
    return calculate_next_run_time(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attempt", "wait_s"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (9, 7_680), (10, 15_360), (11, 18_000), (40, 18_000)],
)
def test_exponential_backoff_from_30_s_doubles_and_caps_at_5_h(attempt: int, wait_s: int) -> None:
    """Exponential from 30 s: 30, 60, 120 s; attempt 10 waits 15 360 s, 11+ 18 000 s (WorkSpec)."""
    assert backoff_delay(BackoffPolicy.EXPONENTIAL, 30_000, attempt) == wait_s * 1000
    due = next_run(is_backed_off=True, run_attempt_count=attempt, last_enqueue_time=5_000)
    assert due == 5_000 + wait_s * 1000


@pytest.mark.parametrize(("attempt", "wait_s"), [(1, 30), (4, 120), (600, 18_000)])
def test_linear_backoff_is_delay_times_attempts_capped(attempt: int, wait_s: int) -> None:
    """LINEAR: backoffDelay * runAttemptCount, capped at MAX_BACKOFF_MILLIS (WorkSpec.kt)."""
    assert backoff_delay(BackoffPolicy.LINEAR, 30_000, attempt) == wait_s * 1000


def test_exponential_backoff_rounds_the_delay_to_a_float32() -> None:
    """Math.scalb(delay.toFloat(), n - 1): a delay over 2^24 ms is rounded (WorkSpec.kt)."""
    delay = 2**24 + 1  # not representable as a 32-bit float: rounds (to even) to 2^24
    assert scalb_float(delay, 0) == 2**24
    assert backoff_delay(BackoffPolicy.EXPONENTIAL, delay, 1) == 2**24


def test_exponential_backoff_overflow_saturates_then_caps() -> None:
    """A float overflow becomes Long.MAX_VALUE (Float.toLong), then the 5 h cap applies."""
    assert scalb_float(30_000, 200) == float("inf")
    assert backoff_delay(BackoffPolicy.EXPONENTIAL, 30_000, 10_000) == MAX_BACKOFF_MILLIS


def test_one_time_work_is_due_after_its_initial_delay() -> None:
    """One-time, 10 min initial delay, enqueued at 0: due at 600 s (WorkSpec.kt)."""
    assert next_run(initial_delay=600_000) == 600_000


def test_never_enqueued_one_time_work_is_never_due() -> None:
    """lastEnqueueTime == NOT_ENQUEUED: Long.MAX_VALUE, 'not scheduled to run' (WorkSpec.kt)."""
    assert next_run(last_enqueue_time=-1, initial_delay=600_000) == LONG_MAX_VALUE


def test_periodic_first_run_is_immediate_later_runs_count_from_the_last_end() -> None:
    """Periodic 1 h: due at L + initialDelay first, then at L + interval (WorkSpec.kt)."""
    periodic = {"is_periodic": True, "interval_duration": HOUR, "flex_duration": HOUR}
    assert next_run(**periodic) == 0
    assert next_run(**periodic, period_count=1, last_enqueue_time=130_000) == 3_730_000


def test_flex_shapes_only_the_first_period() -> None:
    """1 h with 15 min flex: first due at 2 700 s; later at L + 3 600 s (WorkSpec.kt)."""
    periodic = {"is_periodic": True, "interval_duration": HOUR, "flex_duration": 900_000}
    assert next_run(**periodic) == 2_700_000
    assert next_run(**periodic, period_count=3, last_enqueue_time=10_000) == 10_000 + HOUR


def test_backed_off_periodic_work_uses_the_backoff() -> None:
    """A periodic retry at T is due at T + 30 s: the backoff branch precedes the periodic one."""
    due = next_run(
        is_periodic=True,
        interval_duration=HOUR,
        flex_duration=HOUR,
        is_backed_off=True,
        run_attempt_count=1,
        period_count=2,
        last_enqueue_time=7_000_000,
    )
    assert due == 7_030_000


def test_override_beats_backoff_and_is_floored_after_the_first_period() -> None:
    """Override (2.9+): as is in period 0; later max(override, L + 15 min) (WorkSpec.kt)."""
    periodic = {"is_periodic": True, "interval_duration": HOUR, "flex_duration": HOUR}
    assert next_run(**periodic, next_schedule_time_override=42) == 42
    floored = next_run(
        **periodic,
        next_schedule_time_override=42,
        period_count=1,
        last_enqueue_time=1_000,
        is_backed_off=True,
        run_attempt_count=3,
    )
    assert floored == 1_000 + 900_000


def test_override_is_ignored_for_one_time_work() -> None:
    """'Override ... only applies to periodic work' (WorkSpec.kt)."""
    assert next_run(next_schedule_time_override=42, initial_delay=10) == 10


def test_long_arithmetic_wraps_as_in_java() -> None:
    """Sums are Java longs: they wrap on overflow."""
    assert java_long(LONG_MAX_VALUE + 1) == -(2**63)


@given(
    delay=st.integers(MIN_BACKOFF_MILLIS, MAX_BACKOFF_MILLIS),
    attempts=st.integers(1, 200),
    policy=st.sampled_from(BackoffPolicy),
)
def test_backoff_is_monotonic_and_capped(delay: int, attempts: int, policy: BackoffPolicy) -> None:
    """The backoff never shrinks with more attempts and never exceeds 5 h (WorkSpec.kt)."""
    current = backoff_delay(policy, delay, attempts)
    assert current <= backoff_delay(policy, delay, attempts + 1) <= MAX_BACKOFF_MILLIS
    assert current >= min(delay if policy is BackoffPolicy.LINEAR else _float32(delay), 18_000_000)


def _float32(value: int) -> int:
    return int(struct.unpack(">f", struct.pack(">f", float(value)))[0])


@given(delay=st.integers(MIN_BACKOFF_MILLIS, 2**24), attempts=st.integers(1, 12))
def test_exponential_backoff_is_exact_below_2_to_the_24(delay: int, attempts: int) -> None:
    """For delays up to 2^24 ms the float32 arithmetic is exact: min(d * 2^(n-1), 5 h)."""
    expected = min(delay * 2 ** (attempts - 1), MAX_BACKOFF_MILLIS)
    assert backoff_delay(BackoffPolicy.EXPONENTIAL, delay, attempts) == expected
