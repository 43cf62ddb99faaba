"""``DependencyDao``: the ``Dependency`` table (``W/impl/model/DependencyDao.kt`` @67c6bcaf).

A row ``(work_spec_id, prerequisite_id)`` says that ``work_spec_id`` runs after
``prerequisite_id`` succeeds; both ends cascade with their work spec.
"""

from __future__ import annotations

from harness.workmanager._connection import Dao
from harness.workmanager._enums import State


class DependencyDao(Dao):
    """Chains: who waits for whom."""

    __slots__ = ()

    def insert_dependency(self, work_spec_id: str, prerequisite_id: str) -> None:
        """``insertDependency`` (``OnConflictStrategy.IGNORE``)."""
        self._connection.write(
            "INSERT OR IGNORE INTO dependency (work_spec_id, prerequisite_id) VALUES (?, ?)",
            (work_spec_id, prerequisite_id),
        )
        # read again when asked: each list has its own index order (prerequisite id, rowid)
        cache = self._connection.cache
        cache.prerequisites.pop(work_spec_id, None)
        cache.dependents.pop(prerequisite_id, None)

    def has_completed_all_prerequisites(self, work_spec_id: str) -> bool:
        """``hasCompletedAllPrerequisites``: every prerequisite SUCCEEDED."""
        row = self._connection.row(
            "SELECT COUNT(*)=0 FROM dependency WHERE work_spec_id=? AND prerequisite_id IN "
            "(SELECT id FROM workspec WHERE state!=2)",
            (work_spec_id,),
        )
        return bool(row[0])

    def get_prerequisites(self, work_spec_id: str) -> list[str]:
        """``getPrerequisites`` (from the connection's cache once read)."""
        cached = self._connection.cache.prerequisites
        ids = cached.get(work_spec_id)
        if ids is None:
            rows = self._connection.rows(
                "SELECT prerequisite_id FROM dependency WHERE work_spec_id=?", (work_spec_id,)
            )
            ids = cached[work_spec_id] = [row[0] for row in rows]
        return list(ids)

    def get_dependent_work_ids(self, work_spec_id: str) -> list[str]:
        """``getDependentWorkIds`` (from the connection's cache once read)."""
        cached = self._connection.cache.dependents
        ids = cached.get(work_spec_id)
        if ids is None:
            rows = self._connection.rows(
                "SELECT work_spec_id FROM dependency WHERE prerequisite_id=?", (work_spec_id,)
            )
            ids = cached[work_spec_id] = [row[0] for row in rows]
        return list(ids)

    def has_dependents(self, work_spec_id: str) -> bool:
        """``hasDependents``."""
        row = self._connection.row(
            "SELECT COUNT(*)>0 FROM dependency WHERE prerequisite_id=?", (work_spec_id,)
        )
        return bool(row[0])

    def get_prerequisite_states(self, work_spec_id: str) -> list[tuple[str, State]]:
        """The prerequisites of ``work_spec_id`` and their states, by id (the harness's own,
        for explaining why a work is BLOCKED)."""
        rows = self._connection.rows(
            "SELECT id, state FROM workspec WHERE id IN "
            "(SELECT prerequisite_id FROM dependency WHERE work_spec_id=?) ORDER BY id",
            (work_spec_id,),
        )
        return [(row[0], State(row[1])) for row in rows]
