"""Fixtures for the device-model tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.device import Device
from harness.sim import Simulation

PACKAGE = "com.example.sync"

#: Builds a device on the test's simulation: ``make_device(profile, **overrides)``. Typed
#: ``Any`` so that assertions on state after a call are not narrowed away by mypy.
MakeDevice = Callable[..., Any]


@pytest.fixture
def make_device(sim: Simulation) -> MakeDevice:
    """A device factory: ``make_device("budget", **{"battery.initial_level": 20})``."""

    def make(profile: str = "pixel-like", **overrides: Any) -> Any:
        return Device(sim, profile, overrides=overrides, packages=[PACKAGE])

    return make


@pytest.fixture
def device(make_device: MakeDevice) -> Any:
    """A pixel-like device (Android 14) with one installed package, :data:`PACKAGE`."""
    return make_device()
