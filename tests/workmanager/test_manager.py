"""WorkManager: enqueue, chains, unique work, cancel, prune, observe (workmanager/_manager.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    ArrayCreatingInputMerger,
    BackoffPolicy,
    Data,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    WorkContinuation,
    WorkInfo,
    WorkManager,
    WorkQuery,
)
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._spec import WorkSpec
from harness.workmanager._work_spec_dao import WorkSpecDao
from tests.workmanager import workers
from tests.workmanager.workers import AlwaysFail, AlwaysRetry, Echo, Sleep, Succeed

Request = OneTimeWorkRequest | PeriodicWorkRequest


def info(workmanager: WorkManager, request: Request) -> WorkInfo:
    found = workmanager.get_work_info_by_id(request.id)
    assert found is not None
    return found


def state(workmanager: WorkManager, request: Request) -> State:
    return info(workmanager, request).state


def sleeper(sleep: str = "130s", result: str = "success") -> OneTimeWorkRequest:
    input_data = {"sleep_ms": int(timedelta(seconds=int(sleep[:-1])).total_seconds() * 1000)}
    return (
        OneTimeWorkRequest.builder(Sleep).set_input_data({**input_data, "result": result}).build()
    )


# --- the example numbers of the reference (section 11) -----------------------------------------


def test_exponential_backoff_doubles(sim: Simulation, workmanager: WorkManager) -> None:
    """Exponential backoff from 30 s: runs at 0, 30, 90, 210 s (WorkSpec.calculateNextRunTime)."""
    request = (
        OneTimeWorkRequest.builder(AlwaysRetry)
        .set_backoff_criteria(BackoffPolicy.EXPONENTIAL, timedelta(seconds=30))
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for(timedelta(minutes=4))
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 30_000, 90_000, 210_000]


def test_one_time_work_with_a_10_min_delay_is_due_at_600_s(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """One-time, 10 min initial delay, enqueued at 0: due at 600 s (calculateNextRunTime)."""
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("10m").build()
    workmanager.enqueue(request)
    assert info(workmanager, request).next_schedule_time_millis == 600_000
    sim.run_for("15m")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [600_000]


def test_a_dependent_unblocked_at_900_s_with_a_5_min_delay_is_due_at_1200_s(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Unblocking sets L = now (setSucceededAndResolve): due at 900 + 300 s."""
    parent = sleeper("900s")
    child = OneTimeWorkRequest.builder(Succeed).set_initial_delay("5m").build()
    workmanager.begin_with(parent).then(child).enqueue()
    blocked = info(workmanager, child)
    assert (blocked.state, blocked.next_schedule_time_millis) == (State.BLOCKED, LONG_MAX_VALUE)
    child_spec = workmanager.database.work_spec_dao.get_work_spec(child.string_id)
    assert child_spec is not None
    assert child_spec.last_enqueue_time == -1
    sim.run_for("30m")
    unblocked = sim.trace.of_kind("work.unblocked")
    assert [(r.t_ms, r["next_run_time_ms"]) for r in unblocked] == [(900_000, 1_200_000)]
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 1_200_000]


