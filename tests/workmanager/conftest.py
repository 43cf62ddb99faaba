"""Fixtures for the WorkManager tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.sim import Simulation
from harness.workmanager import WorkManager
from tests.workmanager import workers


@pytest.fixture(autouse=True)
def _reset_workers() -> Iterator[None]:
    workers.reset()
    yield
    workers.reset()


@pytest.fixture
def workmanager(sim: Simulation) -> WorkManager:
    """A WorkManager (in-memory database, time-based TestScheduler, all constraints met)."""
    return WorkManager(sim)
