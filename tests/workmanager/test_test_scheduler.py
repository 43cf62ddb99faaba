"""The in-process TestScheduler, TestDriver, constraints (_test_scheduler.py, TestScheduler.kt)."""

from __future__ import annotations

import pytest

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    ConstraintState,
    NetworkType,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    TestDriver,
    TestScheduler,
    WorkInfo,
    WorkManager,
)
from tests.workmanager import workers
from tests.workmanager.workers import Sleep, Succeed

CONNECTED = Constraints(required_network_type=NetworkType.CONNECTED)


def info(workmanager: WorkManager, request: OneTimeWorkRequest | PeriodicWorkRequest) -> WorkInfo:
    found = workmanager.get_work_info_by_id(request.id)
    assert found is not None
    return found


def started(sim: Simulation) -> list[int]:
    return [r.t_ms for r in sim.trace.of_kind("work.started")]


def androidx_style(sim: Simulation, constraints: ConstraintState | None = None) -> WorkManager:
    """androidx's default test set-up: the clock is ignored, the driver decides."""
    state = constraints if constraints is not None else ConstraintState.none_met()
    return WorkManager(sim, schedulers=TestScheduler.factory(state, time_based=False))


# --- constraints, time-based -----------------------------------------------------------------


def test_network_lost_mid_run_reenqueues_with_reason_7_and_reruns_when_back(
    sim: Simulation,
) -> None:
    """Lost constraint: ENQUEUED, stop reason 7, n and L unchanged; re-runs when it holds again."""
    constraints = ConstraintState()
    workmanager = WorkManager(sim, schedulers=TestScheduler.factory(constraints))
    request = OneTimeWorkRequest.builder(Sleep).set_constraints(CONNECTED).build()
    workmanager.enqueue(request)
    sim.run_for("10s")
    constraints.update(network_connected=False)
    work = info(workmanager, request)
    assert (work.state, work.stop_reason, work.run_attempt_count) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY,
        1,
    )
    spec = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert spec.last_enqueue_time == 0
    sim.run_for("5m")
    assert started(sim) == [0]
    constraints.update(network_connected=True)
    sim.run_for("5m")
    assert started(sim) == [0, 310_000]
    assert [event[0] for event in workers.EVENTS][:2] == [
        "start",
        "stopped:STOP_REASON_CONSTRAINT_CONNECTIVITY",
    ]
    assert info(workmanager, request).state is State.SUCCEEDED


def test_the_first_unmet_constraint_names_the_stop_reason(sim: Simulation) -> None:
    """Several constraints lost: charging (6) before battery (5), storage (9), network (7)."""
    constraints = ConstraintState()
    workmanager = WorkManager(sim, schedulers=TestScheduler.factory(constraints))
    everything = Constraints(
        required_network_type=NetworkType.UNMETERED,
        requires_charging=True,
        requires_battery_not_low=True,
        requires_storage_not_low=True,
    )
    request = OneTimeWorkRequest.builder(Sleep).set_constraints(everything).build()
    workmanager.enqueue(request)
    sim.run_for("1s")
    constraints.update(network_metered=True, storage_not_low=False, charging=False)
    assert info(workmanager, request).stop_reason == StopReason.STOP_REASON_CONSTRAINT_CHARGING


