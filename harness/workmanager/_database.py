"""``WorkDatabase``: WorkManager's sqlite database, owned by the device, not the app process.

The schema mirrors androidx's Room schema (``W/impl/WorkDatabase.kt``; the ``CREATE TABLE``
statements of 2.10, with ``trace_tag``): tables ``WorkSpec``, ``Dependency``, ``WorkTag``,
``WorkName``, ``WorkProgress``, ``SystemIdInfo`` and ``Preference``, foreign keys with
``ON DELETE CASCADE``, enums stored as their ordinals and ``Data`` as its exact V1 bytes. The
queries are the ``WorkSpecDao``/``DependencyDao`` ones (``W/impl/model/``), cited per method.

Times are virtual milliseconds since the scenario epoch (not Unix time). The database lives in
memory by default; give a path to keep it on disk, or call :meth:`WorkDatabase.backup_to` to
write a copy that ``sqlite3`` opens. A ``WorkManager`` instance (a process) comes and goes; the
database outlives it, as on a phone, so work survives process death and reboot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.workmanager._data import Data
from harness.workmanager._enums import State, StopReason
from harness.workmanager._info import WorkInfo, WorkQuery
from harness.workmanager._schedule import PRUNE_THRESHOLD_MILLIS, SCHEDULE_NOT_REQUESTED_YET
from harness.workmanager._schema import (
    COLUMNS as _COLUMNS,
)
from harness.workmanager._schema import (
    COMPLETED as _COMPLETED,
)
from harness.workmanager._schema import (
    INSERT as _INSERT,
)
from harness.workmanager._schema import (
    KEY_RESCHEDULE_NEEDED,
    from_row,
    to_row,
)
from harness.workmanager._schema import (
    SCHEMA as _SCHEMA,
)
from harness.workmanager._schema import (
    UPDATE as _UPDATE,
)
from harness.workmanager._spec import WorkSpec


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


class WorkDatabase:
    """WorkManager's persistent state: work specs, chains, tags, unique names, progress.

    ``WorkDatabase()`` is in memory; ``WorkDatabase(path)`` is a file that survives the Python
    process too. Close it when the device is done with it (or use it as a context manager).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = None if path is None else Path(path)
        target = ":memory:" if self._path is None else str(self._path)
        # Lockstep worker threads (sync Workers) touch the database while the loop thread waits.
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA foreign_keys = ON")
        if self._path is not None:
            self._conn.execute("PRAGMA synchronous = OFF")  # virtual devices lose no power
        self._conn.executescript(_SCHEMA)

    @property
    def path(self) -> Path | None:
        """The file the database lives in, or ``None`` in memory."""
        return self._path

    def close(self) -> None:
        """Close the connection (the file, if any, stays)."""
        self._conn.close()

    def __enter__(self) -> WorkDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def backup_to(self, path: str | Path) -> Path:
        """Write a consistent copy to ``path`` (a sqlite file anyone can open); returns it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(str(target))
        try:
            self._conn.backup(destination)
        finally:
            destination.close()
        return target

    def _all(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        return self._conn.execute(sql, tuple(parameters)).fetchall()

    def _one(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        return self._conn.execute(sql, tuple(parameters)).fetchone()

    def _run(self, sql: str, parameters: Sequence[object] = ()) -> int:
        return self._conn.execute(sql, tuple(parameters)).rowcount

    def _specs(self, sql: str, parameters: Sequence[object] = ()) -> list[WorkSpec]:
        return [from_row(row) for row in self._all(sql, parameters)]

    # --- WorkSpecDao --------------------------------------------------------------------------

    def insert_work_spec(self, spec: WorkSpec) -> bool:
        """``insertWorkSpec`` (``OnConflictStrategy.IGNORE``); ``False`` if the id existed."""
        return self._run(_INSERT, to_row(spec)) == 1

    def update_work_spec(self, spec: WorkSpec) -> None:
        """``updateWorkSpec``: overwrite every column of the row with ``spec``'s id."""
        row = to_row(spec)
        self._run(_UPDATE, (*row[1:], row[0]))

    def delete_work_spec(self, work_spec_id: str) -> None:
        """``delete``; tags, names, dependencies and progress go with it (cascade)."""
        self._run("DELETE FROM workspec WHERE id=?", (work_spec_id,))

    def get_work_spec(self, work_spec_id: str) -> WorkSpec | None:
        """``getWorkSpec``."""
        row = self._one(f"SELECT {_COLUMNS} FROM workspec WHERE id=?", (work_spec_id,))
        return None if row is None else from_row(row)

    def get_state(self, work_spec_id: str) -> State | None:
        """``getState``."""
        row = self._one("SELECT state FROM workspec WHERE id=?", (work_spec_id,))
        return None if row is None else State(row[0])

    def set_state(self, work_spec_id: str, state: State) -> None:
        """``setState``."""
        self._run("UPDATE workspec SET state=? WHERE id=?", (int(state), work_spec_id))

    def set_cancelled_state(self, work_spec_id: str) -> None:
        """``setCancelledState``: stop reason 1 only if RUNNING *now*, else -256."""
        self._run(
            "UPDATE workspec SET stop_reason = CASE WHEN state=1 THEN 1 ELSE -256 END, state=5 "
            "WHERE id=?",
            (work_spec_id,),
        )

    def set_output(self, work_spec_id: str, output: Data) -> None:
        """``setOutput``."""
        self._run("UPDATE workspec SET output=? WHERE id=?", (output.to_byte_array(), work_spec_id))

    def set_last_enqueue_time(self, work_spec_id: str, enqueue_time: int) -> None:
        """``setLastEnqueueTime``."""
        self._run(
            "UPDATE workspec SET last_enqueue_time=? WHERE id=?", (enqueue_time, work_spec_id)
        )

    def increment_run_attempt_count(self, work_spec_id: str) -> None:
        """``incrementWorkSpecRunAttemptCount``."""
        self._run(
            "UPDATE workspec SET run_attempt_count=run_attempt_count+1 WHERE id=?",
            (work_spec_id,),
        )

    def reset_run_attempt_count(self, work_spec_id: str) -> None:
        """``resetWorkSpecRunAttemptCount``."""
        self._run("UPDATE workspec SET run_attempt_count=0 WHERE id=?", (work_spec_id,))

    def increment_period_count(self, work_spec_id: str) -> None:
        """``incrementPeriodCount``."""
        self._run("UPDATE workspec SET period_count=period_count+1 WHERE id=?", (work_spec_id,))

    def set_next_schedule_time_override(self, work_spec_id: str, override_ms: int) -> None:
        """``setNextScheduleTimeOverride``."""
        self._run(
            "UPDATE workspec SET next_schedule_time_override=? WHERE id=?",
            (override_ms, work_spec_id),
        )

    def reset_next_schedule_time_override(
        self, work_spec_id: str, override_generation: int
    ) -> None:
        """``resetWorkSpecNextScheduleTimeOverride``: only if the override generation matches."""
        self._run(
            "UPDATE workspec SET next_schedule_time_override=9223372036854775807 "
            "WHERE (id=? AND next_schedule_time_override_generation=?)",
            (work_spec_id, override_generation),
        )

    def mark_scheduled(self, work_spec_id: str, start_time: int) -> None:
        """``markWorkSpecScheduled`` (``-1`` = not scheduled)."""
        self._run(
            "UPDATE workspec SET schedule_requested_at=? WHERE id=?", (start_time, work_spec_id)
        )

    def reset_scheduled_state(self) -> None:
        """``resetScheduledState``: every unfinished row becomes unscheduled."""
        self._run(f"UPDATE workspec SET schedule_requested_at=-1 WHERE state NOT IN {_COMPLETED}")

    def set_stop_reason(self, work_spec_id: str, stop_reason: StopReason) -> None:
        """``setStopReason``."""
        self._run("UPDATE workspec SET stop_reason=? WHERE id=?", (int(stop_reason), work_spec_id))

    def get_work_spec_id_and_states_for_name(self, name: str) -> list[tuple[str, State]]:
        """``getWorkSpecIdAndStatesForName``."""
        rows = self._all(
            "SELECT id, state FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM workname WHERE name=?)",
            (name,),
        )
        return [(row[0], State(row[1])) for row in rows]

    def get_inputs_from_prerequisites(self, work_spec_id: str) -> list[Data]:
        """``getInputsFromPrerequisites``: the parents' outputs, in the database's order."""
        rows = self._all(
            "SELECT output FROM workspec WHERE id IN "
            "(SELECT prerequisite_id FROM dependency WHERE work_spec_id=?)",
            (work_spec_id,),
        )
        return [Data.from_byte_array(row[0]) for row in rows]

    def get_unfinished_work_with_tag(self, tag: str) -> list[str]:
        """``getUnfinishedWorkWithTag``."""
        return [
            row[0]
            for row in self._all(
                f"SELECT id FROM workspec WHERE state NOT IN {_COMPLETED} AND id IN "
                "(SELECT work_spec_id FROM worktag WHERE tag=?)",
                (tag,),
            )
        ]

    def get_unfinished_work_with_name(self, name: str) -> list[str]:
        """``getUnfinishedWorkWithName``."""
        return [
            row[0]
            for row in self._all(
                f"SELECT id FROM workspec WHERE state NOT IN {_COMPLETED} AND id IN "
                "(SELECT work_spec_id FROM workname WHERE name=?)",
                (name,),
            )
        ]

    def get_all_unfinished_work(self) -> list[str]:
        """``getAllUnfinishedWork``."""
        return [
            row[0] for row in self._all(f"SELECT id FROM workspec WHERE state NOT IN {_COMPLETED}")
        ]

    def get_eligible_work_for_scheduling(self, scheduler_limit: int) -> list[WorkSpec]:
        """``getEligibleWorkForScheduling``: unscheduled ENQUEUED rows, FIFO by last enqueue
        time, at most the free slots (``limit`` minus scheduled unfinished rows)."""
        return self._specs(
            f"SELECT {_COLUMNS} FROM workspec WHERE state=0 AND schedule_requested_at=-1 "
            "ORDER BY last_enqueue_time LIMIT (SELECT MAX(?-COUNT(*), 0) FROM workspec WHERE "
            "schedule_requested_at<>-1 AND LENGTH(content_uri_triggers)=0 AND state NOT IN "
            f"{_COMPLETED})",
            (scheduler_limit,),
        )

    def get_all_eligible_work_specs_for_scheduling(self, max_limit: int) -> list[WorkSpec]:
        """``getAllEligibleWorkSpecsForScheduling``: every ENQUEUED row, FIFO, for greedy."""
        return self._specs(
            f"SELECT {_COLUMNS} FROM workspec WHERE state=0 ORDER BY last_enqueue_time LIMIT ?",
            (max_limit,),
        )

    def is_work_spec_scheduled(self, work_spec_id: str) -> bool:
        """``isWorkSpecScheduled``: ENQUEUED and marked scheduled."""
        row = self._one(
            "SELECT COUNT(*) > 0 FROM workspec WHERE id=? AND state=0 "
            "AND schedule_requested_at<>-1",
            (work_spec_id,),
        )
        return bool(row[0])

    def get_running_work(self) -> list[WorkSpec]:
        """``getRunningWork``."""
        return self._specs(f"SELECT {_COLUMNS} FROM workspec WHERE state=1")

    def get_scheduled_unfinished_ids(self) -> list[str]:
        """Unfinished rows marked scheduled (what a scheduler should still hold)."""
        return [
            row[0]
            for row in self._all(
                f"SELECT id FROM workspec WHERE state NOT IN {_COMPLETED} "
                f"AND schedule_requested_at<>{SCHEDULE_NOT_REQUESTED_YET}"
            )
        ]

    def all_work_specs(self) -> list[WorkSpec]:
        """Every row, in insertion order (for inspection and tests)."""
        return self._specs(f"SELECT {_COLUMNS} FROM workspec ORDER BY rowid")

    # --- pruning ------------------------------------------------------------------------------

    def prunable_on_open(self, now_ms: int) -> list[str]:
        """Ids ``CleanupCallback.onOpen`` would delete at ``now_ms`` (not deleted here)."""
        return [
            row[0]
            for row in self._all(
                f"SELECT id FROM workspec WHERE state IN {_COMPLETED} AND "
                "(last_enqueue_time + minimum_retention_duration) < ? AND (SELECT COUNT(*)=0 FROM "
                "dependency WHERE prerequisite_id=id AND work_spec_id NOT IN (SELECT id FROM "
                f"workspec WHERE state IN {_COMPLETED}))",
                (now_ms - PRUNE_THRESHOLD_MILLIS,),
            )
        ]

    def prunable(self) -> list[str]:
        """Ids ``pruneFinishedWorkWithZeroDependentsIgnoringKeepForAtLeast`` would delete."""
        return [
            row[0]
            for row in self._all(
                f"SELECT id FROM workspec WHERE state IN {_COMPLETED} AND (SELECT COUNT(*)=0 "
                "FROM dependency WHERE prerequisite_id=id AND work_spec_id NOT IN (SELECT id FROM "
                f"workspec WHERE state IN {_COMPLETED}))"
            )
        ]

    def delete_work_specs(self, work_spec_ids: Sequence[str]) -> None:
        """Delete these rows (and, by cascade, their tags, names, dependencies and progress)."""
        if work_spec_ids:
            self._run(
                f"DELETE FROM workspec WHERE id IN ({_placeholders(work_spec_ids)})",
                work_spec_ids,
            )

    # --- DependencyDao, WorkTagDao, WorkNameDao, WorkProgressDao, PreferenceDao -------------

    def get_prerequisite_states(self, work_spec_id: str) -> list[tuple[str, State]]:
        """The prerequisites of ``work_spec_id`` and their states (``DependencyDao``)."""
        rows = self._all(
            "SELECT id, state FROM workspec WHERE id IN "
            "(SELECT prerequisite_id FROM dependency WHERE work_spec_id=?) ORDER BY id",
            (work_spec_id,),
        )
        return [(row[0], State(row[1])) for row in rows]

    def insert_dependency(self, work_spec_id: str, prerequisite_id: str) -> None:
        """``insertDependency`` (IGNORE on conflict)."""
        self._run(
            "INSERT OR IGNORE INTO dependency (work_spec_id, prerequisite_id) VALUES (?, ?)",
            (work_spec_id, prerequisite_id),
        )

    def has_dependents(self, work_spec_id: str) -> bool:
        """``hasDependents``."""
        row = self._one(
            "SELECT COUNT(*)>0 FROM dependency WHERE prerequisite_id=?", (work_spec_id,)
        )
        return bool(row[0])

    def get_dependent_work_ids(self, work_spec_id: str) -> list[str]:
        """``getDependentWorkIds``."""
        return [
            row[0]
            for row in self._all(
                "SELECT work_spec_id FROM dependency WHERE prerequisite_id=?", (work_spec_id,)
            )
        ]

    def get_prerequisites(self, work_spec_id: str) -> list[str]:
        """``getPrerequisites``."""
        return [
            row[0]
            for row in self._all(
                "SELECT prerequisite_id FROM dependency WHERE work_spec_id=?", (work_spec_id,)
            )
        ]

    def has_completed_all_prerequisites(self, work_spec_id: str) -> bool:
        """``hasCompletedAllPrerequisites``: every prerequisite SUCCEEDED."""
        row = self._one(
            "SELECT COUNT(*)=0 FROM dependency WHERE work_spec_id=? AND prerequisite_id IN "
            "(SELECT id FROM workspec WHERE state!=2)",
            (work_spec_id,),
        )
        return bool(row[0])

    def insert_tags(self, work_spec_id: str, tags: Iterable[str]) -> None:
        """``WorkTagDao.insertTags``."""
        self._conn.executemany(
            "INSERT OR IGNORE INTO worktag (tag, work_spec_id) VALUES (?, ?)",
            [(tag, work_spec_id) for tag in sorted(tags)],
        )

    def delete_tags(self, work_spec_id: str) -> None:
        """``WorkTagDao.deleteByWorkSpecId``."""
        self._run("DELETE FROM worktag WHERE work_spec_id=?", (work_spec_id,))

    def get_tags(self, work_spec_id: str) -> frozenset[str]:
        """``getTagsForWorkSpecId``."""
        rows = self._all("SELECT tag FROM worktag WHERE work_spec_id=?", (work_spec_id,))
        return frozenset(row[0] for row in rows)

    def insert_name(self, name: str, work_spec_id: str) -> None:
        """``WorkNameDao.insert``."""
        self._run(
            "INSERT OR IGNORE INTO workname (name, work_spec_id) VALUES (?, ?)",
            (name, work_spec_id),
        )

    def get_names(self, work_spec_id: str) -> list[str]:
        """``getNamesForWorkSpecId``."""
        rows = self._all("SELECT name FROM workname WHERE work_spec_id=?", (work_spec_id,))
        return [row[0] for row in rows]

    def set_progress(self, work_spec_id: str, progress: Data) -> None:
        """``WorkProgressDao.insert`` (REPLACE)."""
        self._run(
            "INSERT OR REPLACE INTO workprogress (work_spec_id, progress) VALUES (?, ?)",
            (work_spec_id, progress.to_byte_array()),
        )

    def get_progress(self, work_spec_id: str) -> Data:
        """The stored progress, or ``Data.EMPTY``."""
        row = self._one("SELECT progress FROM workprogress WHERE work_spec_id=?", (work_spec_id,))
        return Data.EMPTY if row is None else Data.from_byte_array(row[0])

    def delete_progress(self, work_spec_id: str) -> None:
        """``WorkProgressDao.delete``."""
        self._run("DELETE FROM workprogress WHERE work_spec_id=?", (work_spec_id,))

    def delete_all_progress(self) -> None:
        """``WorkProgressDao.deleteAll``."""
        self._run("DELETE FROM workprogress")

    def get_long_preference(self, key: str) -> int | None:
        """``PreferenceDao.getLongValue``."""
        row = self._one("SELECT long_value FROM preference WHERE `key`=?", (key,))
        return None if row is None else row[0]

    def set_long_preference(self, key: str, value: int) -> None:
        """``PreferenceDao.insertPreference`` (REPLACE)."""
        self._run(
            "INSERT OR REPLACE INTO preference (`key`, long_value) VALUES (?, ?)", (key, value)
        )

    def mark_reschedule_needed(self) -> None:
        """Ask the next WorkManager start to reschedule everything (``PreferenceUtils``).

        androidx sets this after database migrations; the device layer may set it at boot.
        """
        self.set_long_preference(KEY_RESCHEDULE_NEEDED, 1)

    # --- WorkInfo queries -----------------------------------------------------------------

    def get_work_info(self, work_spec_id: str) -> WorkInfo | None:
        """``getWorkStatusPojoForId(...).toWorkInfo()``."""
        spec = self.get_work_spec(work_spec_id)
        if spec is None:
            return None
        return WorkInfo.from_spec(spec, self.get_tags(spec.id), self.get_progress(spec.id))

    def _infos(self, sql: str, parameters: Sequence[object]) -> list[WorkInfo]:
        specs = self._specs(sql, parameters)
        return [WorkInfo.from_spec(s, self.get_tags(s.id), self.get_progress(s.id)) for s in specs]

    def get_work_infos_for_tag(self, tag: str) -> list[WorkInfo]:
        """``getWorkStatusPojoForTag``."""
        return self._infos(
            f"SELECT {_COLUMNS} FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM worktag WHERE tag=?)",
            (tag,),
        )

    def get_work_infos_for_name(self, name: str) -> list[WorkInfo]:
        """``getWorkStatusPojoForName``."""
        return self._infos(
            f"SELECT {_COLUMNS} FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM workname WHERE name=?)",
            (name,),
        )

    def get_work_infos_for_query(self, query: WorkQuery) -> list[WorkInfo]:
        """``RawQueries.toRawQuery``: OR within a field, AND across fields."""
        clauses: list[str] = []
        parameters: list[object] = []
        if query.states:
            clauses.append(f"state IN ({_placeholders(query.states)})")
            parameters += [int(state) for state in query.states]
        if query.ids:
            clauses.append(f"id IN ({_placeholders(query.ids)})")
            parameters += [str(work_id) for work_id in query.ids]
        if query.tags:
            clauses.append(
                "id IN (SELECT work_spec_id FROM worktag WHERE tag IN "
                f"({_placeholders(query.tags)}))"
            )
            parameters += list(query.tags)
        if query.unique_work_names:
            clauses.append(
                "id IN (SELECT work_spec_id FROM workname WHERE name IN "
                f"({_placeholders(query.unique_work_names)}))"
            )
            parameters += list(query.unique_work_names)
        return self._infos(
            f"SELECT {_COLUMNS} FROM workspec WHERE {' AND '.join(clauses)}", parameters
        )
