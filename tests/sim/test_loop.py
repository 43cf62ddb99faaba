"""The virtual event loop (harness/sim/_loop.py): asyncio on integer-millisecond virtual time."""

from __future__ import annotations

import asyncio
import contextvars
import socket
import time
from datetime import timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import CallbackError, DeadlockError
from harness._exceptions import DefinitionError, TimeTravelError
from harness.sim import MS_PER_DAY, MS_PER_HOUR, RealIOError, Simulation


def test_asyncio_sleep_costs_virtual_time_only(sim: Simulation) -> None:
    """await asyncio.sleep(3600) moves virtual time by exactly 3 600 000 ms."""
    seen: list[int] = []

    async def app() -> None:
        for _ in range(3):
            await asyncio.sleep(3600)
            seen.append(sim.now_ms)

    sim.create_task(app())
    sim.run_for("5h")
    assert seen == [3_600_000, 7_200_000, 10_800_000]
    assert sim.now_ms == 5 * MS_PER_HOUR


def test_float_sleeps_round_to_the_nearest_millisecond(sim: Simulation) -> None:
    """Ten sleeps of 0.1 s end at exactly 1000 ms; 1/3 s waits 333 ms (nearest, not truncated)."""

    async def app() -> list[int]:
        marks = []
        for _ in range(10):
            await asyncio.sleep(0.1)
        marks.append(sim.now_ms)
        await asyncio.sleep(1 / 3)
        marks.append(sim.now_ms)
        await asyncio.sleep(0.0006)
        marks.append(sim.now_ms)
        return marks

    assert sim.run(app()) == [1000, 1333, 1334]


def test_sub_millisecond_sleep_waits_one_millisecond(sim: Simulation) -> None:
    """A positive sleep shorter than half a millisecond still waits 1 ms (DESIGN.md, Time)."""

    async def app() -> int:
        await asyncio.sleep(0.0001)
        return sim.now_ms

    assert sim.run(app()) == 1


def test_sleep_zero_yields_without_moving_time(sim: Simulation) -> None:
    """asyncio.sleep(0) yields to other tasks at the same virtual instant."""

    async def app() -> int:
        await asyncio.sleep(0)
        return sim.now_ms

    assert sim.run(app()) == 0


def test_wait_for_and_timeout_fire_at_their_virtual_deadline(sim: Simulation) -> None:
    """asyncio.wait_for and asyncio.timeout expire at exactly their deadline in virtual ms."""

    async def app() -> list[int]:
        marks = []
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.sleep(100), timeout=1.5)
        marks.append(sim.now_ms)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(2.25):
                await asyncio.sleep(100)
        marks.append(sim.now_ms)
        return marks

    assert sim.run(app()) == [1500, 3750]


def test_httpx_async_client_runs_on_the_virtual_loop(sim: Simulation) -> None:
    """httpx.AsyncClient with a transport that awaits sleeps costs only virtual time."""

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.25)  # 250 ms of "latency"
        return httpx.Response(200, json={"path": request.url.path})

    async def app() -> tuple[int, object]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            response = await client.get("https://api.example.com/items")
        return sim.now_ms, response.json()

    assert sim.run(app()) == (250, {"path": "/items"})


def test_timer_two_years_out_fires_at_its_exact_millisecond(sim: Simulation) -> None:
    """A timer for day 730 + 1 ms fires at exactly 63 072 000 001 ms (float seconds fail this)."""
    due = 730 * MS_PER_DAY + 1
    fired: list[int] = []
    sim.call_at(due, lambda: fired.append(sim.now_ms))
    sim.run_until(due - 1)
    assert fired == []
    sim.run_until(due)
    assert fired == [due]


@pytest.mark.slow
def test_two_year_run_completes_exactly(sim: Simulation) -> None:
    """Two years of hourly wake-ups plus a 1 ms sleep each: no drift, no stall at 2^24 s."""
    wakeups: list[int] = []

    async def app() -> None:
        while True:
            await asyncio.sleep(3600)
            await asyncio.sleep(0.001)
            wakeups.append(sim.now_ms)

    sim.create_task(app())
    sim.run_for(timedelta(days=730))
    assert len(wakeups) == 730 * 24 - 1
    assert wakeups[-1] == len(wakeups) * (MS_PER_HOUR + 1)
    assert sim.now_ms == 730 * MS_PER_DAY
    # past 2**24 s (about 194 days) the float loop time still advances by exactly 1 ms
    assert sim.loop.time() * 1000 == pytest.approx(730 * MS_PER_DAY, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(-2, 2)), min_size=1, max_size=40))
