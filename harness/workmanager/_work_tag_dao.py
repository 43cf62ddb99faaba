"""``WorkTagDao``: the ``WorkTag`` table (``W/impl/model/WorkTagDao.kt`` @62ad1e82)."""

from __future__ import annotations

from collections.abc import Iterable

from harness.workmanager._connection import Dao


class WorkTagDao(Dao):
    """The tags of each work."""

    __slots__ = ()

    def insert_tags(self, work_spec_id: str, tags: Iterable[str]) -> None:
        """``insertTags``: one ``insert`` (``OnConflictStrategy.IGNORE``) per tag, sorted."""
        ordered = sorted(tags)
        self._connection.write_many(
            "INSERT OR IGNORE INTO worktag (tag, work_spec_id) VALUES (?, ?)",
            [(tag, work_spec_id) for tag in ordered],
        )
        cached = self._connection.cache.tags
        if work_spec_id in cached:
            cached[work_spec_id] |= frozenset(ordered)

    def delete_by_work_spec_id(self, work_spec_id: str) -> None:
        """``deleteByWorkSpecId``: every tag of the work."""
        self._connection.cache.tags.pop(work_spec_id, None)
        self._connection.write("DELETE FROM worktag WHERE work_spec_id=?", (work_spec_id,))

    def get_tags_for_work_spec_id(self, work_spec_id: str) -> frozenset[str]:
        """``getTagsForWorkSpecId`` (from the connection's cache once read)."""
        cached = self._connection.cache.tags
        tags = cached.get(work_spec_id)
        if tags is None:
            rows = self._connection.rows(
                "SELECT DISTINCT tag FROM worktag WHERE work_spec_id=?", (work_spec_id,)
            )
            tags = cached[work_spec_id] = frozenset(row[0] for row in rows)
        return tags
