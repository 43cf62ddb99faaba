"""The uploader's dataSync upload in an app that declares no foreground-service type on
WorkManager's ``SystemForegroundService`` (no ``ANDROID_MANIFEST``: the library's entry alone)."""

from __future__ import annotations

from harness.app import current_app
from harness.workmanager import OneTimeWorkRequest, WorkManager
from tests.workmanager.apps.uploader import UploadWorker

PACKAGE = "com.example.undeclared"


def main() -> None:
    request = OneTimeWorkRequest.builder(UploadWorker).set_initial_delay("2m").build()
    WorkManager.get_instance(current_app()).enqueue(request)
