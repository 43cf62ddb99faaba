"""The scheduler-facing Processor: start, stop, executed (_processor.py, Processor.java)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from harness.sim import Simulation
from harness.workmanager import (
    Data,
    DefaultWorkerFactory,
    Executed,
    ExistingWorkPolicy,
    ListenableWorker,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    WorkerParameters,
    WorkManager,
)
from tests.workmanager.workers import AlwaysFail, Progress, Sleep, Succeed


def test_start_work_refuses_missing_duplicate_and_stale_generations(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """startWork is false for a missing spec, a held id or another generation (Processor.java)."""
    executed: list[Executed] = []
    workmanager.processor.executed.connect(executed.append)
    assert not workmanager.processor.start_work("no-such-id")
    request = OneTimeWorkRequest.builder(Sleep).set_initial_delay("1h").build()
    workmanager.enqueue(request)
    assert not workmanager.processor.start_work(request.string_id, generation=7)
    assert workmanager.processor.start_work(request.string_id, generation=0)
    assert not workmanager.processor.start_work(request.string_id)
    assert not workmanager.processor.start_work(request.string_id, generation=3)
    assert workmanager.processor.running_work_spec_ids() == [request.string_id]
    sim.run_for(0)
    assert executed == [
        Executed("no-such-id", False),
        Executed(request.string_id, False),
        Executed(request.string_id, False),
    ]
    assert workmanager.processor.is_enqueued(request.string_id)
    assert not workmanager.processor.stop_work("no-such-id", StopReason.STOP_REASON_USER)


def test_executed_reports_reschedules(sim: Simulation, workmanager: WorkManager) -> None:
    """onExecuted(id, needsReschedule): true after a stop, false after a finished run."""
    executed: list[Executed] = []
    workmanager.processor.executed.connect(executed.append)
    stopped, finished = OneTimeWorkRequest.from_(Sleep), OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue([stopped, finished])
    sim.run_for("1s")
    workmanager.processor.stop_work(stopped.string_id, StopReason.STOP_REASON_DEVICE_STATE)
    sim.run_for(0)
    assert executed == [Executed(finished.string_id, False), Executed(stopped.string_id, True)]
    assert not workmanager.processor.is_cancelled(stopped.string_id)
    workmanager.cancel_work_by_id(stopped.id)
    assert workmanager.processor.is_cancelled(stopped.string_id)


def test_a_worker_finishing_on_a_reenqueued_row_is_rescheduled_unknown(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """A run ending while its row is unfinished but not RUNNING: L = now, stop reason -512."""
    request = OneTimeWorkRequest.builder(Sleep).set_input_data({"sleep_ms": 10_000}).build()
    workmanager.enqueue(request)
    sim.run_for("1s")
    workmanager.database.work_spec_dao.set_state(
        request.string_id, State.ENQUEUED
    )  # as another process would
    sim.run_for("10s")
    spec = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert (spec.state, spec.stop_reason, spec.last_enqueue_time) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_UNKNOWN,
        10_000,
    )
    assert sim.trace.of_kind("work.stopped")[0]["stop_reason_value"] == -512


def test_a_row_deleted_under_a_running_worker(sim: Simulation, workmanager: WorkManager) -> None:
    """APPEND_OR_REPLACE deletes without cancel: setProgress then throws, the end is a no-op."""
    running, failing = OneTimeWorkRequest.from_(Progress), OneTimeWorkRequest.from_(AlwaysFail)
    workmanager.enqueue_unique_work("n", ExistingWorkPolicy.APPEND, [running, failing])
    sim.run_for("5s")
    assert workmanager.get_work_info_by_id(running.id).progress == Data({"percent": 50})  # type: ignore[union-attr]
    workmanager.enqueue_unique_work(
        "n", ExistingWorkPolicy.APPEND_OR_REPLACE, OneTimeWorkRequest.from_(Succeed)
    )
    assert workmanager.get_work_info_by_id(running.id) is None
    sim.run_for("30s")
    failed = sim.trace.of_kind("work.failed")
    assert "must complete before a ListenableWorker signals completion" in failed[0]["error"]
    assert not workmanager.processor.is_enqueued(running.string_id)


class _Watching:
    """A worker factory that keeps a weak reference to every worker it creates."""

    def __init__(self) -> None:
        self.created: list[weakref.ref[ListenableWorker]] = []

    def create_worker(self, name: str, parameters: WorkerParameters) -> ListenableWorker:
        worker = DefaultWorkerFactory().create_worker(name, parameters)
        self.created.append(weakref.ref(worker))
        return worker


@pytest.fixture
def _no_cyclic_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("_no_cyclic_collection")
def test_a_finished_run_frees_its_worker_without_the_cyclic_collector(sim: Simulation) -> None:
    """A worker's parameters refer back to its wrapper; once the run has ended and been
    reported, the processor drops both, so neither waits for the cyclic garbage collector."""
    factory = _Watching()
    workmanager = WorkManager(sim, worker_factory=factory)
    quick = Data({"sleep_ms": 1})
    workmanager.enqueue(
        [
            OneTimeWorkRequest.from_(Succeed),  # a blocking Worker, in its lockstep thread
            OneTimeWorkRequest.builder(Sleep).set_input_data(quick).build(),
            PeriodicWorkRequest.builder(Sleep, "15m").set_input_data(quick).build(),
        ]
    )
    sim.run_for("16m")
    assert len(factory.created) == 4
    assert [created() for created in factory.created] == [None] * 4
    assert workmanager.processor.running_work_spec_ids() == []


@pytest.mark.usefixtures("_no_cyclic_collection")
def test_a_stopped_run_still_unwinding_keeps_its_worker(sim: Simulation) -> None:
    """A run stopped while its task is still running keeps its worker (process death may still
    have to drop it); its later result is ignored."""
    factory = _Watching()
    workmanager = WorkManager(sim, worker_factory=factory)
    request = OneTimeWorkRequest.from_(Sleep)
    workmanager.enqueue(request)
    sim.run_for("1s")
    workmanager.processor.stop_work(request.string_id, StopReason.STOP_REASON_DEVICE_STATE)
    assert factory.created[0]() is not None  # reported on the next step, its task unwinding
