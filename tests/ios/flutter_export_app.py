"""A flutter workmanager app that exports in a continued-processing task (iOS 26): Dart code
plus its AppDelegate, for tests/ios/test_continued_workmanager.py."""

from __future__ import annotations

import asyncio
from typing import Any

from harness.flutter import Workmanager, WorkmanagerPlugin
from harness.ios import AppInfo, Launch

PACKAGE = "com.example.flutterexport"
#: The plugin's docs: the unique name is the wildcard itself, listed in the Info.plist.
WILDCARD = f"{PACKAGE}.export.*"
IOS_APP_INFO = AppInfo(permitted_identifiers=(WILDCARD,))
#: (task name, input data) as Dart saw them.
SEEN: list[tuple[str, dict[str, Any]]] = []
#: How long the Dart task takes (seconds), and whether AppDelegate registers the handler.
SETUP: dict[str, Any] = {"seconds": 10, "register": True}


def main() -> None:
    Workmanager().initialize(callback_dispatcher)


def ios_did_finish_launching(_launch: Launch) -> None:
    """AppDelegate.swift: ``WorkmanagerPlugin.registerBGContinuedProcessingTask``."""
    if SETUP["register"]:
        WorkmanagerPlugin.register_bg_continued_processing_task(WILDCARD)


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        SEEN.append((task, input_data))
        await asyncio.sleep(SETUP["seconds"])
        return True

    Workmanager().execute_task(handler)
