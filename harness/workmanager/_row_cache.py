"""The in-memory model of WorkManager's rows: reads served from memory, writes through to sqlite.

A work run reads its row about a dozen times (the wrapper's state checks, each ``work.*`` record
with its tags and progress) and writes about ten single-column ``UPDATE``s, as androidx's DAOs
issue them (``WorkerWrapper.trySetRunning``: ``setState``, ``incrementWorkSpecRunAttemptCount``,
``setStopReason``; ...). In sqlite each costs a statement, about 13 us. This model keeps, per
work id, the last ``WorkSpec`` read or written, its tags, its progress and its dependency lists,
so the DAOs answer those reads from memory. sqlite stays the truth:

* **Write-through at every transaction boundary.** A ``WorkSpecDao`` column write changes the
  cached ``WorkSpec`` and marks the column pending; the pending columns of a row are written in
  one ``UPDATE`` before the connection runs any other statement, before the outermost
  transaction commits, and at once outside a transaction (Room's autocommitting write). So the
  file holds, at every ``COMMIT``, exactly the rows the one-statement-per-call DAOs wrote, and a
  kill between any two statements leaves the old state or the new one, as before: only the
  number of statements inside a transaction changed.
* **In memory, committed writes wait**: an in-memory database keeps a transaction's committed
  columns here until the connection's next statement (see
  :mod:`harness.workmanager._connection`); sqlite holds them before anything reads it.
* **A rollback forgets everything** (the whole model): the next read goes to sqlite again.
* **Anything the model cannot follow exactly invalidates it**: an insert or a whole-row update
  forgets that row, a delete (which cascades to tags, names, dependencies and progress) or a
  statement over many rows forgets every row.
* **The scheduling query's answer** is kept too, for every row of the table
  (:attr:`RowCache.scheduling`, a :class:`~harness.workmanager._scheduling_index.SchedulingIndex`
  that the column writes here keep exact; dropped with the rows on a rollback or a many-row
  statement, but not by a delete, which removes only its own rows from it).

A write to a row whose new values equal the cached ones still counts as a write (the ``UPDATE``
is issued), except deleting progress the model knows is absent (a ``DELETE`` of no row).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

from harness.workmanager._data import Data
from harness.workmanager._enums import State, StopReason
from harness.workmanager._scheduling_index import SchedulingIndex
from harness.workmanager._schema import data_of, state_of, stop_reason_of
from harness.workmanager._spec import WorkSpec

#: The fields the DAOs write one at a time: how each column stores its value, and how a read
#: of the column gives it back (so the cached value is exactly what a read of the row returns).
_COLUMNS: Final[dict[str, tuple[Callable[[Any], object], Callable[[Any], object]]]] = {
    "state": (int, state_of),
    "run_attempt_count": (int, int),
    "stop_reason": (int, stop_reason_of),
    "output": (Data.to_byte_array, data_of),
    "last_enqueue_time": (int, int),
    "period_count": (int, int),
    "next_schedule_time_override": (int, int),
    "schedule_requested_at": (int, int),
}
#: The columns whose value of exactly this type is stored as ``int(value)`` and read back as the
#: same value (an ``int``; a known ``State`` or ``StopReason`` member): no conversion either way.
_AS_READ: Final[dict[str, type]] = {
    "state": State,
    "run_attempt_count": int,
    "stop_reason": StopReason,
    "last_enqueue_time": int,
    "period_count": int,
    "next_schedule_time_override": int,
    "schedule_requested_at": int,
}
_NOTHING_WRITTEN: Final[Mapping[str, object]] = MappingProxyType({})
#: The columns the scheduling query reads that a column write may change.
_SCHEDULING_COLUMNS: Final = frozenset({"state", "schedule_requested_at", "last_enqueue_time"})
#: A fixed order for the columns of one ``UPDATE`` (so sqlite's statement cache reuses it).
_ORDER: Final = {name: index for index, name in enumerate(_COLUMNS)}


def _copier() -> Callable[[WorkSpec, dict[str, object]], WorkSpec]:
    """``with_fields``, generated as dataclasses generate ``__init__``: one line per field
    (attribute reads by name cost a dict lookup and a call each; a frozen dataclass's
    ``__init__`` and ``dataclasses.replace`` cost twice as much again)."""
    lines = ["def with_fields(spec, changes):", "    new = new_spec(WorkSpec)"]
    lines += [f"    set_(new, {name!r}, spec.{name})" for name in WorkSpec.__dataclass_fields__]
    lines += ["    for name, value in changes.items():", "        set_(new, name, value)"]
    lines += ["    return new"]
    namespace: dict[str, Any] = {
        "new_spec": object.__new__,
        "set_": object.__setattr__,
        "WorkSpec": WorkSpec,
    }
    exec("\n".join(lines), namespace)  # code made from the field names only
    function: Callable[[WorkSpec, dict[str, object]], WorkSpec] = namespace["with_fields"]
    function.__doc__ = """``spec`` with ``changes`` (field name -> value): ``dataclasses.replace``
    without the ``__init__`` call, for values already checked (they come from the row)."""
    return function


with_fields: Final = _copier()


class RowCache:
    """The rows of one database that were read or written since the last invalidation."""

    __slots__ = (
        "_unapplied",
        "dependents",
        "pending",
        "prerequisites",
        "progress",
        "scheduling",
        "specs",
        "tags",
    )

    def __init__(self) -> None:
        #: work id -> its ``WorkSpec`` as last read (see :meth:`current` for the current one).
        self.specs: dict[str, WorkSpec] = {}
        #: work id -> fields written since ``specs`` was built (applied on the next read: a run
        #: writes two or three columns in a row before anything reads the row).
        self._unapplied: dict[str, dict[str, object]] = {}
        #: work id -> the columns written in memory and not yet in sqlite, with their values.
        self.pending: dict[str, dict[str, object]] = {}
        #: work id -> its tags.
        self.tags: dict[str, frozenset[str]] = {}
        #: work id -> its progress (``None``: no ``WorkProgress`` row).
        self.progress: dict[str, Data | None] = {}
        #: work id -> the ids it waits for / the ids waiting for it, in the database's order.
        self.prerequisites: dict[str, list[str]] = {}
        self.dependents: dict[str, list[str]] = {}
        #: The scheduling query's answer for every row, or ``None`` until the next scheduling
        #: query builds it (see :mod:`harness.workmanager._scheduling_index`).
        self.scheduling: SchedulingIndex | None = None

    def clear(self) -> None:
        """Forget every row (after a rollback, a delete or a many-row statement)."""
        self.scheduling = None
        self.specs.clear()
        self._unapplied.clear()
        self.pending.clear()
        self.tags.clear()
        self.progress.clear()
        self.prerequisites.clear()
        self.dependents.clear()

    @property
    def unapplied_ids(self) -> Container[str]:
        """The rows written since their ``WorkSpec`` was built (:meth:`current` copies them)."""
        return self._unapplied.keys()

    def written(self, work_id: str) -> tuple[WorkSpec, Mapping[str, object]]:
        """The cached row of ``work_id`` as its last built ``WorkSpec`` and the fields written
        since (field -> value as read back): a read that builds no new ``WorkSpec`` (the row
        must be cached: ``KeyError`` otherwise)."""
        return self.specs[work_id], self._unapplied.get(work_id, _NOTHING_WRITTEN)

    def current(self, work_id: str) -> WorkSpec:
        """The cached ``WorkSpec`` of ``work_id`` as the database holds it now (the row must be
        cached: ``KeyError`` otherwise)."""
        changes = self._unapplied.pop(work_id, None)
        if changes is None:
            return self.specs[work_id]
        spec = self.specs[work_id] = with_fields(self.specs[work_id], changes)
        return spec

    def forget(self, work_id: str) -> None:
        """Forget the row of ``work_id`` (it was inserted or overwritten whole)."""
        self.specs.pop(work_id, None)
        self._unapplied.pop(work_id, None)

    def forget_specs(self) -> None:
        """Forget every ``WorkSpec`` row (a statement changed many of them)."""
        self.scheduling = None
        self.specs.clear()
        self._unapplied.clear()

    def field(self, work_id: str, name: str) -> Any:
        """The current value of one field of a cached row (without building its ``WorkSpec``)."""
        unapplied = self._unapplied
        if work_id in unapplied:  # (no dict.get call: a run reads seven columns)
            written = unapplied[work_id]
            if name in written:
                return written[name]
        return getattr(self.specs[work_id], name)

    def set_fields(self, work_id: str, changes: dict[str, object]) -> None:
        """Write ``changes`` (field, which is also the column, -> value) to the cached row of
        ``work_id`` and mark those columns pending."""
        # (membership tests and subscripts rather than dict.get, a call each: a run writes
        # three times, ten columns)
        stored: dict[str, object] = {}
        unapplied_rows = self._unapplied
        if work_id in unapplied_rows:
            unapplied = unapplied_rows[work_id]
        else:
            unapplied = unapplied_rows[work_id] = {}
        for name, value in changes.items():
            if name in _AS_READ and type(value) is _AS_READ[name]:
                stored[name] = int(value)  # type: ignore[call-overload]
                unapplied[name] = value
                continue
            to_sql, from_sql = _COLUMNS[name]
            stored[name] = sql_value = to_sql(value)
            unapplied[name] = from_sql(sql_value)
        pending = self.pending
        if work_id in pending:
            pending[work_id].update(stored)
        else:
            pending[work_id] = stored
        scheduling = self.scheduling
        if scheduling is not None and not _SCHEDULING_COLUMNS.isdisjoint(changes):
            spec = self.specs[work_id]
            get = unapplied.get
            scheduling.place(
                work_id,
                get("state", spec.state),  # type: ignore[arg-type]
                get("schedule_requested_at", spec.schedule_requested_at),  # type: ignore[arg-type]
                get("last_enqueue_time", spec.last_enqueue_time),  # type: ignore[arg-type]
            )

    def pending_updates(self) -> Iterable[tuple[str, tuple[object, ...]]]:
        """One ``UPDATE`` per row with pending columns, and its parameters; clears them."""
        pending, self.pending = self.pending, {}
        return self.updates(pending)

    @staticmethod
    def updates(
        pending: dict[str, dict[str, object]],
    ) -> Iterable[tuple[str, tuple[object, ...]]]:
        """One ``UPDATE`` per row of ``pending`` (work id -> columns), and its parameters."""
        for work_id, columns in pending.items():
            names = tuple(columns)
            statement = _UPDATES.get(names)
            if statement is None:
                statement = _UPDATES[names] = _update(names)
            sql, ordered = statement
            yield sql, (*[columns[name] for name in ordered], work_id)


#: The columns written, in the order written -> the ``UPDATE`` and its columns in ``_ORDER``
#: (a run writes the same few column sets every time).
_UPDATES: Final[dict[tuple[str, ...], tuple[str, tuple[str, ...]]]] = {}


def _update(names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    ordered = tuple(sorted(names, key=_ORDER.__getitem__))
    assignments = ", ".join(f"{name}=?" for name in ordered)
    return f"UPDATE workspec SET {assignments} WHERE id=?", ordered
