"""``WorkSpec``: one row of WorkManager's ``WorkSpec`` table, as an immutable value.

The fields, their column names and defaults follow ``W/impl/model/WorkSpec.kt`` @a9b06aaf (2.9+:
generation, schedule override, stop reason). Times are virtual milliseconds since the scenario
epoch. A scheduler receives ``WorkSpec`` snapshots in ``Scheduler.schedule``; the database holds
the truth, so a snapshot may be stale by the time it is acted on (as on Android).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Final

from harness.workmanager._constraints import Constraints
from harness.workmanager._data import Data
from harness.workmanager._enums import (
    ENQUEUED,
    BackoffPolicy,
    OutOfQuotaPolicy,
    State,
    StopReason,
)
from harness.workmanager._schedule import (
    DEFAULT_BACKOFF_DELAY_MILLIS,
    LONG_MAX_VALUE,
    NOT_ENQUEUED,
    SCHEDULE_NOT_REQUESTED_YET,
    calculate_next_run_time,
    java_long,
)

#: The stored class name of the default input merger (``OverwritingInputMerger``).
OVERWRITING_INPUT_MERGER: Final = "harness.workmanager._merger.OverwritingInputMerger"
_LONG_MIN: Final = -(2**63)


@functools.lru_cache(maxsize=1024)
def work_uuid(work_spec_id: str) -> uuid.UUID:
    """``UUID.fromString(id)``: a stored id as the ``UUID`` a worker is handed
    (``WorkerParameters.id``). A ``UUID`` is immutable, so the runs of one work (a periodic
    work's every period) share one, parsed once; the most recent 1,024 ids are kept."""
    return uuid.UUID(work_spec_id)


@dataclass(frozen=True, slots=True)
class WorkSpec:
    """A ``WorkSpec`` row: everything WorkManager stores about one unit of work."""

    id: str
    worker_class_name: str
    state: State = State.ENQUEUED
    input_merger_class_name: str = OVERWRITING_INPUT_MERGER
    input: Data = Data.EMPTY
    output: Data = Data.EMPTY
    initial_delay: int = 0
    interval_duration: int = 0
    flex_duration: int = 0
    constraints: Constraints = Constraints.NONE
    run_attempt_count: int = 0
    backoff_policy: BackoffPolicy = BackoffPolicy.EXPONENTIAL
    backoff_delay_duration: int = DEFAULT_BACKOFF_DELAY_MILLIS
    last_enqueue_time: int = NOT_ENQUEUED
    minimum_retention_duration: int = 0
    schedule_requested_at: int = SCHEDULE_NOT_REQUESTED_YET
    expedited: bool = False
    out_of_quota_policy: OutOfQuotaPolicy = OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST
    period_count: int = 0
    generation: int = 0
    next_schedule_time_override: int = LONG_MAX_VALUE
    next_schedule_time_override_generation: int = 0
    stop_reason: StopReason = StopReason.STOP_REASON_NOT_STOPPED
    #: ``WorkRequest.Builder.setBackoffForSystemInterruptions`` (2.11): a system stop backs off.
    backoff_on_system_interruptions: bool | None = None

    @property
    def is_periodic(self) -> bool:
        """``intervalDuration != 0`` (``WorkSpec.isPeriodic``)."""
        return self.interval_duration != 0

    @property
    def is_backed_off(self) -> bool:
        """ENQUEUED after at least one attempt (``WorkSpec.isBackedOff``), also after a stop."""
        return self.state is ENQUEUED and self.run_attempt_count > 0

    def has_constraints(self) -> bool:
        """Whether any constraint is set (``Constraints.NONE != constraints``)."""
        constraints = self.constraints
        return constraints is not Constraints.NONE and constraints != Constraints.NONE

    def calculate_next_run_time(self) -> int:
        """The earliest time this work may run (``WorkSpec.calculateNextRunTime``).

        The two cases of every run (a one-time work, and a periodic work after its first period
        without an override, neither backed off) are worked out here, as the full function
        would, without its eleven arguments (a periodic run asks four times); the rest goes to
        :func:`~harness.workmanager._schedule.calculate_next_run_time`."""
        if self.run_attempt_count <= 0 or self.state is not ENQUEUED:  # not backed off
            interval_duration = self.interval_duration
            due = None
            if interval_duration == 0:  # one-time work: an override applies to periodic only
                last_enqueue_time = self.last_enqueue_time
                if last_enqueue_time == NOT_ENQUEUED:
                    return LONG_MAX_VALUE
                due = last_enqueue_time + self.initial_delay
            elif self.period_count != 0 and self.next_schedule_time_override == LONG_MAX_VALUE:
                due = self.last_enqueue_time + interval_duration  # flex shapes the 1st only
            if due is not None:  # a Java long sum: only one out of the range wraps
                return due if _LONG_MIN <= due <= LONG_MAX_VALUE else java_long(due)
        return calculate_next_run_time(
            is_backed_off=self.is_backed_off,
            run_attempt_count=self.run_attempt_count,
            backoff_policy=self.backoff_policy,
            backoff_delay_duration=self.backoff_delay_duration,
            last_enqueue_time=self.last_enqueue_time,
            period_count=self.period_count,
            is_periodic=self.is_periodic,
            initial_delay=self.initial_delay,
            flex_duration=self.flex_duration,
            interval_duration=self.interval_duration,
            next_schedule_time_override=self.next_schedule_time_override,
        )