def test_periodic_work_counts_each_period_from_the_end_of_the_last_run(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Periodic 1 h, no flex: due at 0; finishing at 130 s, next due at 3 730 s (resetPeriodic)."""
    request = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue(request)
    assert info(workmanager, request).next_schedule_time_millis == 0
    sim.run_for("2h")
    finished = sim.trace.of_kind("work.finished")
    assert [(r.t_ms, r["state"], r["next_run_time_ms"]) for r in finished] == [
        (130_000, "ENQUEUED", 3_730_000),
        (3_860_000, "ENQUEUED", 7_460_000),
    ]
    work = info(workmanager, request)
    assert (work.output_data, work.run_attempt_count) == (Data.EMPTY, 0)
    spec = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert spec.period_count == 2


def test_flex_delays_the_first_run_to_the_window_start(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Periodic 1 h with 15 min flex: first due at 2 700 s; later at finish + 3 600 s."""
    request = PeriodicWorkRequest.builder(Sleep, "1h", "15m").build()
    workmanager.enqueue(request)
    sim.run_for("2h")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [2_700_000, 6_430_000]


def test_a_periodic_retry_backs_off_then_success_resets_n_and_counts_a_period(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Periodic retry at T: due at T + 30 s; the next success resets n and adds 1 to P."""
    request = (
        PeriodicWorkRequest.builder(Sleep, "1h")
        .set_input_data({"sleep_ms": 1_000, "result": "retry"})
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("1s")
    retry = sim.trace.of_kind("work.retry")[0]
    assert (retry.t_ms, retry["next_run_time_ms"], retry["run_attempt_count"]) == (1_000, 31_000, 1)
    update = PeriodicWorkRequest.builder(Sleep, "1h").set_id(request.id)
    workmanager.update_work(update.set_input_data({"sleep_ms": 1_000}).build())
    sim.run_for("40s")
    finished = sim.trace.of_kind("work.finished")[0]
    assert (finished.t_ms, finished["run_attempt_count"], finished["period_count"]) == (
        32_000,
        0,
        1,
    )
    assert finished["next_run_time_ms"] == 32_000 + 3_600_000


# --- chains -----------------------------------------------------------------------------------


def test_enqueue_needs_work(workmanager: WorkManager) -> None:
    """'enqueue needs at least one WorkRequest.' (WorkManagerImpl.enqueue)."""
    with pytest.raises(InvalidRequestError, match=r"^enqueue needs at least one WorkRequest"):
        workmanager.enqueue([])


def test_chains_take_only_one_time_work(sim: Simulation, workmanager: WorkManager) -> None:
    """WorkContinuation.then/beginWith take OneTimeWorkRequests only (WorkContinuation.kt)."""
    periodic = PeriodicWorkRequest.builder(Succeed, "1h").build()
    with pytest.raises(InvalidRequestError, match=r"periodic work cannot be part of a chain"):
        workmanager.begin_with(periodic)  # type: ignore[arg-type]


def test_a_chain_runs_in_order(sim: Simulation, workmanager: WorkManager) -> None:
    """then(): a dependent runs after all its prerequisites SUCCEEDED (setSucceededAndResolve)."""
    first, second, third = sleeper("10s"), sleeper("10s"), sleeper("10s")
    continuation = workmanager.begin_with(first).then(second).then(third)
    continuation.enqueue()
    assert [i.state for i in continuation.get_work_infos()] == [
        State.ENQUEUED,
        State.BLOCKED,
        State.BLOCKED,
    ]
    sim.run_for("1m")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 10_000, 20_000]
    assert [i.state for i in continuation.get_work_infos()] == [State.SUCCEEDED] * 3


def test_chaining_onto_a_failed_prerequisite_enqueues_failed(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """A prerequisite already FAILED makes new work FAILED at once (EnqueueRunnable.kt)."""
    failing = OneTimeWorkRequest.from_(AlwaysFail)
    head = workmanager.begin_with(failing)
    head.enqueue()
    sim.run_for(0)
    child = OneTimeWorkRequest.from_(Succeed)
    head.then(child).enqueue()
    assert state(workmanager, child) is State.FAILED
    assert sim.trace.of_kind("work.enqueued")[-1]["state"] == "FAILED"


def test_combine_merges_the_branches_with_an_array_creating_merger(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """combine adds a CombineContinuationsWorker that array-merges (WorkContinuationImpl)."""
    left = OneTimeWorkRequest.builder(Echo).set_input_data({"x": 1}).build()
    right = OneTimeWorkRequest.builder(Echo).set_input_data({"x": 2}).build()
    after = OneTimeWorkRequest.from_(Echo)
    combined = WorkContinuation.combine(
        [workmanager.begin_with(left), workmanager.begin_with(right)]
    )
    combined.then(after).enqueue()
    sim.run_for(0)
    assert info(workmanager, after).output_data == Data.builder().put_int_array("x", [1, 2]).build()
    assert len(combined.then(after).get_work_infos()) == 4


def test_array_creating_merger_fails_work_on_mixed_types(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """ArrayCreatingInputMerger throws IllegalArgumentException on a type clash: the work fails."""
    parent = OneTimeWorkRequest.builder(Echo).set_input_data({"x": 1}).build()
    child = (
        OneTimeWorkRequest.builder(Echo)
        .set_input_data({"x": "text"})
        .set_input_merger(ArrayCreatingInputMerger)
        .build()
    )
    workmanager.begin_with(parent).then(child).enqueue()
    sim.run_for(0)
    assert state(workmanager, child) is State.FAILED
    assert sim.trace.of_kind("work.failed")[0]["phase"] == "merge_inputs"


# --- unique work ------------------------------------------------------------------------------


def test_replace_cancels_the_running_work_and_deletes_its_records(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """REPLACE: cancel the name's unfinished work, delete its records, insert (EnqueueRunnable)."""
    old, new = sleeper(), OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.REPLACE, old)
    sim.run_for("10s")
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.REPLACE, new)
    assert workmanager.get_work_info_by_id(old.id) is None
    sim.run_for(0)
    assert [event[0] for event in workers.EVENTS] == [
        "start",
        "stopped:STOP_REASON_CANCELLED_BY_APP",
        "cancelled",
    ]
    assert [i.id for i in workmanager.get_work_infos_for_unique_work("sync")] == [new.id]
    assert state(workmanager, new) is State.SUCCEEDED
    assert [r["reason"] for r in sim.trace.of_kind("work.deleted")] == ["REPLACE"]


