"""examples/conditional_sync.py with one bug: the new ETag is stored as soon as the check
answers 200, before the changes it stands for are fetched and saved. When the delta request
then fails, every later check answers 304 and the changes are never applied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from harness.app import Hive, SharedPreferences, http
from harness.flutter import Constraints, NetworkType, Workmanager

PACKAGE = "com.example.conditional"
ITEMS_URL = "https://api.example.com/items"


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
        if head.status_code != 200:
            return False
        await prefs.set_string("etag", head.headers["etag"])  # BUG: before the body is saved
        since = prefs.get_int("server_time_ms")
        delta = await http.get(ITEMS_URL, params={"since": since if since is not None else -1})
    except httpx.TransportError:
        return False
    if delta.status_code != 200:
        return False
    body = delta.json()
    cache = await Hive.open_box("items")
    for item in body["items"]:
        if item.get("deleted"):
            await cache.delete(item["id"])
        else:
            await cache.put(item["id"], item)
    await prefs.set_int("server_time_ms", body["server_time_ms"])
    return True
