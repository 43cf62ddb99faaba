"""The database: androidx's schema and DAO queries in sqlite3 (_database.py, _schema.py)."""

from __future__ import annotations

from dataclasses import replace

from harness.sim import Simulation
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    Data,
    NetworkType,
    OneTimeWorkRequest,
    State,
    StopReason,
    WorkDatabase,
)
from tests.workmanager.workers import Succeed


def test_a_work_spec_round_trips_through_its_row(sim: Simulation) -> None:
    """Every field survives insert and read back (WorkSpec entity, WorkTypeConverters)."""
    request = (
        OneTimeWorkRequest.builder(Succeed)
        .set_input_data(Data({"a": [1, 2]}))
        .set_backoff_criteria(BackoffPolicy.LINEAR, "1m")
        .set_constraints(Constraints(NetworkType.METERED, requires_storage_not_low=True))
        .build()
    )
    spec = replace(
        request.work_spec,
        state=State.BLOCKED,
        run_attempt_count=3,
        stop_reason=StopReason.STOP_REASON_QUOTA,
        last_enqueue_time=17,
    )
    with WorkDatabase() as database:
        assert database.work_spec_dao.insert_work_spec(spec)
        assert not database.work_spec_dao.insert_work_spec(
            replace(spec, run_attempt_count=9)
        )  # IGNORE
        assert database.work_spec_dao.get_work_spec(spec.id) == spec


def test_deleting_a_work_spec_cascades(sim: Simulation) -> None:
    """Foreign keys ON DELETE CASCADE take tags, names, dependencies and progress with the row."""
    parent, child = OneTimeWorkRequest.from_(Succeed), OneTimeWorkRequest.from_(Succeed)
    with WorkDatabase() as database:
        for request in (parent, child):
            database.work_spec_dao.insert_work_spec(request.work_spec)
            database.work_tag_dao.insert_tags(request.string_id, request.tags)
        database.dependency_dao.insert_dependency(child.string_id, parent.string_id)
        database.work_name_dao.insert("n", parent.string_id)
        database.work_progress_dao.insert(parent.string_id, Data({"p": 1}))
        database.work_spec_dao.delete_work_spec(parent.string_id)
        assert database.dependency_dao.get_prerequisites(child.string_id) == []
        assert database.work_tag_dao.get_tags_for_work_spec_id(parent.string_id) == frozenset()
        assert database.work_name_dao.get_names_for_work_spec_id(parent.string_id) == []
        assert (
            database.work_progress_dao.get_progress_for_work_spec_id(parent.string_id) == Data.EMPTY
        )


def test_set_cancelled_state_writes_1_only_for_running_rows(sim: Simulation) -> None:
    """CASE WHEN state=1 THEN 1 ELSE -256 END (WorkSpecDao.setCancelledState)."""
    running = replace(OneTimeWorkRequest.from_(Succeed).work_spec, state=State.RUNNING)
    waiting = OneTimeWorkRequest.from_(Succeed).work_spec
    with WorkDatabase() as database:
        for spec in (running, waiting):
            database.work_spec_dao.insert_work_spec(spec)
            database.work_spec_dao.set_cancelled_state(spec.id)
        specs = [database.work_spec_dao.get_work_spec(s.id) for s in (running, waiting)]
        reasons = [spec.stop_reason for spec in specs if spec is not None]
    assert reasons == [StopReason.STOP_REASON_CANCELLED_BY_APP, StopReason.STOP_REASON_NOT_STOPPED]


def _plan(database: WorkDatabase, sql: str) -> str:
    rows = database._connection.rows(f"EXPLAIN QUERY PLAN {sql}", (20,))
    return " | ".join(row[3] for row in rows)


def test_the_eligible_work_query_reads_only_the_rows_it_returns(sim: Simulation) -> None:
    """getEligibleWorkForScheduling uses the harness's two partial indexes (no scan of finished
    rows, no sort), so scheduling after each run costs the same in a batch of any size."""
    with WorkDatabase() as database:
        connection = database._connection
        limited = _plan(
            database,
            "SELECT id FROM workspec WHERE state=0 AND schedule_requested_at=-1 "
            "ORDER BY last_enqueue_time LIMIT (SELECT MAX(?-COUNT(*), 0) FROM workspec WHERE "
            "schedule_requested_at<>-1 AND LENGTH(content_uri_triggers)=0 AND state NOT IN "
            "(2, 3, 5))",
        )
        assert "index_harness_WorkSpec_scheduled_unfinished" in limited
        assert "index_harness_WorkSpec_unscheduled_enqueued" in limited
        assert "TEMP B-TREE" not in limited
        # Other queries keep Room's plans (so their row order is unchanged).
        other = connection.rows(
            "EXPLAIN QUERY PLAN SELECT id FROM workspec WHERE state NOT IN (2, 3, 5) "
            "AND schedule_requested_at<>-1"
        )
        assert "index_harness" not in " ".join(row[3] for row in other)


