"""examples/rate_limited_fetch.py with one bug: on a 429 the retry is always one minute later,
whatever the server's Retry-After says."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx

from harness.app import SharedPreferences, http
from harness.flutter import Constraints, ExistingWorkPolicy, NetworkType, Workmanager

PACKAGE = "com.example.ratelimited"
DATA_URL = "https://api.example.com/data"
PERIODIC = "fetch_data"
RETRY = "fetch_data_retry"


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task(
        PERIODIC,
        PERIODIC,
        frequency=timedelta(minutes=15),
        constraints=Constraints(network_type=NetworkType.CONNECTED),
    )


def callback_dispatcher() -> None:
    Workmanager().execute_task(handle)


async def handle(task: str, input_data: dict[str, Any]) -> bool:
    prefs = await SharedPreferences.get_instance()
    await prefs.reload()
    now_ms = int(time.time() * 1000)
    not_before = prefs.get_int("retry_not_before_ms") or 0
    retry_run = bool(input_data.get("retry"))
    if retry_run:
        await prefs.set_bool("retry_pending", False)
    elif prefs.get_bool("retry_pending") and now_ms < not_before + 3_600_000:
        return True
    if now_ms < not_before:
        return True
    try:
        response = await http.get(DATA_URL)
    except httpx.TransportError:
        return False
    if response.status_code == 429:
        retry_after = 60  # BUG: Retry-After is never read
        await prefs.set_int("retry_not_before_ms", now_ms + retry_after * 1000)
        await prefs.set_bool("retry_pending", True)
        await Workmanager().register_one_off_task(
            RETRY,
            PERIODIC,
            input_data={"retry": True},
            initial_delay=timedelta(seconds=retry_after),
            existing_work_policy=ExistingWorkPolicy.APPEND,
            constraints=Constraints(network_type=NetworkType.CONNECTED),
        )
        return True
    if response.status_code != 200:
        return False
    await prefs.set_string("data", response.text)
    return True
