"""The in-memory model of the rows: reads from memory, writes through at every transaction
boundary, a rollback forgets it, a kill between any two statements of a run loses nothing
committed (_row_cache.py, _connection.py)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.sim import Simulation
from harness.workmanager import (
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    WorkDatabase,
    WorkManager,
)
from harness.workmanager._schema import COLUMNS, from_row
from tests.workmanager.test_connection import Statements, statements  # noqa: F401 (a fixture)
from tests.workmanager.test_durability import _fork
from tests.workmanager.workers import AlwaysFail, AlwaysRetry, Progress, Succeed

_ENQUEUED, _RUNNING, _SUCCEEDED, _FAILED, _CANCELLED = 0, 1, 2, 3, 5


def _rows(path: Path) -> dict[str, Any]:
    """Every ``WorkSpec`` row of the file, read by another connection, by id."""
    connection = sqlite3.connect(str(path))
    try:
        rows = connection.execute(f"SELECT {COLUMNS} FROM workspec").fetchall()
        return {row[0]: from_row(row) for row in rows}
    finally:
        connection.close()


def _enqueue_mix(workmanager: WorkManager) -> None:
    """A chain that succeeds into a retrying step, a failing chain, a periodic work and a
    work that sets progress."""
    workmanager.begin_with(OneTimeWorkRequest.from_(Succeed)).then(
        OneTimeWorkRequest.from_(AlwaysRetry)
    ).enqueue()
    workmanager.begin_with(OneTimeWorkRequest.from_(AlwaysFail)).then(
        OneTimeWorkRequest.from_(Succeed)
    ).enqueue()
    workmanager.enqueue(PeriodicWorkRequest.builder(Succeed, "15m").build())
    workmanager.enqueue(OneTimeWorkRequest.from_(Progress))


def test_every_read_of_a_row_sees_what_another_connection_reads(tmp_path: Path) -> None:
    """Outside a transaction the file holds exactly the rows the DAOs return (write-through)."""
    path = tmp_path / "work.db"
    with Simulation(seed=0, patch_wall_clock=False) as sim, WorkDatabase(path) as database:
        workmanager = WorkManager(sim, database)
        _enqueue_mix(workmanager)
        for _ in range(40):
            sim.run_for("15s")
            on_file = _rows(path)
            assert on_file
            for work_id, spec in on_file.items():
                assert database.work_spec_dao.get_work_spec(work_id) == spec


def test_a_run_reads_its_row_from_memory(
    sim: Simulation,
    statements: Statements,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A one-time run issues one UPDATE per androidx transaction and reads nothing but the
    scheduling query: its row, tags, progress and (no) parents are known since the enqueue."""
    workmanager = WorkManager(sim, WorkDatabase(tmp_path / "work.db"))
    request = OneTimeWorkRequest.builder(Succeed).add_tag("a").build()
    workmanager.enqueue(request)
    statements.clear()
    sim.run_for("1m")
    log = [sql for sql, _inside in statements.log]
    assert workmanager.database.work_spec_dao.get_state(str(request.id)) is State.SUCCEEDED
    reads = [sql for sql in log if sql.startswith("SELECT")]
    assert all(sql.startswith("SELECT id FROM workspec WHERE state=0") for sql in reads), reads
    # trySetRunning, then the result: two transactions, one UPDATE each
    assert [sql.split(" SET ")[0] for sql in log if not sql.startswith("SELECT")] == [
        "BEGIN IMMEDIATE",
        "UPDATE workspec",
        "COMMIT",
        "BEGIN IMMEDIATE",
        "UPDATE workspec",
        "COMMIT",
    ]


def test_tags_inserted_again_join_the_known_ones() -> None:
    """insertTags is OnConflictStrategy.IGNORE: the tags of a work are the union of inserts."""
    with WorkDatabase() as database, Simulation(seed=0) as sim:
        request = OneTimeWorkRequest.builder(Succeed).add_tag("a").set_initial_delay("1h").build()
        WorkManager(sim, database).enqueue(request)
        work_id = str(request.id)
        with database.transaction():
            database.work_tag_dao.insert_tags(work_id, iter(["b", "a"]))
        tags = database.work_tag_dao.get_tags_for_work_spec_id(work_id)
        assert tags == {"a", "b", "tests.workmanager.workers.Succeed"}  # + the class name
        with database.transaction():
            database.work_tag_dao.delete_by_work_spec_id(work_id)
        assert database.work_tag_dao.get_tags_for_work_spec_id(work_id) == frozenset()