def test_keep_does_nothing_while_a_record_is_running(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """KEEP while a record is RUNNING does nothing (EnqueueRunnable.kt)."""
    old, new = sleeper(), OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.KEEP, old)
    sim.run_for("10s")
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.KEEP, new)
    assert workmanager.get_work_info_by_id(new.id) is None
    skipped = sim.trace.of_kind("work.not_enqueued")[0]
    assert skipped["existing"] == [old.string_id]
    assert skipped["ids"] == [new.string_id]


def test_keep_replaces_a_name_whose_records_are_only_blocked(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """Only ENQUEUED or RUNNING records block KEEP; BLOCKED ones are replaced (EnqueueRunnable)."""
    running = sleeper()
    head = workmanager.begin_with(running)
    head.enqueue()
    blocked = OneTimeWorkRequest.from_(Succeed)
    WorkContinuation(workmanager, "sync", ExistingWorkPolicy.KEEP, [blocked], [head]).enqueue()
    assert state(workmanager, blocked) is State.BLOCKED
    replacement = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.KEEP, replacement)
    assert workmanager.get_work_info_by_id(blocked.id) is None
    sim.run_for(0)
    assert state(workmanager, replacement) is State.SUCCEEDED


def test_append_onto_a_failed_leaf_enqueues_failed(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """APPEND onto a FAILED leaf gives FAILED (FAILED beats CANCELLED) (EnqueueRunnable.kt)."""
    workmanager.enqueue_unique_work(
        "sync", ExistingWorkPolicy.APPEND, OneTimeWorkRequest.from_(AlwaysFail)
    )
    sim.run_for(0)
    appended = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND, appended)
    assert state(workmanager, appended) is State.FAILED


def test_append_waits_for_running_leaves_and_follows_succeeded_ones(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """APPEND makes new work depend on the leaves: BLOCKED, or ENQUEUED if all SUCCEEDED."""
    first, second, third = sleeper("10s"), sleeper("10s"), OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND, first)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND, second)
    assert state(workmanager, second) is State.BLOCKED
    sim.run_for("30s")
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND, third)
    assert workmanager.database.dependency_dao.get_prerequisites(third.string_id) == [
        second.string_id
    ]
    sim.run_for(0)
    assert state(workmanager, third) is State.SUCCEEDED


def test_append_or_replace_starts_a_fresh_chain_after_a_failure(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """APPEND_OR_REPLACE: a FAILED leaf deletes the records without cancelling; a new chain runs."""
    failing = OneTimeWorkRequest.from_(AlwaysFail)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND_OR_REPLACE, failing)
    sim.run_for(0)
    fresh = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.APPEND_OR_REPLACE, fresh)
    assert workmanager.get_work_info_by_id(failing.id) is None
    assert sim.trace.of_kind("work.cancelled") == []
    sim.run_for(0)
    assert state(workmanager, fresh) is State.SUCCEEDED