def test_equal_due_times_fire_in_due_priority_insertion_order(
    entries: list[tuple[int, int]],
) -> None:
    """Timers fire ordered by (due ms, priority, insertion sequence): ties are deterministic."""
    fired: list[int] = []
    with Simulation(patch_wall_clock=False) as sim:
        for index, (due, priority) in enumerate(entries):
            sim.call_at(due, fired.append, index, priority=priority)
        sim.run_for(100)
    expected = sorted(range(len(entries)), key=lambda i: (entries[i][0], entries[i][1], i))
    assert fired == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=30),
    st.lists(st.integers(0, 5_000), max_size=10),
)
def test_time_never_goes_backwards(delays: list[int], stops: list[int]) -> None:
    """Whatever is scheduled, from wherever, callbacks observe non-decreasing virtual time."""
    observed: list[int] = []
    with Simulation(patch_wall_clock=False) as sim:

        def tick(depth: int, delay: int) -> None:
            observed.append(sim.now_ms)
            if depth < 3:
                sim.call_later(delay // 2, tick, depth + 1, delay // 3)

        for delay in delays:
            sim.call_later(delay, tick, 0, delay)
        for stop in sorted(stops):
            sim.run_until(max(stop, sim.now_ms))
            observed.append(sim.now_ms)
        sim.run_for(20_000)
    assert observed == sorted(observed)


def test_run_until_in_the_past_is_refused(sim: Simulation) -> None:
    """Virtual time never goes backwards: run_until an earlier time raises TimeTravelError."""
    sim.run_for(1000)
    with pytest.raises(TimeTravelError, match=r"^at t=0d00:00:01\.000 \(1000 ms\): run_until\("):
        sim.run_until(999)


def test_callback_exception_is_surfaced_with_its_virtual_time(sim: Simulation) -> None:
    """An exception in a scheduled callback stops the run with the virtual time it happened at."""

    def explode() -> None:
        raise KeyError("boom")

    sim.call_at(90_061_001, explode)
    with pytest.raises(CallbackError, match=r"^at t=1d01:01:01\.001 \(90061001 ms\): .*KeyError"):
        sim.run_for("2d")
    assert sim.now_ms == 90_061_001


def test_call_soon_exception_is_surfaced_too(sim: Simulation) -> None:
    """asyncio call_soon callbacks that raise are not swallowed either."""
    sim.loop.call_soon(lambda: 1 / 0)
    with pytest.raises(CallbackError, match=r"ZeroDivisionError"):
        sim.run_for(1)


def test_run_returns_result_and_detects_deadlock(sim: Simulation) -> None:
    """sim.run awaits a coroutine; waiting on something nothing will complete is a DeadlockError."""

    async def answer() -> int:
        await asyncio.sleep(5)
        return 42

    assert sim.run(answer()) == 42

    async def stuck() -> None:
        await asyncio.get_running_loop().create_future()

    with pytest.raises(DeadlockError, match=r"nothing left is scheduled that could complete it"):
        sim.run(stuck())
    with pytest.raises(DeadlockError, match=r"did not complete within 1000 ms"):
        sim.run(asyncio.sleep(10), limit=1000)


def test_to_thread_runs_inline_at_the_same_instant(sim: Simulation) -> None:
    """asyncio.to_thread runs inline, deterministically, in zero virtual time."""

    async def app() -> tuple[int, int]:
        value = await asyncio.to_thread(sum, [1, 2, 3])
        return value, sim.now_ms

    assert sim.run(app()) == (6, 0)


def test_real_io_on_the_loop_fails_loudly(sim: Simulation) -> None:
    """Opening a real connection from app code raises RealIOError naming the way out."""

    async def app() -> None:
        await asyncio.open_connection("example.com", 80)

    with pytest.raises(RealIOError, match=r"device-bound client"):
        sim.run(app())


def test_a_day_does_no_real_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """A simulated day never calls time.sleep nor blocks in a selector."""

    def forbidden(*args: object) -> None:
        raise AssertionError("real sleeping in a simulation")

    monkeypatch.setattr(time, "sleep", forbidden)
    monkeypatch.setattr(socket, "socketpair", forbidden)
    with Simulation() as sim:

        async def app() -> None:
            while True:
                await asyncio.sleep(60)

        sim.create_task(app())
        sim.run_for("1d")
    assert sim.now_ms == MS_PER_DAY


def test_call_next_runs_right_after_the_running_callback(sim: Simulation) -> None:
    """call_next: after the callback now running, before callbacks already ready, same instant."""
    order: list[str] = []

    def first() -> None:
        order.append("first")
        sim.loop.call_soon(order.append, "soon")
        sim.call_next(order.append, "next")

    sim.loop.call_soon(first)
    sim.loop.call_soon(order.append, "ready before")
    sim.call_later(5, lambda: sim.call_next(order.append, f"next at {sim.now_ms}"))
    sim.run_for(10)
    assert order == ["first", "next", "ready before", "soon", "next at 5"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 60), st.integers(-1, 1), st.booleans()),
        min_size=1,
        max_size=40,
    ),
)
def test_rearm_at_ms_is_a_cancel_and_a_new_call(ops: list[tuple[int, int, int, bool]]) -> None:
    """``rearm_at_ms`` fires exactly what ``cancel()`` then ``call_at_ms`` would, in the same
    order: a re-armed timer takes a new insertion place and its old due time never fires."""

    def run(rearm: bool) -> list[tuple[int, int]]:
        fired: list[tuple[int, int]] = []
        with Simulation(patch_wall_clock=False) as sim:
            loop = sim.loop

            def note(slot: int) -> None:
                fired.append((slot, sim.now_ms))

            handles: dict[int, asyncio.TimerHandle] = {}
            for step, (slot, delay, priority, cancel) in enumerate(ops):
                handle = handles.get(slot)
                due = sim.now_ms + delay
                if cancel and handle is not None:
                    handle.cancel()
                    del handles[slot]
                elif rearm and handle is not None:
                    loop.rearm_at_ms(handle, due, priority=priority)
                else:
                    if handle is not None:
                        handle.cancel()
                    handles[slot] = loop.call_at_ms(due, note, slot, priority=priority)
                if step % 3 == 2:
                    sim.run_for(delay // 2)
            sim.run_for(1_000)
        return fired

    assert run(rearm=True) == run(rearm=False)


def test_a_fired_timer_can_be_rearmed_and_fires_again(sim: Simulation) -> None:
    """A timer re-armed after it fired is scheduled anew (the device's Timer keeps its handle)."""
    fired: list[int] = []
    handle = sim.loop.call_at_ms(10, lambda: fired.append(sim.now_ms))
    sim.run_for(20)
    assert sim.loop.rearm_at_ms(handle, 50) is handle
    assert handle.when() == 0.05
    sim.run_for(100)
    assert fired == [10, 50]


def test_rearming_a_cancelled_timer_is_refused(sim: Simulation) -> None:
    """A cancelled handle has dropped its callback: re-arming it is an error that says so."""
    handle = sim.loop.call_at_ms(10, print)
    handle.cancel()
    with pytest.raises(DefinitionError, match=r"^cannot re-arm the cancelled timer .*call_at_ms$"):
        sim.loop.rearm_at_ms(handle, 20)


def test_a_rearmed_timer_runs_in_the_context_of_its_last_arming(sim: Simulation) -> None:
    """Like a new ``call_at_ms``, a re-armed callback sees the context variables of the moment
    it was re-armed (copied then), not those of its first arming."""
    variable: contextvars.ContextVar[str] = contextvars.ContextVar("which", default="none")
    seen: list[str] = []
    handle = contextvars.copy_context().run(
        lambda: (
            variable.set("first"),
            sim.loop.call_at_ms(10, lambda: seen.append(variable.get())),
        )[1]
    )
    contextvars.copy_context().run(
        lambda: (variable.set("second"), sim.loop.rearm_at_ms(handle, 20))
    )
    sim.run_for(30)
    assert seen == ["second"]


def test_stale_entries_of_a_timer_rearmed_many_times_are_compacted(sim: Simulation) -> None:
    """Re-arming leaves the old heap entry behind; once dead entries are most of the heap it is
    rebuilt, so a timer re-armed 10,000 times neither fires early nor grows the heap unbounded."""
    fired: list[int] = []
    handle = sim.loop.call_at_ms(1, lambda: fired.append(sim.now_ms))
    for step in range(10_000):
        sim.loop.rearm_at_ms(handle, 10 + step % 7)
        if step % 100 == 0:
            sim.run_for(0)  # a loop step, which compacts when it pays
    assert len(sim.loop._timers) < 1_000
    sim.run_for(100)
    assert fired == [10 + 9_999 % 7]
    assert sim.loop.next_due_ms() is None
