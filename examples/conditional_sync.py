"""Conditional requests and differential updates: ETag / If-None-Match and ``?since=``.

Every 30 minutes the task asks whether anything changed (``If-None-Match`` with the stored ETag:
a 304 costs almost nothing). When something did, it fetches only the changes since the stored
server time (``?since=``) and applies them, deletions included, to the local cache. An answer
it cannot read (a body cut off, no ETag) is a failed sync, retried later, never a crash (found
by ``harness fuzz``: ``scenarios/conditional_sync/fuzz_truncated_answer.yaml``).
"""

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
            return True  # nothing changed
        if head.status_code != 200:
            return False
        since = prefs.get_int("server_time_ms")
        delta = await http.get(ITEMS_URL, params={"since": since if since is not None else -1})
    except httpx.TransportError:
        return False
    if delta.status_code != 200:
        return False
    try:
        body = delta.json()
        items, server_time_ms = body["items"], body["server_time_ms"]
    except (ValueError, KeyError, TypeError):  # a cut-off or unreadable answer: try again later
        return False
    cache = await Hive.open_box("items")
    for item in items:
        if item.get("deleted"):
            await cache.delete(item["id"])
        else:
            await cache.put(item["id"], item)
    await prefs.set_int("server_time_ms", server_time_ms)
    etag = head.headers.get("etag")
    if etag is not None:  # an answer without one (a broken proxy's) is not remembered
        await prefs.set_string("etag", etag)
    return True