def test_a_chain_under_a_name_records_every_step_under_it(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """then() keeps the name: every step is recorded under it (WorkContinuationImpl)."""
    head, tail = sleeper("1s"), OneTimeWorkRequest.from_(Succeed)
    workmanager.begin_unique_work("sync", ExistingWorkPolicy.REPLACE, head).then(tail).enqueue()
    assert {i.id for i in workmanager.get_work_infos_for_unique_work("sync")} == {head.id, tail.id}


def test_unique_periodic_keep_and_cancel_and_reenqueue(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """KEEP stays KEEP; CANCEL_AND_REENQUEUE is REPLACE: a new id, the running worker cancelled."""
    first = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.KEEP, first)
    sim.run_for("10s")
    kept = PeriodicWorkRequest.builder(Sleep, "1h").build()
    workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.KEEP, kept)
    assert workmanager.get_work_info_by_id(kept.id) is None
    second = PeriodicWorkRequest.builder(Sleep, "2h").build()
    workmanager.enqueue_unique_periodic_work(
        "p", ExistingPeriodicWorkPolicy.CANCEL_AND_REENQUEUE, second
    )
    assert workmanager.get_work_info_by_id(first.id) is None
    assert [i.id for i in workmanager.get_work_infos_for_unique_work("p")] == [second.id]


