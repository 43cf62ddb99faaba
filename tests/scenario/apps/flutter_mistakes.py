"""A Flutter app for ``requests_awaited``: one task forgets to await its request."""

from __future__ import annotations

import asyncio
from typing import Any

from harness.app import http
from harness.flutter import Constraints, NetworkType, Workmanager

PACKAGE = "com.example.fluttermistakes"
API = "https://api.example.com/items"


def main() -> None:
    Workmanager().initialize(callback_dispatcher)


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        if task == "fire_and_forget":
            asyncio.ensure_future(http.get(API))  # noqa: RUF006 - the mistake under test
        else:
            await http.get(API)
        return True

    Workmanager().execute_task(handler)


def _register(task: str) -> None:
    Workmanager().register_one_off_task(
        task, task, constraints=Constraints(network_type=NetworkType.CONNECTED)
    )


ACTIONS = {
    "fire_and_forget": lambda: _register("fire_and_forget"),
    "await_it": lambda: _register("await_it"),
}
