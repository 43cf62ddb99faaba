"""``WorkInfo`` queries: ``WorkSpecDao.getWorkStatusPojoFor*`` and ``RawWorkInfoDao``.

Room builds a ``WorkSpec.WorkInfoPojo`` from a ``workspec`` row plus its ``@Relation``s, the
``WorkTag`` and ``WorkProgress`` rows of the same id (``W/impl/model/WorkSpecDao.kt`` @051c4525,
``W/impl/model/RawWorkInfoDao.kt`` @517f9ce1); ``toWorkInfo`` gives the public ``WorkInfo``.
A query by :class:`WorkQuery` is ``W/impl/utils/RawQueries.kt`` (``toRawQuery``).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.workmanager._connection import Connection, Dao
from harness.workmanager._info import WorkInfo, WorkQuery
from harness.workmanager._schema import COLUMNS, from_row
from harness.workmanager._work_progress_dao import WorkProgressDao
from harness.workmanager._work_spec_dao import WorkSpecDao, placeholders
from harness.workmanager._work_tag_dao import WorkTagDao


class WorkInfoDao(Dao):
    """``WorkInfo`` by id, tag, unique name or :class:`WorkQuery`."""

    __slots__ = ("_progress", "_tags", "_work_specs")

    def __init__(
        self,
        connection: Connection,
        work_specs: WorkSpecDao,
        tags: WorkTagDao,
        progress: WorkProgressDao,
    ) -> None:
        super().__init__(connection)
        self._work_specs = work_specs
        self._tags = tags
        self._progress = progress

    def _infos(self, sql: str, parameters: Sequence[object]) -> list[WorkInfo]:
        specs = [from_row(row) for row in self._connection.rows(sql, parameters)]
        return [
            WorkInfo.from_spec(
                spec,
                self._tags.get_tags_for_work_spec_id(spec.id),
                self._progress.get_progress_for_work_spec_id(spec.id),
            )
            for spec in specs
        ]

    def get_work_info(self, work_spec_id: str) -> WorkInfo | None:
        """``getWorkStatusPojoForId(...).toWorkInfo()``."""
        spec = self._work_specs.get_work_spec(work_spec_id)
        if spec is None:
            return None
        return WorkInfo.from_spec(
            spec,
            self._tags.get_tags_for_work_spec_id(spec.id),
            self._progress.get_progress_for_work_spec_id(spec.id),
        )

    def get_work_infos_for_tag(self, tag: str) -> list[WorkInfo]:
        """``getWorkStatusPojoForTag``."""
        return self._infos(
            f"SELECT {COLUMNS} FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM worktag WHERE tag=?)",
            (tag,),
        )

    def get_work_infos_for_name(self, name: str) -> list[WorkInfo]:
        """``getWorkStatusPojoForName``."""
        return self._infos(
            f"SELECT {COLUMNS} FROM workspec WHERE id IN "
            "(SELECT work_spec_id FROM workname WHERE name=?)",
            (name,),
        )

    def get_work_infos_for_query(self, query: WorkQuery) -> list[WorkInfo]:
        """``RawWorkInfoDao.getWorkInfoPojos(query.toRawQuery())``: OR within a field, AND
        across fields."""
        clauses: list[str] = []
        parameters: list[object] = []
        if query.states:
            clauses.append(f"state IN ({placeholders(query.states)})")
            parameters += [int(state) for state in query.states]
        if query.ids:
            clauses.append(f"id IN ({placeholders(query.ids)})")
            parameters += [str(work_id) for work_id in query.ids]
        if query.tags:
            clauses.append(
                "id IN (SELECT work_spec_id FROM worktag WHERE tag IN "
                f"({placeholders(query.tags)}))"
            )
            parameters += list(query.tags)
        if query.unique_work_names:
            clauses.append(
                "id IN (SELECT work_spec_id FROM workname WHERE name IN "
                f"({placeholders(query.unique_work_names)}))"
            )
            parameters += list(query.unique_work_names)
        return self._infos(
            f"SELECT {COLUMNS} FROM workspec WHERE {' AND '.join(clauses)}", parameters
        )
