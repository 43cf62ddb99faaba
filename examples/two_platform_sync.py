"""Item sync written natively for both platforms, the same fetch code on each.

On Android, ``main()`` enqueues hourly periodic work (WorkManager, on any network). On iOS the
app follows Apple's pattern: it registers a ``BGAppRefreshTask`` handler as it launches
(``ios_did_finish_launching``), submits a refresh request when opened, and every refresh launch
first submits the next request, then syncs and calls ``setTaskCompleted`` (or gives up when the
expiration handler runs). When iOS launches it is iOS's decision (docs/ios.md): a run on
``iphone-like`` syncs far less often than one on ``pixel-like``.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import httpx

from harness.app import SharedPreferences, current_app, http
from harness.ios import AppInfo, BGAppRefreshTaskRequest, BGTask, BGTaskSchedulerError, Launch
from harness.sim import MS_PER_MINUTE
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    NetworkType,
    PeriodicWorkRequest,
    Result,
)

PACKAGE = "com.example.twoplatform"
ITEMS_URL = "https://api.example.com/items"
REFRESH_ID = "com.example.twoplatform.refresh"
#: The Info.plist: the refresh identifier is permitted (BGTaskSchedulerPermittedIdentifiers).
IOS_APP_INFO = AppInfo(permitted_identifiers=(REFRESH_ID,))


async def sync() -> bool:
    """Fetch every page of the items; remember how many there were. ``False`` on failure."""
    count = 0
    page: int | None = 1
    while page is not None:
        try:
            response = await http.get(ITEMS_URL, params={"page": page, "limit": 50})
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        body = response.json()
        count += len(body["items"])
        page = body["next_page"]
    prefs = await SharedPreferences.get_instance()
    await prefs.set_int("last_sync_count", count)
    return True


def main() -> None:
    app = current_app()
    if app.ios is not None:
        submit_refresh()
        return
    request = (
        PeriodicWorkRequest.builder(SyncWorker, timedelta(hours=1))
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager = app.work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("sync", ExistingPeriodicWorkPolicy.KEEP, request)


class SyncWorker(CoroutineWorker):
    """Android: one periodic sync."""

    async def do_work(self) -> Result:
        return Result.success() if await sync() else Result.retry()


# --- iOS ------------------------------------------------------------------------------------


def submit_refresh() -> None:
    """Ask for the next refresh, not before 15 minutes from now (a floor, not a time)."""
    app = current_app()
    assert app.ios is not None
    earliest = app.sim.now_ms + 15 * MS_PER_MINUTE
    # Background App Refresh off or Low Power Mode (unavailable): the next open tries again
    with contextlib.suppress(BGTaskSchedulerError):
        app.ios.scheduler(PACKAGE).submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest))


def ios_did_finish_launching(_launch: Launch) -> None:
    app = current_app()
    assert app.ios is not None
    app.ios.scheduler(PACKAGE).register(REFRESH_ID, on_refresh)


def on_refresh(task: BGTask) -> Any:
    """A refresh launch: submit the next request first, then sync within the 30 s."""
    submit_refresh()

    async def run() -> None:
        work = asyncio.ensure_future(sync())
        task.expiration_handler = work.cancel
        try:
            ok = await work
        except asyncio.CancelledError:
            task.set_task_completed(success=False)
            return
        task.set_task_completed(success=ok)

    return run()
