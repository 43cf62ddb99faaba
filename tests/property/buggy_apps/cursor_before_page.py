"""examples/paged_download.py with one bug: the cursor is advanced as soon as a page arrives,
but the page is stored only once the next page's request succeeded (to overlap storing with the
network), so a next request that fails loses the page: the retry resumes after it."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

import httpx

from harness.app import current_app, http, open_database
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    CoroutineWorker,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    Result,
)

PACKAGE = "com.example.pageddownload"
CATALOG_URL = "https://api.example.com/catalog"
PAGE_SIZE = 25


def _db() -> sqlite3.Connection:
    db = open_database("catalog.db")
    db.execute("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, body TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
    db.commit()
    return db


def main() -> None:
    _db()
    request = (
        OneTimeWorkRequest.builder(DownloadCatalog)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .set_backoff_criteria(BackoffPolicy.LINEAR, timedelta(seconds=30))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_work("download_catalog", ExistingWorkPolicy.KEEP, request)


def _store(db: sqlite3.Connection, items: list[dict[str, Any]]) -> None:
    with db:
        db.executemany(
            "INSERT OR REPLACE INTO items (id, body) VALUES (?, ?)",
            [(item["id"], json.dumps(item)) for item in items],
        )


class DownloadCatalog(CoroutineWorker):
    """Downloads the whole catalog, resuming from the saved cursor."""

    async def do_work(self) -> Result:
        db = _db()
        row = db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        cursor = row[0] if row else ""
        if db.execute("SELECT value FROM state WHERE key = 'done'").fetchone():
            return Result.success()
        unstored: list[dict[str, Any]] = []
        while True:
            try:
                response = await http.get(
                    CATALOG_URL, params={"cursor": cursor, "limit": PAGE_SIZE}
                )
            except httpx.TransportError:
                return Result.retry()
            if response.status_code != 200:
                return Result.retry()
            _store(db, unstored)
            body = response.json()
            next_cursor = body["next_cursor"]
            with db:  # BUG: the cursor moves past a page that is not stored yet
                if next_cursor is None:
                    db.execute("INSERT OR REPLACE INTO state VALUES ('done', '1')")
                else:
                    db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (next_cursor,))
            unstored = body["items"]
            if next_cursor is None:
                _store(db, unstored)
                return Result.success()
            cursor = next_cursor
