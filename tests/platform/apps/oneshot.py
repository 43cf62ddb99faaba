"""A one-time fetch on any validated network, linear back-off from 30 s."""

from __future__ import annotations

from datetime import timedelta

from harness.app import current_app
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
)
from tests.platform.apps._common import ACTIONS, SyncWorker

PACKAGE = "com.example.oneshot"
__all__ = ["ACTIONS", "PACKAGE", "main"]


def main() -> None:
    request = (
        OneTimeWorkRequest.builder(SyncWorker)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .set_backoff_criteria(BackoffPolicy.LINEAR, timedelta(seconds=30))
        .build()
    )
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_work("fetch", ExistingWorkPolicy.KEEP, request)
