"""The WorkSpec row as a value: its next run time and its id as a UUID (workmanager/_spec.py)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from harness.workmanager import BackoffPolicy, State, calculate_next_run_time
from harness.workmanager._schedule import LONG_MAX_VALUE, NOT_ENQUEUED
from harness.workmanager._spec import WorkSpec, work_uuid

_LONG = st.integers(-(2**63), 2**63 - 1)
#: Times and durations as stored, edge values included (sums that wrap, "never" and -1).
_MS = st.one_of(
    st.integers(0, 10**12), st.sampled_from([NOT_ENQUEUED, LONG_MAX_VALUE, 2**62]), _LONG
)

_specs = st.builds(
    WorkSpec,
    id=st.just("00000000-0000-4000-8000-000000000000"),
    worker_class_name=st.just("w.W"),
    state=st.sampled_from(State),
    initial_delay=_MS,
    interval_duration=st.one_of(st.just(0), _MS),
    flex_duration=_MS,
    run_attempt_count=st.integers(-1, 40),
    backoff_policy=st.sampled_from(BackoffPolicy),
    backoff_delay_duration=_MS,
    last_enqueue_time=_MS,
    period_count=st.integers(0, 3),
    next_schedule_time_override=st.one_of(st.just(LONG_MAX_VALUE), _MS),
)


@given(_specs)
def test_next_run_time_is_calculate_next_run_time_of_the_fields(spec: WorkSpec) -> None:
    """WorkSpec.calculateNextRunTime: the method (with its shortcuts for a run's two common
    cases) answers what the verbatim function answers for the row's fields, wraps included."""
    assert spec.calculate_next_run_time() == calculate_next_run_time(
        is_backed_off=spec.state is State.ENQUEUED and spec.run_attempt_count > 0,
        run_attempt_count=spec.run_attempt_count,
        backoff_policy=spec.backoff_policy,
        backoff_delay_duration=spec.backoff_delay_duration,
        last_enqueue_time=spec.last_enqueue_time,
        period_count=spec.period_count,
        is_periodic=spec.interval_duration != 0,
        initial_delay=spec.initial_delay,
        flex_duration=spec.flex_duration,
        interval_duration=spec.interval_duration,
        next_schedule_time_override=spec.next_schedule_time_override,
    )


def test_work_uuid_parses_the_stored_id_once_per_id() -> None:
    """UUID.fromString(id) for WorkerParameters.id: equal to a fresh parse, and the runs of one
    work share one immutable value."""
    stored = "5b1c7a56-0e4c-4e0d-9a55-2f0a3f0b6c11"
    assert work_uuid(stored) == uuid.UUID(stored)
    assert work_uuid(stored) is work_uuid(stored)
    assert str(work_uuid(stored)) == stored
