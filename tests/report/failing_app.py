"""An app whose upload waits for a charger and then raises: the report's failing run.

``main`` (each launch) enqueues a unique chain ``fetch -> upload`` with KEEP, so the second
launch's enqueue is dropped; ``Upload`` needs charging and raises with a hostile message.
"""

from __future__ import annotations

import httpx

from harness.app import current_app, http
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingWorkPolicy,
    OneTimeWorkRequest,
    Result,
)

PACKAGE = "com.example.failing"
ITEMS_URL = "https://api.example.com/items"
#: The exception message the upload raises with (must stay inert in the report).
HOSTILE_ERROR = '"><img src=x onerror=alert(1)>'


def main() -> None:
    work_manager = current_app().work_manager
    assert work_manager is not None
    fetch = OneTimeWorkRequest.builder(Fetch).build()
    upload = (
        OneTimeWorkRequest.builder(Upload)
        .set_constraints(Constraints(requires_charging=True))
        .build()
    )
    work_manager.begin_unique_work("upload", ExistingWorkPolicy.KEEP, fetch).then(upload).enqueue()


class Fetch(CoroutineWorker):
    """Reads the item list (retries while offline)."""

    async def do_work(self) -> Result:
        try:
            await http.get(ITEMS_URL)
        except httpx.TransportError:
            return Result.retry()
        return Result.success()


class Upload(CoroutineWorker):
    """Runs once the phone charges, then raises."""

    async def do_work(self) -> Result:
        raise ValueError(HOSTILE_ERROR)
