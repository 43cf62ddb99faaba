"""What the test apps share: an HTTP GET of the item list, and a log of each outcome."""

from __future__ import annotations

import asyncio

import httpx

from harness.app import http, open_database
from harness.workmanager import CoroutineWorker, Result

ITEMS_URL = "https://api.example.com/items"


def log(where: str, outcome: str) -> None:
    """Append one outcome to the app's ``log.db`` (read by the tests)."""
    db = open_database("log.db")
    db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, at TEXT, outcome TEXT)")
    db.execute("INSERT INTO log (at, outcome) VALUES (?, ?)", (where, outcome))
    db.commit()


async def fetch(where: str) -> bool:
    """GET the item list; log ``ok`` or the transport error's class name."""
    try:
        response = await http.get(ITEMS_URL)
    except httpx.TransportError as error:
        log(where, type(error).__name__)
        return False
    log(where, f"http {response.status_code}")
    return response.status_code == 200


async def fetch_outside_job() -> None:
    """The app's own HTTP, not in a job (an action the scenario runs)."""
    await fetch("action")


ACTIONS = {"fetch": fetch_outside_job}


class SyncWorker(CoroutineWorker):
    """Fetches the item list; retries on a transport error."""

    async def do_work(self) -> Result:
        return Result.success() if await fetch("worker") else Result.retry()


class ForeverWorker(CoroutineWorker):
    """Never finishes on its own; logs that it saw the stop."""

    async def do_work(self) -> Result:
        try:
            await asyncio.sleep(10**7)
        except asyncio.CancelledError:
            log("worker", f"cancelled, is_stopped={self.is_stopped}")
            raise
        return Result.success()
