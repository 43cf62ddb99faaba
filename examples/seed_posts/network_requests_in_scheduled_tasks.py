"""Seed post 004, "network requests in scheduled tasks", ported from Dart as written, bugs included.

Three bugs that harness shows (see scenarios/seed_posts/commuter_week.yaml):

1. the periodic frequency of 5 minutes is raised to 15 minutes by WorkManager;
2. the request is not awaited: the handler returns true at once, the plugin destroys the
   background engine, and the response is never handled;
3. on 429 the one-off retry task uses the periodic task's unique name: with the one-off default
   KEEP it does nothing while the periodic work is ENQUEUED or RUNNING.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from harness.app import SharedPreferences, http
from harness.flutter import Workmanager

PACKAGE = "com.example.seed004"


def main() -> None:  # runs when the user opens the app
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task(
        "network_request_task", "network_request_task", frequency=timedelta(minutes=5)
    )


def callback_dispatcher() -> None:  # runs in each fresh background "isolate"
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        asyncio.ensure_future(perform_network_request())  # noqa: RUF006 - not awaited, as in the post
        return True

    Workmanager().execute_task(handler)


async def perform_network_request() -> None:
    response = await http.get("https://api.example.com/data")
    if response.status_code == 200:
        prefs = await SharedPreferences.get_instance()
        await prefs.set_string("data", response.text)
    elif response.status_code == 429:  # "retry after 1 minute"
        await Workmanager().register_one_off_task(
            "network_request_task", "network_request_task", initial_delay=timedelta(minutes=1)
        )
