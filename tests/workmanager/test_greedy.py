"""``GreedyScheduler`` on its own (W/impl/background/greedy/GreedyScheduler.java @09eb18a4)."""

from __future__ import annotations

from datetime import timedelta

from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    ConstraintState,
    GreedyScheduler,
    NetworkType,
    OneTimeWorkRequest,
    State,
    StopReason,
    WorkManager,
)
from tests.workmanager.workers import Sleep, Succeed


def _greedy(
    sim: Simulation, constraints: ConstraintState | None = None, awake: list[bool] | None = None
) -> tuple[WorkManager, GreedyScheduler]:
    cpu = awake if awake is not None else [True]
    state = constraints if constraints is not None else ConstraintState()
    work_manager = WorkManager(
        sim, schedulers=GreedyScheduler.factory(state, cpu_awake=lambda: cpu[0])
    )
    (scheduler,) = work_manager.schedulers
    assert isinstance(scheduler, GreedyScheduler)
    return work_manager, scheduler


def _started(sim: Simulation, request: OneTimeWorkRequest) -> list[int]:
    return [r.t_ms for r in sim.trace.of_kind("work.started") if r["id"] == str(request.id)]


def _delayed(seconds: int) -> OneTimeWorkRequest:
    return OneTimeWorkRequest.builder(Succeed).set_initial_delay(timedelta(seconds=seconds)).build()


def test_delayed_work_starts_in_process_when_due(sim: Simulation) -> None:
    """GreedyScheduler.schedule: future work waits in DelayedWorkTracker, then starts at
    calculateNextRunTime; unconstrained due work starts at once."""
    work_manager, scheduler = _greedy(sim)
    assert not scheduler.has_limited_scheduling_slots
    now_request, later = OneTimeWorkRequest.from_(Succeed), _delayed(20)
    work_manager.enqueue([now_request, later])
    sim.run_for("30s")
    assert _started(sim, now_request) == [0]
    assert _started(sim, later) == [20_000]


def test_device_idle_work_is_left_to_jobscheduler(sim: Simulation) -> None:
    """GreedyScheduler.schedule: "Ignoring ... Requires device idle" (API 23+)."""
    work_manager, _ = _greedy(sim)
    request = (
        OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(requires_device_idle=True))
        .build()
    )
    work_manager.enqueue(request)
    sim.run_for("1m")
    assert _started(sim, request) == []


def test_a_lost_constraint_stops_the_run_and_it_restarts_when_met(sim: Simulation) -> None:
    """onConstraintsStateChanged: ConstraintsNotMet stops the run with the first unmet
    constraint's reason (connectivity, 7); ConstraintsMet starts it again once it is due
    (calculateNextRunTime: the default 30 s back-off from its enqueue time)."""
    state = ConstraintState()
    work_manager, _ = _greedy(sim, state)
    request = (
        OneTimeWorkRequest.builder(Sleep)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager.enqueue(request)
    sim.run_for("10s")
    state.update(network_connected=False)
    sim.run_for("10s")
    info = work_manager.get_work_info_by_id(request.id)
    assert info is not None
    assert info.state is State.ENQUEUED
    assert info.stop_reason == StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
    state.update(network_connected=True)
    sim.run_for("20s")
    assert _started(sim, request) == [0, 30_000]


def test_a_frozen_process_runs_nothing_until_thawed(sim: Simulation) -> None:
    """CachedAppOptimizer freezes the process: the DelayedWorkTracker timer due meanwhile runs
    when the process thaws."""
    work_manager, scheduler = _greedy(sim)
    request = _delayed(20)
    work_manager.enqueue(request)
    scheduler.set_frozen(True)
    sim.run_for("1m")
    assert _started(sim, request) == []
    scheduler.set_frozen(False)
    sim.run_for("1s")
    assert _started(sim, request) == [60_000]


def test_a_timer_due_while_the_cpu_sleeps_runs_at_the_next_wake_up(sim: Simulation) -> None:
    """DefaultRunnableScheduler posts to a Handler: its message runs only while the CPU is awake,
    so a delayed work due during sleep starts at the next wake-up."""
    awake = [False]
    work_manager, scheduler = _greedy(sim, awake=awake)
    request = _delayed(20)
    work_manager.enqueue(request)
    sim.run_for("1m")
    assert _started(sim, request) == []
    awake[0] = True
    scheduler.cpu_woke()
    sim.run_for("1s")
    assert _started(sim, request) == [60_000]
