"""Fixtures for the iOS tests: an iPhone (the shared device model plus ``IOSSystem``) and an app
whose delegate registers launch handlers the test gives it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from harness.device import Device
from harness.ios import AppDelegate, AppInfo, BGTask, IOSSystem, Launch
from harness.sim import Simulation

BUNDLE = "com.example.sync"
REFRESH_ID = "com.example.sync.refresh"
PROCESSING_IDS = tuple(f"com.example.sync.processing{i}" for i in range(12))


@dataclass
class SyncApp:
    """An app under test: its launch handlers and what they saw."""

    ios: IOSSystem
    handlers: dict[str, Callable[[BGTask], object]] = field(default_factory=dict)
    tasks: list[BGTask] = field(default_factory=list)

    def did_finish_launching(self, _launch: Launch) -> None:
        scheduler = self.ios.scheduler(BUNDLE)
        for identifier in (REFRESH_ID, *PROCESSING_IDS):
            scheduler.register(identifier, self._dispatch)

    def _dispatch(self, task: BGTask) -> object:
        self.tasks.append(task)
        handler = self.handlers.get(task.identifier)
        return None if handler is None else handler(task)


@pytest.fixture
def iphone(sim: Simulation) -> IOSSystem:
    """An iPhone: the ``iphone-like`` device model with iOS on top."""
    return IOSSystem(sim, Device(sim, "iphone-like"))


@pytest.fixture
def app(iphone: IOSSystem) -> SyncApp:
    """An installed app permitted the refresh id and 12 processing ids, opened once at t=0."""
    test_app = SyncApp(iphone)
    iphone.install(
        BUNDLE,
        AppInfo(permitted_identifiers=(REFRESH_ID, *PROCESSING_IDS)),
        AppDelegate(did_finish_launching=test_app.did_finish_launching),
    )
    return test_app
