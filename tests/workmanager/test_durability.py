"""A real process killed between any two statements of an enqueue (_connection.py, WAL).

Each case prepares an on-disk database, then forks a child process that opens it, starts
WorkManager and enqueues unique work through the public API while a ``sqlite3`` trace callback
counts statements and sends the child ``SIGKILL`` just before statement *N*, for every *N* of
the operation. The test process then reopens the file: it must hold exactly the state before the
enqueue or the state after it (``EnqueueRunnable.addToDatabase`` is one transaction), and a
later KEEP enqueue must leave exactly one active work.

Marking work scheduled is its own transaction after the enqueue (``Schedulers.schedule``), as
on Android, so ``schedule_requested_at`` is left out of the compared state.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import sys
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.sim import Simulation
from harness.workmanager import ExistingWorkPolicy, OneTimeWorkRequest, WorkDatabase, WorkManager
from tests.workmanager.workers import Succeed

NAME = "sync"
NEW_ID = uuid.UUID(int=1)
OLD_ID = uuid.UUID(int=2)
KEEP_ID = uuid.UUID(int=3)

Operation = Callable[[WorkManager], None]


def _request(work_id: uuid.UUID) -> OneTimeWorkRequest:
    return (
        OneTimeWorkRequest.builder(Succeed)
        .set_id(work_id)
        .add_tag("upload")
        .set_initial_delay("1h")
        .build()
    )


def _nothing(workmanager: WorkManager) -> None:
    del workmanager


def _one_named(workmanager: WorkManager) -> None:
    workmanager.enqueue_unique_work(NAME, ExistingWorkPolicy.KEEP, _request(OLD_ID))


def _enqueue(policy: ExistingWorkPolicy) -> Operation:
    def operation(workmanager: WorkManager) -> None:
        workmanager.enqueue_unique_work(NAME, policy, _request(NEW_ID))

    return operation


@dataclass(frozen=True, slots=True)
class Case:
    """A database before the operation, and the operation."""

    prepare: Operation
    operation: Operation


CASES = {
    "keep-on-empty": Case(_nothing, _enqueue(ExistingWorkPolicy.KEEP)),
    "replace-a-work": Case(_one_named, _enqueue(ExistingWorkPolicy.REPLACE)),
    "append-to-a-work": Case(_one_named, _enqueue(ExistingWorkPolicy.APPEND)),
}


def _state(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted; ``schedule_requested_at`` left out (see above)."""
    connection = sqlite3.connect(str(path))
    try:
        columns = [
            row[1]
            for row in connection.execute("PRAGMA table_info(workspec)")
            if row[1] != "schedule_requested_at"
        ]
        state = {"workspec": connection.execute(f"SELECT {', '.join(columns)} FROM workspec")}
        for table in ("dependency", "worktag", "workname", "workprogress", "preference"):
            state[table] = connection.execute(f"SELECT * FROM {table}")
        return {table: sorted(cursor.fetchall()) for table, cursor in state.items()}
    finally:
        connection.close()


def _run_operation(path: Path, operation: Operation, kill_at: int, count_file: Path) -> None:
    """In the child: open the file, start WorkManager, run the operation with statement
    ``kill_at`` (1-based) replaced by SIGKILL; write the operation's statement count."""
    connections: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(*args, **kwargs)
        connections.append(connection)
        return connection

    sqlite3.connect = connect  # type: ignore[assignment]  # this process only
    statements = 0

    def on_statement(_sql: str) -> None:
        nonlocal statements
        statements += 1
        if statements == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with Simulation(seed=0, patch_wall_clock=False) as sim:
        database = WorkDatabase(path)
        workmanager = WorkManager(sim, database)
        (connection,) = connections
        connection.set_trace_callback(on_statement)
        operation(workmanager)
        connection.set_trace_callback(None)
    count_file.write_text(str(statements))


def _fork(body: Callable[[], None], error_file: Path) -> int:
    """Run ``body`` in a forked child process; returns its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        # The child ends in os._exit and never saves coverage data: stop the inherited tracer
        # (pytest-cov's), which would only slow the child's run several times over.
        sys.settrace(None)
        threading.settrace(None)
        code = 0
        try:
            body()
        except BaseException:
            error_file.write_text(traceback.format_exc())
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def _active_after_keep(path: Path) -> list[str]:
    """Enqueue KEEP under the name on the reopened file; the ids ENQUEUED or RUNNING after."""
    with Simulation(seed=0, patch_wall_clock=False) as sim, WorkDatabase(path) as database:
        workmanager = WorkManager(sim, database)
        workmanager.enqueue_unique_work(NAME, ExistingWorkPolicy.KEEP, _request(KEEP_ID))
    connection = sqlite3.connect(str(path))
    try:  # ENQUEUED = 0, RUNNING = 1 (WorkTypeConverters.StateIds)
        return [row[0] for row in connection.execute("SELECT id FROM workspec WHERE state<2")]
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_a_kill_between_any_two_statements_leaves_the_old_or_the_new_state(
    tmp_path: Path, case_name: str
) -> None:
    """A killed enqueue leaves all its rows or none (EnqueueRunnable's one transaction)."""
    case = CASES[case_name]
    base = tmp_path / "base.db"
    with Simulation(seed=0, patch_wall_clock=False) as sim, WorkDatabase(base) as database:
        case.prepare(WorkManager(sim, database))
    old = _state(base)

    count_file = tmp_path / "count"
    error_file = tmp_path / "error"
    complete = tmp_path / "complete.db"
    shutil.copy(base, complete)
    status = _fork(lambda: _run_operation(complete, case.operation, 0, count_file), error_file)
    assert os.WIFEXITED(status), status
    assert os.WEXITSTATUS(status) == 0, error_file.read_text()
    new = _state(complete)
    assert new != old
    statements = int(count_file.read_text())

    for kill_at in range(1, statements + 1):
        path = tmp_path / f"killed-at-{kill_at}.db"
        shutil.copy(base, path)
        status = _fork(
            lambda: _run_operation(path, case.operation, kill_at, count_file),  # noqa: B023
            error_file,
        )
        assert os.WIFSIGNALED(status), error_file.read_text() if error_file.exists() else status
        assert os.WTERMSIG(status) == signal.SIGKILL
        found = _state(path)
        assert found in (old, new), f"killed before statement {kill_at} of {statements}: {found}"
        assert len(_active_after_keep(path)) == 1, f"killed before statement {kill_at}"
