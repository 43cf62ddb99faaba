"""examples/outbox.py (a page is done when the answer names its edits), uploading its edits
one page (of one edit) at a time, with one bug: when a 429 arrives
mid-way through the pages, the refused page is deleted from the outbox with the pages sent
before it (an off-by-one in "what was sent"), so its edits never reach the server."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import httpx

from harness.app import current_app, http, open_database
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    Result,
    Worker,
)

PACKAGE = "com.example.outbox"
BATCH_URL = "https://api.example.com/notes/batch"
PAGE = 1


def _outbox() -> sqlite3.Connection:
    db = open_database("outbox.db")
    db.execute(
        "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "id TEXT UNIQUE NOT NULL, text TEXT NOT NULL)"
    )
    db.commit()
    return db


def _enqueue_upload() -> None:
    request = (
        OneTimeWorkRequest.builder(UploadOutbox)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .set_backoff_criteria(BackoffPolicy.EXPONENTIAL, timedelta(seconds=30))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_work("upload_outbox", ExistingWorkPolicy.APPEND_OR_REPLACE, request)


def main() -> None:
    if _outbox().execute("SELECT COUNT(*) FROM outbox").fetchone()[0]:
        _enqueue_upload()


def edit(text: str = "note") -> str:
    """The user saves a note: it is in the outbox before anything else happens."""
    db = _outbox()
    with db:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0]
        note_id = f"note-{current_app().sim.now_ms}-{seq}"
        db.execute("INSERT INTO outbox (id, text) VALUES (?, ?)", (note_id, text))
    _enqueue_upload()
    return note_id


ACTIONS = {"edit": edit}


def _confirms(response: httpx.Response, ids: list[str]) -> bool:
    try:
        applied = response.json().get("ids")
    except ValueError:
        return False
    return isinstance(applied, list) and set(ids) <= set(applied)


class UploadOutbox(Worker):
    """Uploads the pending edits, a page at a time."""

    def do_work(self) -> Result:
        db = _outbox()
        rows = db.execute("SELECT id, text FROM outbox ORDER BY seq").fetchall()
        pages = [rows[start : start + PAGE] for start in range(0, len(rows), PAGE)]
        for number, page in enumerate(pages):
            ids = [row[0] for row in page]
            key = hashlib.sha256(",".join(ids).encode()).hexdigest()[:32]
            try:
                response = http.sync_client.post(
                    BATCH_URL,
                    json={"items": [{"id": note_id, "text": text} for note_id, text in page]},
                    headers={"Idempotency-Key": key},
                )
            except httpx.TransportError:
                return Result.retry()
            if response.status_code == 429 and number > 0:
                # BUG: "everything up to here was sent" counts the refused page too
                sent = [row[0] for done in pages[: number + 1] for row in done]
                with db:
                    db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in sent])
                return Result.retry()
            if response.status_code != 200 or not _confirms(response, ids):
                return Result.retry()
            with db:
                db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])
        return Result.success()
