"""When work may next run: ``WorkSpec.calculateNextRunTime``, verbatim, and its constants.

Ported from ``W/impl/model/WorkSpec.kt`` @a9b06aaf (the companion ``calculateNextRunTime``),
including its numeric quirks:

* exponential backoff is ``Math.scalb(backoffDelay.toFloat(), n - 1).toLong()``: the delay is
  rounded to a 32-bit float, scaled exactly by a power of two, and saturates to ``Long.MAX_VALUE``
  on overflow before the 5-hour cap; linear backoff is ``delay * n`` in 64-bit arithmetic;
* sums are Java ``long`` additions, which wrap on overflow;
* one-time work that was never enqueued (``last_enqueue_time == -1``: it sat BLOCKED, FAILED or
  CANCELLED from the start) has no next run time: ``Long.MAX_VALUE``.

All times are virtual milliseconds since the scenario epoch.
"""

from __future__ import annotations

import math
import struct
from typing import Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND
from harness.workmanager._enums import BackoffPolicy

#: ``Long.MAX_VALUE``: "never" for next run times and "no override" for schedule overrides.
LONG_MAX_VALUE: Final = 2**63 - 1
#: ``WorkRequest.DEFAULT_BACKOFF_DELAY_MILLIS`` (``W/WorkRequest.kt``).
DEFAULT_BACKOFF_DELAY_MILLIS: Final = 30 * MS_PER_SECOND
#: ``WorkRequest.MIN_BACKOFF_MILLIS``.
MIN_BACKOFF_MILLIS: Final = 10 * MS_PER_SECOND
#: ``WorkRequest.MAX_BACKOFF_MILLIS`` (5 h).
MAX_BACKOFF_MILLIS: Final = 5 * MS_PER_HOUR
#: ``PeriodicWorkRequest.MIN_PERIODIC_INTERVAL_MILLIS`` (15 min).
MIN_PERIODIC_INTERVAL_MILLIS: Final = 15 * MS_PER_MINUTE
#: ``PeriodicWorkRequest.MIN_PERIODIC_FLEX_MILLIS`` (5 min).
MIN_PERIODIC_FLEX_MILLIS: Final = 5 * MS_PER_MINUTE
#: ``WorkSpec.NOT_ENQUEUED``: ``last_enqueue_time`` of work that has never been ENQUEUED.
NOT_ENQUEUED: Final = -1
#: ``WorkSpec.SCHEDULE_NOT_REQUESTED_YET``.
SCHEDULE_NOT_REQUESTED_YET: Final = -1
#: ``PruneWorkRunnable``/``WorkDatabase`` ``PRUNE_THRESHOLD_MILLIS`` (1 day).
PRUNE_THRESHOLD_MILLIS: Final = MS_PER_DAY

_LONG_MIN: Final = -(2**63)
_FLOAT_MAX: Final = 3.4028234663852886e38


def java_long(value: int) -> int:
    """Wrap ``value`` to a signed 64-bit integer, as Java ``long`` arithmetic does."""
    return (value + 2**63) % 2**64 - 2**63


def _float_to_long(value: float) -> int:
    """Kotlin ``Float.toLong()``: truncate toward zero, saturate at the long range, NaN -> 0."""
    if math.isnan(value):
        return 0
    if value >= 2**63:
        return LONG_MAX_VALUE
    if value <= _LONG_MIN:
        return _LONG_MIN
    return int(value)


def scalb_float(value: int, exponent: int) -> float:
    """``Math.scalb(value.toFloat(), exponent)`` in single precision (``+inf`` on overflow)."""
    try:
        as_float: float = struct.unpack(">f", struct.pack(">f", float(value)))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    try:
        scaled = math.ldexp(as_float, exponent)
    except OverflowError:
        return math.copysign(math.inf, as_float)
    if abs(scaled) > _FLOAT_MAX:
        return math.copysign(math.inf, scaled)
    return scaled  # a power-of-two scaling of a float is exact while it stays in range


def backoff_delay(policy: BackoffPolicy, backoff_delay_ms: int, run_attempt_count: int) -> int:
    """The backoff before attempt ``run_attempt_count + 1``, capped at 5 h (``WorkSpec.kt``)."""
    if policy is BackoffPolicy.LINEAR:
        delay = java_long(backoff_delay_ms * run_attempt_count)
    else:
        delay = _float_to_long(scalb_float(backoff_delay_ms, run_attempt_count - 1))
    return min(delay, MAX_BACKOFF_MILLIS)


def calculate_next_run_time(
    *,
    is_backed_off: bool,
    run_attempt_count: int,
    backoff_policy: BackoffPolicy,
    backoff_delay_duration: int,
    last_enqueue_time: int,
    period_count: int,
    is_periodic: bool,
    initial_delay: int,
    flex_duration: int,
    interval_duration: int,
    next_schedule_time_override: int,
) -> int:
    """The earliest virtual time (ms) the work may run: ``WorkSpec.calculateNextRunTime``."""
    # Override takes priority over backoff, but only applies to periodic work (WorkSpec.kt).
    if next_schedule_time_override != LONG_MAX_VALUE and is_periodic:
        if period_count == 0:
            return next_schedule_time_override
        return max(
            next_schedule_time_override,
            java_long(last_enqueue_time + MIN_PERIODIC_INTERVAL_MILLIS),
        )
    if is_backed_off:
        delay = backoff_delay(backoff_policy, backoff_delay_duration, run_attempt_count)
        return java_long(last_enqueue_time + delay)
    if is_periodic:
        # The first run of periodic work is immediate (plus its initial delay); later runs
        # count one interval from the end of the previous run (WorkSpec.kt).
        if period_count == 0:
            schedule = java_long(last_enqueue_time + initial_delay)
        else:
            schedule = java_long(last_enqueue_time + interval_duration)
        # Flex only shapes the first period: the first run waits for the window's start.
        if flex_duration != interval_duration and period_count == 0:
            schedule = java_long(schedule + (interval_duration - flex_duration))
        return schedule
    if last_enqueue_time == NOT_ENQUEUED:
        return LONG_MAX_VALUE  # never enqueued: not scheduled to run
    return java_long(last_enqueue_time + initial_delay)
