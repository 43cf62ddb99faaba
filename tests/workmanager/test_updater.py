"""Updating work in place: update_work and UPDATE (workmanager/_updater.py, WorkerUpdater.kt)."""

from __future__ import annotations

import pytest

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    UpdateResult,
    WorkInfo,
    WorkManager,
)
from tests.workmanager import workers
from tests.workmanager.workers import Sleep, Succeed


def info(workmanager: WorkManager, request: OneTimeWorkRequest | PeriodicWorkRequest) -> WorkInfo:
    found = workmanager.get_work_info_by_id(request.id)
    assert found is not None
    return found


def test_update_while_running_applies_for_the_next_run(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """UPDATE while running: APPLIED_FOR_NEXT_RUN, generation + 1, run continues (WorkerUpdater)."""
    first = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.UPDATE, first)
    sim.run_for("10s")
    second = PeriodicWorkRequest.builder(Sleep, "2h").add_tag("v2").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.UPDATE, second)
    updated = sim.trace.of_kind("work.updated")[0]
    assert (updated["result"], updated["generation"]) == ("APPLIED_FOR_NEXT_RUN", 1)
    work = info(workmanager, first)
    assert (work.state, work.generation) == (State.RUNNING, 1)
    assert "v2" in work.tags
    assert workmanager.get_work_info_by_id(second.id) is None  # the old id is kept
    sim.run_for("3h")
    assert [event[0] for event in workers.EVENTS] == ["start", "start"]  # never stopped
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 130_000 + 7_200_000]


def test_update_of_enqueued_work_applies_immediately_and_keeps_its_progress_state(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """update_work keeps state, n, L, period count; takes the new fields (WorkerUpdater)."""
    request = OneTimeWorkRequest.builder(Sleep).set_initial_delay("1h").build()
    workmanager.enqueue(request)
    new = (
        OneTimeWorkRequest.builder(Succeed)
        .set_id(request.id)
        .set_initial_delay("2h")
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    assert workmanager.update_work(new) is UpdateResult.APPLIED_IMMEDIATELY
    work = info(workmanager, request)
    assert (work.generation, work.next_schedule_time_millis) == (1, 7_200_000)
    assert work.constraints.required_network_type is NetworkType.CONNECTED
    assert work.tags == {"tests.workmanager.workers.Succeed"}
    sim.run_for("3h")
    assert info(workmanager, request).state is State.SUCCEEDED


def test_update_of_finished_work_is_not_applied(sim: Simulation, workmanager: WorkManager) -> None:
    """A finished work gives NOT_APPLIED and nothing changes (WorkerUpdater.updateWorkImpl)."""
    request = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue(request)
    sim.run_for(0)
    again = OneTimeWorkRequest.builder(Succeed).set_id(request.id).build()
    assert workmanager.update_work(again) is UpdateResult.NOT_APPLIED
    assert info(workmanager, request).generation == 0


def test_update_errors(sim: Simulation, workmanager: WorkManager) -> None:
    """Unknown id: IllegalArgumentException; one-time <-> periodic: UnsupportedOperation."""
    with pytest.raises(InvalidRequestError, match=r"^Worker with .* doesn't exist"):
        workmanager.update_work(OneTimeWorkRequest.from_(Succeed))
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
    workmanager.enqueue(request)
    periodic = PeriodicWorkRequest.builder(Succeed, "1h").set_id(request.id).build()
    with pytest.raises(InvalidRequestError, match=r"^Can't update OneTime Worker to Periodic"):
        workmanager.update_work(periodic)


def test_unique_update_of_a_cancelled_record_enqueues_the_new_id(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """A CANCELLED record is deleted, the new request enqueued with its own id (WorkerUpdater)."""
    first = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.UPDATE, first)
    workmanager.cancel_unique_work("p")
    second = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.UPDATE, second)
    assert [i.id for i in workmanager.get_work_infos_for_unique_work("p")] == [second.id]


def test_unique_update_rejects_chains_and_one_time_records(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """'Can't apply UPDATE policy to the chains of work'; one-time can't become periodic."""
    head, tail = OneTimeWorkRequest.from_(Sleep), OneTimeWorkRequest.from_(Succeed)
    workmanager.begin_unique_work("chain", ExistingWorkPolicy.KEEP, head).then(tail).enqueue()
    periodic = PeriodicWorkRequest.builder(Sleep, "1h").build()
    with pytest.raises(InvalidRequestError, match=r"^Can't apply UPDATE policy to the chains"):
        workmanager.enqueue_unique_periodic_work(
            "chain", ExistingPeriodicWorkPolicy.UPDATE, periodic
        )
    workmanager.enqueue_unique_work("one", ExistingWorkPolicy.KEEP, OneTimeWorkRequest.from_(Sleep))
    with pytest.raises(InvalidRequestError, match=r"^Can't update OneTimeWorker to Periodic"):
        workmanager.enqueue_unique_periodic_work("one", ExistingPeriodicWorkPolicy.UPDATE, periodic)


def test_an_override_set_by_update_survives_the_running_period(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Completion resets the override only if its generation is unchanged (WorkerWrapper.kt)."""
    request = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue(request)
    sim.run_for("10s")
    override = (
        PeriodicWorkRequest.builder(Sleep, "1h")
        .set_id(request.id)
        .set_next_schedule_time_override(5_000_000)
        .build()
    )
    assert workmanager.update_work(override) is UpdateResult.APPLIED_FOR_NEXT_RUN
    sim.run_for("2h")
    starts = [r.t_ms for r in sim.trace.of_kind("work.started")]
    assert starts[:2] == [0, 5_000_000]  # the override, not finish (130 s) + 1 h
    spec = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert spec.next_schedule_time_override == 2**63 - 1  # consumed by the overridden run
    assert info(workmanager, request).stop_reason == StopReason.STOP_REASON_NOT_STOPPED
