"""A periodic sync every 15 minutes (WorkManager's minimum) that makes one GET (cases b and g)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from harness.app import current_app, http
from harness.workmanager import (
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    PeriodicWorkRequest,
    Result,
)

PACKAGE = "com.example.bench.quarterhour"
URL = "https://api.example.com/status"


class SyncWorker(CoroutineWorker):
    """One GET; a failure (offline, server error) is retried."""

    async def do_work(self) -> Result:
        try:
            response = await http.get(URL)
        except httpx.TransportError:
            return Result.retry()
        return Result.success() if response.status_code == 200 else Result.retry()


def main() -> None:
    request = PeriodicWorkRequest.builder(SyncWorker, timedelta(minutes=15)).build()
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("sync", ExistingPeriodicWorkPolicy.KEEP, request)