def test_eligible_work_is_fifo_with_ties_in_insertion_order(sim: Simulation) -> None:
    """getEligibleWorkForScheduling: ORDER BY last_enqueue_time, equal times in row order, at most
    the limit minus unfinished scheduled rows (finished scheduled rows take no slot)."""
    times = [5, 3, 5, 1, 3, 5, 0, 3]
    specs = [
        replace(OneTimeWorkRequest.from_(Succeed).work_spec, last_enqueue_time=t) for t in times
    ]
    with WorkDatabase() as database:
        dao = database.work_spec_dao
        for spec in specs:
            dao.insert_work_spec(spec)
        dao.mark_scheduled(specs[6].id, 10)  # scheduled, unfinished: takes a slot
        dao.mark_scheduled(specs[3].id, 10)
        dao.set_state(specs[3].id, State.SUCCEEDED)  # finished: takes none
        eligible = dao.get_eligible_work_for_scheduling(5)
        by_time = sorted(
            (spec for index, spec in enumerate(specs) if index not in (3, 6)),
            key=lambda spec: spec.last_enqueue_time,
        )
        assert [spec.id for spec in eligible] == [spec.id for spec in by_time[:4]]


def test_reading_a_row_again_sees_every_write_between(sim: Simulation) -> None:
    """Rows are memoised by value: an unchanged row reads back the same spec, a written one the
    new values; an unknown stop reason still reads as UNKNOWN (``SystemJobService`` mapping)."""
    spec = OneTimeWorkRequest.builder(Succeed).set_input_data(Data({"n": 1})).build().work_spec
    with WorkDatabase() as database:
        dao = database.work_spec_dao
        dao.insert_work_spec(spec)
        first = dao.get_work_spec(spec.id)
        assert first is not None
        assert dao.get_work_spec(spec.id) is first
        dao.set_state(spec.id, State.RUNNING)
        dao.increment_run_attempt_count(spec.id)
        dao.set_stop_reason(spec.id, StopReason.STOP_REASON_QUOTA)
        written = dao.get_work_spec(spec.id)
        assert written == replace(
            first,
            state=State.RUNNING,
            run_attempt_count=1,
            stop_reason=StopReason.STOP_REASON_QUOTA,
        )
        assert dao.get_state(spec.id) is State.RUNNING
        assert written is not None
        assert written.input == Data({"n": 1})
        dao.set_stop_reason(spec.id, 12345)  # type: ignore[arg-type]  # a value no member has
        unknown = dao.get_work_spec(spec.id)
        assert unknown is not None
        assert unknown.stop_reason is StopReason.STOP_REASON_UNKNOWN


def test_a_run_reads_its_row_without_copying_it_for_the_scheduling_mark(sim: Simulation) -> None:
    """Processor.startWork's read: the cached spec serves while only schedule_requested_at was
    written since (a run never reads it), and equals the row in every other column; any other
    written column gives the row as it is now."""
    spec = OneTimeWorkRequest.from_(Succeed).work_spec
    with WorkDatabase() as database:
        dao = database.work_spec_dao
        assert dao.get_work_spec_to_run(spec.id) is None
        dao.insert_work_spec(spec)
        cached = dao.get_work_spec(spec.id)
        assert cached is not None
        dao.mark_scheduled(spec.id, 5_000)
        to_run = dao.get_work_spec_to_run(spec.id)
        assert to_run is cached
        current = dao.get_work_spec(spec.id)
        assert current == replace(cached, schedule_requested_at=5_000)
        dao.set_state(spec.id, State.RUNNING)
        assert dao.get_work_spec_to_run(spec.id) == replace(current, state=State.RUNNING)


def test_tags_of_many_works_are_the_rows_of_one_insert_each(sim: Simulation) -> None:
    """insert_tags_of writes the rows insertTags writes for each work in turn (sorted tags,
    IGNORE on a repeat), in the same order, and the cached tags follow."""
    requests = [OneTimeWorkRequest.builder(Succeed).add_tag(tag).build() for tag in ("b", "a", "b")]

    def tag_rows(database: WorkDatabase) -> list[tuple[str, str]]:
        return database._connection.rows("SELECT tag, work_spec_id FROM worktag ORDER BY rowid")

    works = [(request.string_id, request.tags) for request in requests]
    with WorkDatabase() as one_by_one, WorkDatabase() as together:
        for database in (one_by_one, together):
            for request in requests:
                database.work_spec_dao.insert_work_spec(request.work_spec)
        for work_id, tags in [*works, works[0]]:
            one_by_one.work_tag_dao.insert_tags(work_id, tags)
        together.work_tag_dao.insert_tags_of([*works, works[0]])
        assert tag_rows(together) == tag_rows(one_by_one)
        assert len(tag_rows(together)) == 6  # the class name and one tag each
        for request in requests:
            assert together.work_tag_dao.get_tags_for_work_spec_id(request.string_id) == (
                request.tags
            )
