"""The sqlite connection under :class:`WorkDatabase`, with Room's transaction rules.

* **One transaction per operation.** androidx runs each operation (``EnqueueRunnable``,
  ``CancelWorkRunnable``, ``WorkerWrapper``'s state writes, ``ForceStopRunnable``,
  ``WorkerUpdater``, the marking in ``Schedulers.schedule``) inside
  ``workDatabase.runInTransaction``; :meth:`Connection.transaction` is that. A kill between two
  statements leaves the old state or the new one, never half of an operation.
* **Nesting joins.** ``SupportSQLiteDatabase.beginTransaction`` inside a transaction joins it
  (Android's ``SQLiteSession``): only the outermost block commits, and a nested block left by an
  exception makes the whole transaction roll back at the end, even if an outer block caught it.
* **A write outside a transaction commits alone**, as Room wraps each ``@Insert``/``@Update``/
  ``@Query`` write of a DAO in its own transaction.
* **BEGIN is lazy**: a block that only reads never opens a write transaction, so a transaction
  per operation adds no commit where the statements used to autocommit (one ``COMMIT`` replaces
  one autocommit per statement). Reads before the first write see the same rows as inside a
  transaction: this connection is the database's only writer and the simulation runs one
  operation at a time.
* **Reads from memory, writes through**: :attr:`Connection.cache` (a
  :class:`~harness.workmanager._row_cache.RowCache`) holds the rows the DAOs read or wrote; the
  columns they write are written to sqlite before the next statement, before the outermost
  ``COMMIT`` and at once outside a transaction, and a rollback forgets the cache.
* **In memory, committed column writes wait for the next statement**: an in-memory database
  (the test driver's, as ``WorkManagerTestInitHelper`` builds WorkManager on an in-memory Room
  database) has no file to keep consistent and no other reader: every read goes through this
  connection, which writes what waits before any statement. So a transaction whose only writes
  are column writes commits them in memory; they reach sqlite, one ``UPDATE`` per row with the
  columns of several transactions, just before the next statement (a query, an insert, a
  ``BEGIN``), always outside any transaction, so a later rollback cannot take them back. A run's
  ``trySetRunning``, its result and the next scheduling mark become one ``UPDATE``. A file
  database always begins and commits each transaction's writes.
* **An on-disk database uses WAL** (``PRAGMA journal_mode=WAL``), Room's
  ``JournalMode.AUTOMATIC`` on any phone with enough RAM (``RoomDatabase.JournalMode``).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.workmanager._row_cache import RowCache


@functools.lru_cache(maxsize=4)
def _empty_database(schema: str) -> sqlite3.Connection:
    """An in-memory database holding ``schema`` only, made once per process: copying its pages
    (``backup``, ~0.1 ms) into a new in-memory database replaces running the script (~2.5 ms,
    most of the cost of a world's build). Only ever read, under the GIL."""
    template = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    template.executescript(schema)
    return template


class Connection:
    """A sqlite3 connection (in memory, or a file) with nesting, lazily begun transactions."""

    def __init__(self, path: Path | None, schema: str) -> None:
        target = ":memory:" if path is None else str(path)
        # Lockstep worker threads (sync Workers) touch the database while the loop thread waits;
        # isolation_level=None: statements autocommit unless a transaction() block began one.
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._depth = 0
        self._begun = False
        self._failed = False
        self._in_memory = path is None
        #: In memory, inside a transaction: the column writes committed before it and not yet in
        #: sqlite (outside a transaction they are ``cache.pending`` itself).
        self._committed: dict[str, dict[str, object]] = {}
        #: The rows read or written, served from memory (see the module docstring).
        self.cache = RowCache()
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
            # Virtual devices lose no power; a killed process loses nothing either way, as
            # every committed write is in the file (or its -wal) before the kill.
            self._conn.execute("PRAGMA synchronous = OFF")
            self._conn.executescript(schema)
        else:  # the same pages as running the script; foreign_keys is the connection's own
            _empty_database(schema).backup(self._conn)

    @property
    def journal_mode(self) -> str:
        """``wal`` on disk, ``memory`` in memory."""
        return str(self._conn.execute("PRAGMA journal_mode").fetchone()[0])

    @property
    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` block is open (written to or not)."""
        return self._depth > 0

    def transaction(self) -> Connection:
        """One transaction around the block; a nested block joins the outer one.

        Committed when the outermost block ends normally; rolled back if it raises, or if a
        nested block raised (``SQLiteSession.endTransaction``: a failed child fails its parent).
        The block's context manager is the connection itself (its state is the depth and the
        flags here; a work run opens about a dozen blocks, and an object per block, or a
        generator-based one, costs several times as much).
        """
        return self

    def __enter__(self) -> None:
        if not self._depth and self._in_memory:
            cache = self.cache
            if cache.pending:  # set aside what is committed, so a rollback keeps it
                self._committed, cache.pending = cache.pending, {}
        self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # never swallows: an exception leaving the block fails the transaction and propagates
        if exc_type is not None:
            self._failed = True
        if self._depth == 1 and not self._failed and self._in_memory and not self._begun:
            # In memory, a transaction of column writes only (most of a work run's:
            # trySetRunning, the result's write, the scheduling mark) commits them in memory:
            # they join the committed ones, to be written before the next statement.
            self._depth = 0
            committed = self._committed
            if committed:
                self._committed = {}
                cache = self.cache
                for work_id, columns in cache.pending.items():
                    earlier = committed.get(work_id)
                    if earlier is None:
                        committed[work_id] = columns
                    else:
                        earlier.update(columns)
                cache.pending = committed
            return
        if self._depth == 1 and not self._failed and self.cache.pending:
            try:
                self._flush()  # the pending columns go into this transaction, before COMMIT
            except BaseException:
                self._failed = True
                self._depth = 0
                self._end()
                raise
        self._depth -= 1
        if self._depth == 0:
            self._end()

    def _end(self) -> None:
        failed, self._failed = self._failed, False
        if failed:
            if self._committed:  # committed before this transaction: into sqlite first
                self._flush_committed()
            self.cache.clear()  # the rows go back to what sqlite holds
        if not self._begun:
            return
        self._begun = False
        if failed:
            self._conn.execute("ROLLBACK")
            return
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            self.cache.clear()
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _flush(self) -> None:
        """Write the cache's pending columns (one ``UPDATE`` per row), those committed before
        this transaction first, outside it."""
        if self._committed:
            self._flush_committed()
        for sql, parameters in self.cache.pending_updates():
            self._begin_if_needed()
            self._conn.execute(sql, parameters)

    def _flush_committed(self) -> None:
        """Write the column writes committed before this transaction (autocommitted: before any
        ``BEGIN`` of it, so its rollback keeps them)."""
        committed, self._committed = self._committed, {}
        execute = self._conn.execute
        for sql, parameters in RowCache.updates(committed):
            execute(sql, parameters)

    def write_fields(self, work_id: str, changes: dict[str, object]) -> None:
        """Write columns of the cached row of ``work_id`` (field name -> value): in memory now,
        in sqlite before the next statement or the commit; at once outside a transaction
        (autocommit), except in an in-memory database, where they wait for the next
        statement."""
        self.cache.set_fields(work_id, changes)
        if not self._depth and not self._in_memory:
            self._flush()

    def _begin_if_needed(self) -> None:
        if self._depth and not self._begun:
            # Room's beginTransaction takes the write lock at once (BEGIN IMMEDIATE in WAL).
            self._conn.execute("BEGIN IMMEDIATE")
            self._begun = True

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        """Every row of a query."""
        if self.cache.pending or self._committed:
            self._flush()
        return self._conn.execute(sql, tuple(parameters)).fetchall()

    def row(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """The first row of a query, or ``None``."""
        if self.cache.pending or self._committed:
            self._flush()
        return self._conn.execute(sql, tuple(parameters)).fetchone()

    def write(self, sql: str, parameters: Sequence[object] = ()) -> int:
        """Run one write statement; returns the number of rows it changed."""
        if self.cache.pending or self._committed:
            self._flush()
        self._begin_if_needed()
        return self._conn.execute(sql, tuple(parameters)).rowcount

    def insert(self, sql: str, parameters: Sequence[object]) -> int | None:
        """Run one ``INSERT`` of one row; returns its ``rowid``, or ``None`` when it inserted
        nothing (``OR IGNORE``)."""
        if self.cache.pending or self._committed:
            self._flush()
        self._begin_if_needed()
        cursor = self._conn.execute(sql, tuple(parameters))
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def write_many(self, sql: str, parameters: Iterable[Sequence[object]]) -> None:
        """Run one write statement per parameter tuple."""
        if self.cache.pending or self._committed:
            self._flush()
        self._begin_if_needed()
        self._conn.executemany(sql, parameters)

    def backup_to(self, target: Path) -> None:
        """Copy the database to ``target`` (sqlite's online backup API)."""
        if self.cache.pending or self._committed:
            self._flush()
        destination = sqlite3.connect(str(target))
        try:
            self._conn.backup(destination)
        finally:
            destination.close()

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        self._conn.close()


class Dao:
    """A Data Access Object: the queries of one table, on the database's connection."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
