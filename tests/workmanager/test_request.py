"""Requests: clamps with warnings, rejections where androidx throws (workmanager/_request.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    CoroutineWorker,
    Data,
    NetworkType,
    OneTimeWorkRequest,
    OutOfQuotaPolicy,
    PeriodicWorkRequest,
    Result,
)
from tests.workmanager.workers import Succeed

NAME = "tests.workmanager.workers.Succeed"


def test_a_10_min_interval_is_raised_to_15_min_with_a_warning(
    sim: Simulation, caplog: pytest.LogCaptureFixture
) -> None:
    """A 10 min interval is stored as 900 000 ms, with a warning (WorkSpec.setPeriodic)."""
    with caplog.at_level(logging.WARNING, logger="harness.workmanager"):
        request = PeriodicWorkRequest.builder(Succeed, timedelta(minutes=10)).build()
    assert request.work_spec.interval_duration == 900_000
    assert request.work_spec.flex_duration == 900_000
    assert request.warnings == (
        "periodic interval 600000 ms is below the minimum of 900000 ms (15 min); raised to "
        "900000 ms, as WorkManager does",
    )
    assert caplog.messages == list(request.warnings)


def test_flex_is_clamped_into_5_min_and_the_interval(sim: Simulation) -> None:
    """A 1 min flex is stored as 5 min; a flex above the interval as the interval (WorkSpec.kt)."""
    small = PeriodicWorkRequest.builder(Succeed, "1h", "1m").build()
    assert small.work_spec.flex_duration == 300_000
    large = PeriodicWorkRequest.builder(Succeed, "1h", "2h").build()
    assert large.work_spec.flex_duration == 3_600_000
    assert "lowered to 3600000 ms" in large.warnings[0]


def test_flex_is_clamped_against_the_clamped_interval(sim: Simulation) -> None:
    """coerceIn(MIN_PERIODIC_FLEX_MILLIS, this.intervalDuration): the already clamped interval."""
    request = PeriodicWorkRequest.builder(Succeed, "5m", "10m").build()
    assert (request.work_spec.interval_duration, request.work_spec.flex_duration) == (
        900_000,
        600_000,
    )


def test_backoff_delay_is_clamped_into_10_s_and_5_h(sim: Simulation) -> None:
    """A 5 s backoff is stored as 10 s, 6 h as 5 h (WorkSpec.setBackoffDelayDuration)."""
    short = OneTimeWorkRequest.builder(Succeed).set_backoff_criteria(BackoffPolicy.LINEAR, 5_000)
    assert short.build().work_spec.backoff_delay_duration == 10_000
    long = OneTimeWorkRequest.builder(Succeed).set_backoff_criteria(
        BackoffPolicy.EXPONENTIAL, timedelta(hours=6)
    )
    request = long.build()
    assert request.work_spec.backoff_delay_duration == 18_000_000
    assert request.warnings[0].startswith("backoff delay 21600000 ms exceeds the maximum")


def test_defaults_are_androids(sim: Simulation) -> None:
    """Defaults: EXPONENTIAL 30 s backoff, no constraints, never enqueued (WorkSpec.kt)."""
    spec = OneTimeWorkRequest.from_(Succeed).work_spec
    assert (spec.backoff_policy, spec.backoff_delay_duration) == (BackoffPolicy.EXPONENTIAL, 30_000)
    assert spec.constraints == Constraints.NONE
    assert spec.last_enqueue_time == -1
    assert spec.stop_reason == -256


def test_the_worker_class_name_is_always_a_tag(sim: Simulation) -> None:
    """tags = mutableSetOf(workerClass.name): the fully qualified name (WorkRequest.kt)."""
    request = OneTimeWorkRequest.builder(Succeed).add_tag("sync").build()
    assert request.tags == {NAME, "sync"}
    assert request.work_spec.worker_class_name == NAME


def test_every_build_gets_a_fresh_deterministic_id(sim: Simulation) -> None:
    """build() re-ids the builder; ids come from the 'workmanager.ids' RNG stream."""
    builder = OneTimeWorkRequest.builder(Succeed)
    first, second = builder.build(), builder.build()
    assert first.id != second.id
    assert first.id.version == 4
    assert first.work_spec.id == str(first.id)


def test_ids_repeat_for_the_same_seed() -> None:
    """Same seed, same request ids (never uuid4 from the OS)."""
    ids = []
    for _ in range(2):
        with Simulation(seed=11):
            ids.append(OneTimeWorkRequest.from_(Succeed).id)
    assert ids[0] == ids[1]


def test_periodic_work_cannot_be_expedited(sim: Simulation) -> None:
    """require(!expedited) 'PeriodicWorkRequests cannot be expedited' (PeriodicWorkRequest.kt)."""
    builder = PeriodicWorkRequest.builder(Succeed, "1h").set_expedited(
        OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST
    )
    with pytest.raises(InvalidRequestError, match=r"^PeriodicWorkRequests cannot be expedited"):
        builder.build()


@pytest.mark.parametrize(
    "constraints",
    [
        Constraints(requires_charging=True),
        Constraints(requires_battery_not_low=True),
        Constraints(requires_device_idle=True),
    ],
)
def test_expedited_work_supports_only_network_and_storage(
    sim: Simulation, constraints: Constraints
) -> None:
    """'Expedited jobs only support network and storage constraints' (WorkRequest.kt build)."""
    builder = (
        OneTimeWorkRequest.builder(Succeed)
        .set_expedited(OutOfQuotaPolicy.DROP_WORK_REQUEST)
        .set_constraints(constraints)
    )
    with pytest.raises(InvalidRequestError, match=r"^Expedited jobs only support network"):
        builder.build()
    allowed = Constraints(
        required_network_type=NetworkType.CONNECTED, requires_storage_not_low=True
    )
    assert builder.set_constraints(allowed).build().work_spec.expedited


def test_expedited_work_cannot_be_delayed(sim: Simulation) -> None:
    """require(initialDelay <= 0) 'Expedited jobs cannot be delayed' (WorkRequest.kt build)."""
    builder = (
        OneTimeWorkRequest.builder(Succeed)
        .set_expedited(OutOfQuotaPolicy.DROP_WORK_REQUEST)
        .set_initial_delay("1s")
    )
    with pytest.raises(InvalidRequestError, match=r"^Expedited jobs cannot be delayed"):
        builder.build()


def test_backoff_criteria_with_device_idle_is_rejected(sim: Simulation) -> None:
    """'Cannot set backoff criteria on an idle mode job', only if setBackoffCriteria was called."""
    idle = Constraints(requires_device_idle=True)
    assert OneTimeWorkRequest.builder(Succeed).set_constraints(idle).build()
    builder = (
        OneTimeWorkRequest.builder(Succeed)
        .set_constraints(idle)
        .set_backoff_criteria(BackoffPolicy.LINEAR, "20s")
    )
    with pytest.raises(InvalidRequestError, match=r"^Cannot set backoff criteria on an idle"):
        builder.build()


def test_an_overflowing_initial_delay_is_rejected(sim: Simulation) -> None:
    """require(Long.MAX_VALUE - currentTimeMillis > initialDelay) (WorkRequest.setInitialDelay)."""
    with pytest.raises(InvalidRequestError, match=r"^initial delay 9223372036854775807 ms"):
        OneTimeWorkRequest.builder(Succeed).set_initial_delay(2**63 - 1)


def test_a_max_override_is_rejected(sim: Simulation) -> None:
    """setNextScheduleTimeOverride(Long.MAX_VALUE) throws (PeriodicWorkRequest.kt)."""
    builder = PeriodicWorkRequest.builder(Succeed, "1h")
    with pytest.raises(InvalidRequestError, match=r"^Cannot set Long.MAX_VALUE"):
        builder.set_next_schedule_time_override(2**63 - 1)
    spec = builder.set_next_schedule_time_override(5).build().work_spec
    assert (spec.next_schedule_time_override, spec.next_schedule_time_override_generation) == (5, 1)


def test_workers_must_be_importable_classes(sim: Simulation) -> None:
    """Workers are created by class name, so a class inside a function is refused."""

    class Local(CoroutineWorker):
        async def do_work(self) -> Result:
            return Result.success()

    with pytest.raises(InvalidRequestError, match=r"defined inside a function"):
        OneTimeWorkRequest.builder(Local)
    with pytest.raises(InvalidRequestError, match=r"not a subclass of ListenableWorker"):
        OneTimeWorkRequest.builder(int)  # type: ignore[arg-type]


def test_requests_need_a_running_simulation() -> None:
    """Ids come from the simulation's RNG stream, so building outside one is an error."""
    with pytest.raises(InvalidRequestError, match=r"inside a running Simulation"):
        OneTimeWorkRequest.builder(Succeed)


