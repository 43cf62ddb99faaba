"""Transactions of the WorkManager database: Room's rules (_connection.py, _database.py)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.sim import Simulation
from harness.workmanager import (
    ExistingWorkPolicy,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    WorkDatabase,
    WorkManager,
)
from harness.workmanager._schema import KEY_LAST_CANCEL_ALL_TIME_MS
from tests.workmanager.workers import AlwaysFail, AlwaysRetry, Progress, Sleep, Succeed


class Statements:
    """Every statement the next opened sqlite connection runs, and whether it was in a
    transaction at the time."""

    def __init__(self) -> None:
        self.connection: sqlite3.Connection | None = None
        self.log: list[tuple[str, bool]] = []

    def on_statement(self, sql: str) -> None:
        assert self.connection is not None
        self.log.append((sql, self.connection.in_transaction))

    def writes(self) -> list[tuple[str, bool]]:
        return [(sql, inside) for sql, inside in self.log if sql.split()[0] in _WRITES]

    def commits(self) -> int:
        """``COMMIT``s, and writes outside a transaction (each commits alone)."""
        log = self.log
        return sum(
            sql == "COMMIT" or (not inside and sql.split()[0] in _WRITES) for sql, inside in log
        )

    def clear(self) -> None:
        self.log.clear()


_WRITES = {"INSERT", "UPDATE", "DELETE"}


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Statements:
    """Trace the statements of the next database harness opens (the schema script is not
    traced). Only harness's own: a coverage run with ``--cov-context=test`` opens its data file
    during the test too."""
    recorder = Statements()
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(*args, **kwargs)
        caller = str(sys._getframe(1).f_globals.get("__name__", ""))
        if recorder.connection is None and caller.startswith("harness."):
            recorder.connection = connection
            connection.set_trace_callback(recorder.on_statement)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    return recorder


def _reader(path: Path) -> list[str]:
    connection = sqlite3.connect(str(path))
    try:
        return [row[0] for row in connection.execute("SELECT `key` FROM preference")]
    finally:
        connection.close()


def test_an_on_disk_database_uses_wal(tmp_path: Path) -> None:
    """A file database is in WAL mode, Room's JournalMode.AUTOMATIC (RoomDatabase.JournalMode)."""
    with WorkDatabase(tmp_path / "work.db") as database:
        assert database.journal_mode == "wal"
    with WorkDatabase() as database:
        assert database.journal_mode == "memory"


def test_a_nested_transaction_joins_the_outer_one(tmp_path: Path) -> None:
    """Only the outermost block commits (SQLiteSession: nested beginTransaction joins)."""
    path = tmp_path / "work.db"
    with WorkDatabase(path) as database:
        preferences = database.preference_dao
        with database.transaction():
            preferences.insert_preference("a", 1)
            with database.transaction():
                preferences.insert_preference("b", 2)
            assert database.in_transaction
            assert _reader(path) == []  # another connection sees nothing yet
        assert sorted(_reader(path)) == ["a", "b"]


def test_an_exception_rolls_back_the_whole_transaction(tmp_path: Path) -> None:
    """runInTransaction: a block that raises commits nothing."""
    with WorkDatabase(tmp_path / "work.db") as database:

        def insert_then_raise() -> None:
            database.preference_dao.insert_preference("a", 1)
            raise KeyError("a")

        with pytest.raises(KeyError):
            database.run_in_transaction(insert_then_raise)
        assert database.preference_dao.get_long_value("a") is None


def test_a_failed_nested_block_fails_the_outer_transaction() -> None:
    """A nested block that raised fails the outer transaction (SQLiteSession.endTransaction)."""
    with WorkDatabase() as database:
        preferences = database.preference_dao

        def insert_then_raise() -> None:
            preferences.insert_preference("b", 2)
            raise KeyError("b")

        with database.transaction():
            preferences.insert_preference("a", 1)
            with pytest.raises(KeyError):
                database.run_in_transaction(insert_then_raise)
        assert preferences.get_long_value("a") is None
        with database.transaction():  # the next transaction starts clean
            preferences.insert_preference("c", 3)
        assert preferences.get_long_value("c") == 3


def test_run_in_transaction_returns_the_body_s_result() -> None:
    """run_in_transaction(body) is runInTransaction(Callable): the body's value comes back."""
    with WorkDatabase() as database:

        def body() -> int | None:
            database.preference_dao.insert_preference("a", 7)
            return database.preference_dao.get_long_value("a")

        assert database.run_in_transaction(body) == 7


def test_a_block_that_only_reads_opens_no_transaction(statements: Statements) -> None:
    """BEGIN is lazy: a read-only block adds no commit."""
    with WorkDatabase() as database:
        statements.clear()
        with database.transaction():
            database.work_spec_dao.get_all_unfinished_work()
        assert statements.commits() == 0
        assert [sql for sql, _inside in statements.log if sql.startswith("BEGIN")] == []


def test_an_enqueue_commits_once_then_the_scheduling_once(
    sim: Simulation, statements: Statements, tmp_path: Path
) -> None:
    """addToDatabase commits once, Schedulers.schedule once: 2 commits for 5 writes."""
    workmanager = WorkManager(sim, WorkDatabase(tmp_path / "work.db"))
    statements.clear()
    request = OneTimeWorkRequest.builder(Succeed).add_tag("a").build()
    workmanager.enqueue_unique_work("sync", ExistingWorkPolicy.KEEP, request)
    assert len(statements.writes()) == 5
    assert statements.commits() == 2


