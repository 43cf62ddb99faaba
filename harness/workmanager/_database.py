"""``WorkDatabase``: WorkManager's sqlite database, owned by the device, not the app process.

The schema mirrors androidx's Room schema (``W/impl/WorkDatabase.kt``; the ``CREATE TABLE``
statements of 2.10, with ``trace_tag``): tables ``WorkSpec``, ``Dependency``, ``WorkTag``,
``WorkName``, ``WorkProgress``, ``SystemIdInfo`` and ``Preference``, foreign keys with
``ON DELETE CASCADE``, enums stored as their ordinals and ``Data`` as its exact V1 bytes.

As Room's ``WorkDatabase`` gives ``workSpecDao()``, ``dependencyDao()``, ..., this one exposes a
DAO per table, each in its own module with androidx's queries::

    database.work_spec_dao.get_work_spec(work_id)
    database.dependency_dao.get_dependent_work_ids(work_id)
    with database.transaction():        # workDatabase.runInTransaction { ... }
        database.work_spec_dao.set_state(work_id, State.ENQUEUED)
        database.work_spec_dao.mark_scheduled(work_id, -1)

``work_info_dao`` reads ``WorkInfo`` values (``getWorkStatusPojoFor*``, ``RawWorkInfoDao``).
``SystemIdInfo`` has no DAO: the JobScheduler glue keeps job ids itself.

Every WorkManager operation runs in one transaction (see :mod:`harness.workmanager._connection`
for the rules: nested blocks join, BEGIN is lazy, an on-disk file uses WAL).

Times are virtual milliseconds since the scenario epoch (not Unix time). The database lives in
memory by default; give a path to keep it on disk, or call :meth:`WorkDatabase.backup_to` to
write a copy that ``sqlite3`` opens. A ``WorkManager`` instance (a process) comes and goes; the
database outlives it, as on a phone, so work survives process death and reboot.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from harness.workmanager._connection import Connection
from harness.workmanager._dependency_dao import DependencyDao
from harness.workmanager._preference_dao import PreferenceDao
from harness.workmanager._schema import KEY_RESCHEDULE_NEEDED, SCHEMA
from harness.workmanager._work_info_dao import WorkInfoDao
from harness.workmanager._work_name_dao import WorkNameDao
from harness.workmanager._work_progress_dao import WorkProgressDao
from harness.workmanager._work_spec_dao import WorkSpecDao
from harness.workmanager._work_tag_dao import WorkTagDao

_T = TypeVar("_T")


class WorkDatabase:
    """WorkManager's persistent state: work specs, chains, tags, unique names, progress.

    ``WorkDatabase()`` is in memory; ``WorkDatabase(path)`` is a file (in WAL mode) that
    survives the Python process too. Close it when the device is done with it (or use it as a
    context manager).
    """

    work_spec_dao: WorkSpecDao
    """``workSpecDao()``: work specs, their states, the scheduling and pruning queries."""
    dependency_dao: DependencyDao
    """``dependencyDao()``: chains."""
    work_tag_dao: WorkTagDao
    """``workTagDao()``: tags."""
    work_name_dao: WorkNameDao
    """``workNameDao()``: unique work names."""
    work_progress_dao: WorkProgressDao
    """``workProgressDao()``: progress of running work."""
    preference_dao: PreferenceDao
    """``preferenceDao()``: WorkManager's own settings."""
    work_info_dao: WorkInfoDao
    """``WorkInfo`` by id, tag, name or query (``getWorkStatusPojoFor*``, ``RawWorkInfoDao``)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = None if path is None else Path(path)
        self._connection = Connection(self._path, SCHEMA)
        connection = self._connection
        self.work_spec_dao = WorkSpecDao(connection)
        self.dependency_dao = DependencyDao(connection)
        self.work_tag_dao = WorkTagDao(connection)
        self.work_name_dao = WorkNameDao(connection)
        self.work_progress_dao = WorkProgressDao(connection)
        self.preference_dao = PreferenceDao(connection)
        self.work_info_dao = WorkInfoDao(
            connection, self.work_spec_dao, self.work_tag_dao, self.work_progress_dao
        )

    @property
    def path(self) -> Path | None:
        """The file the database lives in, or ``None`` in memory."""
        return self._path

    @property
    def journal_mode(self) -> str:
        """sqlite's journal mode: ``wal`` for a file (Room's default), ``memory`` in memory."""
        return self._connection.journal_mode

    def close(self) -> None:
        """Close the connection (the file, if any, stays)."""
        self._connection.close()

    def __enter__(self) -> WorkDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def backup_to(self, path: str | Path) -> Path:
        """Write a consistent copy to ``path`` (a sqlite file anyone can open); returns it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._connection.backup_to(target)
        return target

    # --- transactions -------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """``with database.transaction(): ...``: the block's writes commit together or not at
        all (``runInTransaction``); a nested block joins the outer transaction."""
        return self._connection  # Connection.transaction(), without its call

    def run_in_transaction(self, body: Callable[[], _T]) -> _T:
        """``runInTransaction(body)``: call ``body`` in one transaction; returns its result."""
        with self._connection.transaction():
            return body()

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction block is open."""
        return self._connection.in_transaction

    # --- device-facing ------------------------------------------------------------------------

    def mark_reschedule_needed(self) -> None:
        """Ask the next WorkManager start to reschedule everything
        (``PreferenceUtils.setNeedsReschedule(true)``).

        androidx sets this after database migrations; the device layer sets it at boot.
        """
        with self.transaction():
            self.preference_dao.insert_preference(KEY_RESCHEDULE_NEEDED, 1)
