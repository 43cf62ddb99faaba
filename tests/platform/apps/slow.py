"""A 15-minute periodic job that fetches, then works for 4 minutes (CONNECTED network)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from harness.app import current_app
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    NetworkType,
    PeriodicWorkRequest,
    Result,
)
from tests.platform.apps._common import ACTIONS, fetch

PACKAGE = "com.example.slow"
__all__ = ["ACTIONS", "PACKAGE", "SlowWorker", "main"]


class SlowWorker(CoroutineWorker):
    """Fetches, then processes for 4 minutes."""

    async def do_work(self) -> Result:
        if not await fetch("worker"):
            return Result.retry()
        await asyncio.sleep(240)
        return Result.success()


def main() -> None:
    request = (
        PeriodicWorkRequest.builder(SlowWorker, timedelta(minutes=15))
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("slow", ExistingPeriodicWorkPolicy.KEEP, request)
