"""A minimal app instance for testing app-layer pieces without a device."""

from __future__ import annotations

import sqlite3

import httpx

from harness.app._context import AppInstance, Notification
from harness.sim import Simulation


class MemoryDataArea:
    """Device-owned data of one package, kept in memory (as the device's default)."""

    def __init__(self) -> None:
        self.connections: dict[str, sqlite3.Connection] = {}

    def database(self, name: str) -> sqlite3.Connection:
        if name not in self.connections:
            self.connections[name] = sqlite3.connect(":memory:")
        return self.connections[name]


def make_instance(
    sim: Simulation,
    data: MemoryDataArea,
    *,
    instance_id: int = 1,
    shown: list[Notification] | None = None,
) -> AppInstance:
    """A fresh app instance (a new isolate) over ``data``."""
    sink = shown if shown is not None else []

    def no_client() -> httpx.AsyncClient:
        raise AssertionError("no HTTP in this test")

    def no_sync_client() -> httpx.Client:
        raise AssertionError("no HTTP in this test")

    return AppInstance(
        package="com.example.app",
        instance_id=instance_id,
        kind="isolate",
        sim=sim,
        data=data,
        client_factory=no_client,
        sync_client_factory=no_sync_client,
        notify=sink.append,
    )
