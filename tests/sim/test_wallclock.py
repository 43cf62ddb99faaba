"""freezegun's module scan at each start, checked quickly per module object (sim/_wallclock.py)."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from harness.sim import Simulation

EPOCH = datetime(2027, 3, 1, 6, 30, tzinfo=UTC)


@pytest.fixture
def module() -> Iterator[types.ModuleType]:
    """A module in ``sys.modules`` that holds no clock function yet."""
    created = types.ModuleType("harness_test_clock_holder")
    sys.modules[created.__name__] = created
    yield created
    del sys.modules[created.__name__]


def test_a_module_imported_after_a_first_start_has_its_clock_names_patched() -> None:
    """A name bound to the real time.time (``from time import time``) reads virtual time."""
    with Simulation(epoch=EPOCH):
        pass
    fresh = types.ModuleType("harness_test_clock_fresh")
    fresh.time = time.time  # type: ignore[attr-defined]
    sys.modules[fresh.__name__] = fresh
    try:
        with Simulation(epoch=EPOCH):
            assert fresh.time() == EPOCH.timestamp()
    finally:
        del sys.modules[fresh.__name__]
    assert fresh.time is time.time


def test_a_module_that_gained_a_clock_name_since_the_last_start_is_scanned_again(
    module: types.ModuleType,
) -> None:
    """A module scanned before is scanned again once its namespace changed."""
    with Simulation(epoch=EPOCH):
        assert not hasattr(module, "moment")
    module.moment = datetime  # type: ignore[attr-defined]
    module.clock = time.time  # type: ignore[attr-defined]
    with Simulation(epoch=EPOCH):
        assert module.clock() == EPOCH.timestamp()
        assert module.moment.now(UTC) == EPOCH
    assert module.clock is time.time


def test_every_start_patches_the_same_names_again(module: types.ModuleType) -> None:
    """A second and third start patch what the first did (the scan's cache is reused)."""
    module.clock = time.time  # type: ignore[attr-defined]
    for _ in range(3):
        with Simulation(epoch=EPOCH):
            assert module.clock() == EPOCH.timestamp()
        assert module.clock is time.time
