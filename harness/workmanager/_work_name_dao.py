"""``WorkNameDao``: the ``WorkName`` table (``W/impl/model/WorkNameDao.kt`` @31adf48a).

A unique work name is a row ``(name, work_spec_id)`` per work enqueued under it.
"""

from __future__ import annotations

from harness.workmanager._connection import Dao


class WorkNameDao(Dao):
    """Unique work names."""

    __slots__ = ()

    def insert(self, name: str, work_spec_id: str) -> None:
        """``insert`` (``OnConflictStrategy.IGNORE``)."""
        self._connection.write(
            "INSERT OR IGNORE INTO workname (name, work_spec_id) VALUES (?, ?)",
            (name, work_spec_id),
        )

    def get_names_for_work_spec_id(self, work_spec_id: str) -> list[str]:
        """``getNamesForWorkSpecId``."""
        rows = self._connection.rows(
            "SELECT name FROM workname WHERE work_spec_id=?", (work_spec_id,)
        )
        return [row[0] for row in rows]
