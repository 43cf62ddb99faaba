"""A flutter workmanager app for the iOS side's tests: Dart code plus its AppDelegate."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from harness.app import current_app
from harness.flutter import Workmanager, WorkmanagerPlugin
from harness.ios import AppInfo, Launch

PACKAGE = "com.example.iosapp"
#: Info.plist: the identifiers AppDelegate registers.
IOS_APP_INFO = AppInfo(permitted_identifiers=("sync", "cleanup"))
#: The legacy background fetch goes to the plugin (a FlutterPluginAppLifeCycleDelegate).
ios_perform_fetch = WorkmanagerPlugin.perform_fetch
#: (task name, input data) as Dart saw them.
SEEN: list[tuple[str, dict[str, Any]]] = []
#: What the handler returns; "slow" sleeps a minute first.
ANSWER: dict[str, Any] = {"value": True, "slow": False}


def main() -> None:
    Workmanager().initialize(callback_dispatcher)


def ios_did_finish_launching(_launch: Launch) -> None:
    """AppDelegate.swift: the launch handlers (before didFinishLaunching returns)."""
    WorkmanagerPlugin.register_periodic_task("sync", frequency=timedelta(hours=1))
    WorkmanagerPlugin.register_bg_processing_task("cleanup")


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        assert current_app().kind == "flutter_engine"
        SEEN.append((task, input_data))
        if ANSWER["slow"]:
            await asyncio.sleep(60)
        if isinstance(ANSWER["value"], Exception):
            raise ANSWER["value"]
        return bool(ANSWER["value"])

    Workmanager().execute_task(handler)
