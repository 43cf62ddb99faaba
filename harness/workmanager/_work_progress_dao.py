"""``WorkProgressDao``: the ``WorkProgress`` table (``W/impl/model/WorkProgressDao.kt``
@31adf48a): the last progress a RUNNING worker set."""

from __future__ import annotations

from harness.workmanager._connection import Dao
from harness.workmanager._data import Data


class WorkProgressDao(Dao):
    """Progress of running work."""

    __slots__ = ()

    def insert(self, work_spec_id: str, progress: Data) -> None:
        """``insert`` (``OnConflictStrategy.REPLACE``)."""
        self._connection.cache.progress.pop(work_spec_id, None)
        self._connection.write(
            "INSERT OR REPLACE INTO workprogress (work_spec_id, progress) VALUES (?, ?)",
            (work_spec_id, progress.to_byte_array()),
        )

    def delete(self, work_spec_id: str) -> None:
        """``delete`` (no statement when the cache knows there is no progress row: a ``DELETE``
        of no row)."""
        cached = self._connection.cache.progress
        if work_spec_id in cached and cached[work_spec_id] is None:
            return
        self._connection.write("DELETE FROM workprogress WHERE work_spec_id=?", (work_spec_id,))
        cached[work_spec_id] = None

    def delete_all(self) -> None:
        """``deleteAll``."""
        self._connection.write("DELETE FROM workprogress")
        self._connection.cache.progress.clear()

    def get_progress_for_work_spec_id(self, work_spec_id: str) -> Data:
        """``getProgressForWorkSpecId``, or ``Data.EMPTY`` where androidx gives ``null`` (what
        ``WorkInfo.progress`` then shows)."""
        cached = self._connection.cache.progress
        if work_spec_id in cached:
            progress = cached[work_spec_id]
        else:
            row = self._connection.row(
                "SELECT progress FROM workprogress WHERE work_spec_id=?", (work_spec_id,)
            )
            progress = cached[work_spec_id] = None if row is None else Data.from_byte_array(row[0])
        return Data.EMPTY if progress is None else progress
