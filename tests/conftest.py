"""Shared fixtures for harness's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from harness.sim import Simulation

# No per-example wall-clock deadline: CI machines vary, and speed is measured in benchmarks/.
settings.register_profile("harness", deadline=None)
settings.load_profile("harness")


@pytest.fixture
def sim() -> Iterator[Simulation]:
    """A started simulation with seed 0 at the default epoch; stopped after the test."""
    with Simulation(seed=0) as simulation:
        yield simulation
