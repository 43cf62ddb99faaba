"""An hourly periodic sync on any validated network (androidx ``PeriodicWorkRequest``)."""

from __future__ import annotations

from datetime import timedelta

from harness.app import current_app
from harness.workmanager import (
    Constraints,
    ExistingPeriodicWorkPolicy,
    NetworkType,
    PeriodicWorkRequest,
)
from tests.platform.apps._common import ACTIONS, SyncWorker

PACKAGE = "com.example.periodic"
__all__ = ["ACTIONS", "PACKAGE", "main"]


def main() -> None:
    request = (
        PeriodicWorkRequest.builder(SyncWorker, timedelta(hours=1))
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("sync", ExistingPeriodicWorkPolicy.KEEP, request)
