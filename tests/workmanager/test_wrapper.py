"""One run of a worker and the writes around it (_wrapper.py, W/impl/WorkerWrapper.kt)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from harness.sim import Simulation
from harness.workmanager import (
    BackoffPolicy,
    Data,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    WorkInfo,
    WorkManager,
)
from harness.workmanager._worker import ListenableWorker
from tests.workmanager import workers
from tests.workmanager.workers import (
    AlwaysFail,
    Echo,
    Progress,
    Raise,
    Recording,
    RetryTwiceThenSucceed,
    ReturnsTrue,
    Sleep,
    Succeed,
    SyncSleep,
)


def info(workmanager: WorkManager, request: OneTimeWorkRequest | PeriodicWorkRequest) -> WorkInfo:
    found = workmanager.get_work_info_by_id(request.id)
    assert found is not None
    return found


def test_a_first_run_sees_attempt_count_0_while_work_info_shows_1(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """WorkerParameters get the runAttemptCount before the increment (WorkerWrapper.kt)."""
    request = OneTimeWorkRequest.builder(Recording).add_tag("t").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    assert [params.run_attempt_count for params in workers.SEEN] == [0]
    assert workers.SEEN[0].id == request.id
    assert workers.SEEN[0].tags == {"tests.workmanager.workers.Recording", "t"}
    assert info(workmanager, request).run_attempt_count == 1


def test_success_stores_the_output(sim: Simulation, workmanager: WorkManager) -> None:
    """Result.success(data): SUCCEEDED with the output (setSucceededAndResolve)."""
    request = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue(request)
    sim.run_for(0)
    work = info(workmanager, request)
    assert (work.state, work.output_data) == (State.SUCCEEDED, Data({"done": True}))
    finished = sim.trace.of_kind("work.finished")[0]
    assert (finished["state"], finished["result"], finished["output"]) == (
        "SUCCEEDED",
        "success",
        {"done": True},
    )


def test_failure_fails_every_transitive_dependent_except_cancelled_ones(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """iterativelyFailWorkAndDependents: FAILED down the chain, CANCELLED kept (WorkerWrapper)."""
    head = OneTimeWorkRequest.builder(Sleep).set_input_data({"result": "failure"}).build()
    left, right, grandchild = (OneTimeWorkRequest.from_(Succeed) for _ in range(3))
    workmanager.begin_with(head).then([left, right]).then(grandchild).enqueue()
    workmanager.cancel_work_by_id(left.id)
    sim.run_for("3m")
    states = [info(workmanager, r).state for r in (head, left, right, grandchild)]
    assert states == [State.FAILED, State.CANCELLED, State.FAILED, State.CANCELLED]
    assert info(workmanager, head).output_data == Data.EMPTY


def test_failure_output_is_stored(sim: Simulation, workmanager: WorkManager) -> None:
    """A one-time Failure stores its output data (setFailedAndResolve -> setOutput)."""
    request = OneTimeWorkRequest.from_(AlwaysFail)
    workmanager.enqueue(request)
    sim.run_for(0)
    assert info(workmanager, request).output_data == Data({"error": "boom"})


def test_a_raising_worker_is_a_failure_with_its_traceback(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """An exception leaves result = Result.failure(): FAILED, never a harness crash (2.9/2.10)."""
    request = OneTimeWorkRequest.from_(Raise)
    workmanager.enqueue(request)
    sim.run_for(0)
    assert info(workmanager, request).state is State.FAILED
    failed = sim.trace.of_kind("work.failed")[0]
    assert failed["phase"] == "do_work"
    assert failed["error"] == "RuntimeError: boom from do_work"
    assert 'File "tests/workmanager/workers.py"' in failed["traceback"]
    assert failed["traceback"].endswith("RuntimeError: boom from do_work\n")


def test_a_raising_periodic_worker_goes_on_to_its_next_period_in_2_9(sim: Simulation) -> None:
    """2.9: failure of periodic work resets the period; it never FAILS (WorkerWrapper.handleResult;
    2.10 in tests/workmanager/test_versions.py)."""
    workmanager = WorkManager(sim, version="2.9")
    request = PeriodicWorkRequest.builder(Raise, "1h").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    work = info(workmanager, request)
    assert (work.state, work.run_attempt_count, work.next_schedule_time_millis) == (
        State.ENQUEUED,
        0,
        3_600_000,
    )
    assert sim.trace.of_kind("work.finished")[0]["result"] == "failure"


def test_returning_something_other_than_a_result_is_a_failure(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """A null result is 'treated as a failure' (WorkerWrapper.kt); so is any non-Result here."""
    request = OneTimeWorkRequest.from_(ReturnsTrue)
    workmanager.enqueue(request)
    sim.run_for(0)
    assert info(workmanager, request).state is State.FAILED
    assert "not a Result" in sim.trace.of_kind("work.failed")[0]["error"]


def test_a_reused_worker_instance_fails_the_work(sim: Simulation) -> None:
    """'Received an already-used Worker ... should return new instances' (WorkerWrapper)."""
    workmanager = WorkManager(sim, worker_factory=workers.Reused())
    first, second = OneTimeWorkRequest.from_(Succeed), OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue(first)
    sim.run_for(0)
    workmanager.enqueue(second)
    sim.run_for(0)
    assert info(workmanager, first).state is State.SUCCEEDED
    assert info(workmanager, second).state is State.FAILED
    assert sim.trace.of_kind("work.failed")[0]["phase"] == "create_worker"


def test_an_unimportable_worker_fails_the_work(sim: Simulation, workmanager: WorkManager) -> None:
    """A worker that cannot be created fails the work and its dependents (WorkerWrapper.kt)."""
    request = OneTimeWorkRequest.from_(Succeed)
    bad = OneTimeWorkRequest(
        id=request.id,
        work_spec=request.work_spec.__class__(
            id=request.string_id, worker_class_name="tests.workmanager.workers.Missing"
        ),
        tags=request.tags,
    )
    workmanager.enqueue(bad)
    sim.run_for(0)
    assert info(workmanager, bad).state is State.FAILED
    assert "could not import worker class" in sim.trace.of_kind("work.failed")[0]["error"]


def test_retry_keeps_the_attempt_count_so_backoff_grows(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Retry: ENQUEUED, L = now, n kept (reschedule); 10 s exponential: runs at 0, 10 s, 30 s."""
    request = (
        OneTimeWorkRequest.builder(RetryTwiceThenSucceed)
        .set_backoff_criteria(BackoffPolicy.EXPONENTIAL, timedelta(seconds=10))
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("1m")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 10_000, 30_000]
    retries = sim.trace.of_kind("work.retry")
    assert [(r["run_attempt_count"], r["next_run_time_ms"]) for r in retries] == [
        (1, 10_000),
        (2, 30_000),
    ]
    assert info(workmanager, request).state is State.SUCCEEDED


