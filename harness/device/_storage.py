"""``Storage``: free space with Android's low/full levels, and device-owned app data.

Levels follow ``DeviceStorageMonitorService.check()``: FULL at ``usable <= full bytes`` (1 MiB),
LOW at ``usable <= min(total * 5 %, 500 MiB)`` (``StorageManager.getStorageLowBytes``), else
NORMAL; the same thresholds apply both ways (no hysteresis), and the service checks once a
minute, so a change is seen at the next check tick. Entering LOW sends
``ACTION_DEVICE_STORAGE_LOW``, leaving it ``ACTION_DEVICE_STORAGE_OK`` (JobScheduler's
``StorageController`` reads those).

App data (sqlite databases, a key-value area) belongs to the device, not to a process: it
survives process death and reboots, and only ``pm clear`` (:meth:`Storage.wipe`) removes it. In
memory by default; files under ``data_dir/<package>/`` when the device has a ``data_dir``.
"""

from __future__ import annotations

import enum
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.device._profile import StorageSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


class StorageLevel(enum.IntEnum):
    """``DeviceStorageMonitorService.State.LEVEL_*``."""

    LEVEL_UNKNOWN = -1  # not checked yet
    LEVEL_NORMAL = 0  # enough free space
    LEVEL_LOW = 1  # at or below the low threshold: ACTION_DEVICE_STORAGE_LOW
    LEVEL_FULL = 2  # at or below 1 MiB: ACTION_DEVICE_STORAGE_FULL


class KeyValueArea:
    """A package's device-owned key-value store (JSON values in its ``_kv`` database)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._db.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` (anything JSON can hold) under ``key``."""
        self._db.execute(
            "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )
        self._db.commit()

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        self._db.execute("DELETE FROM kv WHERE key = ?", (key,))
        self._db.commit()

    def keys(self) -> list[str]:
        """Every key, sorted."""
        return [row[0] for row in self._db.execute("SELECT key FROM kv ORDER BY key")]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


class Storage:
    """Internal storage of one device."""

    def __init__(
        self, sim: Simulation, settings: StorageSettings, *, data_dir: Path | None = None
    ) -> None:
        self._sim = sim
        self._settings = settings
        self._data_dir = data_dir
        self._free = settings.initial_free_bytes
        self._level = StorageLevel.LEVEL_UNKNOWN
        self._forced: StorageLevel | None = None
        self._sequence = 0
        self._booted_ms: int | None = None
        self._check = Timer(sim, self.check_now)
        self._databases: dict[tuple[str, str], sqlite3.Connection] = {}
        #: The level changed (LOW: ``ACTION_DEVICE_STORAGE_LOW``; back: ``..._OK``).
        self.level_changed: Signal[StorageLevel] = Signal("device.storage")

    # --- space ------------------------------------------------------------------------------

    @property
    def total_bytes(self) -> int:
        """The size of the data partition."""
        return self._settings.total_bytes

    @property
    def free_bytes(self) -> int:
        """Usable bytes now."""
        return self._free

    @property
    def low_bytes(self) -> int:
        """``getStorageLowBytes``: ``min(total * percentage / 100, max bytes)``."""
        settings = self._settings
        return min(
            settings.total_bytes * settings.threshold_percentage // 100,
            settings.threshold_max_bytes,
        )

    @property
    def full_bytes(self) -> int:
        """``getStorageFullBytes``: 1 MiB by default."""
        return self._settings.full_threshold_bytes

    @property
    def level(self) -> StorageLevel:
        """The level as of the last check."""
        return self._level

    @property
    def low(self) -> bool:
        """Whether storage is low (LOW or FULL): the ``requiresStorageNotLow`` constraint fails."""
        return self._level >= StorageLevel.LEVEL_LOW

    def fill(self, size_bytes: int) -> None:
        """Something wrote ``size_bytes`` (free space cannot go below 0)."""
        self.set_free(self._free - size_bytes)

    def free_up(self, size_bytes: int) -> None:
        """Something deleted ``size_bytes`` (free space cannot exceed the total)."""
        self.set_free(self._free + size_bytes)

    def set_free(self, free_bytes: int) -> None:
        """Set the free space; the monitor sees it at its next check."""
        self._free = max(0, min(self.total_bytes, free_bytes))
        self._sim.record("device.storage", event="space", free_bytes=self._free)
        self._schedule_check()

    # --- the monitor ------------------------------------------------------------------------

    def power_on(self) -> None:
        """The monitor starts at boot and checks at once, then once a minute."""
        self._booted_ms = self._sim.now_ms
        self._level = StorageLevel.LEVEL_UNKNOWN
        self.check_now()

    def power_off(self) -> None:
        """The monitor is gone until the next boot."""
        self._booted_ms = None
        self._check.cancel()

    def force(self, level: StorageLevel | None) -> int:
        """``cmd devicestoragemonitor force-low|force-not-low|reset``; returns the sequence."""
        self._forced = level
        self._sequence += 1
        self.check_now()
        return self._sequence

    def _schedule_check(self) -> None:
        if self._booted_ms is None or self._check.due_ms is not None:
            return
        interval = self._settings.check_interval_ms
        elapsed = self._sim.now_ms - self._booted_ms
        self._check.set_at(self._booted_ms + (elapsed // interval + 1) * interval)

    def check_now(self) -> None:
        """``DeviceStorageMonitorService.check()``."""
        if self._booted_ms is None:
            return
        if self._forced is not None:
            level = self._forced
        elif self._free <= self.full_bytes:
            level = StorageLevel.LEVEL_FULL
        elif self._free <= self.low_bytes:
            level = StorageLevel.LEVEL_LOW
        else:
            level = StorageLevel.LEVEL_NORMAL
        if level == self._level:
            return
        self._level = level
        self._sim.record(
            "device.storage",
            event="level",
            level=level.name,
            free_bytes=self._free,
            low_bytes=self.low_bytes,
        )
        self.level_changed.emit(level)

    # --- app data ---------------------------------------------------------------------------

    def database(self, package: str, name: str) -> sqlite3.Connection:
        """The package's sqlite database ``name`` (created empty on first use)."""
        key = (package, name)
        connection = self._databases.get(key)
        if connection is None:
            target = ":memory:"
            if self._data_dir is not None:
                directory = self._data_dir / package
                directory.mkdir(parents=True, exist_ok=True)
                target = str(directory / f"{name}.db")
            # sync workers use it from their lockstep thread while the loop thread waits
            connection = sqlite3.connect(target, check_same_thread=False)
            self._databases[key] = connection
        return connection

    def key_value(self, package: str) -> KeyValueArea:
        """The package's key-value area (kept in its ``_kv`` database)."""
        return KeyValueArea(self.database(package, "_kv"))

    def databases(self, package: str) -> list[str]:
        """Names of the package's databases opened so far, sorted."""
        return sorted(name for owner, name in self._databases if owner == package)

    def wipe(self, package: str) -> None:
        """``pm clear``: every byte of the package's data is gone."""
        for key in [key for key in self._databases if key[0] == package]:
            self._databases.pop(key).close()
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir / package, ignore_errors=True)
        self._sim.record("device.storage", event="wiped", package=package)

    def close(self) -> None:
        """Close every database (the end of a run)."""
        for connection in self._databases.values():
            connection.close()
        self._databases.clear()
