"""A 7-hour sync in a ``dataSync`` foreground service, started while the app is on screen."""

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

PACKAGE = "com.example.longsync"
#: ``ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC``.
DATA_SYNC = 1


def log(outcome: str) -> None:
    """Append one line to the app's ``log.db`` (read by the tests)."""
    db = open_database("log.db")
    db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, outcome TEXT)")
    db.execute("INSERT INTO log (outcome) VALUES (?)", (outcome,))
    db.commit()


class LongSyncWorker(CoroutineWorker):
    """Goes foreground (dataSync) if it may, then syncs for 7 hours of virtual time."""

    async def do_work(self) -> Result:
        try:
            await self.set_foreground(ForegroundInfo(9, "Syncing the archive", DATA_SYNC))
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
            await asyncio.sleep(7 * 3600)
        except asyncio.CancelledError:
            log(f"stopped: {self.stop_reason.name}")
            raise
        log("synced")
        return Result.success()


def main() -> None:
    WorkManager.get_instance(current_app()).enqueue(OneTimeWorkRequest.from_(LongSyncWorker))
