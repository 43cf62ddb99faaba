"""A deliberately buggy periodic sync (case f): it forgets that the phone can be offline.

Every 15 minutes it GETs the server with no network constraint and does not catch
``httpx.TransportError``, so the first sync while the phone has no network (airplane mode, or
Wi-Fi and mobile data both off) crashes: the ``no_crashes`` check fails. Property tests over
:func:`harness.strategies.timelines` find that and shrink it to the one event that takes the
network away.
"""

from __future__ import annotations

import os
from datetime import timedelta

from harness.app import current_app, http
from harness.workmanager import (
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    PeriodicWorkRequest,
    Result,
)

PACKAGE = "com.example.bench.buggy"
URL = "https://api.example.com/status"
#: With ``HARNESS_BENCH_BUGGY=0`` the sync catches the error and retries (the correct app, for
#: examples per second); runs import the app afresh, so the switch is in the environment.
BUGGY_ENV = "HARNESS_BENCH_BUGGY"


class SyncWorker(CoroutineWorker):
    """One GET; crashes when offline unless ``HARNESS_BENCH_BUGGY=0``."""

    async def do_work(self) -> Result:
        if os.environ.get(BUGGY_ENV, "1") == "1":
            response = await http.get(URL)
        else:
            try:
                response = await http.get(URL)
            except Exception:
                return Result.retry()
        return Result.success() if response.status_code == 200 else Result.retry()


def main() -> None:
    # The first run waits 5 minutes: the phone's network is up by then (a run at boot, before
    # the network is validated, would fail even with no event in the timeline).
    request = (
        PeriodicWorkRequest.builder(SyncWorker, timedelta(minutes=15))
        .set_initial_delay(timedelta(minutes=5))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("sync", ExistingPeriodicWorkPolicy.KEEP, request)