def test_every_write_of_every_operation_runs_in_a_transaction(
    sim: Simulation, statements: Statements, tmp_path: Path
) -> None:
    """No write to a database file autocommits: every WorkManager operation writes inside a
    transaction."""
    workmanager = WorkManager(sim, WorkDatabase(tmp_path / "work.db"))
    statements.clear()
    workmanager.enqueue_unique_work(
        "sync", ExistingWorkPolicy.KEEP, OneTimeWorkRequest.builder(Succeed).add_tag("t").build()
    )
    workmanager.begin_with(OneTimeWorkRequest.from_(AlwaysFail)).then(
        OneTimeWorkRequest.from_(Succeed)
    ).enqueue()
    workmanager.enqueue([OneTimeWorkRequest.from_(AlwaysRetry), OneTimeWorkRequest.from_(Progress)])
    periodic = PeriodicWorkRequest.builder(Succeed, "15m").build()
    workmanager.enqueue(periodic)
    workmanager.update_work(PeriodicWorkRequest.builder(Succeed, "1h").set_id(periodic.id).build())
    sleeper = OneTimeWorkRequest.builder(Sleep).add_tag("sleepy").build()
    workmanager.enqueue(sleeper)
    sim.run_for("1m")
    workmanager.cancel_all_work_by_tag("sleepy")
    workmanager.enqueue_unique_work(
        "sync", ExistingWorkPolicy.REPLACE, OneTimeWorkRequest.from_(Sleep)
    )
    sim.run_for("1m")
    workmanager.prune_work()
    workmanager.kill()
    second = WorkManager(sim, workmanager.database, force_stopped=True)
    sim.run_for("1h")
    workmanager.database.mark_reschedule_needed()
    second.kill()
    third = WorkManager(sim, workmanager.database)
    third.cancel_all_work()
    assert third.database.preference_dao.get_long_value(KEY_LAST_CANCEL_ALL_TIME_MS) is not None
    writes = statements.writes()
    assert len(writes) > 50
    assert [sql for sql, inside in writes if not inside] == []
    assert statements.commits() < len(writes)


def test_an_in_memory_database_starts_as_the_schema_script_makes_it(tmp_path: Path) -> None:
    """A new in-memory database (copied from one made once) holds what the schema script makes,
    enforces foreign keys, and shares nothing with another."""
    from harness.workmanager._connection import Connection
    from harness.workmanager._schema import SCHEMA

    def contents(conn: sqlite3.Connection) -> list[Any]:
        master = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [row[1] for row in master if row[0] == "table"]
        rows = [conn.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables]
        return [master, rows, conn.execute("PRAGMA user_version").fetchone()]

    scripted = sqlite3.connect(tmp_path / "scripted.db", isolation_level=None)
    scripted.executescript(SCHEMA)
    first, second = Connection(None, SCHEMA), Connection(None, SCHEMA)
    assert contents(first._conn) == contents(scripted)
    assert first._conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    first._conn.execute("CREATE TABLE only_here (x)")
    assert "only_here" not in str(contents(second._conn))


def test_in_memory_committed_column_writes_wait_for_the_next_statement(
    sim: Simulation, statements: Statements
) -> None:
    """In memory, committed column writes reach sqlite as one UPDATE per row, outside any
    transaction, just before the next statement; an insert still begins and commits."""
    workmanager = WorkManager(sim)
    request = OneTimeWorkRequest.builder(Succeed).add_tag("a").build()
    statements.clear()
    workmanager.enqueue(request)
    enqueue = [sql.split(" SET ")[0].split(" (")[0] for sql, _inside in statements.log]
    assert [sql for sql in enqueue if not sql.startswith("SELECT")] == [
        "BEGIN IMMEDIATE",
        "INSERT OR IGNORE INTO workspec",
        "INSERT OR IGNORE INTO worktag",  # the worker's class name
        "INSERT OR IGNORE INTO worktag",  # "a"
        "COMMIT",
    ]  # Schedulers.schedule's mark waits in memory
    statements.clear()
    sim.run_for("1m")
    work_id = str(request.id)
    assert workmanager.database.work_spec_dao.get_state(work_id) is State.SUCCEEDED
    # the scheduling queries after the enqueue and after the run are answered from memory
    assert statements.log == []
    workmanager.database.work_spec_dao.all_work_specs()
    # the mark, trySetRunning and the result: one UPDATE, autocommitted, before the next
    # statement
    updates = [(sql, inside) for sql, inside in statements.log if not sql.startswith("SELECT")]
    assert len(updates) == 1
    assert statements.log[-1][0].startswith("SELECT")
    assert updates[0][1] is False
    assert "state=2" in updates[0][0]
    assert "run_attempt_count=1" in updates[0][0]
    assert "schedule_requested_at=0" in updates[0][0]


def test_in_memory_a_rollback_keeps_what_was_committed_before_it() -> None:
    """In memory, column writes committed but not yet in sqlite survive a later rollback."""
    with WorkDatabase() as database, Simulation(seed=0) as sim:
        request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
        WorkManager(sim, database).enqueue(request)
        work_id = str(request.id)
        dao = database.work_spec_dao
        with database.transaction():
            dao.set_stop_reason(work_id, StopReason.STOP_REASON_TIMEOUT)  # committed in memory

        def write_then_raise() -> None:
            dao.set_state(work_id, State.RUNNING)
            raise KeyError(work_id)

        with pytest.raises(KeyError):
            database.run_in_transaction(write_then_raise)
        spec = dao.get_work_spec(work_id)
        assert spec is not None
        assert (spec.state, spec.stop_reason) == (State.ENQUEUED, StopReason.STOP_REASON_TIMEOUT)
        raw = database._connection._conn.execute(
            "SELECT state, stop_reason FROM workspec WHERE id=?", (work_id,)
        ).fetchone()
        assert raw == (0, int(StopReason.STOP_REASON_TIMEOUT))
