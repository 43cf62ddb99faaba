"""A deliberately buggy periodic sync: it forgets that the phone can be offline.

Every 15 minutes it GETs the server with no network constraint and does not catch
``httpx.TransportError``, so the first sync while the phone has no network (airplane mode, or
no Wi-Fi and no mobile data) crashes and ``no_crashes`` fails. Property tests over
``harness.strategies.timelines`` find that in a drawn week and shrink it to the event that
takes the network away.
"""

from __future__ import annotations

from datetime import timedelta

from harness.app import current_app, http
from harness.workmanager import (
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    PeriodicWorkRequest,
    Result,
)

PACKAGE = "com.example.tests.buggy"
URL = "https://api.example.com/status"


class SyncWorker(CoroutineWorker):
    """One GET, not guarded against a missing network."""

    async def do_work(self) -> Result:
        response = await http.get(URL)
        return Result.success() if response.status_code == 200 else Result.retry()


def main() -> None:
    # the first run waits 5 minutes: the network is up by then
    request = (
        PeriodicWorkRequest.builder(SyncWorker, timedelta(minutes=15))
        .set_initial_delay(timedelta(minutes=5))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("sync", ExistingPeriodicWorkPolicy.KEEP, request)
