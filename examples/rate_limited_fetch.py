"""Seed post 004 done right: a periodic fetch that honours 429 Retry-After.

The fixes to :mod:`examples.seed_posts.network_requests_in_scheduled_tasks`:

* 15 minutes, the real minimum, is asked for;
* the request is awaited, so the handler's result says what happened;
* on 429 a one-off retry task is registered under **its own** unique name, delayed by the
  server's ``Retry-After`` (at least one minute), and the time before which the server must not
  be asked again is saved: until then every run skips the request, and while the retry is
  pending the periodic run leaves the fetch to it (in a doze maintenance window both become due
  together, and two racing requests would break the server's limit again);
* a failure (network error, 5xx) returns false, so WorkManager retries with backoff.
"""

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
    await prefs.reload()  # another isolate may have recorded a 429 since this one started
    now_ms = int(time.time() * 1000)
    not_before = prefs.get_int("retry_not_before_ms") or 0
    retry_run = bool(input_data.get("retry"))
    if retry_run:
        await prefs.set_bool("retry_pending", False)
    elif prefs.get_bool("retry_pending") and now_ms < not_before + 3_600_000:
        return True  # the retry task owns the next fetch: two runs must not race the server
    if now_ms < not_before:
        return True  # the server asked us to wait
    try:
        response = await http.get(DATA_URL)
    except httpx.TransportError:
        return False  # offline or cut off: WorkManager retries with backoff
    if response.status_code == 429:
        retry_after = int(response.headers.get("retry-after", "60"))
        await prefs.set_int("retry_not_before_ms", now_ms + retry_after * 1000)
        await prefs.set_bool("retry_pending", True)
        await Workmanager().register_one_off_task(
            RETRY,
            PERIODIC,
            input_data={"retry": True},
            initial_delay=timedelta(seconds=max(60, retry_after)),
            # APPEND (APPEND_OR_REPLACE): a retry asking for another retry must not cancel
            # itself, as REPLACE would while it runs
            existing_work_policy=ExistingWorkPolicy.APPEND,
            constraints=Constraints(network_type=NetworkType.CONNECTED),
        )
        return True  # this run is done; the retry task fetches later
    if response.status_code != 200:
        return False
    await prefs.set_string("data", response.text)
    return True
