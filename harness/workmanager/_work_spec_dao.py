"""``WorkSpecDao``: the ``WorkSpec`` table (``W/impl/model/WorkSpecDao.kt`` @051c4525).

Each method is the DAO query of the same name in snake_case, with the same SQL; a few are the
harness's own (named so in their docstrings). States are stored as their ordinals.

Reads of one row and the single-row column writes go through the connection's
:class:`~harness.workmanager._row_cache.RowCache` (reads from memory, writes through to sqlite
before the next statement or the commit); the SQL of each write is then the cached row's
``UPDATE`` of the same columns, with the same effect as the DAO statement (an increment or a
``CASE`` computed from the row as sqlite holds it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from harness.workmanager._connection import Dao
from harness.workmanager._data import Data
from harness.workmanager._dependency_dao import DependencyDao
from harness.workmanager._enums import ENQUEUED, NOT_STOPPED, RUNNING, State, StopReason
from harness.workmanager._row_cache import RowCache
from harness.workmanager._schedule import (
    LONG_MAX_VALUE,
    PRUNE_THRESHOLD_MILLIS,
    SCHEDULE_NOT_REQUESTED_YET,
)
from harness.workmanager._scheduling_index import SCAN, SchedulingIndex
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

#: Where ``content_uri_triggers`` is in a row of :data:`COLUMNS`.
_CONTENT_URI_TRIGGERS: Final = [name.strip() for name in COLUMNS.split(",")].index(
    "content_uri_triggers"
)

#: ``getEligibleWorkForScheduling``'s query, reading ids (the scheduling index answers it).
ELIGIBLE_FOR_SCHEDULING: Final = (
    "SELECT id FROM workspec WHERE state=0 AND schedule_requested_at=-1 "
    "ORDER BY last_enqueue_time LIMIT (SELECT MAX(?-COUNT(*), 0) FROM workspec WHERE "
    "schedule_requested_at<>-1 AND LENGTH(content_uri_triggers)=0 AND state NOT IN "
    f"{COMPLETED})"
)
#: Ids bound in one ``IN (...)`` read (below sqlite's default limit of 32,766 variables).
_IDS_PER_STATEMENT: Final = 500


def placeholders(values: Sequence[object]) -> str:
    """``?, ?, ...``: one parameter per value."""
    return ", ".join("?" * len(values))


class WorkSpecDao(Dao):
    """Work specs: insert, read, state writes, and the scheduling and pruning queries."""

    __slots__ = ()

    def _specs(self, sql: str, parameters: Sequence[object] = ()) -> list[WorkSpec]:
        return [from_row(row) for row in self._connection.rows(sql, parameters)]

    def _specs_by_id(self, sql: str, parameters: Sequence[object] = ()) -> list[WorkSpec]:
        """The rows whose ids ``sql`` selects, in its order: the query reads ids only (the same
        plan, hence the same order, as selecting every column; EXPLAIN QUERY PLAN) and the rows
        come from the cache, the ones not yet cached read in one statement."""
        return self._specs_of(self._ids(sql, parameters))

    def _specs_of(self, ids: list[str]) -> list[WorkSpec]:
        """The rows of ``ids`` (which exist), in that order, from the cache (the ones not yet
        cached read in one statement)."""
        if not ids:
            return []
        cache = self._connection.cache
        missing = [work_id for work_id in ids if work_id not in cache.specs]
        for start in range(0, len(missing), _IDS_PER_STATEMENT):
            chunk = missing[start : start + _IDS_PER_STATEMENT]
            for row in self._connection.rows(
                f"SELECT {COLUMNS} FROM workspec WHERE id IN ({placeholders(chunk)})", chunk
            ):
                cache.specs[row[0]] = from_row(row)
        # RowCache.current, inlined for the rows not written since their WorkSpec was built
        # (GreedyScheduler's list is up to 200 rows after every run); a written row's copy
        # brings only it up to date
        specs = cache.specs
        written = cache.unapplied_ids
        current = cache.current
        return [current(work_id) if work_id in written else specs[work_id] for work_id in ids]

    def _cached(self, work_spec_id: str) -> WorkSpec | None:
        """The row of ``work_spec_id`` from the cache, read into it first if needed."""
        cache = self._connection.cache
        if work_spec_id in cache.specs:
            return cache.current(work_spec_id)
        row = self._connection.row(f"SELECT {COLUMNS} FROM workspec WHERE id=?", (work_spec_id,))
        if row is None:
            return None
        spec = cache.specs[work_spec_id] = from_row(row)
        return spec

    def _row(self, work_spec_id: str) -> RowCache | None:
        """The connection's row cache, holding the row of ``work_spec_id`` (read into it if it
        was not there); ``None`` if there is no such row."""
        cache = self._connection.cache
        if work_spec_id in cache.specs or self._cached(work_spec_id) is not None:
            return cache
        return None

    def _write(self, work_spec_id: str, changes: dict[str, object]) -> None:
        """``UPDATE workspec SET ... WHERE id=?`` through the cache (no row: changes nothing)."""
        if self._row(work_spec_id) is not None:
            self._connection.write_fields(work_spec_id, changes)

    def _ids(self, sql: str, parameters: Sequence[object] = ()) -> list[str]:
        return [row[0] for row in self._connection.rows(sql, parameters)]

    # --- rows ---------------------------------------------------------------------------------

    def insert_work_spec(self, spec: WorkSpec) -> bool:
        """``insertWorkSpec`` (``OnConflictStrategy.IGNORE``); ``False`` if the id existed."""
        cache = self._connection.cache
        cache.forget(spec.id)
        row = to_row(spec)
        rowid = self._connection.insert(INSERT, row)
        if rowid is None:
            return False
        # A new row: nothing can refer to it yet (foreign keys are on), so it has no tags,
        # progress, prerequisites or dependents until they are inserted.
        work_id = spec.id
        cache.specs[work_id] = stored = from_row(row)
        if cache.scheduling is not None:
            _index(cache.scheduling, rowid, row, stored)
        cache.tags[work_id] = frozenset()
        cache.progress[work_id] = None
        cache.prerequisites[work_id] = []
        cache.dependents[work_id] = []
        return True

    def update_work_spec(self, spec: WorkSpec) -> None:
        """``updateWorkSpec``: overwrite every column of the row with ``spec``'s id."""
        row = to_row(spec)
        changed = self._connection.write(UPDATE, (*row[1:], row[0]))
        cache = self._connection.cache
        cache.forget(spec.id)
        scheduling = cache.scheduling
        if changed and scheduling is not None:
            rowid = scheduling.rowid(spec.id)  # an UPDATE keeps the row's rowid
            if rowid is None:
                cache.scheduling = None  # cannot happen; built again by the next query
            else:
                _index(scheduling, rowid, row, from_row(row))

    def delete_work_spec(self, work_spec_id: str) -> None:
        """``delete``; tags, names, dependencies and progress go with it (cascade)."""
        self._connection.write("DELETE FROM workspec WHERE id=?", (work_spec_id,))
        self._forget_all_but_scheduling([work_spec_id])

    def delete_work_specs(self, work_spec_ids: Sequence[str]) -> None:
        """Delete these rows in one statement (and, by cascade, their tags, names, ...)."""
        if work_spec_ids:
            self._connection.write(
                f"DELETE FROM workspec WHERE id IN ({placeholders(work_spec_ids)})", work_spec_ids
            )
            self._forget_all_but_scheduling(work_spec_ids)

    def _forget_all_but_scheduling(self, deleted_ids: Sequence[str]) -> None:
        """After a delete: forget every row (the cascade reaches other rows' dependency lists),
        but keep the scheduling index, without the deleted rows (no other ``workspec`` row
        changed)."""
        cache = self._connection.cache
        scheduling = cache.scheduling
        cache.clear()
        if scheduling is not None:
            scheduling.remove(deleted_ids)
            cache.scheduling = scheduling

    def get_work_spec(self, work_spec_id: str) -> WorkSpec | None:
        """``getWorkSpec``."""
        return self._cached(work_spec_id)

    def get_written_work_spec(
        self, work_spec_id: str
    ) -> tuple[WorkSpec, Mapping[str, object]] | None:
        """The row as a ``WorkSpec`` that may predate its latest column writes, and those
        writes (field -> value): :meth:`get_work_spec` without building the updated copy, for
        a reader of a few fields (the harness's own)."""
        cache = self._row(work_spec_id)
        return None if cache is None else cache.written(work_spec_id)

    def get_work_spec_to_run(self, work_spec_id: str) -> WorkSpec | None:
        """:meth:`get_work_spec` for ``Processor.startWork`` (the harness's own): the row as a
        ``WorkSpec`` whose ``schedule_requested_at`` may predate the latest scheduling mark.

        A run never reads when its work was marked scheduled (``WorkerWrapper`` reads the state,
        the counts, the times that make the next run time, the input, the worker, the generation
        and the override generation), and that mark is usually the only column written since the
        cached ``WorkSpec`` was built (``Schedulers.schedule`` marks a row, then the scheduler
        starts it): the cached one serves without a copy that only moves that column."""
        cache = self._connection.cache
        if work_spec_id not in cache.specs:
            return self._cached(work_spec_id)
        spec, changes = cache.written(work_spec_id)
        if not changes or (len(changes) == 1 and "schedule_requested_at" in changes):
            return spec
        return cache.current(work_spec_id)

    def all_work_specs(self) -> list[WorkSpec]:
        """Every row, in insertion order (the harness's own, for inspection and tests)."""
        return self._specs(f"SELECT {COLUMNS} FROM workspec ORDER BY rowid")

    # --- state writes -------------------------------------------------------------------------

    def get_state(self, work_spec_id: str) -> State | None:
        """``getState``."""
        cache = self._connection.cache  # _row, inlined: a run asks twice
        if work_spec_id not in cache.specs and self._cached(work_spec_id) is None:
            return None
        state: State = cache.field(work_spec_id, "state")
        return state

    def set_state(self, work_spec_id: str, state: State) -> None:
        """``setState``: ``UPDATE workspec SET state=? WHERE id=?``."""
        self._write(work_spec_id, {"state": state})

    def set_cancelled_state(self, work_spec_id: str) -> None:
        """``setCancelledState``: stop reason 1 only if RUNNING *now*, else -256
        (``SET stop_reason = CASE WHEN state=1 THEN 1 ELSE -256 END, state=5``)."""
        cache = self._row(work_spec_id)
        if cache is not None:
            stop_reason = (
                StopReason.STOP_REASON_CANCELLED_BY_APP
                if cache.field(work_spec_id, "state") is State.RUNNING
                else StopReason.STOP_REASON_NOT_STOPPED
            )
            self._connection.write_fields(
                work_spec_id, {"stop_reason": stop_reason, "state": State.CANCELLED}
            )

    def set_stop_reason(self, work_spec_id: str, stop_reason: StopReason) -> None:
        """``setStopReason``."""
        self._write(work_spec_id, {"stop_reason": stop_reason})

    def set_output(self, work_spec_id: str, output: Data) -> None:
        """``setOutput``."""
        self._write(work_spec_id, {"output": output})

    def set_last_enqueue_time(self, work_spec_id: str, enqueue_time: int) -> None:
        """``setLastEnqueueTime``."""
        self._write(work_spec_id, {"last_enqueue_time": enqueue_time})

    def increment_run_attempt_count(self, work_spec_id: str) -> None:
        """``incrementWorkSpecRunAttemptCount`` (``SET run_attempt_count=run_attempt_count+1``)."""
        cache = self._row(work_spec_id)
        if cache is not None:
            count = cache.field(work_spec_id, "run_attempt_count")
            self._connection.write_fields(work_spec_id, {"run_attempt_count": count + 1})

    def set_running(self, work_spec_id: str) -> None:
        """``trySetRunning``'s three writes at once: ``setState(RUNNING)``,
        ``incrementWorkSpecRunAttemptCount`` and ``setStopReason(STOP_REASON_NOT_STOPPED)``."""
        cache = self._row(work_spec_id)
        if cache is not None:
            count = cache.field(work_spec_id, "run_attempt_count")
            self._connection.write_fields(
                work_spec_id,
                {
                    "state": RUNNING,
                    "run_attempt_count": count + 1,
                    "stop_reason": NOT_STOPPED,
                },
            )

    def reset_periodic(self, work_spec_id: str, now_ms: int, override_generation: int) -> None:
        """``WorkerWrapper.resetPeriodic``'s writes at once: ``setLastEnqueueTime(now)``,
        ``setState(ENQUEUED)``, ``resetWorkSpecRunAttemptCount``,
        ``resetWorkSpecNextScheduleTimeOverride`` (if the generation matches),
        ``incrementPeriodCount`` and ``markWorkSpecScheduled(-1)``."""
        cache = self._row(work_spec_id)
        if cache is None:
            return
        changes: dict[str, object] = {
            "last_enqueue_time": now_ms,
            "state": ENQUEUED,
            "run_attempt_count": 0,
        }
        if cache.field(work_spec_id, "next_schedule_time_override_generation") == (
            override_generation
        ):
            changes["next_schedule_time_override"] = LONG_MAX_VALUE
        changes["period_count"] = cache.field(work_spec_id, "period_count") + 1
        changes["schedule_requested_at"] = SCHEDULE_NOT_REQUESTED_YET
        self._connection.write_fields(work_spec_id, changes)

    def set_state_and_output(self, work_spec_id: str, state: State, output: Data) -> None:
        """``setState`` then ``setOutput``, at once."""
        self._write(work_spec_id, {"state": state, "output": output})

    def reset_run_attempt_count(self, work_spec_id: str) -> None:
        """``resetWorkSpecRunAttemptCount``."""
        self._write(work_spec_id, {"run_attempt_count": 0})

    def increment_period_count(self, work_spec_id: str) -> None:
        """``incrementPeriodCount`` (``SET period_count=period_count+1``)."""
        cache = self._row(work_spec_id)
        if cache is not None:
            count = cache.field(work_spec_id, "period_count")
            self._connection.write_fields(work_spec_id, {"period_count": count + 1})

    def set_next_schedule_time_override(self, work_spec_id: str, override_ms: int) -> None:
        """``setNextScheduleTimeOverride``."""
        self._write(work_spec_id, {"next_schedule_time_override": override_ms})

    def reset_next_schedule_time_override(
        self, work_spec_id: str, override_generation: int
    ) -> None:
        """``resetWorkSpecNextScheduleTimeOverride``: only if the override generation matches
        (``WHERE (id=? AND next_schedule_time_override_generation=?)``)."""
        cache = self._row(work_spec_id)
        if (
            cache is not None
            and cache.field(work_spec_id, "next_schedule_time_override_generation")
            == override_generation
        ):
            self._connection.write_fields(
                work_spec_id, {"next_schedule_time_override": LONG_MAX_VALUE}
            )

    # --- scheduling ---------------------------------------------------------------------------

    def mark_scheduled(self, work_spec_id: str, start_time: int) -> None:
        """``markWorkSpecScheduled`` (``-1`` = not scheduled)."""
        self._write(work_spec_id, {"schedule_requested_at": start_time})

    def reset_scheduled_state(self) -> None:
        """``resetScheduledState``: every unfinished row becomes unscheduled."""
        self._connection.write(
            f"UPDATE workspec SET schedule_requested_at=-1 WHERE state NOT IN {COMPLETED}"
        )
        self._connection.cache.forget_specs()

    def get_eligible_work_for_scheduling(self, scheduler_limit: int) -> list[WorkSpec]:
        """``getEligibleWorkForScheduling``: unscheduled ENQUEUED rows, FIFO by last enqueue
        time, at most the free slots (``limit`` minus scheduled unfinished rows).

        The answer comes from the cache's scheduling index (built by one scan of the table
        when missing): the same ids, in the same order, as the query
        (:data:`ELIGIBLE_FOR_SCHEDULING`)."""
        return self._specs_of(self._scheduling().eligible_ids(scheduler_limit))

    def _scheduling(self) -> SchedulingIndex:
        """The cache's scheduling index, built by one scan of the table when missing."""
        cache = self._connection.cache
        scheduling = cache.scheduling
        if scheduling is None:
            scheduling = SchedulingIndex()
            for row in self._connection.rows(SCAN):
                scheduling.add(
                    row[0],
                    row[1],
                    has_content_uris=bool(row[5]),
                    state=state_of(row[2]),
                    schedule_requested_at=row[3],
                    last_enqueue_time=row[4],
                )
            cache.scheduling = scheduling
        return scheduling

    def get_all_eligible_work_specs_for_scheduling(self, max_limit: int) -> list[WorkSpec]:
        """``getAllEligibleWorkSpecsForScheduling``: every ENQUEUED row, FIFO, for greedy."""
        return self._specs_by_id(
            "SELECT id FROM workspec WHERE state=0 ORDER BY last_enqueue_time LIMIT ?",
            (max_limit,),
        )

    def get_all_eligible_work_specs_for_scheduling_cached(self, max_limit: int) -> list[WorkSpec]:
        """The harness's own: :meth:`get_all_eligible_work_specs_for_scheduling` answered from
        the cache's scheduling index (the same ids in the same order; built by one scan of the
        table when missing), as :meth:`get_eligible_work_for_scheduling` is."""
        return self._specs_of(self._scheduling().enqueued_ids(max_limit))

    def is_work_spec_scheduled(self, work_spec_id: str) -> bool:
        """``isWorkSpecScheduled``: ENQUEUED and marked scheduled."""
        cache = self._row(work_spec_id)
        return (
            cache is not None
            and cache.field(work_spec_id, "state") is ENQUEUED
            and cache.field(work_spec_id, "schedule_requested_at") != SCHEDULE_NOT_REQUESTED_YET
        )

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
        """``getInputsFromPrerequisites``: the parents' outputs, in the database's order (no
        statement for a work the cache knows has no parents)."""
        if not DependencyDao(self._connection).get_prerequisites(work_spec_id):
            return []
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


def _index(scheduling: SchedulingIndex, rowid: int, row: Sequence[Any], spec: WorkSpec) -> None:
    """Place a row just inserted or overwritten whole (``row``, read back as ``spec``)."""
    scheduling.add(
        spec.id,
        rowid,
        has_content_uris=len(row[_CONTENT_URI_TRIGGERS]) != 0,
        state=spec.state,
        schedule_requested_at=spec.schedule_requested_at,
        last_enqueue_time=spec.last_enqueue_time,
    )
