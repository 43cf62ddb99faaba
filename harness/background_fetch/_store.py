"""Where the Android plugin keeps its task configs: ``SharedPreferences`` named
``TSBackgroundFetch`` (``BackgroundFetchConfig.save``/``destroy``/``load``), here a table in
the app's device-owned data area, so configs outlive the process (headless events, boot)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Final

from harness.background_fetch._config import NativeConfig

if TYPE_CHECKING:
    from harness.app import AppInstance

#: The store's name (the plugin's ``SharedPreferences`` file).
STORE: Final = "TSBackgroundFetch"


def _db(instance: AppInstance) -> sqlite3.Connection:
    db = instance.data.database(STORE)
    db.execute("CREATE TABLE IF NOT EXISTS configs (task_id TEXT PRIMARY KEY, json TEXT)")
    return db


def save(instance: AppInstance, config: NativeConfig) -> None:
    """``BackgroundFetchConfig.save``."""
    with _db(instance) as db:
        db.execute(
            "INSERT OR REPLACE INTO configs (task_id, json) VALUES (?, ?)",
            (config.task_id, config.to_json()),
        )


def delete(instance: AppInstance, task_id: str) -> None:
    """``BackgroundFetchConfig.destroy``."""
    with _db(instance) as db:
        db.execute("DELETE FROM configs WHERE task_id = ?", (task_id,))


def load(instance: AppInstance) -> list[NativeConfig]:
    """``BackgroundFetchConfig.load``: the persisted configs, by task id."""
    rows = _db(instance).execute("SELECT json FROM configs ORDER BY task_id")
    return [NativeConfig.from_json(row[0]) for row in rows]
