"""App storage that outlives the process: preferences, key-value boxes, sqlite, notifications.

All of it lives in device-owned sqlite databases of the app's package (its *data area*): a kill
or a reboot drops the in-memory objects, never the data; ``pm clear`` wipes it.

* :class:`SharedPreferences` follows the flutter ``shared_preferences`` plugin (legacy API): the
  first ``get_instance()`` in an isolate loads every value into an in-memory cache; getters read
  the cache; setters write through. Another isolate's writes stay invisible until ``reload()``
  (flutter_workmanager issue #220: "stale shared preferences across isolates").
* :class:`Hive` boxes (``hive`` package): ``open_box`` reads the box into memory once per
  isolate; writes go through to disk.
* :func:`open_database` is the app's sqlite database (``sqflite``): always consistent.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

from harness.app._context import Notification, current_app

PREFS_DB: Final = "FlutterSharedPreferences"
HIVE_DB: Final = "hive"


def _prefs_table(connection: sqlite3.Connection) -> sqlite3.Connection:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS preferences (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    return connection


class SharedPreferences:
    """The flutter ``shared_preferences`` API (snake_case), with its per-isolate cache."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = _prefs_table(connection)
        self._cache: dict[str, Any] = {}
        self._load()

    @classmethod
    async def get_instance(cls) -> SharedPreferences:
        """This isolate's instance; the first call loads every value into the cache."""
        app = current_app()
        instance: SharedPreferences = app.singleton(
            "shared_preferences", lambda: cls(app.data.database(PREFS_DB))
        )
        return instance

    def _load(self) -> None:
        rows = self._connection.execute("SELECT key, value FROM preferences ORDER BY key")
        self._cache = {key: json.loads(value) for key, value in rows}

    async def reload(self) -> None:
        """Re-read every value from storage (picks up other isolates' writes)."""
        self._load()

    def _typed(self, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        value = self._cache.get(key)
        if value is None:
            return None
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"preference {key!r} holds a bool, not {what}")
        if not isinstance(value, kind):
            raise TypeError(
                f"preference {key!r} holds a {type(value).__name__}, not {what}; read it "
                "with the getter of its type"
            )
        return value

    def get(self, key: str) -> Any:
        """The cached value of ``key`` of any type, or ``None``."""
        return self._cache.get(key)

    def get_string(self, key: str) -> str | None:
        """A string preference, ``None`` when absent; ``TypeError`` for another type."""
        value: str | None = self._typed(key, str, "a string")
        return value

    def get_int(self, key: str) -> int | None:
        """An int preference."""
        value: int | None = self._typed(key, int, "an int")
        return value

    def get_double(self, key: str) -> float | None:
        """A double preference."""
        value: float | None = self._typed(key, float, "a double")
        return value

    def get_bool(self, key: str) -> bool | None:
        """A bool preference."""
        value: bool | None = self._typed(key, bool, "a bool")
        return value

    def get_string_list(self, key: str) -> list[str] | None:
        """A list-of-strings preference."""
        value: list[str] | None = self._typed(key, list, "a string list")
        return None if value is None else list(value)

    def contains_key(self, key: str) -> bool:
        """Whether the cache has ``key``."""
        return key in self._cache

    def get_keys(self) -> set[str]:
        """All cached keys."""
        return set(self._cache)

    async def _set(self, key: str, value: Any) -> bool:
        self._cache[key] = value
        with self._connection:
            self._connection.execute(
                "INSERT OR REPLACE INTO preferences (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )
        return True

    async def set_string(self, key: str, value: str) -> bool:
        """Store a string (cache and storage)."""
        _check(key, value, str)
        return await self._set(key, value)

    async def set_int(self, key: str, value: int) -> bool:
        """Store an int."""
        _check(key, value, int)
        return await self._set(key, value)

    async def set_double(self, key: str, value: float) -> bool:
        """Store a double."""
        _check(key, value, float)
        return await self._set(key, float(value))

    async def set_bool(self, key: str, value: bool) -> bool:
        """Store a bool."""
        _check(key, value, bool)
        return await self._set(key, value)

    async def set_string_list(self, key: str, value: list[str]) -> bool:
        """Store a list of strings."""
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise TypeError(f"set_string_list({key!r}) needs a list of str, got {value!r}")
        return await self._set(key, list(value))

    async def remove(self, key: str) -> bool:
        """Delete ``key``."""
        self._cache.pop(key, None)
        with self._connection:
            self._connection.execute("DELETE FROM preferences WHERE key = ?", (key,))
        return True

    async def clear(self) -> bool:
        """Delete every preference."""
        self._cache.clear()
        with self._connection:
            self._connection.execute("DELETE FROM preferences")
        return True


def _check(key: str, value: object, kind: type) -> None:
    if kind is not bool and isinstance(value, bool):
        raise TypeError(f"preference {key!r}: {value!r} is a bool, not a {kind.__name__}")
    if kind is float and isinstance(value, int):
        return
    if not isinstance(value, kind):
        raise TypeError(
            f"preference {key!r}: {value!r} is a {type(value).__name__}, not a {kind.__name__}"
        )


class Box:
    """A ``hive`` box: an in-memory map read at open, written through to storage."""

    def __init__(self, name: str, connection: sqlite3.Connection) -> None:
        self.name = name
        self._connection = connection
        connection.execute(
            "CREATE TABLE IF NOT EXISTS box_entries (box TEXT NOT NULL, key TEXT NOT NULL, "
            "value TEXT NOT NULL, PRIMARY KEY (box, key))"
        )
        rows = connection.execute(
            "SELECT key, value FROM box_entries WHERE box = ? ORDER BY rowid", (name,)
        )
        self._entries: dict[str, Any] = {key: json.loads(value) for key, value in rows}

    def get(self, key: str, default: Any = None) -> Any:
        """The value under ``key``, or ``default``."""
        return self._entries.get(key, default)

    def contains_key(self, key: str) -> bool:
        """Whether ``key`` is in the box."""
        return key in self._entries

    @property
    def keys(self) -> list[str]:
        """Keys in insertion order."""
        return list(self._entries)

    @property
    def values(self) -> list[Any]:
        """Values in insertion order."""
        return list(self._entries.values())

    @property
    def length(self) -> int:
        """How many entries the box has."""
        return len(self._entries)

    def _encode(self, key: str, value: Any) -> str:
        try:
            return json.dumps(value, sort_keys=True)
        except TypeError as error:
            raise TypeError(
                f"box {self.name!r} key {key!r}: {value!r} is not storable ({error}); store "
                "JSON types (None, bool, int, float, str, lists and dicts of them)"
            ) from None

    async def put(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value under ``key``."""
        await self.put_all({key: value})

    async def put_all(self, entries: dict[str, Any]) -> None:
        """Store several entries in one write: all of them, or (a value not storable) none.

        hive's ``putAll`` appends every entry as one batch of frames and flushes once
        (``BoxBaseImpl.putAll`` -> ``StorageBackendVm.writeFrames``), so this is one sqlite
        transaction, not a commit per entry.
        """
        encoded = [(key, self._encode(key, value)) for key, value in entries.items()]
        for key, text in encoded:
            self._entries[key] = json.loads(text)
        with self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO box_entries (box, key, value) VALUES (?, ?, ?)",
                [(self.name, key, text) for key, text in encoded],
            )

    async def delete(self, key: str) -> None:
        """Remove ``key``."""
        self._entries.pop(key, None)
        with self._connection:
            self._connection.execute(
                "DELETE FROM box_entries WHERE box = ? AND key = ?", (self.name, key)
            )

    async def clear(self) -> int:
        """Remove everything; returns how many entries there were."""
        count = len(self._entries)
        self._entries.clear()
        with self._connection:
            self._connection.execute("DELETE FROM box_entries WHERE box = ?", (self.name,))
        return count


class Hive:
    """The ``hive`` entry point: boxes are opened once per isolate."""

    @staticmethod
    async def open_box(name: str) -> Box:
        """Open (or return this isolate's already open) box ``name``."""
        app = current_app()
        box: Box = app.singleton(f"hive:{name}", lambda: Box(name, app.data.database(HIVE_DB)))
        return box


def open_database(name: str = "app.db") -> sqlite3.Connection:
    """The app's own sqlite database ``name`` (device-owned; consistent across isolates)."""
    return current_app().data.database(name)


class _Notifications:
    """Show notifications to the user (``flutter_local_notifications``-like)."""

    async def show(
        self, notification_id: int, title: str, body: str, *, channel: str = "default"
    ) -> None:
        """Post a notification now; it is recorded with its virtual time."""
        app = current_app()
        app.notify(Notification(app.sim.now_ms, app.package, notification_id, title, body, channel))


#: Ambient notifications accessor for app code: ``await notifications.show(1, "title", "body")``.
notifications: Final = _Notifications()