def test_constrained_work_waits_for_its_constraints(sim: Simulation) -> None:
    """Work runs only when due and its constraints hold (TestScheduler, time-based)."""
    constraints = ConstraintState(network_connected=False)
    workmanager = WorkManager(sim, schedulers=TestScheduler.factory(constraints))
    request = (
        OneTimeWorkRequest.builder(Succeed)
        .set_constraints(CONNECTED)
        .set_initial_delay("1m")
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("5m")
    assert started(sim) == []
    constraints.update(network_connected=True)
    sim.run_for(0)
    assert started(sim) == [300_000]


def test_metered_work_waits_for_a_metered_network(sim: Simulation) -> None:
    """NetworkMeteredController: connected and metered (ContraintControllers.kt)."""
    constraints = ConstraintState()
    workmanager = WorkManager(sim, schedulers=TestScheduler.factory(constraints))
    metered = Constraints(required_network_type=NetworkType.METERED)
    request = OneTimeWorkRequest.builder(Succeed).set_constraints(metered).build()
    workmanager.enqueue(request)
    sim.run_for("1m")
    assert started(sim) == []
    constraints.update(network_metered=True)
    assert started(sim) == []  # starts on the next loop step
    sim.run_for(0)
    assert started(sim) == [60_000]


def test_set_all_constraints_met_starts_constrained_work(sim: Simulation) -> None:
    """setAllConstraintsMet: the work runs although the trackers say no (TestScheduler.kt)."""
    workmanager = WorkManager(sim, schedulers=TestScheduler.factory(ConstraintState.none_met()))
    request = OneTimeWorkRequest.builder(Sleep).set_constraints(CONNECTED).build()
    workmanager.enqueue(request)
    sim.run_for("1m")
    assert started(sim) == []
    TestDriver(workmanager).set_all_constraints_met(request.id)
    sim.run_for("5m")
    assert info(workmanager, request).state is State.SUCCEEDED


def test_time_based_mode_refuses_the_delay_drivers(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """set*DelayMet throw under USE_TIME_BASED_SCHEDULING (TestScheduler.kt)."""
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
    workmanager.enqueue(request)
    driver = TestDriver(workmanager)
    with pytest.raises(InvalidRequestError, match=r"^Can't use set_initial_delay_met\(\)"):
        driver.set_initial_delay_met(request.id)
    with pytest.raises(InvalidRequestError, match=r"^Can't use set_period_delay_met\(\)"):
        driver.set_period_delay_met(request.id)


# --- androidx's default (non-time-based) mode --------------------------------------------------


def test_initial_delay_waits_for_the_driver(sim: Simulation) -> None:
    """A delayed first run waits for setInitialDelayMet; the clock is ignored (TestScheduler.kt)."""
    workmanager = androidx_style(sim)
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("10m").build()
    workmanager.enqueue(request)
    sim.run_for("1h")
    assert info(workmanager, request).state is State.ENQUEUED
    TestDriver(workmanager).set_initial_delay_met(request.id)
    sim.run_for(0)
    assert started(sim) == [3_600_000]
    assert info(workmanager, request).state is State.SUCCEEDED


def test_periodic_work_repeats_only_when_the_period_delay_is_met(sim: Simulation) -> None:
    """The first period runs at once; each later one needs setPeriodDelayMet (TestScheduler.kt)."""
    workmanager = androidx_style(sim)
    request = PeriodicWorkRequest.builder(Succeed, "1h").build()
    workmanager.enqueue(request)
    sim.run_for("5h")
    assert started(sim) == [0]
    driver = TestDriver(workmanager)
    driver.set_period_delay_met(request.id)
    sim.run_for(0)
    assert started(sim) == [0, 18_000_000]
    assert info(workmanager, request).state is State.ENQUEUED  # periodic work never finishes


def test_constraints_need_the_driver_with_nothing_met(sim: Simulation) -> None:
    """Constrained work runs after setAllConstraintsMet; flags reset at every start."""
    workmanager = androidx_style(sim)
    request = OneTimeWorkRequest.builder(Sleep).set_constraints(CONNECTED).build()
    workmanager.enqueue(request)
    sim.run_for("1h")
    assert started(sim) == []
    TestDriver(workmanager).set_all_constraints_met(request.id)
    sim.run_for("5m")
    assert info(workmanager, request).state is State.SUCCEEDED


def test_driver_errors(sim: Simulation) -> None:
    """Unknown ids: 'is not enqueued!'; setPeriodDelayMet on one-time work: "isn't periodic!"."""
    workmanager = androidx_style(sim)
    driver = TestDriver(workmanager)
    with pytest.raises(InvalidRequestError, match=r"^Work with id .* is not enqueued!"):
        driver.set_all_constraints_met(OneTimeWorkRequest.from_(Succeed).id)
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
    workmanager.enqueue(request)
    with pytest.raises(InvalidRequestError, match=r"^Work with id .* isn't periodic!"):
        driver.set_period_delay_met(request.id)
    assert driver.scheduler.has_limited_scheduling_slots


def test_a_driver_needs_a_test_scheduler(sim: Simulation) -> None:
    """TestDriver drives a TestScheduler; a WorkManager without one has no driver."""
    workmanager = WorkManager(sim, schedulers=lambda wm: [])
    with pytest.raises(InvalidRequestError, match=r"^TestDriver needs a WorkManager"):
        TestDriver(workmanager)


def test_constraint_state_checks_names_and_values() -> None:
    """ConstraintState.update accepts the known conditions, as booleans."""
    constraints = ConstraintState()
    with pytest.raises(TypeError, match=r"unknown constraint condition\(s\) \['wifi'\]"):
        constraints.update(wifi=True)
    with pytest.raises(TypeError, match=r"must be True or False"):
        constraints.update(charging=1)  # type: ignore[arg-type]
    seen: list[ConstraintState] = []
    constraints.changed.connect(seen.append)
    constraints.update(charging=True)  # no change, no signal
    constraints.update(charging=False)
    assert seen == [constraints]
    assert "charging=False" in repr(constraints)
