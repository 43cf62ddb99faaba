"""An app for storage-reading tests: ``app keep TEXT`` writes a preference, a hive entry and a
sqlite row, and uploads the note (its work needs a network)."""

from __future__ import annotations

from harness.app import Hive, SharedPreferences, current_app, http, open_database
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    Result,
)

PACKAGE = "com.example.keeper"


def main() -> None:
    """Nothing runs at launch."""


async def keep(text: str = "note") -> str:
    """Store ``text`` three ways and enqueue its upload; returns the note id."""
    note_id = f"n-{current_app().sim.now_ms}"
    prefs = await SharedPreferences.get_instance()
    await prefs.set_string("last", text)
    box = await Hive.open_box("notes")
    await box.put(note_id, {"text": text})
    db = open_database("notes.db")
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO notes VALUES (?, ?)", (note_id, text))
    work_manager = current_app().work_manager
    assert work_manager is not None
    request = (
        OneTimeWorkRequest.builder(Upload)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager.enqueue_unique_work("upload", ExistingWorkPolicy.APPEND_OR_REPLACE, request)
    return note_id


class Upload(CoroutineWorker):
    """Uploads every note in the sqlite table, then deletes them."""

    async def do_work(self) -> Result:
        db = open_database("notes.db")
        rows = db.execute("SELECT id, text FROM notes ORDER BY id").fetchall()
        for note_id, text in rows:
            response = await http.client.post(
                "https://api.example.com/notes", json={"id": note_id, "text": text}
            )
            if response.status_code >= 300:
                return Result.retry()
            with db:
                db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        return Result.success()


ACTIONS = {"keep": keep}
