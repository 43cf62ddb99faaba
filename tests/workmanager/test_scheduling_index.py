"""The scheduling query's answer kept in memory: the same ids, in the same order, as sqlite's
(_scheduling_index.py, through the row cache and WorkSpecDao)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.workmanager import State, WorkDatabase
from harness.workmanager._constraints import Constraints, ContentUriTrigger
from harness.workmanager._spec import WorkSpec
from harness.workmanager._work_spec_dao import ELIGIBLE_FOR_SCHEDULING

_STATES = [State.ENQUEUED, State.RUNNING, State.SUCCEEDED, State.FAILED, State.BLOCKED]
_TRIGGERS = Constraints(content_uri_triggers=(ContentUriTrigger("content://media/x"),))

#: One step on a database: (what, which row (an index into the rows so far), a value).
_Step = tuple[str, int, int]

_steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "insert",
                "insert",
                "insert_with_triggers",
                "state",
                "mark",
                "unmark",
                "enqueue_time",
                "delete",
                "update",
                "update_enqueued",
                "reset_scheduled",
                "rollback",
            ]
        ),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=40,
)


def _spec(number: int, last_enqueue_time: int, **fields: object) -> WorkSpec:
    """A one-time work's row (ids in insertion order, so ties are easy to read)."""
    return replace(
        WorkSpec(id=f"00000000-0000-4000-8000-{number:012d}", worker_class_name="w.Worker"),
        last_enqueue_time=last_enqueue_time,
        **fields,  # type: ignore[arg-type]
    )


def _by_sql(database: WorkDatabase, limit: int) -> list[str]:
    """``getEligibleWorkForScheduling``'s ids as sqlite answers the query."""
    return [row[0] for row in database._connection.rows(ELIGIBLE_FOR_SCHEDULING, (limit,))]


def _apply(database: WorkDatabase, specs: list[WorkSpec], step: _Step) -> None:
    dao = database.work_spec_dao
    what, which, value = step
    if what.startswith("insert"):
        spec = _spec(
            len(specs),
            value,  # few distinct times: ties are ordered by rowid
            state=State.ENQUEUED if which % 3 else _STATES[value],
            constraints=_TRIGGERS if what == "insert_with_triggers" else Constraints.NONE,
        )
        dao.insert_work_spec(spec)
        specs.append(spec)
        return
    if not specs:
        return
    work_id = specs[which % len(specs)].id
    if what == "state":
        dao.set_state(work_id, _STATES[value])
    elif what == "mark":
        dao.mark_scheduled(work_id, value)
    elif what == "unmark":
        dao.mark_scheduled(work_id, -1)
    elif what == "enqueue_time":
        dao.set_last_enqueue_time(work_id, value)
    elif what == "delete":
        dao.delete_work_spec(work_id)
    elif what == "update":
        stored = dao.get_work_spec(work_id)
        if stored is not None:
            dao.update_work_spec(replace(stored, last_enqueue_time=value, schedule_requested_at=-1))
    elif what == "update_enqueued":
        stored = dao.get_work_spec(work_id)
        if stored is not None:
            dao.update_work_spec(replace(stored, state=State.ENQUEUED, last_enqueue_time=value))
    elif what == "reset_scheduled":
        dao.reset_scheduled_state()
    else:  # a transaction of writes that rolls back

        def rolled_back() -> None:
            with database.transaction():
                dao.set_state(work_id, State.ENQUEUED)
                dao.mark_scheduled(work_id, -1)
                dao.get_all_eligible_work_specs_for_scheduling_cached(2)  # read inside, too
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            rolled_back()


