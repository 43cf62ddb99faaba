"""An app with a ``Configuration.Provider``: job ids from 5000, a factory, a 1-thread pool."""

from __future__ import annotations

import time

from harness.app import current_app
from harness.workmanager import (
    Configuration,
    FixedThreadPool,
    ListenableWorker,
    OneTimeWorkRequest,
    Result,
    Worker,
    WorkerParameters,
    WorkManager,
)

PACKAGE = "com.example.configured"
#: Worker class names the configured factory was asked for, in order.
ASKED: list[str] = []


class Blocking(Worker):
    """Blocks its thread 60 s of virtual time, then succeeds."""

    def do_work(self) -> Result:
        time.sleep(60)
        return Result.success()


class RecordingFactory:
    """Notes each request and leaves creation to the default factory (returns ``None``)."""

    def create_worker(
        self, worker_class_name: str, worker_parameters: WorkerParameters
    ) -> ListenableWorker | None:
        ASKED.append(worker_class_name)
        return None


def work_manager_configuration() -> Configuration:
    return (
        Configuration.builder()
        .set_job_scheduler_job_id_range(5000, 6000)
        .set_max_scheduler_limit(60)
        .set_worker_factory(RecordingFactory())
        .set_executor(FixedThreadPool(1))
        .build()
    )


def main() -> None:
    work_manager = WorkManager.get_instance(current_app())
    work_manager.enqueue([OneTimeWorkRequest.from_(Blocking) for _ in range(3)])
