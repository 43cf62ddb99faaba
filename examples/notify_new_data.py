"""A sync that notifies the user of new data.

Every hour the task fetches what changed since its last look and, when there are new items,
shows one notification ("3 new items"). The last server time is saved only after the
notification, so a run cut off in between notifies again rather than never.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from harness.app import SharedPreferences, http, notifications
from harness.flutter import Constraints, NetworkType, Workmanager

PACKAGE = "com.example.notifier"
ITEMS_URL = "https://api.example.com/items"


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task(
        "new_data",
        "new_data",
        frequency=timedelta(hours=1),
        constraints=Constraints(network_type=NetworkType.CONNECTED),
    )


def callback_dispatcher() -> None:
    Workmanager().execute_task(check_for_new_data)


async def check_for_new_data(task: str, input_data: dict[str, Any]) -> bool:
    prefs = await SharedPreferences.get_instance()
    await prefs.reload()  # the UI may have written it (stale cache across isolates otherwise)
    since = prefs.get_int("since")
    try:
        response = await http.get(ITEMS_URL, params={"since": since if since is not None else 0})
    except httpx.TransportError:
        return False
    if response.status_code != 200:
        return False
    try:
        body = response.json()
        new = [item for item in body["items"] if not item.get("deleted")]
        server_time_ms = body["server_time_ms"]
    except (ValueError, KeyError, TypeError, AttributeError):  # a cut-off or unreadable answer
        return False
    if new and since is not None:
        count = len(new)
        await notifications.show(
            1, f"{count} new item{'s' if count != 1 else ''}", "tap to see what changed"
        )
    await prefs.set_int("since", server_time_ms)
    return True