def test_a_rollback_forgets_the_writes_of_the_transaction() -> None:
    """runInTransaction: a block that raises leaves the row as sqlite holds it."""
    with WorkDatabase() as database, Simulation(seed=0) as sim:
        request = OneTimeWorkRequest.from_(Succeed)
        WorkManager(sim, database).enqueue(request)
        work_id = str(request.id)
        dao = database.work_spec_dao

        def write_then_raise() -> None:
            dao.set_state(work_id, State.RUNNING)
            dao.increment_run_attempt_count(work_id)
            assert dao.get_state(work_id) is State.RUNNING
            raise KeyError(work_id)

        with pytest.raises(KeyError):
            database.run_in_transaction(write_then_raise)
        spec = dao.get_work_spec(work_id)
        assert spec is not None
        assert (spec.state, spec.run_attempt_count) == (State.ENQUEUED, 0)


def test_a_statement_over_many_rows_is_seen_by_the_next_read() -> None:
    """resetScheduledState and a delete change rows the model held: the next read sees them."""
    with WorkDatabase() as database, Simulation(seed=0) as sim:
        request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
        WorkManager(sim, database).enqueue(request)
        work_id = str(request.id)
        dao = database.work_spec_dao
        assert dao.is_work_spec_scheduled(work_id)
        with database.transaction():
            dao.reset_scheduled_state()
        assert not dao.is_work_spec_scheduled(work_id)
        with database.transaction():
            dao.delete_work_spec(work_id)
        assert dao.get_work_spec(work_id) is None
        assert database.work_tag_dao.get_tags_for_work_spec_id(work_id) == frozenset()


def _consistent(rows: dict[str, Any]) -> None:
    """What androidx's transactions guarantee together (trySetRunning, onWorkFinished)."""
    for spec in rows.values():
        if spec.state is State.RUNNING:  # state, attempt count and stop reason written together
            assert spec.run_attempt_count >= 1
            assert spec.stop_reason == -256
        if spec.state is State.SUCCEEDED and spec.worker_class_name.endswith("Succeed"):
            assert spec.output.to_json() == {"done": True}
        if spec.state is State.FAILED and spec.worker_class_name.endswith("AlwaysFail"):
            assert spec.output.to_json() == {"error": "boom"}


def _run_killed(path: Path, kill_at: int, count_file: Path) -> None:
    """In the child: run the works for a minute with statement ``kill_at`` replaced by SIGKILL."""
    connections: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(*args, **kwargs)
        connections.append(connection)
        return connection

    sqlite3.connect = connect  # type: ignore[assignment]  # this process only
    count = 0

    def on_statement(_sql: str) -> None:
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with Simulation(seed=0, patch_wall_clock=False) as sim:
        database = WorkDatabase(path)
        connections[0].set_trace_callback(on_statement)
        WorkManager(sim, database)
        sim.run_for("1m")
        connections[0].set_trace_callback(None)
    count_file.write_text(str(count))


def _outcome(path: Path) -> dict[str, tuple[State, str]]:
    """Restart WorkManager on the file and run for an hour: each work's state and worker (the
    in-process test scheduler's timers died with the process: the restart reschedules all, as
    ``ForceStopRunnable`` does after a force stop)."""
    with Simulation(seed=0, patch_wall_clock=False) as sim, WorkDatabase(path) as database:
        WorkManager(sim, database, force_stopped=True)
        sim.run_for("1h")
    return {
        work_id: (spec.state, spec.worker_class_name.rsplit(".", 1)[-1])
        for work_id, spec in _rows(path).items()
    }


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_kill_between_any_two_statements_of_runs_loses_nothing_committed(
    tmp_path: Path,
) -> None:
    """A process killed anywhere in its runs leaves the rows of a committed transaction, and a
    restart brings every work to the outcome of an unkilled run (Room's runInTransaction)."""
    base = tmp_path / "base.db"
    with Simulation(seed=0, patch_wall_clock=False) as sim, WorkDatabase(base) as database:
        workmanager = WorkManager(sim, database)
        _enqueue_mix(workmanager)
        workmanager.kill()  # enqueued, nothing run yet

    count_file = tmp_path / "count"
    error_file = tmp_path / "error"
    complete = tmp_path / "complete.db"
    shutil.copy(base, complete)
    status = _fork(lambda: _run_killed(complete, 0, count_file), error_file)
    assert os.WIFEXITED(status), status
    assert os.WEXITSTATUS(status) == 0, error_file.read_text()
    total = int(count_file.read_text())
    expected = _outcome(complete)
    assert {state for state, _worker in expected.values()} >= {State.SUCCEEDED, State.FAILED}

    for kill_at in range(1, total + 1):
        path = tmp_path / f"killed-at-{kill_at}.db"
        shutil.copy(base, path)
        status = _fork(lambda: _run_killed(path, kill_at, count_file), error_file)  # noqa: B023
        assert os.WIFSIGNALED(status), error_file.read_text() if error_file.exists() else status
        _consistent(_rows(path))
        assert _outcome(path) == expected, f"killed before statement {kill_at} of {total}"
        path.unlink()


