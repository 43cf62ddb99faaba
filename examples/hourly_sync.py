"""Hourly periodic data sync with a local cache (flutter workmanager facade).

Every hour, on any validated network, the background task fetches every page of the item list
and replaces the local cache (a Hive box) with it; the time of the last good sync goes to shared
preferences. A failure (offline, server error, a page it cannot read) returns false, so
WorkManager retries with its exponential backoff; the next period comes anyway.

On an iPhone the same Dart code runs through the plugin's iOS side: AppDelegate registers the
task's identifier (``ios_did_finish_launching``, with Info.plist's permitted identifiers in
``IOS_APP_INFO``), and iOS, not the hour, decides when it runs (docs/ios.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from harness.app import Hive, SharedPreferences, http
from harness.flutter import Constraints, NetworkType, Workmanager, WorkmanagerPlugin
from harness.ios import AppInfo, Launch

PACKAGE = "com.example.hourlysync"
ITEMS_URL = "https://api.example.com/items"
#: Info.plist (iOS): ``BGTaskSchedulerPermittedIdentifiers`` holds the task's identifier.
IOS_APP_INFO = AppInfo(permitted_identifiers=("hourly_sync",))


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task(
        "hourly_sync",
        "hourly_sync",
        frequency=timedelta(hours=1),
        constraints=Constraints(network_type=NetworkType.CONNECTED),
    )


def ios_did_finish_launching(_launch: Launch) -> None:
    """AppDelegate.swift (iOS): register the periodic task's launch handler, as the plugin's
    README asks (``WorkmanagerPlugin.registerPeriodicTask(withIdentifier:frequency:)``)."""
    WorkmanagerPlugin.register_periodic_task("hourly_sync", frequency=timedelta(hours=1))


def callback_dispatcher() -> None:
    Workmanager().execute_task(sync)


async def fetch_all() -> list[dict[str, Any]] | None:
    """Every live item, page by page; ``None`` if any page fails."""
    items: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        try:
            response = await http.get(ITEMS_URL, params={"page": page, "limit": 50})
        except httpx.TransportError:
            return None
        if response.status_code != 200:
            return None
        try:
            body = response.json()
            items.extend(body["items"])
            page = body["next_page"]
        except (ValueError, KeyError, TypeError):  # a cut-off or unreadable page
            return None
    return items


async def sync(task: str, input_data: dict[str, Any]) -> bool:
    items = await fetch_all()
    if items is None:
        return False
    cache = await Hive.open_box("items")
    await cache.clear()
    await cache.put_all({item["id"]: item for item in items})
    prefs = await SharedPreferences.get_instance()
    await prefs.set_int("last_sync_count", len(items))
    return True
