"""freezegun's module scan at each start, planned from the last start (sim/_wallclock.py)."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import freezegun
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


def test_a_module_replaced_under_the_same_name_is_scanned_again() -> None:
    """A module object put in place of another of the same name has its clock names patched."""
    name = "harness_test_clock_replaced"
    first = types.ModuleType(name)
    sys.modules[name] = first
    try:
        with Simulation(epoch=EPOCH):
            pass
        second = types.ModuleType(name)
        second.clock = time.time  # type: ignore[attr-defined]
        sys.modules[name] = second
        with Simulation(epoch=EPOCH):
            assert second.clock() == EPOCH.timestamp()
        assert second.clock is time.time
    finally:
        del sys.modules[name]


def test_a_module_gone_from_sys_modules_is_no_longer_patched() -> None:
    """Once a module leaves ``sys.modules`` a later start leaves its names alone."""
    gone = types.ModuleType("harness_test_clock_gone")
    gone.clock = time.time  # type: ignore[attr-defined]
    sys.modules[gone.__name__] = gone
    try:
        with Simulation(epoch=EPOCH):
            assert gone.clock() == EPOCH.timestamp()
    finally:
        del sys.modules[gone.__name__]
    real = gone.clock
    with Simulation(epoch=EPOCH):
        assert gone.clock is real
        assert gone.clock() != EPOCH.timestamp()


def test_a_module_imported_during_a_run_reads_virtual_time_and_is_restored() -> None:
    """A module that takes a clock while the patch is in force sees virtual time (freezegun)."""
    with Simulation(epoch=EPOCH):
        during = types.ModuleType("harness_test_clock_during")
        during.clock = time.time  # type: ignore[attr-defined]
        sys.modules[during.__name__] = during
        try:
            assert during.clock() == EPOCH.timestamp()
        except BaseException:
            del sys.modules[during.__name__]
            raise
    try:
        assert during.clock() != EPOCH.timestamp()
        with Simulation(epoch=EPOCH):
            assert during.clock() == EPOCH.timestamp()
    finally:
        del sys.modules[during.__name__]


def test_a_simulation_inside_a_callers_freeze_time_patches_nothing_more(
    module: types.ModuleType,
) -> None:
    """Under a freeze_time already started, the simulation's start adds no patch of its own."""
    real = time.time
    module.clock = real  # type: ignore[attr-defined]
    outer = datetime(2020, 1, 1, tzinfo=UTC)
    with freezegun.freeze_time(outer):
        with Simulation(epoch=EPOCH):
            assert module.clock() == EPOCH.timestamp()
        assert module.clock() == outer.timestamp()
    assert module.clock is real


def _fakes() -> dict[int, object]:
    """freezegun's fakes by the id of the real function each stands for."""
    from freezegun import api

    freezer = freezegun.freeze_time(EPOCH)
    freezer.start()  # sets which fakes stand for which real functions
    freezer.stop()
    return {
        id(freezer.reals[id(getattr(api, name))]): getattr(api, name)
        for name in freezer.fake_names
        if id(getattr(api, name, None)) in freezer.reals
    }


@pytest.mark.filterwarnings("ignore")
def test_the_scan_of_a_module_finds_what_freezegun_finds() -> None:
    """For every loaded module, the scan patches exactly the names freezegun's own walk would
    (``_get_module_attributes``: dir and getattr), though most modules are passed over after a
    C-speed look at their namespace's values; a module with its own ``__dir__`` (a lazy
    ``__getattr__``) is walked as freezegun walks it."""
    from freezegun import api

    import harness.report  # noqa: F401  (the modules a run has loaded)
    from harness.sim import _wallclock

    fakes = _fakes()
    holder = types.ModuleType("harness_test_clock_holder2")
    holder.moment = datetime  # type: ignore[attr-defined]
    holder.clock = time.time  # type: ignore[attr-defined]
    lazy = types.ModuleType("harness_test_lazy_clock")
    lazy.__dir__ = lambda: ["served"]  # type: ignore[method-assign]
    lazy.__getattr__ = lambda name: time.time  # type: ignore[method-assign]
    sys.modules[holder.__name__] = holder
    sys.modules[lazy.__name__] = lazy
    try:
        assert fakes
        for name, loaded in list(sys.modules.items()):
            if name in (api.__name__, "datetime", "time") or loaded is None:
                continue
            quick = _wallclock._scan(api, name, loaded, (), fakes)
            full = tuple(
                (attribute, value, fakes[id(value)])
                for attribute, value in api._get_module_attributes(loaded)
                if id(value) in fakes
            )
            assert quick == full, name
        found = _wallclock._scan(api, holder.__name__, holder, (), fakes)
        assert [attribute for attribute, _, _ in found] == ["clock", "moment"]
        found = _wallclock._scan(api, lazy.__name__, lazy, (), fakes)
        assert [attribute for attribute, _, _ in found] == ["served"]
    finally:
        del sys.modules[holder.__name__]
        del sys.modules[lazy.__name__]


def test_the_wall_clock_reads_virtual_time_after_every_advance() -> None:
    """``datetime.now()``, ``time.time()`` and httpx's ``perf_counter`` read the virtual clock
    wherever it moved (nothing moves them: they ask the clock), across a pause and resume."""
    import httpx

    seen: list[tuple[int, datetime, float, float]] = []
    with Simulation(epoch=EPOCH) as sim:

        def look() -> None:
            now = datetime.now(UTC)
            perf_counter = httpx._client.time.perf_counter  # type: ignore[attr-defined]
            seen.append((sim.now_ms, now, time.time(), perf_counter()))

        for t_ms in (0, 1, 1, 999, 86_400_000):
            sim.call_at(t_ms, look)
        sim.run_for(1_000)
        sim.pause()
        assert datetime.now(UTC) != EPOCH + timedelta(seconds=1)  # real time while paused
        sim.resume()
        sim.run_for(86_399_000)
        look()
    assert [t_ms for t_ms, *_ in seen] == [0, 1, 1, 999, 86_400_000, 86_400_000]
    for t_ms, now, posix, perf in seen:
        expected = EPOCH + timedelta(milliseconds=t_ms)
        assert now == expected
        assert posix == perf == expected.timestamp()
    assert datetime.now(UTC).year >= 2026  # the real clock is back
