"""A flutter-style app whose callback dispatcher never calls execute_task (for version tests)."""

from __future__ import annotations

from datetime import timedelta

from harness.flutter import Workmanager

PACKAGE = "com.example.silent"


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task("sync", "sync", frequency=timedelta(hours=1))


def callback_dispatcher() -> None:
    """Forgets Workmanager().execute_task(...): the Dart side never acknowledges."""
