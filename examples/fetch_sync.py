"""Periodic data sync with the ``background_fetch`` plugin, configured as most apps do.

``BackgroundFetch.configure`` with a 15-minute ``minimumFetchInterval`` and the defaults:
``stopOnTerminate: true``, no headless task, no ``startOnBoot``. Each fetch event downloads every
page of the item list into a local cache and calls ``finish``; a timeout (60 s on Android,
about 30 s on iOS) finishes the task too. On Android the fetch is JobScheduler job 999; on iOS a
``BGAppRefreshTaskRequest`` ``com.transistorsoft.fetch``.

With these defaults the fetch stops for good the first time an event arrives while the app is
terminated (swiped away, killed): the plugin cancels the job (``stopOnTerminate``).
:mod:`examples.fetch_sync_headless` is the same app with a headless task.
"""

from __future__ import annotations

from typing import Any

import httpx

from harness.app import Hive, SharedPreferences, http
from harness.background_fetch import BackgroundFetch, BackgroundFetchConfig, NetworkType
from harness.ios import AppInfo

#: A Flutter app: on iOS, main() runs at background launches too.
IOS_FLUTTER = True
PACKAGE = "com.example.fetchsync"
ITEMS_URL = "https://api.example.com/items"
#: iOS: the plugin's README asks for this identifier in BGTaskSchedulerPermittedIdentifiers
#: (without it every submit fails with notPermitted, code 3).
IOS_APP_INFO = AppInfo(permitted_identifiers=("com.transistorsoft.fetch",))
CONFIG = BackgroundFetchConfig(minimum_fetch_interval=15, required_network_type=NetworkType.ANY)


def main() -> None:
    BackgroundFetch.configure(CONFIG, on_fetch, on_timeout)


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
        body = response.json()
        items.extend(body["items"])
        page = body["next_page"]
    return items


async def sync() -> bool:
    """Refresh the cache; ``False`` when the server could not be read."""
    items = await fetch_all()
    if items is None:
        return False
    cache = await Hive.open_box("items")
    await cache.clear()
    await cache.put_all({item["id"]: item for item in items})
    prefs = await SharedPreferences.get_instance()
    await prefs.set_int("last_sync_count", len(items))
    return True


async def on_fetch(task_id: str) -> None:
    """A fetch event: sync, then tell the plugin the task is done."""
    await sync()
    BackgroundFetch.finish(task_id)


async def on_timeout(task_id: str) -> None:
    """The OS is about to stop the task: finish at once."""
    BackgroundFetch.finish(task_id)
