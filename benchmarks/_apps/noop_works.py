"""An app that, when opened, enqueues ``COUNT`` one-time works that do nothing (case c)."""

from __future__ import annotations

from harness.app import current_app
from harness.workmanager import CoroutineWorker, OneTimeWorkRequest, Result

PACKAGE = "com.example.bench.noop"
COUNT = 100


class NoOpWorker(CoroutineWorker):
    """Succeeds at once."""

    async def do_work(self) -> Result:
        return Result.success()


def main() -> None:
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue([OneTimeWorkRequest.builder(NoOpWorker).build() for _ in range(COUNT)])