def test_replace_with_a_schedule_override_is_rejected(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """An override with REPLACE is refused: use UPDATE or KEEP (WorkContinuationImpl)."""
    request = PeriodicWorkRequest.builder(Succeed, "1h").set_next_schedule_time_override(5).build()
    with pytest.raises(InvalidRequestError, match=r"^Next Schedule Time Override must be used"):
        workmanager.enqueue_unique_periodic_work("p", ExistingPeriodicWorkPolicy.REPLACE, request)


# --- cancel -------------------------------------------------------------------------------------


def test_cancel_stop_reasons(sim: Simulation, workmanager: WorkManager) -> None:
    """RUNNING -> CANCELLED with 1; ENQUEUED and a BLOCKED dependent -> -256 (setCancelledState)."""
    running, dependent = sleeper(), OneTimeWorkRequest.from_(Succeed)
    waiting = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
    workmanager.begin_with(running).then(dependent).enqueue()
    workmanager.enqueue(waiting)
    sim.run_for("10s")
    workmanager.cancel_work_by_id(running.id)
    workmanager.cancel_work_by_id(waiting.id)
    reasons = [info(workmanager, r).stop_reason for r in (running, dependent, waiting)]
    assert reasons == [
        StopReason.STOP_REASON_CANCELLED_BY_APP,
        StopReason.STOP_REASON_NOT_STOPPED,
        StopReason.STOP_REASON_NOT_STOPPED,
    ]
    assert all(state(workmanager, r) is State.CANCELLED for r in (running, dependent, waiting))
    cancelled = sim.trace.of_kind("work.cancelled")
    assert [(r["id"], r["cause"]) for r in cancelled] == [
        (running.string_id, "cancelled_by_app"),
        (dependent.string_id, "prerequisite_cancelled"),
        (waiting.string_id, "cancelled_by_app"),
    ]
    workmanager.cancel_work_by_id(running.id)  # re-cancelling rewrites the stop reason
    assert info(workmanager, running).stop_reason == StopReason.STOP_REASON_NOT_STOPPED


def test_cancel_by_id_of_succeeded_work_cancels_its_unfinished_dependents(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """byId starts from the id whatever its state (CancelWorkRunnable.forId)."""
    parent, child = OneTimeWorkRequest.from_(Succeed), sleeper()
    workmanager.begin_with(parent).then(child).enqueue()
    sim.run_for("1s")
    workmanager.cancel_work_by_id(parent.id)
    assert (state(workmanager, parent), state(workmanager, child)) == (
        State.SUCCEEDED,
        State.CANCELLED,
    )


def test_cancel_by_tag_also_cancels_dependents_without_the_tag(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """forTag starts from unfinished work with the tag; dependents go whatever their tags."""
    tagged = OneTimeWorkRequest.builder(Sleep).add_tag("upload").build()
    child, other = OneTimeWorkRequest.from_(Succeed), sleeper()
    workmanager.begin_with(tagged).then(child).enqueue()
    workmanager.enqueue(other)
    workmanager.cancel_all_work_by_tag("upload")
    assert [state(workmanager, r) for r in (tagged, child, other)] == [
        State.CANCELLED,
        State.CANCELLED,
        State.ENQUEUED,
    ]


def test_cancel_unique_work_and_cancel_all(sim: Simulation, workmanager: WorkManager) -> None:
    """forName cancels the name's unfinished work; forAll everything, recording the time."""
    named, free = sleeper(), sleeper()
    workmanager.enqueue_unique_work("n", ExistingWorkPolicy.KEEP, named)
    workmanager.enqueue(free)
    workmanager.cancel_unique_work("n")
    assert (state(workmanager, named), state(workmanager, free)) == (
        State.CANCELLED,
        State.ENQUEUED,
    )
    sim.run_for("1m")
    workmanager.cancel_all_work()
    assert state(workmanager, free) is State.CANCELLED
    assert workmanager.get_last_cancel_all_time_millis() == 60_000


# --- pruning ----------------------------------------------------------------------------------


def test_prune_work_deletes_finished_work_without_unfinished_dependents(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """pruneWork ignores retention; finished work with unfinished dependents stays (WorkSpecDao)."""
    done, parent, child = (
        OneTimeWorkRequest.from_(Succeed),
        OneTimeWorkRequest.from_(Succeed),
        sleeper(),
    )
    workmanager.enqueue(done)
    workmanager.begin_with(parent).then(child).enqueue()
    sim.run_for("1s")
    workmanager.prune_work()
    assert workmanager.get_work_info_by_id(done.id) is None
    assert state(workmanager, parent) is State.SUCCEEDED
    assert [r["id"] for r in sim.trace.of_kind("work.pruned")] == [done.string_id]


def test_old_finished_work_is_pruned_when_the_database_opens(sim: Simulation) -> None:
    """onOpen prunes finished work with L + keepResultsForAtLeast < now - 1 day (WorkDatabase)."""
    first = WorkManager(sim)
    short = OneTimeWorkRequest.from_(Succeed)
    kept = OneTimeWorkRequest.builder(Succeed).keep_results_for_at_least("2d").build()
    first.enqueue([short, kept])
    sim.run_for("1d1ms")
    first.kill()
    second = WorkManager(sim, first.database)
    assert second.get_work_info_by_id(short.id) is None
    assert second.get_work_info_by_id(kept.id) is not None
    assert sim.trace.of_kind("work.pruned")[0]["reason"] == "on_open"


# --- observing --------------------------------------------------------------------------------


def test_listeners_see_every_change_in_order(sim: Simulation, workmanager: WorkManager) -> None:
    """Every state change reaches the listeners, in order, as WorkInfo snapshots."""
    seen: list[tuple[int, State]] = []
    remove = workmanager.add_listener(lambda i: seen.append((sim.now_ms, i.state)))
    request = (
        OneTimeWorkRequest.builder(Sleep)
        .set_input_data({"sleep_ms": 1_000, "result": "retry"})
        .build()
    )
    workmanager.enqueue(request)
    sim.run_for("31s")
    workmanager.cancel_work_by_id(request.id)
    remove()
    workmanager.prune_work()
    assert seen == [
        (0, State.ENQUEUED),
        (0, State.RUNNING),
        (1_000, State.ENQUEUED),
        (31_000, State.RUNNING),
        (31_000, State.CANCELLED),
    ]


def test_work_queries_and_lookups(sim: Simulation, workmanager: WorkManager) -> None:
    """WorkQuery: OR within a field, AND across fields (RawQueries.toRawQuery)."""
    a = OneTimeWorkRequest.builder(Sleep).add_tag("a").build()
    b = OneTimeWorkRequest.builder(Succeed).add_tag("a").set_initial_delay("1h").build()
    workmanager.enqueue([a, b])
    sim.run_for(0)
    assert [i.id for i in workmanager.get_work_infos_by_tag("a")] == [a.id, b.id]
    query = WorkQuery(tags=("a", "zzz"), states=(State.RUNNING,))
    assert [i.id for i in workmanager.get_work_infos(query)] == [a.id]
    assert [i.id for i in workmanager.get_work_infos(WorkQuery.from_ids(b.id))] == [b.id]
    with pytest.raises(
        InvalidRequestError, match=r"^Must specify ids, uniqueNames, tags or states"
    ):
        WorkQuery()


def test_work_query_takes_lists_like_androidx(sim: Simulation, workmanager: WorkManager) -> None:
    """``WorkQuery.fromIds(List)``/``fromTags(List)``/``fromStates(List)``: a list means the same
    as the values one by one; a single string is one tag, not its letters; ids may be strings."""
    a = OneTimeWorkRequest.builder(Sleep).add_tag("sync").build()
    b = OneTimeWorkRequest.builder(Succeed).add_tag("other").set_initial_delay("1h").build()
    workmanager.enqueue([a, b])
    sim.run_for(0)

    def ids(query: WorkQuery) -> list[object]:
        return [info.id for info in workmanager.get_work_infos(query)]

    assert ids(WorkQuery.from_ids([a.id, b.id])) == ids(WorkQuery.from_ids(a.id, b.id))
    assert ids(WorkQuery.from_ids(str(b.id))) == [b.id]
    assert ids(WorkQuery.from_tags(["sync"])) == [a.id]
    assert ids(WorkQuery(tags="sync")) == [a.id]  # type: ignore[arg-type]
    assert ids(WorkQuery.from_states([State.ENQUEUED])) == [b.id]
    with pytest.raises(InvalidRequestError, match=r"WorkQuery id 'nope' is not a work id"):
        WorkQuery.from_ids("nope")


def test_the_scheduler_gets_at_most_20_slots(sim: Simulation, workmanager: WorkManager) -> None:
    """getEligibleWorkForScheduling: limit minus already scheduled rows, FIFO (Schedulers.java)."""
    requests = [
        OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build() for _ in range(25)
    ]
    for request in requests:
        workmanager.enqueue(request)
    scheduled = [
        spec.id
        for spec in workmanager.database.work_spec_dao.all_work_specs()
        if spec.schedule_requested_at != -1
    ]
    assert scheduled == [r.string_id for r in requests[:20]]
    sim.run_for("2h")
    assert all(state(workmanager, r) is State.SUCCEEDED for r in requests)


def test_the_scheduler_limit_is_checked_and_clamped(sim: Simulation) -> None:
    """setMaxSchedulerLimit: below 20 throws, above 50 is clamped (Configuration.kt)."""
    with pytest.raises(InvalidRequestError, match=r"^max_scheduler_limit 19 is below 20"):
        WorkManager(sim, max_scheduler_limit=19)
    assert WorkManager(sim, max_scheduler_limit=80).max_scheduler_limit == 50


class _GreedyRecorder:
    """A scheduler without limited slots that only records what it is given."""

    has_limited_scheduling_slots = False

    def __init__(self) -> None:
        self.scheduled: list[str] = []

    def schedule(self, *work_specs: WorkSpec) -> None:
        self.scheduled += [spec.id for spec in work_specs]

    def cancel(self, work_spec_id: str) -> None:
        pass

    def reconcile(self, scheduled_work_spec_ids: Sequence[str]) -> bool:
        return False


def test_without_a_greedy_scheduler_the_200_row_list_is_not_read(
    sim: Simulation, workmanager: WorkManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schedulers.schedule hands getAllEligibleWorkSpecsForScheduling only to schedulers
    without limited slots; with none there, its read is skipped (Schedulers.scheduleWorkSpecs)."""
    reads: list[int] = []
    original = WorkSpecDao.get_all_eligible_work_specs_for_scheduling_cached

    def counting(self: WorkSpecDao, max_limit: int) -> list[WorkSpec]:
        reads.append(max_limit)
        return original(self, max_limit)

    monkeypatch.setattr(WorkSpecDao, "get_all_eligible_work_specs_for_scheduling_cached", counting)
    request = OneTimeWorkRequest.from_(Succeed)
    workmanager.enqueue(request)
    sim.run_for("1m")
    assert state(workmanager, request) is State.SUCCEEDED
    assert reads == []
    recorder = _GreedyRecorder()
    greedy = WorkManager(sim, schedulers=lambda _: [recorder])
    later = [OneTimeWorkRequest.from_(Succeed) for _ in range(3)]
    greedy.enqueue(later)
    assert reads == [200]
    assert recorder.scheduled == [r.string_id for r in later]  # every ENQUEUED row, FIFO
