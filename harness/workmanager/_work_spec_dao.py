"""``WorkSpecDao``: the ``WorkSpec`` table (``W/impl/model/WorkSpecDao.kt`` @051c4525).

Each method is the DAO query of the same name in snake_case, with the same SQL; a few are the
harness's own (named so in their docstrings). States are stored as their ordinals.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.workmanager._connection import Dao
from harness.workmanager._data import Data
from harness.workmanager._enums import State, StopReason
from harness.workmanager._schedule import PRUNE_THRESHOLD_MILLIS, SCHEDULE_NOT_REQUESTED_YET
from harness.workmanager._schema import (
    COLUMNS,
    COMPLETED,
    INSERT,
    UPDATE,
    from_row,
    state_of,
    to_row,
)
from harness.workmanager._spec import WorkSpec


def placeholders(values: Sequence[object]) -> str:
    """``?, ?, ...``: one parameter per value."""
    return ", ".join("?" * len(values))


class WorkSpecDao(Dao):
    """Work specs: insert, read, state writes, and the scheduling and pruning queries."""

    __slots__ = ()

    def _specs(self, sql: str, parameters: Sequence[object] = ()) -> list[WorkSpec]:
        return [from_row(row) for row in self._connection.rows(sql, parameters)]

    def _ids(self, sql: str, parameters: Sequence[object] = ()) -> list[str]:
        return [row[0] for row in self._connection.rows(sql, parameters)]

    # --- rows ---------------------------------------------------------------------------------

    def insert_work_spec(self, spec: WorkSpec) -> bool:
        """``insertWorkSpec`` (``OnConflictStrategy.IGNORE``); ``False`` if the id existed."""
        return self._connection.write(INSERT, to_row(spec)) == 1

    def update_work_spec(self, spec: WorkSpec) -> None:
        """``updateWorkSpec``: overwrite every column of the row with ``spec``'s id."""
        row = to_row(spec)
        self._connection.write(UPDATE, (*row[1:], row[0]))

    def delete_work_spec(self, work_spec_id: str) -> None:
        """``delete``; tags, names, dependencies and progress go with it (cascade)."""
        self._connection.write("DELETE FROM workspec WHERE id=?", (work_spec_id,))

    def delete_work_specs(self, work_spec_ids: Sequence[str]) -> None:
        """Delete these rows in one statement (and, by cascade, their tags, names, ...)."""
        if work_spec_ids:
            self._connection.write(
                f"DELETE FROM workspec WHERE id IN ({placeholders(work_spec_ids)})", work_spec_ids
            )

    def get_work_spec(self, work_spec_id: str) -> WorkSpec | None:
        """``getWorkSpec``."""
        row = self._connection.row(f"SELECT {COLUMNS} FROM workspec WHERE id=?", (work_spec_id,))
        return None if row is None else from_row(row)

    def all_work_specs(self) -> list[WorkSpec]:
        """Every row, in insertion order (the harness's own, for inspection and tests)."""
        return self._specs(f"SELECT {COLUMNS} FROM workspec ORDER BY rowid")

    # --- state writes -------------------------------------------------------------------------

    def get_state(self, work_spec_id: str) -> State | None:
        """``getState``."""
        row = self._connection.row("SELECT state FROM workspec WHERE id=?", (work_spec_id,))
        return None if row is None else state_of(row[0])

    def set_state(self, work_spec_id: str, state: State) -> None:
        """``setState``."""
        self._connection.write("UPDATE workspec SET state=? WHERE id=?", (int(state), work_spec_id))

    def set_cancelled_state(self, work_spec_id: str) -> None:
        """``setCancelledState``: stop reason 1 only if RUNNING *now*, else -256."""
        self._connection.write(
            "UPDATE workspec SET stop_reason = CASE WHEN state=1 THEN 1 ELSE -256 END, state=5 "
            "WHERE id=?",
            (work_spec_id,),
        )

    def set_stop_reason(self, work_spec_id: str, stop_reason: StopReason) -> None:
        """``setStopReason``."""
        self._connection.write(
            "UPDATE workspec SET stop_reason=? WHERE id=?", (int(stop_reason), work_spec_id)
        )

    def set_output(self, work_spec_id: str, output: Data) -> None:
        """``setOutput``."""
        self._connection.write(
            "UPDATE workspec SET output=? WHERE id=?", (output.to_byte_array(), work_spec_id)
        )

    def set_last_enqueue_time(self, work_spec_id: str, enqueue_time: int) -> None:
        """``setLastEnqueueTime``."""
        self._connection.write(
            "UPDATE workspec SET last_enqueue_time=? WHERE id=?", (enqueue_time, work_spec_id)
        )

    def increment_run_attempt_count(self, work_spec_id: str) -> None:
        """``incrementWorkSpecRunAttemptCount``."""
        self._connection.write(
            "UPDATE workspec SET run_attempt_count=run_attempt_count+1 WHERE id=?",
            (work_spec_id,),
        )

    def reset_run_attempt_count(self, work_spec_id: str) -> None:
        """``resetWorkSpecRunAttemptCount``."""
        self._connection.write(
            "UPDATE workspec SET run_attempt_count=0 WHERE id=?", (work_spec_id,)
        )

    def increment_period_count(self, work_spec_id: str) -> None:
        """``incrementPeriodCount``."""
        self._connection.write(
            "UPDATE workspec SET period_count=period_count+1 WHERE id=?", (work_spec_id,)
        )

    def set_next_schedule_time_override(self, work_spec_id: str, override_ms: int) -> None:
        """``setNextScheduleTimeOverride``."""
        self._connection.write(
            "UPDATE workspec SET next_schedule_time_override=? WHERE id=?",
            (override_ms, work_spec_id),
        )

    def reset_next_schedule_time_override(
        self, work_spec_id: str, override_generation: int
    ) -> None:
        """``resetWorkSpecNextScheduleTimeOverride``: only if the override generation matches."""
        self._connection.write(
            "UPDATE workspec SET next_schedule_time_override=9223372036854775807 "
            "WHERE (id=? AND next_schedule_time_override_generation=?)",
            (work_spec_id, override_generation),
        )

    # --- scheduling ---------------------------------------------------------------------------

    def mark_scheduled(self, work_spec_id: str, start_time: int) -> None:
        """``markWorkSpecScheduled`` (``-1`` = not scheduled)."""
        self._connection.write(
            "UPDATE workspec SET schedule_requested_at=? WHERE id=?", (start_time, work_spec_id)
        )

    def reset_scheduled_state(self) -> None:
        """``resetScheduledState``: every unfinished row becomes unscheduled."""
        self._connection.write(
            f"UPDATE workspec SET schedule_requested_at=-1 WHERE state NOT IN {COMPLETED}"
        )

    def get_eligible_work_for_scheduling(self, scheduler_limit: int) -> list[WorkSpec]:
        """``getEligibleWorkForScheduling``: unscheduled ENQUEUED rows, FIFO by last enqueue
        time, at most the free slots (``limit`` minus scheduled unfinished rows)."""
        return self._specs(
            f"SELECT {COLUMNS} FROM workspec WHERE state=0 AND schedule_requested_at=-1 "
            "ORDER BY last_enqueue_time LIMIT (SELECT MAX(?-COUNT(*), 0) FROM workspec WHERE "
            "schedule_requested_at<>-1 AND LENGTH(content_uri_triggers)=0 AND state NOT IN "
            f"{COMPLETED})",
            (scheduler_limit,),
        )

    def get_all_eligible_work_specs_for_scheduling(self, max_limit: int) -> list[WorkSpec]:
        """``getAllEligibleWorkSpecsForScheduling``: every ENQUEUED row, FIFO, for greedy."""
        return self._specs(
            f"SELECT {COLUMNS} FROM workspec WHERE state=0 ORDER BY last_enqueue_time LIMIT ?",
            (max_limit,),
        )

    def is_work_spec_scheduled(self, work_spec_id: str) -> bool:
        """``isWorkSpecScheduled``: ENQUEUED and marked scheduled."""
        row = self._connection.row(
            "SELECT COUNT(*) > 0 FROM workspec WHERE id=? AND state=0 "
            "AND schedule_requested_at<>-1",
            (work_spec_id,),
        )
        return bool(row[0])

    def get_scheduled_unfinished_ids(self) -> list[str]:
        """Unfinished rows marked scheduled (the harness's own: what schedulers should hold)."""
        return self._ids(
            f"SELECT id FROM workspec WHERE state NOT IN {COMPLETED} "
            f"AND schedule_requested_at<>{SCHEDULE_NOT_REQUESTED_YET}"
        )

    def get_running_work(self) -> list[WorkSpec]:
        """``getRunningWork``."""
        return self._specs(f"SELECT {COLUMNS} FROM workspec WHERE state=1")

    # --- by name, by tag, unfinished ----------------------------------------------------------

    def get_work_spec_id_and_states_for_name(self, name: str) -> list[tuple[str, State]]:
        """``getWorkSpecIdAndStatesForName``."""
        rows = self._connection.rows(
            "SELECT id, state FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM workname WHERE name=?)",
            (name,),
        )
        return [(row[0], State(row[1])) for row in rows]

    def get_inputs_from_prerequisites(self, work_spec_id: str) -> list[Data]:
        """``getInputsFromPrerequisites``: the parents' outputs, in the database's order."""
        rows = self._connection.rows(
            "SELECT output FROM workspec WHERE id IN "
            "(SELECT prerequisite_id FROM dependency WHERE work_spec_id=?)",
            (work_spec_id,),
        )
        return [Data.from_byte_array(row[0]) for row in rows]

    def get_unfinished_work_with_tag(self, tag: str) -> list[str]:
        """``getUnfinishedWorkWithTag``."""
        return self._ids(
            f"SELECT id FROM workspec WHERE state NOT IN {COMPLETED} AND id IN "
            "(SELECT work_spec_id FROM worktag WHERE tag=?)",
            (tag,),
        )

    def get_unfinished_work_with_name(self, name: str) -> list[str]:
        """``getUnfinishedWorkWithName``."""
        return self._ids(
            f"SELECT id FROM workspec WHERE state NOT IN {COMPLETED} AND id IN "
            "(SELECT work_spec_id FROM workname WHERE name=?)",
            (name,),
        )

    def get_all_unfinished_work(self) -> list[str]:
        """``getAllUnfinishedWork``."""
        return self._ids(f"SELECT id FROM workspec WHERE state NOT IN {COMPLETED}")

    # --- pruning ------------------------------------------------------------------------------

    def prunable_on_open(self, now_ms: int) -> list[str]:
        """Ids ``WorkDatabase.CleanupCallback.onOpen`` would delete at ``now_ms`` (its
        ``PRUNE_SQL``: finished, older than a day plus their retention, no unfinished
        dependents); the caller deletes them, so that it can report each one first."""
        return self._ids(
            f"SELECT id FROM workspec WHERE state IN {COMPLETED} AND "
            "(last_enqueue_time + minimum_retention_duration) < ? AND (SELECT COUNT(*)=0 FROM "
            "dependency WHERE prerequisite_id=id AND work_spec_id NOT IN (SELECT id FROM "
            f"workspec WHERE state IN {COMPLETED}))",
            (now_ms - PRUNE_THRESHOLD_MILLIS,),
        )

    def prunable(self) -> list[str]:
        """Ids ``pruneFinishedWorkWithZeroDependentsIgnoringKeepForAtLeast`` would delete."""
        return self._ids(
            f"SELECT id FROM workspec WHERE state IN {COMPLETED} AND (SELECT COUNT(*)=0 "
            "FROM dependency WHERE prerequisite_id=id AND work_spec_id NOT IN (SELECT id FROM "
            f"workspec WHERE state IN {COMPLETED}))"
        )
