"""The answer of ``getEligibleWorkForScheduling``, kept in memory so it costs no statement.

``Schedulers.schedule`` runs the query after every work run (``WorkSpecDao.kt`` @051c4525)::

    SELECT * FROM workspec WHERE state=ENQUEUED AND schedule_requested_at=-1
    ORDER BY last_enqueue_time LIMIT (SELECT MAX(:limit-COUNT(*), 0) FROM workspec
    WHERE schedule_requested_at<>-1 AND LENGTH(content_uri_triggers)=0
    AND state NOT IN COMPLETED_STATES)

:class:`SchedulingIndex` holds, for every row of the table, what that query depends on: the
rows counted against the limit (scheduled, unfinished, without content URI triggers) and the
eligible rows (ENQUEUED, not scheduled) in the query's order. sqlite reads the eligible rows
through the partial index ``index_harness_WorkSpec_unscheduled_enqueued`` (``state``,
``schedule_requested_at``, ``last_enqueue_time``), whose entries, like every index's, are
ordered by their columns and then the ``rowid`` (``EXPLAIN QUERY PLAN``: no temporary b-tree
for the ``ORDER BY``), so the index keeps them ordered by ``(last_enqueue_time, rowid)``.

The :class:`~harness.workmanager._row_cache.RowCache` owns it and keeps it exact: every column
write of ``state``, ``schedule_requested_at`` or ``last_enqueue_time`` goes through the cache
(and so here), an insert or a whole-row update places its row, a delete removes its rows;
anything else that changes rows (a many-row ``UPDATE``, a rollback) drops the index, and the
next scheduling query builds it again from one scan of the table.

It answers ``getAllEligibleWorkSpecsForScheduling`` too (``state=ENQUEUED ORDER BY
last_enqueue_time LIMIT 200``), which ``Schedulers.schedule`` runs after every run once
``GreedyScheduler`` is registered: sqlite reads it through ``index_harness_WorkSpec_enqueued``
(``last_enqueue_time`` where ``state=0``), in the same ``(last_enqueue_time, rowid)`` order, so
the index keeps every ENQUEUED row in that order as well.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Final

from harness.workmanager._enums import ENQUEUED, FINISHED, State
from harness.workmanager._schedule import SCHEDULE_NOT_REQUESTED_YET

#: The scan that builds the index: per row its id, ``rowid``, the three columns the query
#: reads, and whether it has content URI triggers.
SCAN: Final = (
    "SELECT id, rowid, state, schedule_requested_at, last_enqueue_time, "
    "LENGTH(content_uri_triggers)<>0 FROM workspec"
)


class SchedulingIndex:
    """Every row's part in the scheduling query: counted against the limit, eligible, or
    neither."""

    __slots__ = (
        "_enqueued_order",
        "_order",
        "_rowids",
        "_with_content_uris",
        "eligible",
        "enqueued",
        "scheduled",
    )

    def __init__(self) -> None:
        #: work id -> ``rowid``, for every row of the table.
        self._rowids: dict[str, int] = {}
        #: The rows with content URI triggers (never counted against the limit).
        self._with_content_uris: set[str] = set()
        #: The rows counted against the limit: scheduled, unfinished, no content URI triggers.
        self.scheduled: set[str] = set()
        #: The eligible rows (ENQUEUED, not scheduled) -> their key in :attr:`_order`.
        self.eligible: dict[str, tuple[int, int, str]] = {}
        #: The eligible rows' ``(last_enqueue_time, rowid, id)``, sorted: the query's order.
        self._order: list[tuple[int, int, str]] = []
        #: Every ENQUEUED row (scheduled or not) -> its key in :attr:`_enqueued_order`.
        self.enqueued: dict[str, tuple[int, int, str]] = {}
        #: The ENQUEUED rows' ``(last_enqueue_time, rowid, id)``, sorted: the greedy query's order.
        self._enqueued_order: list[tuple[int, int, str]] = []

    def add(
        self,
        work_id: str,
        rowid: int,
        *,
        has_content_uris: bool,
        state: State,
        schedule_requested_at: int,
        last_enqueue_time: int,
    ) -> None:
        """A row was inserted (or read by the scan), or overwritten whole (same ``rowid``)."""
        self._rowids[work_id] = rowid
        if has_content_uris:
            self._with_content_uris.add(work_id)
        else:
            self._with_content_uris.discard(work_id)
        self.place(work_id, state, schedule_requested_at, last_enqueue_time)

    def place(
        self, work_id: str, state: State, schedule_requested_at: int, last_enqueue_time: int
    ) -> None:
        """The row of ``work_id`` now holds these values (a column write)."""
        rowid = self._rowids.get(work_id)
        if rowid is None:
            return  # not a row of the table: the write changed nothing
        if (
            schedule_requested_at != SCHEDULE_NOT_REQUESTED_YET
            and state not in FINISHED  # COMPLETED_STATES never count against the limit
            and work_id not in self._with_content_uris
        ):
            self.scheduled.add(work_id)
        else:
            self.scheduled.discard(work_id)
        key = (last_enqueue_time, rowid, work_id)
        enqueued = state is ENQUEUED
        _file(self.enqueued, self._enqueued_order, work_id, key if enqueued else None)
        eligible = enqueued and schedule_requested_at == SCHEDULE_NOT_REQUESTED_YET
        _file(self.eligible, self._order, work_id, key if eligible else None)

    def rowid(self, work_id: str) -> int | None:
        """The ``rowid`` of the row of ``work_id``, or ``None`` if there is no such row."""
        return self._rowids.get(work_id)

    def remove(self, work_ids: Iterable[str]) -> None:
        """These rows were deleted."""
        for work_id in work_ids:
            self._rowids.pop(work_id, None)
            self._with_content_uris.discard(work_id)
            self.scheduled.discard(work_id)
            _file(self.eligible, self._order, work_id, None)
            _file(self.enqueued, self._enqueued_order, work_id, None)

    def eligible_ids(self, scheduler_limit: int) -> list[str]:
        """The ids the query returns for ``scheduler_limit``, in its order."""
        free = scheduler_limit - len(self.scheduled)
        if free <= 0:
            return []
        return [key[2] for key in self._order[:free]]

    def enqueued_ids(self, max_limit: int) -> list[str]:
        """The ids ``getAllEligibleWorkSpecsForScheduling(max_limit)`` returns, in its order."""
        return [key[2] for key in self._enqueued_order[:max_limit]]


def _file(
    keys: dict[str, tuple[int, int, str]],
    order: list[tuple[int, int, str]],
    work_id: str,
    key: tuple[int, int, str] | None,
) -> None:
    """Put ``work_id`` in the sorted ``order`` under ``key`` (``None``: take it out)."""
    if work_id in keys:  # (membership, not dict.get: a column write files twice)
        old = keys[work_id]
        if old == key:
            return
        del order[bisect.bisect_left(order, old)]
        if key is None:
            del keys[work_id]
            return
    elif key is None:
        return
    keys[work_id] = key
    if not order or order[-1] < key:
        order.append(key)  # most rows are filed with the latest enqueue time
    else:
        bisect.insort(order, key)