@pytest.mark.parametrize(
    "query",
    [
        "WHERE state=0 ORDER BY last_enqueue_time LIMIT 200",
        "WHERE state=0 AND schedule_requested_at=-1 ORDER BY last_enqueue_time LIMIT (SELECT "
        "MAX(20-COUNT(*), 0) FROM workspec WHERE schedule_requested_at<>-1 AND "
        "LENGTH(content_uri_triggers)=0 AND state NOT IN (2, 3, 5))",
    ],
)
def test_the_scheduling_queries_read_ids_in_the_order_of_the_full_rows(query: str) -> None:
    """getEligibleWorkForScheduling and getAllEligibleWorkSpecsForScheduling select ids with
    the plan (so the row order) of androidx's full-row query; the rows come from the cache."""
    with WorkDatabase() as database:
        connection = database._connection._conn

        def plan(columns: str) -> list[str]:
            rows = connection.execute(f"EXPLAIN QUERY PLAN SELECT {columns} FROM workspec {query}")
            return [row[3] for row in rows]

        assert plan("id") == plan(COLUMNS)


def test_the_scheduling_queries_give_the_rows_of_a_full_row_read(sim: Simulation) -> None:
    """The rows the scheduling queries return equal the same query's full rows, in order."""
    workmanager = WorkManager(sim)
    for delay in ("1h", "1m", "1h", "2h", "1m"):
        workmanager.enqueue(OneTimeWorkRequest.builder(Succeed).set_initial_delay(delay).build())
    dao = workmanager.database.work_spec_dao
    assert dao.get_all_eligible_work_specs_for_scheduling(200) == dao._specs(
        f"SELECT {COLUMNS} FROM workspec WHERE state=0 ORDER BY last_enqueue_time LIMIT 200"
    )


def test_the_greedy_query_steps_over_no_finished_row(sim: Simulation) -> None:
    """getAllEligibleWorkSpecsForScheduling reads a partial index of ENQUEUED rows in the order
    of Room's last_enqueue_time index: FIFO, equal times in row order."""
    with WorkDatabase() as database:
        rows = database._connection.rows(
            "EXPLAIN QUERY PLAN SELECT id FROM workspec WHERE state=0 "
            "ORDER BY last_enqueue_time LIMIT 200"
        )
        assert [row[3] for row in rows] == [
            "SCAN workspec USING INDEX index_harness_WorkSpec_enqueued"
        ]
        dao = database.work_spec_dao
        times = [5, 3, 5, 1, 3, 5, 0, 3]
        specs = [
            replace(OneTimeWorkRequest.from_(Succeed).work_spec, last_enqueue_time=t) for t in times
        ]
        with database.transaction():
            for spec in specs:
                dao.insert_work_spec(spec)
            dao.set_state(specs[1].id, State.SUCCEEDED)
        expected = sorted(
            (spec for index, spec in enumerate(specs) if index != 1),
            key=lambda spec: spec.last_enqueue_time,
        )
        assert [spec.id for spec in dao.get_all_eligible_work_specs_for_scheduling(200)] == [
            spec.id for spec in expected
        ]


def test_work_records_are_the_same_with_or_without_a_listener() -> None:
    """Without a WorkInfo listener no WorkInfo is built, and each work.* record is unchanged."""

    def records(listen: bool) -> list[str]:
        with Simulation(seed=0) as sim:
            workmanager = WorkManager(sim)
            heard: list[object] = []
            if listen:
                workmanager.add_listener(heard.append)
            _enqueue_mix(workmanager)
            sim.run_for("1h")
            assert bool(heard) is listen
            return [record.to_json() for record in sim.trace if record.kind.startswith("work.")]

    assert records(listen=False) == records(listen=True)
