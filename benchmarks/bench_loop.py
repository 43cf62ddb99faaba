"""Virtual-time overhead: timer hops and ``asyncio.sleep`` hops per second.

Baselines are a plain ``asyncio`` event loop doing the same number of hops in the same process.
A plain loop cannot wait 1 ms without really waiting, so its hops have zero delay while harness's
hops each move virtual time by 1 ms; both go through their loop's timer heap:

* timer hops: a callback that schedules the next one (``call_later``), N times;
* sleep hops: a coroutine awaiting a timer-resolved future N times. In harness that is
  ``await asyncio.sleep(0.001)``; in plain asyncio the same work without a real wait is
  ``call_later(0, future.set_result, None)`` then ``await future``.

Target: harness within 1.5x of the baseline (issue 3).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

from benchmarks._result import Result
from harness.sim import Simulation, real_perf_counter

TARGET_RATIO = 1.5
REPEATS = 5


def _best_seconds(action: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        gc.collect()
        began = real_perf_counter()
        action()
        best = min(best, real_perf_counter() - began)
    return best


def _harness_timer_hops(hops: int) -> None:
    with Simulation(seed=0) as sim:
        remaining = [hops]

        def hop() -> None:
            remaining[0] -= 1
            if remaining[0]:
                sim.loop.call_later(0.001, hop)

        sim.loop.call_later(0.001, hop)
        sim.run_for(hops + 1)
        assert remaining[0] == 0


def _plain_timer_hops(hops: int) -> None:
    loop = asyncio.new_event_loop()
    try:
        remaining = [hops]
        done = loop.create_future()

        def hop() -> None:
            remaining[0] -= 1
            if remaining[0]:
                loop.call_later(0, hop)
            else:
                done.set_result(None)

        loop.call_later(0, hop)
        loop.run_until_complete(done)
    finally:
        loop.close()


def _harness_sleep_hops(hops: int) -> None:
    with Simulation(seed=0) as sim:

        async def sleeper() -> None:
            for _ in range(hops):
                await asyncio.sleep(0.001)

        sim.run(sleeper())
        assert sim.now_ms == hops


def _plain_sleep_hops(hops: int) -> None:
    async def sleeper() -> None:
        loop = asyncio.get_running_loop()
        for _ in range(hops):
            future = loop.create_future()
            loop.call_later(0, future.set_result, None)
            await future

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(sleeper())
    finally:
        loop.close()


def run(hops: int) -> list[Result]:
    """Measure both benchmarks with ``hops`` hops each; best of several repeats."""
    results = []
    for name, ours, plain in [
        ("timer hops (call_later)", _harness_timer_hops, _plain_timer_hops),
        ("sleep hops (asyncio.sleep)", _harness_sleep_hops, _plain_sleep_hops),
    ]:
        harness_seconds = _best_seconds(lambda ours=ours: ours(hops))  # type: ignore[misc]
        plain_seconds = _best_seconds(lambda plain=plain: plain(hops))  # type: ignore[misc]
        results.append(
            Result(name, hops / harness_seconds, hops / plain_seconds, "/s", TARGET_RATIO)
        )
    return results
