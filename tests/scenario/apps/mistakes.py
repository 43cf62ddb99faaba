"""An app for the classic-mistake checks: each action does one thing wrong, or its fix."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from harness.app import current_app, http
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    Result,
    WorkManager,
)

PACKAGE = "com.example.mistakes"
API = "https://api.example.com/items"
ONLINE = Constraints(required_network_type=NetworkType.CONNECTED)


def main() -> None:
    """Nothing runs at launch."""


def _work_manager() -> WorkManager:
    work_manager = current_app().work_manager
    assert work_manager is not None
    return work_manager


class Fetch(CoroutineWorker):
    """GETs the items once."""

    async def do_work(self) -> Result:
        try:
            response = await http.client.get(API)
        except httpx.TransportError:
            return Result.retry()
        return Result.success() if response.status_code == 200 else Result.retry()


class RetryForever(CoroutineWorker):
    """Retries every failure, however often."""

    async def do_work(self) -> Result:
        response = await http.client.get(API)
        return Result.success() if response.status_code == 200 else Result.retry()


class RetryThrice(CoroutineWorker):
    """Gives up after three attempts."""

    async def do_work(self) -> Result:
        response = await http.client.get(API)
        if response.status_code == 200:
            return Result.success()
        return Result.retry() if self.run_attempt_count < 2 else Result.failure()


def _periodic(interval: timedelta) -> PeriodicWorkRequest:
    return PeriodicWorkRequest.builder(Fetch, interval).set_constraints(ONLINE).build()


def _one_off(worker: type[CoroutineWorker] = Fetch) -> OneTimeWorkRequest:
    return OneTimeWorkRequest.builder(worker).set_constraints(ONLINE).build()


def share_name() -> None:
    """A periodic sync and a 'sync now' under one name: KEEP drops the one-off."""
    manager = _work_manager()
    manager.enqueue_unique_periodic_work(
        "sync", ExistingPeriodicWorkPolicy.KEEP, _periodic(timedelta(hours=1))
    )
    manager.enqueue_unique_work("sync", ExistingWorkPolicy.KEEP, _one_off())


def own_names() -> None:
    """The same two, each under its own name."""
    manager = _work_manager()
    manager.enqueue_unique_periodic_work(
        "sync", ExistingPeriodicWorkPolicy.KEEP, _periodic(timedelta(hours=1))
    )
    manager.enqueue_unique_work("sync_now", ExistingWorkPolicy.KEEP, _one_off())


def fetch_anytime() -> None:
    """A fetch with no network constraint."""
    _work_manager().enqueue(OneTimeWorkRequest.builder(Fetch).build())


def fetch_online() -> None:
    """A fetch that waits for a network."""
    _work_manager().enqueue(_one_off())


def sync_every_10m() -> None:
    """A periodic sync every 10 minutes (WorkManager clamps it to 15)."""
    _work_manager().enqueue(_periodic(timedelta(minutes=10)))


def sync_every_15m() -> None:
    """A periodic sync every 15 minutes."""
    _work_manager().enqueue(_periodic(timedelta(minutes=15)))


def retry_forever() -> None:
    """Work that retries every failure."""
    _work_manager().enqueue(_one_off(RetryForever))


def retry_thrice() -> None:
    """Work that gives up after three attempts."""
    _work_manager().enqueue(_one_off(RetryThrice))


async def hammer() -> None:
    """Retries a failing request every second, for ten minutes."""
    for _ in range(600):
        response = await http.client.get(API)
        if response.status_code == 200:
            return
        await asyncio.sleep(1)


async def back_off() -> None:
    """Retries a failing request with a doubling delay, at most six times."""
    delay = 30.0
    for _ in range(6):
        response = await http.client.get(API)
        if response.status_code == 200:
            return
        await asyncio.sleep(delay)
        delay *= 2


ACTIONS = {
    name: function
    for name, function in globals().items()
    if name
    in {
        "share_name",
        "own_names",
        "fetch_anytime",
        "fetch_online",
        "sync_every_10m",
        "sync_every_15m",
        "retry_forever",
        "retry_thrice",
        "hammer",
        "back_off",
    }
}
