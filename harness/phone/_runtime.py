"""The app runtime of a simulated phone: apps installed on the device, data on its storage."""

from __future__ import annotations

import sqlite3
from typing import Any

from harness.app import App, AppRuntime
from harness.backends import Internet
from harness.device import Device
from harness.sim import Simulation


class _DeviceData:
    """A package's data area on the device's storage (wiped by ``pm clear``)."""

    def __init__(self, device: Device, package: str) -> None:
        self._device = device
        self._package = package

    def database(self, name: str) -> sqlite3.Connection:
        return self._device.storage.database(self._package, name)


class PhoneAppRuntime(AppRuntime):
    """The app runtime of a simulated phone: installing an app installs it on the device too."""

    def __init__(self, sim: Simulation, internet: Internet, device: Device, **wiring: Any) -> None:
        super().__init__(sim, internet, **wiring)
        self._device = device

    def install(self, app: App) -> None:
        """Install ``app`` on the device (standby NEVER until opened) and in the runtime."""
        if not self._device.apps.is_installed(app.package):
            self._device.install(app.package)
        super().install(app)
