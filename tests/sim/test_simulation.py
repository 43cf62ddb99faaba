"""Simulation life cycle and the wall clock inside it (sim/_simulation.py, sim/_wallclock.py)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, date, datetime

import pytest

from harness._exceptions import SimulationStateError, UnobservedTaskError
from harness.sim import Signal, Simulation, real_perf_counter

EPOCH = datetime(2027, 3, 1, 6, 30, tzinfo=UTC)


def test_app_code_reads_virtual_wall_clock() -> None:
    """datetime.now(), utcnow(), date.today() and time.time() in app code read virtual time."""
    with Simulation(epoch=EPOCH) as sim:

        async def app() -> tuple[datetime, datetime, datetime, date, float]:
            await asyncio.sleep(90 * 60 + 0.25)
            return (
                datetime.now(),
                datetime.now(UTC),
                datetime.utcnow(),
                date.today(),
                time.time(),
            )

        now, aware, utc_now, today, epoch_seconds = sim.run(app())
    assert now == datetime(2027, 3, 1, 8, 0, 0, 250_000)
    assert aware == datetime(2027, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC)
    assert utc_now == now
    assert today == date(2027, 3, 1)
    assert epoch_seconds == datetime(2027, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC).timestamp()


def test_stopping_restores_the_real_clock_even_after_an_exception() -> None:
    """Leaving the simulation, by return or by exception, restores the real clock."""
    years: list[int] = []

    def crash_inside() -> None:
        with Simulation(epoch=EPOCH):
            years.append(datetime.now().year)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        crash_inside()
    assert years == [2027]
    assert datetime.now().year != 2027
    assert abs(time.time() - datetime.now(UTC).timestamp()) < 5


def test_harness_measures_real_durations_while_frozen() -> None:
    """real_perf_counter keeps reading the real clock while freezegun is active."""
    with Simulation():
        first = real_perf_counter()
        sum(range(200_000))
        assert real_perf_counter() > first
        assert time.perf_counter() == time.perf_counter()  # app code sees frozen time


def test_random_and_uuid4_are_seeded_per_run_and_restored() -> None:
    """random and uuid.uuid4 in app code repeat for the same seed and are restored afterwards."""

    def draws(seed: int) -> tuple[float, uuid.UUID]:
        with Simulation(seed=seed):
            return random.random(), uuid.uuid4()

    random.seed(1234)
    state = random.getstate()
    assert draws(5) == draws(5)
    assert draws(5) != draws(6)
    assert draws(5)[1].version == 4
    assert random.getstate() == state
    assert uuid.uuid4() != uuid.uuid4()


def test_only_one_simulation_runs_at_a_time() -> None:
    """Simulations patch the global wall clock, so a second concurrent start is refused."""
    with Simulation(), pytest.raises(SimulationStateError, match=r"another simulation"):
        Simulation().start()


def test_running_requires_start() -> None:
    """Running an unstarted simulation tells the user how to start it."""
    with pytest.raises(SimulationStateError, match=r"not started; use `with Simulation"):
        Simulation().run_for(1)


def test_current_returns_the_running_simulation() -> None:
    """Simulation.current() finds the started simulation, for ambient accessors."""
    with Simulation() as sim:
        assert Simulation.current() is sim
    with pytest.raises(SimulationStateError, match=r"no simulation is running"):
        Simulation.current()


def test_active_is_the_started_simulation_or_none() -> None:
    """Simulation.active() is the started simulation, None before start and after stop (the
    real-I/O guard is a no-op without one)."""
    sim = Simulation()
    assert Simulation.active() is None
    with sim:
        assert Simulation.active() is sim
    assert Simulation.active() is None


def test_unobserved_task_failure_is_not_swallowed() -> None:
    """A task that fails unawaited is reported at stop with the virtual time it failed."""
    sim = Simulation(seed=0)

    async def sync() -> None:
        await asyncio.sleep(5)
        raise ValueError("server said no")

    sim.start()
    sim.create_task(sync(), name="sync")
    sim.run_for(10_000)
    with pytest.raises(
        UnobservedTaskError,
        match=r"'sync', failed at t=0d00:00:05\.000: ValueError: server said no$",
    ):
        sim.stop()
    assert [r.kind for r in sim.trace] == ["sim.task_error"]
    assert sim.trace.of_kind("sim.task_error")[0]["failed_at_ms"] == 5000


def test_awaited_failures_are_not_reported() -> None:
    """A failure the app awaited and handled is app business, not an unobserved error."""
    with Simulation() as sim:

        async def inner() -> None:
            raise ValueError("handled")

        async def outer() -> str:
            try:
                await sim.create_task(inner())
            except ValueError:
                return "caught"
            return "no"

        assert sim.run(outer()) == "caught"


def test_pending_tasks_are_cancelled_at_stop() -> None:
    """Tasks still waiting when the simulation stops are cancelled, not leaked."""
    with Simulation() as sim:
        task = sim.create_task(asyncio.sleep(10_000))
        sim.run_for(1)
    assert task.cancelled()


def test_epoch_with_sub_millisecond_precision_is_rejected() -> None:
    """Virtual time counts whole milliseconds, so the epoch must sit on a millisecond."""
    with pytest.raises(ValueError, match=r"^epoch .* has sub-millisecond precision"):
        Simulation(epoch=datetime(2026, 1, 1, microsecond=1, tzinfo=UTC))


def test_run_until_accepts_datetimes(sim: Simulation) -> None:
    """run_until takes an aware datetime and converts it to exact virtual milliseconds."""
    sim.run_until(datetime(2026, 1, 6, 8, 0, 0, 1000, tzinfo=UTC))
    assert sim.now_ms == 32 * 3_600_000 + 1


def test_building_accepts_timers_that_never_run_and_patches_nothing() -> None:
    """``building()``: a simulation to build a world on and throw away (scenario preflight); it
    works while another simulation runs, and it cannot be started afterwards."""
    import time

    from harness._exceptions import SimulationStateError

    fired: list[int] = []
    with Simulation(seed=1) as running:
        scratch = Simulation(seed=0, patch_wall_clock=False)
        with scratch.building():
            scratch.call_later(1000, lambda: fired.append(1))
        running.run_for("1h")
        assert time.time() == running.now.timestamp()  # only the running one patches the clock
    assert fired == []
    with pytest.raises(SimulationStateError, match=r"closed"):
        scratch.start()
    with Simulation(seed=0) as started, pytest.raises(SimulationStateError, match=r"never"):
        started.building().__enter__()


def test_freezegun_leaves_the_test_runners_clocks_alone() -> None:
    """pytest times setups and calls with its own clock, which a simulation must not freeze."""
    from _pytest import timing

    real = (timing.time, timing.perf_counter)
    before = time.time()
    with Simulation():  # the scenario epoch lies before the real date
        assert (timing.time, timing.perf_counter) == real
        assert timing.time() >= before
    assert (timing.time, timing.perf_counter) == real


def test_a_signal_reaches_the_subscribers_of_the_moment_it_was_emitted() -> None:
    """Subscribers run in connection order; one connected or disconnected during an emit takes
    effect from the next emit on (the emit walks the subscribers it began with)."""
    signal: Signal[int] = Signal("test.signal")
    calls: list[str] = []

    def late(value: int) -> None:
        calls.append(f"late {value}")

    def first(value: int) -> None:
        calls.append(f"first {value}")
        disconnect_second()
        signal.connect(late)

    def second(value: int) -> None:
        calls.append(f"second {value}")

    signal.connect(first)
    disconnect_second = signal.connect(second)
    signal.emit(1)
    assert calls == ["first 1", "second 1"]
    calls.clear()
    signal.emit(2)
    assert calls == ["first 2", "late 2"]
    assert repr(signal) == "Signal('test.signal', subscribers=3)"