@given(steps=_steps, limit=st.integers(min_value=1, max_value=6))
@settings(max_examples=150, deadline=None)
def test_the_index_answers_both_scheduling_queries_as_sqlite_does(
    steps: list[_Step], limit: int
) -> None:
    """getEligibleWorkForScheduling from memory returns the query's ids in its order (FIFO by
    last enqueue time, then row order), at most the limit minus the scheduled unfinished rows
    without content URI triggers, and getAllEligibleWorkSpecsForScheduling (GreedyScheduler's)
    the rows sqlite gives for every limit, after any mix of inserts, column writes, deletes,
    whole-row updates, many-row statements and rollbacks."""
    with WorkDatabase() as database:
        dao = database.work_spec_dao
        specs: list[WorkSpec] = []
        for index, step in enumerate(steps):
            _apply(database, specs, step)
            for greedy_limit in (1, 2, 3, 200):
                assert dao.get_all_eligible_work_specs_for_scheduling_cached(
                    greedy_limit
                ) == dao.get_all_eligible_work_specs_for_scheduling(greedy_limit)
            if index % 3 == 0:  # several writes between these reads, too
                answer = [spec.id for spec in dao.get_eligible_work_for_scheduling(limit)]
                assert answer == _by_sql(database, limit)
        answer = [spec.id for spec in dao.get_eligible_work_for_scheduling(limit)]
        assert answer == _by_sql(database, limit)


def test_an_existing_file_is_scanned_once(tmp_path: Path) -> None:
    """A database opened on a file that already holds rows builds the index from one scan,
    and gives the rows of the query's answer."""
    path = tmp_path / "work.db"
    with WorkDatabase(path) as database:
        specs = [_spec(number, time) for number, time in enumerate((3, 1, 3, 2))]
        with database.transaction():
            for spec in specs:
                database.work_spec_dao.insert_work_spec(spec)
    with WorkDatabase(path) as database:
        dao = database.work_spec_dao
        expected = _by_sql(database, 3)
        assert [specs[1].id, specs[3].id, specs[0].id] == expected
        assert dao.get_eligible_work_for_scheduling(3) == [dao.get_work_spec(i) for i in expected]
        assert database._connection.cache.scheduling is not None
        dao.mark_scheduled(specs[1].id, 5)  # one slot of three taken: two left
        assert [spec.id for spec in dao.get_eligible_work_for_scheduling(3)] == [
            specs[3].id,
            specs[0].id,
        ]


def test_the_query_reads_its_partial_index_in_order() -> None:
    """sqlite answers the query from the partial index's order, (last_enqueue_time, rowid),
    without sorting: the order the in-memory index keeps."""
    with WorkDatabase() as database:
        plan = database._connection.rows(f"EXPLAIN QUERY PLAN {ELIGIBLE_FOR_SCHEDULING}", (20,))
        details = [row[3] for row in plan]
        assert details[-1] == (
            "SEARCH workspec USING INDEX index_harness_WorkSpec_unscheduled_enqueued "
            "(state=? AND schedule_requested_at=?)"
        )
        assert not any("TEMP B-TREE" in detail for detail in details)


def test_only_scheduled_unfinished_rows_without_content_uri_triggers_take_slots() -> None:
    """The limit counts rows marked scheduled that are unfinished and have no content URI
    triggers (``LENGTH(content_uri_triggers)=0 AND state NOT IN COMPLETED_STATES``)."""
    with WorkDatabase() as database:
        dao = database.work_spec_dao
        taking = _spec(0, 1, schedule_requested_at=7)
        with_triggers = _spec(1, 1, schedule_requested_at=7, constraints=_TRIGGERS)
        finished = _spec(2, 1, schedule_requested_at=7, state=State.SUCCEEDED)
        waiting = [_spec(number, 2) for number in range(3, 7)]
        for spec in (taking, with_triggers, finished, *waiting):
            dao.insert_work_spec(spec)
        assert [spec.id for spec in dao.get_eligible_work_for_scheduling(3)] == [
            waiting[0].id,
            waiting[1].id,
        ]
        dao.set_state(taking.id, State.FAILED)  # its slot is free again
        dao.mark_scheduled(with_triggers.id, 9)  # still takes none
        assert [spec.id for spec in dao.get_eligible_work_for_scheduling(3)] == [
            spec.id for spec in waiting[:3]
        ]
        assert _by_sql(database, 3) == [spec.id for spec in waiting[:3]]
