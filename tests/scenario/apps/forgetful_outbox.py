"""A buggy outbox for ``--app`` tests: it keeps edits in memory only, so a kill loses them."""

from __future__ import annotations

from harness.app import current_app, http
from harness.workmanager import CoroutineWorker, OneTimeWorkRequest, Result

PACKAGE = "com.example.forgetful"
BATCH_URL = "https://api.example.com/notes/batch"
_PENDING: list[str] = []


def main() -> None:
    """Nothing is left from before: the edits were only in memory."""


def edit(text: str = "note") -> str:
    """The note goes into a module-level list (gone with the process) and an upload is queued."""
    note_id = f"note-{current_app().sim.now_ms}"
    _PENDING.append(note_id)
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue(OneTimeWorkRequest.builder(Upload).build())
    return note_id


class Upload(CoroutineWorker):
    """Uploads what this process still remembers."""

    async def do_work(self) -> Result:
        if _PENDING:
            items = [{"id": note_id, "text": "note"} for note_id in _PENDING]
            response = await http.client.post(BATCH_URL, json={"items": items})
            if response.status_code != 200:
                return Result.retry()
            _PENDING.clear()
        return Result.success()


ACTIONS = {"edit": edit}
