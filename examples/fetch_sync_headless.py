""":mod:`examples.fetch_sync` with a headless task: events keep coming after the app is
terminated, and (Android) after a reboot.

``enableHeadless: true``, ``stopOnTerminate: false``, ``startOnBoot: true``, and a top-level
headless task registered with ``registerHeadlessTask``: an event that arrives while the app's UI
is gone runs it in a background Flutter engine. The fetch job is persisted
(``setPersisted(startOnBoot && !stopOnTerminate)``), so it survives a reboot on Android. On iOS
``registerHeadlessTask`` does nothing and no option brings events back after the user swipes the
app away.
"""

from __future__ import annotations

from examples.fetch_sync import IOS_APP_INFO, on_fetch, on_timeout, sync
from harness.background_fetch import (
    BackgroundFetch,
    BackgroundFetchConfig,
    HeadlessTask,
    NetworkType,
)

#: A Flutter app: on iOS, main() runs at background launches too.
IOS_FLUTTER = True
PACKAGE = "com.example.fetchsync"
CONFIG = BackgroundFetchConfig(
    minimum_fetch_interval=15,
    required_network_type=NetworkType.ANY,
    stop_on_terminate=False,
    start_on_boot=True,
    enable_headless=True,
)


__all__ = ["IOS_APP_INFO", "headless_task", "main"]


def main() -> None:
    BackgroundFetch.configure(CONFIG, on_fetch, on_timeout)
    BackgroundFetch.register_headless_task(headless_task)


async def headless_task(task: HeadlessTask) -> None:
    """The headless event: on a timeout finish at once, else sync first."""
    if not task.timeout:
        await sync()
    BackgroundFetch.finish(task.task_id)
