"""A long upload (45 min, 2 min after the app starts it) that asks to run in the foreground;
notes whether it was allowed."""

from __future__ import annotations

import asyncio

from harness.app import current_app, open_database
from harness.workmanager import (
    AndroidManifest,
    CoroutineWorker,
    ForegroundInfo,
    ForegroundServiceStartNotAllowedException,
    IllegalArgumentException,
    InvalidForegroundServiceTypeException,
    OneTimeWorkRequest,
    Result,
    SecurityException,
    WorkManager,
)

#: As a real app must ("Declare foreground service types in the app manifest"): dataSync on
#: WorkManager's SystemForegroundService, and its permission (Android 14+).
ANDROID_MANIFEST = AndroidManifest(
    foreground_service_types=("dataSync",),
    permissions=("android.permission.FOREGROUND_SERVICE_DATA_SYNC",),
)

PACKAGE = "com.example.uploader"
#: ``ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC``.
DATA_SYNC = 1


def log(outcome: str) -> None:
    """Append one line to the app's ``log.db`` (read by the tests)."""
    db = open_database("log.db")
    db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, outcome TEXT)")
    db.execute("INSERT INTO log (outcome) VALUES (?)", (outcome,))
    db.commit()


class UploadWorker(CoroutineWorker):
    """Goes foreground if it may, then uploads for 45 min of virtual time."""

    async def do_work(self) -> Result:
        try:
            await self.set_foreground(ForegroundInfo(7, "Uploading videos", DATA_SYNC))
            log("foreground")
        except ForegroundServiceStartNotAllowedException:
            log("foreground not allowed")
        except (
            IllegalArgumentException,
            InvalidForegroundServiceTypeException,
            SecurityException,
        ) as refused:
            log(f"foreground refused: {type(refused).__name__}")
        try:
            await asyncio.sleep(45 * 60)
        except asyncio.CancelledError:
            log(f"stopped: {self.stop_reason.name}")
            raise
        log("uploaded")
        return Result.success()


def main() -> None:
    request = OneTimeWorkRequest.builder(UploadWorker).set_initial_delay("2m").build()
    WorkManager.get_instance(current_app()).enqueue(request)
