"""A small background_fetch app for the plugin's tests; module flags pick its options."""

from __future__ import annotations

from typing import Any

from harness.app import http
from harness.background_fetch import (
    BackgroundFetch,
    BackgroundFetchConfig,
    HeadlessTask,
    TaskConfig,
)
from harness.ios import AppInfo

#: A Flutter app: on iOS, main() runs at background launches too.
IOS_FLUTTER = True
PACKAGE = "com.example.fetchtest"
API = "https://api.example.com"
#: iOS: the Info.plist permits the fetch, one transistorsoft task and one other id.
IOS_APP_INFO = AppInfo(
    permitted_identifiers=("com.transistorsoft.fetch", "com.transistorsoft.upload", "my.upload")
)

#: Options configure() passes (tests set them before launching).
OPTIONS: dict[str, Any] = {"minimum_fetch_interval": 15}
#: What Dart saw: ("fetch" | "timeout" | "headless", task id).
EVENTS: list[tuple[str, str]] = []
#: Whether on_fetch / on_timeout call finish.
FINISH = {"on": True, "on_timeout": True}
#: Tasks main() schedules (scheduleTask) after configure.
TASKS: list[TaskConfig] = []


def reset(**options: Any) -> None:
    """Options for the next launch (and empty records)."""
    OPTIONS.clear()
    OPTIONS.update({"minimum_fetch_interval": 15, **options})
    EVENTS.clear()
    TASKS.clear()
    FINISH.update({"on": True, "on_timeout": True})


def main() -> None:
    BackgroundFetch.configure(BackgroundFetchConfig(**OPTIONS), on_fetch, on_timeout)
    BackgroundFetch.register_headless_task(headless_task)
    for task in TASKS:
        BackgroundFetch.schedule_task(task)


async def on_fetch(task_id: str) -> None:
    EVENTS.append(("fetch", task_id))
    await http.get(API + "/items")
    if FINISH["on"]:
        BackgroundFetch.finish(task_id)


async def on_timeout(task_id: str) -> None:
    EVENTS.append(("timeout", task_id))
    if FINISH["on_timeout"]:
        BackgroundFetch.finish(task_id)


async def headless_task(task: HeadlessTask) -> None:
    EVENTS.append(("headless-timeout" if task.timeout else "headless", task.task_id))
    BackgroundFetch.finish(task.task_id)
