"""``WorkTagDao``: the ``WorkTag`` table (``W/impl/model/WorkTagDao.kt`` @62ad1e82)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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

    def insert_tags_of(self, works: Sequence[tuple[str, Iterable[str]]]) -> None:
        """:meth:`insert_tags` for each ``(work id, tags)`` in turn, as one ``executemany``
        (the same rows in the same order; the harness's own, for an enqueue of many works)."""
        rows = [(tag, work_id) for work_id, tags in works for tag in sorted(tags)]
        if not rows:
            return
        self._connection.write_many(
            "INSERT OR IGNORE INTO worktag (tag, work_spec_id) VALUES (?, ?)", rows
        )
        cached = self._connection.cache.tags
        for tag, work_id in rows:
            known = cached.get(work_id)
            if known is not None and tag not in known:
                cached[work_id] = known | {tag}

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
