"""examples/conditional_sync.py, fetching the whole list in pages when it changed, with one bug:
the new ETag is stored as soon as the check answers 200, before the pages it stands for are
fetched and saved. When a page then fails, every later check answers 304 and the cache keeps
what it had."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from harness.app import Hive, SharedPreferences, http
from harness.flutter import Constraints, NetworkType, Workmanager

PACKAGE = "com.example.conditional"
ITEMS_URL = "https://api.example.com/items"
PAGE_SIZE = 2


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task(
        "conditional_sync",
        "conditional_sync",
        frequency=timedelta(minutes=30),
        constraints=Constraints(network_type=NetworkType.CONNECTED),
    )


def callback_dispatcher() -> None:
    Workmanager().execute_task(sync)


async def sync(task: str, input_data: dict[str, Any]) -> bool:
    prefs = await SharedPreferences.get_instance()
    etag = prefs.get_string("etag")
    headers = {"If-None-Match": etag} if etag else {}
    try:
        head = await http.get(ITEMS_URL, params={"limit": 1}, headers=headers)
        if head.status_code == 304:
            return True
        if head.status_code != 200 or "etag" not in head.headers:
            return False
        await prefs.set_string("etag", head.headers["etag"])  # BUG: before the body is saved
        items: dict[str, Any] = {}
        cursor: str | None = ""
        while cursor is not None:
            page = await http.get(ITEMS_URL, params={"cursor": cursor, "limit": PAGE_SIZE})
            if page.status_code != 200:
                return False
            body = page.json()
            items.update((item["id"], item) for item in body["items"])
            cursor = body["next_cursor"]
    except (httpx.TransportError, ValueError, KeyError):
        return False
    cache = await Hive.open_box("items")
    await cache.clear()
    await cache.put_all(items)
    return True
