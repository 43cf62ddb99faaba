"""Reading an app's storage from outside the app: what a check or an invariant asserts on.

:class:`AppStorage` reads the package's device-owned data area, the bytes on "disk", never an
instance's in-memory cache: ``preferences()`` is what a fresh ``SharedPreferences.get_instance()``
would load, ``box(name)`` what a fresh ``Hive.open_box(name)`` would read, and ``query(db, sql)``
what the app's sqlite database holds now. It works during a run (a state machine's invariant)
and after it (a check): the data area outlives the run's processes, as on a phone.

Reading is read-only: ``query`` refuses a statement that would write (sqlite's own
``sqlite3_stmt_readonly``, through an authorizer), so a check can never change what it checks.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from harness.app._context import DataArea
from harness.app._storage import HIVE_DB, PREFS_DB

#: sqlite authorizer actions a read may take (everything else is denied).
_READ_ACTIONS: Final = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)


def _read_only(action: int, *_args: object) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


class AppStorage:
    """One package's storage as it is now: preferences, hive boxes, sqlite databases."""

    def __init__(self, package: str, data: DataArea) -> None:
        self.package = package
        self._data = data

    def __repr__(self) -> str:
        return f"AppStorage({self.package!r})"

    def _has_table(self, database: str, table: str) -> bool:
        connection = self._data.database(database)
        row = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return row is not None

    def preferences(self) -> dict[str, Any]:
        """Every ``shared_preferences`` value on disk, by key (empty when none was written)."""
        if not self._has_table(PREFS_DB, "preferences"):
            return {}
        rows = self._data.database(PREFS_DB).execute(
            "SELECT key, value FROM preferences ORDER BY key"
        )
        return {key: json.loads(value) for key, value in rows}

    def boxes(self) -> list[str]:
        """The names of the hive boxes with at least one entry on disk, sorted."""
        if not self._has_table(HIVE_DB, "box_entries"):
            return []
        rows = self._data.database(HIVE_DB).execute(
            "SELECT DISTINCT box FROM box_entries ORDER BY box"
        )
        return [name for (name,) in rows]

    def box(self, name: str) -> dict[str, Any]:
        """The entries of hive box ``name`` on disk, in insertion order (empty when absent)."""
        if not self._has_table(HIVE_DB, "box_entries"):
            return {}
        rows = self._data.database(HIVE_DB).execute(
            "SELECT key, value FROM box_entries WHERE box = ? ORDER BY rowid", (name,)
        )
        return {key: json.loads(value) for key, value in rows}

    def tables(self, database: str = "app.db") -> list[str]:
        """The tables of the app's sqlite database ``database`` (``open_database(name)``)."""
        rows = self._data.database(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [name for (name,) in rows]

    def query(
        self, database: str, sql: str, parameters: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """The rows of a read-only ``sql`` on the app's database ``database`` (e.g.
        ``query("outbox.db", "SELECT id FROM outbox")``); a statement that writes raises
        ``sqlite3.DatabaseError`` ("not authorized"), and a missing table
        ``sqlite3.OperationalError`` naming it."""
        connection = self._data.database(database)
        connection.set_authorizer(_read_only)
        try:
            return list(connection.execute(sql, tuple(parameters)).fetchall())
        finally:
            connection.set_authorizer(None)
