"""An app that, when opened, enqueues ``HARNESS_BENCH_COUNT`` one-time works that do nothing
(case c); runs import the app afresh, so the count comes through the environment."""

from __future__ import annotations

import os

from harness.app import current_app
from harness.workmanager import CoroutineWorker, OneTimeWorkRequest, Result

PACKAGE = "com.example.bench.noop"


class NoOpWorker(CoroutineWorker):
    """Succeeds at once."""

    async def do_work(self) -> Result:
        return Result.success()


def main() -> None:
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue([OneTimeWorkRequest.builder(NoOpWorker).build() for _ in range(_count())])


def _count() -> int:
    return int(os.environ.get("HARNESS_BENCH_COUNT", "100"))
