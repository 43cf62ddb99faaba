"""A 7-hour sync in a ``dataSync`` foreground service, started while the app is on screen."""

from __future__ import annotations

import asyncio

from harness.app import current_app, open_database
from harness.workmanager import (
    CoroutineWorker,
    ForegroundInfo,
    ForegroundServiceStartNotAllowedException,
    OneTimeWorkRequest,
    Result,
    WorkManager,
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
        try:
            await asyncio.sleep(7 * 3600)
        except asyncio.CancelledError:
            log(f"stopped: {self.stop_reason.name}")
            raise
        log("synced")
        return Result.success()


def main() -> None:
    WorkManager.get_instance(current_app()).enqueue(OneTimeWorkRequest.from_(LongSyncWorker))
