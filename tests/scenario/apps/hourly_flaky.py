"""A buggy variant of ``hourly``: every other sync gives up before fetching (for comparisons)."""

from __future__ import annotations

from typing import Any

from harness.flutter import Workmanager
from tests.scenario.apps import hourly
from tests.scenario.apps.hourly import ACTIONS, API, PACKAGE, edit

__all__ = ["ACTIONS", "API", "PACKAGE", "edit", "main"]

_attempts = {"n": 0}


def main() -> None:
    hourly.main()
    Workmanager().initialize(callback_dispatcher)


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        _attempts["n"] += 1
        if _attempts["n"] % 2:  # the bug: odd attempts fail (WorkManager retries them)
            return False
        return await hourly.sync()

    Workmanager().execute_task(handler)
