"""An outbox that uploads user edits and must never lose or duplicate one (androidx ``Worker``).

Each edit goes into the app's sqlite outbox with an idempotency key before anything else, so a
kill, a reboot or a lost network can delay an edit but never lose it. A unique one-off work
(APPEND_OR_REPLACE, network required) uploads everything pending in one batch with a key made
from the batch's edit ids; only after the server answered 200 are the rows deleted. The batch
is written down (each row's ``batch`` column) before it is sent, and a retry sends that same
batch first: if the process dies, or the request times out, after the server applied the batch
but before the rows were deleted, the retry sends the same batch with the same key and the
server replays its first answer: no duplicate. Rows are deleted only when the answer names
them as applied: a 200 with a cut-off body confirms nothing. (Both found by ``harness fuzz``: a
batch rebuilt on retry, with an edit made in between, got a new key and the server applied its
edits twice, ``scenarios/outbox/fuzz_edit_during_timeout.yaml``; a truncated 200 deleted edits
the server never saw, ``scenarios/outbox/fuzz_truncated_answer.yaml``.)

The worker is a plain (sync) ``Worker`` using the sync ``httpx.Client``: it runs in a blocking
thread, so its HTTP calls take virtual time like the async ones.
"""

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


def _outbox() -> sqlite3.Connection:
    db = open_database("outbox.db")
    db.execute(
        "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "id TEXT UNIQUE NOT NULL, text TEXT NOT NULL, batch TEXT)"
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
        _enqueue_upload()  # edits left from before a kill or a reboot


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
    """The server's answer names every edit of the batch as applied. A 200 whose body is cut
    off or unreadable confirms nothing: the batch goes again (same key: no duplicate)."""
    try:
        applied = response.json().get("ids")
    except ValueError:  # json.JSONDecodeError, UnicodeDecodeError
        return False
    return isinstance(applied, list) and set(ids) <= set(applied)


class UploadOutbox(Worker):
    """Uploads every pending edit in one idempotent batch."""

    def do_work(self) -> Result:
        db = _outbox()
        rows = db.execute("SELECT id, text, batch FROM outbox ORDER BY seq").fetchall()
        if not rows:
            return Result.success()
        # a batch sent before (maybe applied, its answer lost) goes again as it was, same key
        sent_before = rows[0][2]
        batch = [(i, text) for i, text, key in rows if key == sent_before or sent_before is None]
        ids = [note_id for note_id, _ in batch]
        key = sent_before or hashlib.sha256(",".join(ids).encode()).hexdigest()[:32]
        if sent_before is None:
            with db:
                db.executemany("UPDATE outbox SET batch = ? WHERE id = ?", [(key, i) for i in ids])
        try:
            response = http.sync_client.post(
                BATCH_URL,
                json={"items": [{"id": note_id, "text": text} for note_id, text in batch]},
                headers={"Idempotency-Key": key},
            )
        except httpx.TransportError:
            return Result.retry()
        if response.status_code != 200 or not _confirms(response, ids):
            return Result.retry()
        with db:
            db.executemany("DELETE FROM outbox WHERE id = ?", [(note_id,) for note_id in ids])
        return Result.success()  # edits made meanwhile: their own work is appended to this one
