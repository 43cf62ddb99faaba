"""A one-time worker that never finishes on its own (no constraints)."""

from __future__ import annotations

from harness.app import current_app
from harness.workmanager import ExistingWorkPolicy, OneTimeWorkRequest
from tests.platform.apps._common import ACTIONS, ForeverWorker

PACKAGE = "com.example.forever"
__all__ = ["ACTIONS", "PACKAGE", "main"]


def main() -> None:
    request = OneTimeWorkRequest.builder(ForeverWorker).build()
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_work("forever", ExistingWorkPolicy.KEEP, request)