def test_input_data_accepts_a_mapping(sim: Simulation) -> None:
    """set_input_data(mapping) is Data(mapping); the Data limits apply."""
    request = OneTimeWorkRequest.builder(Succeed).set_input_data({"page": 3}).build()
    assert request.work_spec.input == Data({"page": 3})


@pytest.mark.slow
@given(interval=st.integers(0, 10**9), flex=st.one_of(st.none(), st.integers(0, 10**9)))
def test_periodic_clamping_ranges(interval: int, flex: int | None) -> None:
    """interval >= 15 min; 5 min <= flex <= interval; else unchanged (WorkSpec.setPeriodic)."""
    with Simulation(seed=1):
        spec = PeriodicWorkRequest.builder(Succeed, interval, flex).build().work_spec
    expected_interval = max(interval, 900_000)
    assert spec.interval_duration == expected_interval
    raw_flex = expected_interval if flex is None else flex
    assert spec.flex_duration == min(max(raw_flex, 300_000), expected_interval)


@pytest.mark.slow
@given(delay=st.integers(0, 10**9))
def test_backoff_clamping_range(delay: int) -> None:
    """The stored backoff delay is the requested one clamped into [10 s, 5 h] (WorkSpec.kt)."""
    with Simulation(seed=1):
        builder = OneTimeWorkRequest.builder(Succeed)
        spec = builder.set_backoff_criteria(BackoffPolicy.LINEAR, delay).build().work_spec
    assert spec.backoff_delay_duration == min(max(delay, 10_000), 18_000_000)
