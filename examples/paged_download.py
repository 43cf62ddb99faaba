"""Paged batch download with retries and backoff (androidx ``CoroutineWorker``).

A unique one-off download walks a cursor-paginated collection. Each page is stored as it arrives
and the cursor is saved after it, so a retry (after an error, a lost network, a kill or a reboot)
resumes where it stopped instead of starting over. Errors (and a page it cannot read) return
``Result.retry()`` with linear backoff from 30 s; progress is published with ``set_progress``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import httpx

from harness.app import current_app, http, open_database
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    CoroutineWorker,
    Data,
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


class DownloadCatalog(CoroutineWorker):
    """Downloads the whole catalog, resuming from the saved cursor."""

    async def do_work(self) -> Result:
        db = _db()
        row = db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        cursor = row[0] if row else ""
        done = db.execute("SELECT value FROM state WHERE key = 'done'").fetchone()
        if done:
            return Result.success()
        pages = 0
        while True:
            try:
                response = await http.get(
                    CATALOG_URL, params={"cursor": cursor, "limit": PAGE_SIZE}
                )
            except httpx.TransportError:
                return Result.retry()
            if response.status_code != 200:
                return Result.retry()
            try:
                body = response.json()
                items, next_cursor = body["items"], body["next_cursor"]
            except (ValueError, KeyError, TypeError):  # a cut-off page: ask for it again
                return Result.retry()
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO items (id, body) VALUES (?, ?)",
                    [(item["id"], json.dumps(item)) for item in items],
                )
                if next_cursor is None:
                    db.execute("INSERT OR REPLACE INTO state VALUES ('done', '1')")
                else:
                    db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (next_cursor,))
            pages += 1
            await self.set_progress(Data({"pages": pages}))
            if next_cursor is None:
                return Result.success(Data({"pages": pages}))
            cursor = next_cursor