def test_progress_is_visible_while_running_and_cleared_at_completion(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """setProgress writes only while RUNNING; onWorkFinished deletes it (WorkerWrapper.kt)."""
    request = OneTimeWorkRequest.from_(Progress)
    workmanager.enqueue(request)
    sim.run_for("5s")
    assert info(workmanager, request).progress == Data({"percent": 50})
    sim.run_for("10s")
    assert info(workmanager, request).progress == Data({"percent": 100})
    sim.run_for("10s")
    assert info(workmanager, request).progress == Data.EMPTY
    assert [r["progress"] for r in sim.trace.of_kind("work.progress")] == [
        {"percent": 50},
        {"percent": 100},
    ]


def test_a_timeout_reenqueues_with_reason_3_and_keeps_n_and_l(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Timeout at 10 min: stop reason 3, ENQUEUED, n and L kept, never FAILED (WorkerWrapper)."""
    request = OneTimeWorkRequest.builder(Sleep).set_input_data({"sleep_ms": 1_200_000}).build()
    workmanager.enqueue(request)
    sim.run_for("10m")
    assert workmanager.processor.stop_work(request.string_id, StopReason.STOP_REASON_TIMEOUT)
    work = info(workmanager, request)
    assert (work.state, work.stop_reason, work.run_attempt_count) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_TIMEOUT,
        1,
    )
    assert work.next_schedule_time_millis == 30_000  # L (0) + backoff(1): already past
    sim.run_for(0)
    assert [event[0] for event in workers.EVENTS] == [
        "start",
        "stopped:STOP_REASON_TIMEOUT",
        "cancelled",
        "start",  # due since 30 s: it runs again at once
    ]
    stopped = sim.trace.of_kind("work.stopped")[0]
    assert (stopped["stop_reason"], stopped["stop_reason_value"]) == ("STOP_REASON_TIMEOUT", 3)
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 600_000]
    assert info(workmanager, request).stop_reason == StopReason.STOP_REASON_NOT_STOPPED


def test_a_stopped_sync_worker_runs_to_its_end_and_its_result_is_ignored(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Worker.doWork is not interrupted by a stop; its result is discarded (W/Worker.kt)."""
    request = OneTimeWorkRequest.from_(SyncSleep)
    workmanager.enqueue(request)
    sim.run_for("10s")
    workmanager.processor.stop_work(request.string_id, StopReason.STOP_REASON_QUOTA)
    sim.run_for("2m")
    assert [event[0] for event in workers.EVENTS] == [
        "done:stopped=True",
        "done:stopped=False",
    ]
    # The stopped run (started at 0) is ignored; the re-run at 30 s finishes at 90 s.
    assert [r.t_ms for r in sim.trace.of_kind("work.finished")] == [90_000]


def test_early_started_periodic_work_is_deferred_with_stop_reason_reset(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Periodic or backed-off work started early goes back to ENQUEUED, stop reason -256."""
    request = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue(request)
    sim.run_for("10s")
    workmanager.processor.stop_work(request.string_id, StopReason.STOP_REASON_APP_STANDBY)
    assert info(workmanager, request).stop_reason == StopReason.STOP_REASON_APP_STANDBY
    sim.run_for(0)
    workmanager.processor.start_work(request.string_id)  # as a misbehaving scheduler would
    sim.run_for(0)
    deferred = sim.trace.of_kind("work.deferred")
    assert [(r.t_ms, r["due_ms"]) for r in deferred] == [(10_000, 30_000)]
    assert info(workmanager, request).stop_reason == StopReason.STOP_REASON_NOT_STOPPED


def test_delayed_one_time_work_started_early_runs(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """The early-start guard covers only periodic or backed-off work (WorkerWrapper.kt)."""
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("10m").build()
    workmanager.enqueue(request)
    workmanager.processor.start_work(request.string_id)
    sim.run_for(0)
    assert info(workmanager, request).state is State.SUCCEEDED


def test_parent_outputs_override_the_own_input(sim: Simulation, workmanager: WorkManager) -> None:
    """Inputs merge as [own input] + parents' outputs: a parent wins a clash (WorkerWrapper.kt)."""
    parent = OneTimeWorkRequest.builder(Echo).set_input_data({"k": "parent", "p": 1}).build()
    child = OneTimeWorkRequest.builder(Echo).set_input_data({"k": "own", "c": 2}).build()
    workmanager.begin_with(parent).then(child).enqueue()
    sim.run_for(0)
    assert info(workmanager, child).output_data == Data({"k": "parent", "p": 1, "c": 2})


def test_workers_are_listenable_workers() -> None:
    """Worker and CoroutineWorker extend ListenableWorker (androidx class hierarchy)."""
    assert issubclass(Succeed, ListenableWorker)
    assert issubclass(Sleep, ListenableWorker)


def test_backoff_for_system_interruptions_backs_a_stopped_run_off_from_the_stop(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """setBackoffForSystemInterruptions (2.11): a system stop is ``reschedule(reason)``: L = the
    stop, so the next run waits the backoff (WorkerWrapper.resetWorkerStatus)."""
    request = (
        OneTimeWorkRequest.builder(Sleep)
        .set_input_data({"sleep_ms": 1_200_000})
        .set_backoff_for_system_interruptions()
        .build()
    )
    assert request.work_spec.backoff_on_system_interruptions is True
    workmanager.enqueue(request)
    sim.run_for("10m")
    assert workmanager.processor.stop_work(request.string_id, StopReason.STOP_REASON_TIMEOUT)
    work = info(workmanager, request)
    assert (work.state, work.stop_reason, work.run_attempt_count) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_TIMEOUT,
        1,
    )
    assert work.next_schedule_time_millis == 600_000 + 30_000  # L = the stop, + backoff(1)
    sim.run_for("29s")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0]
    sim.run_for("1s")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 630_000]
    stored = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert stored is not None
    assert stored.backoff_on_system_interruptions is True


def test_backoff_for_system_interruptions_also_reenqueues_a_cancelled_run(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """androidx 2.11 resetWorkerStatus reschedules before it reads the state: a running work the
    app cancels comes back ENQUEUED, stop reason CANCELLED_BY_APP (WorkerWrapper.kt)."""
    request = (
        OneTimeWorkRequest.builder(Sleep)
        .set_input_data({"sleep_ms": 60_000})
        .set_backoff_for_system_interruptions()
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("1s")
    workmanager.cancel_work_by_id(request.id)
    sim.run_for(0)
    work = info(workmanager, request)
    assert (work.state, work.stop_reason) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_CANCELLED_BY_APP,
    )
    assert work.next_schedule_time_millis == 1_000 + 30_000


def test_backoff_for_system_interruptions_restarts_the_backoff_of_an_early_start(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """2.11: an early start of backed-off work is ResetWorkerStatus(), which with the flag is
    reschedule(-256): L = the early start, so the backoff counts again from there."""
    request = (
        OneTimeWorkRequest.builder(RetryTwiceThenSucceed)
        .set_backoff_for_system_interruptions()
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("10s")  # first run at 0 retried: due at 0 + 30 s
    assert workmanager.processor.start_work(request.string_id)
    sim.run_for(0)
    deferred = sim.trace.of_kind("work.deferred")[0]
    assert (deferred.t_ms, deferred["due_ms"]) == (10_000, 40_000)
    assert info(workmanager, request).next_schedule_time_millis == 40_000


def test_backoff_for_system_interruptions_reschedules_a_snapshot_found_not_enqueued(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """2.11 WorkerWrapper.kt: a run whose snapshot is not ENQUEUED is ResetWorkerStatus(), and
    with the flag resetWorkerStatus reschedules before any state check: a stale start of a
    cancelled work puts it back ENQUEUED, L = that start."""
    request = (
        OneTimeWorkRequest.builder(Succeed)
        .set_initial_delay("10m")
        .set_backoff_for_system_interruptions()
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("1s")
    workmanager.cancel_work_by_id(request.id)
    assert info(workmanager, request).state is State.CANCELLED
    workmanager.processor.start_work(request.string_id)  # a stale job, as a racing scheduler's
    sim.run_for(0)
    assert info(workmanager, request).state is State.ENQUEUED
    stored = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert stored is not None
    assert stored.last_enqueue_time == 1_000
    assert sim.trace.of_kind("work.started") == []


def test_a_raising_worker_records_the_file_and_line_of_the_app_frame(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """work.failed names where app code raised (the innermost frame outside harness and the
    libraries), so a report shows `file:line` without reading the traceback."""
    workmanager.enqueue(OneTimeWorkRequest.from_(Raise))
    sim.run_for(0)
    failed = sim.trace.of_kind("work.failed")[0]
    source = Path(workers.__file__).read_text().splitlines()
    assert failed["file"] == "tests/workmanager/workers.py"
    assert source[failed["line"] - 1].strip() == 'raise RuntimeError("boom from do_work")'
