"""Process death, restart, force stop and the database on disk (_manager.py, ForceStopRunnable)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    StopReason,
    WorkDatabase,
    WorkManager,
)
from harness.workmanager._schema import KEY_LAST_FORCE_STOP_MS
from tests.workmanager import workers
from tests.workmanager.workers import Progress, Sleep, Succeed, SyncSleep


def test_work_survives_process_death(sim: Simulation) -> None:
    """The database belongs to the device: delayed work enqueued before a kill still runs."""
    first = WorkManager(sim)
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
    first.enqueue(request)
    sim.run_for("10m")
    first.kill()
    sim.run_for("10m")
    second = WorkManager(sim, first.database)
    sim.run_for("1h")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [3_600_000]
    work = second.get_work_info_by_id(request.id)
    assert work is not None
    assert work.state is State.SUCCEEDED


def test_running_work_is_reset_and_rerun_after_a_restart(sim: Simulation) -> None:
    """RUNNING rows become ENQUEUED with STOP_REASON_UNKNOWN, n and L kept (ForceStopRunnable)."""
    first = WorkManager(sim)
    request = OneTimeWorkRequest.from_(Sleep)
    first.enqueue(request)
    sim.run_for("10s")
    first.kill()
    sim.run_for(0)
    dead = first.database.work_spec_dao.get_work_spec(request.string_id)
    assert dead is not None
    assert (dead.state, dead.run_attempt_count) == (State.RUNNING, 1)
    assert [event[0] for event in workers.EVENTS] == ["start", "cancelled"]  # no stop callback
    sim.run_for("5m")
    second = WorkManager(sim, first.database)
    work = second.get_work_info_by_id(request.id)
    assert work is not None
    assert (work.state, work.stop_reason, work.run_attempt_count) == (
        State.ENQUEUED,
        StopReason.STOP_REASON_UNKNOWN,
        1,
    )
    stopped = sim.trace.of_kind("work.stopped")[0]
    assert (stopped.t_ms, stopped["cause"], stopped["stop_reason_value"]) == (
        310_000,
        "process_restart",
        -512,
    )
    sim.run_for("5m")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 310_000]
    finished = second.get_work_info_by_id(request.id)
    assert finished is not None
    assert (finished.state, finished.run_attempt_count) == (State.SUCCEEDED, 2)


def test_progress_is_wiped_at_restart(sim: Simulation) -> None:
    """ForceStopRunnable.cleanUp deletes all progress (workProgressDao.deleteAll)."""
    first = WorkManager(sim)
    request = OneTimeWorkRequest.from_(Progress)
    first.enqueue(request)
    sim.run_for("5s")
    first.kill()
    assert first.database.work_progress_dao.get_progress_for_work_spec_id(
        request.string_id
    ) != first.database.work_progress_dao.get_progress_for_work_spec_id("none")
    WorkManager(sim, first.database)
    assert first.database.work_progress_dao.get_progress_for_work_spec_id(
        request.string_id
    ) == first.database.work_progress_dao.get_progress_for_work_spec_id("none")


def test_a_force_stop_reschedules_everything(sim: Simulation) -> None:
    """A detected force stop reschedules all eligible work, records the time (ForceStopRunnable)."""
    first = WorkManager(sim)
    request = PeriodicWorkRequest.builder(Succeed, "1h").build()
    first.enqueue(request)
    sim.run_for("10m")
    first.kill()
    sim.run_for("3h")  # a force-stopped app: nothing runs until it is started again
    assert len(sim.trace.of_kind("work.started")) == 1
    WorkManager(sim, first.database, force_stopped=True)
    assert (
        first.database.preference_dao.get_long_value(KEY_LAST_FORCE_STOP_MS)
        == 3 * 3_600_000 + 600_000
    )
    sim.run_for(0)
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [0, 11_400_000]


def test_a_killed_workmanager_refuses_calls(sim: Simulation) -> None:
    """After process death the instance is gone; a new WorkManager is the next process."""
    workmanager = WorkManager(sim)
    workmanager.kill()
    assert not workmanager.is_alive
    with pytest.raises(InvalidRequestError, match=r"process was killed"):
        workmanager.enqueue(OneTimeWorkRequest.from_(Succeed))


def test_the_database_file_opens_with_sqlite3(sim: Simulation, tmp_path: Path) -> None:
    """The database is androidx's schema on disk; backup_to writes a copy sqlite3 opens."""
    with WorkDatabase(tmp_path / "work.db") as database:
        workmanager = WorkManager(sim, database)
        request = OneTimeWorkRequest.builder(Succeed).add_tag("t").build()
        workmanager.enqueue(request)
        sim.run_for(0)
        copy = database.backup_to(tmp_path / "copy" / "work.db")
    for path in (tmp_path / "work.db", copy):
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute(
                "SELECT id, state, run_attempt_count, worker_class_name FROM WorkSpec"
            ).fetchall()
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            connection.close()
        assert rows == [(request.string_id, 2, 1, "tests.workmanager.workers.Succeed")]
        assert {"WorkSpec", "Dependency", "WorkTag", "WorkName", "WorkProgress"} <= tables


def test_a_file_database_survives_the_python_process(sim: Simulation, tmp_path: Path) -> None:
    """Reopening the file gives back the same rows (the device's storage)."""
    path = tmp_path / "work.db"
    with WorkDatabase(path) as database:
        request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1h").build()
        WorkManager(sim, database).enqueue(request)
    with WorkDatabase(path) as reopened:
        spec = reopened.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert spec.initial_delay == 3_600_000


def test_process_death_ends_a_blocking_worker_without_a_write(sim: Simulation) -> None:
    """A killed process takes its worker threads along: no write, the row stays RUNNING."""
    first = WorkManager(sim)
    seen: list[State] = []
    first.add_listener(lambda info: seen.append(info.state))
    request = OneTimeWorkRequest.from_(SyncSleep)
    first.enqueue(request)
    sim.run_for("10s")
    first.kill()
    sim.run_for("2m")
    assert workers.EVENTS == []  # the blocking sleep never returned into do_work's next line
    spec = first.database.work_spec_dao.get_work_spec(request.string_id)
    assert spec is not None
    assert spec.state is State.RUNNING
    assert seen == [State.ENQUEUED, State.RUNNING]  # listeners died with the process
