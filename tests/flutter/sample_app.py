"""A small flutter-style app used by the facade's tests; each task name picks a behaviour."""

from __future__ import annotations

import asyncio
from typing import Any

from harness.app import SharedPreferences, current_app, http
from harness.flutter import StopReason, Workmanager

PACKAGE = "com.example.sample"
API = "https://api.example.com"

#: What the handler saw, in order: (task name, input data, app instance id).
SEEN: list[tuple[str, dict[str, Any], int]] = []
STOPPED: list[tuple[str, StopReason]] = []


def main() -> None:
    Workmanager().initialize(callback_dispatcher)


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        app = current_app()
        SEEN.append((task, input_data, app.instance_id))
        app.memory["runs_in_this_isolate"] = app.memory.get("runs_in_this_isolate", 0) + 1
        if task == "retry":
            return False
        if task == "boom":
            raise ValueError("the sync failed")
        if task == "fetch_unawaited":
            asyncio.ensure_future(http.get(API + "/data"))  # noqa: RUF006 - not awaited, as in seed post 004
            return True
        if task == "fetch":
            response = await http.get(API + "/data")
            prefs = await SharedPreferences.get_instance()
            await prefs.set_string("data", response.text)
            return True
        if task == "slow":
            await asyncio.sleep(3600)
            return True
        if task == "not_bool":
            return "yes"  # type: ignore[return-value]
        return True

    async def on_stopped(task: str, reason: StopReason) -> None:
        STOPPED.append((task, reason))

    Workmanager().execute_task(handler, on_task_stopped=on_stopped)


def silent_dispatcher() -> None:
    """A dispatcher that forgets to call execute_task."""


async def slow_boot_dispatcher() -> None:
    """A dispatcher whose isolate takes 2 s to be ready before it registers its handler."""
    await asyncio.sleep(2)
    callback_dispatcher()
