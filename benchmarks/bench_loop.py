"""Virtual-time overhead: timer hops and ``asyncio.sleep`` hops per second.

Baselines are a plain ``asyncio`` event loop doing the same number of hops in the same process.
A plain loop cannot wait 1 ms without really waiting, so its hops have zero delay while harness's
hops each move virtual time by 1 ms; both go through their loop's timer heap:

* timer hops: a callback that schedules the next one (``call_later``), N times;
* sleep hops: a coroutine awaiting a timer-resolved future N times. In harness that is
  ``await asyncio.sleep(0.001)``; in plain asyncio the same work without a real wait is
  ``call_later(0, future.set_result, None)`` then ``await future``.

Both kinds run interleaved (harness, plain, harness, plain, ...) and are timed in CPU seconds.
Target: harness within 1.5x of the baseline (issue 3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from benchmarks._measure import cpu_seconds, interleave
from benchmarks._result import Result, Target
from harness.sim import Simulation

CASE = "loop"
TITLE = "virtual-time overhead: timer and sleep hops vs plain asyncio"
TARGET = Target(1.5)
REPEATS = 5


def _timed(action: Callable[[int], None], hops: int, key: str) -> Mapping[str, float]:
    began = cpu_seconds()
    action(hops)
    return {key: hops / (cpu_seconds() - began)}


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


def run(*, quick: bool, repeats: int | None = None, hops: int | None = None) -> list[Result]:
    """Both kinds of hop, ``hops`` each (20,000 quick, 200,000 otherwise), interleaved."""
    hops = hops or (20_000 if quick else 200_000)
    repeats = repeats or (2 if quick else REPEATS)
    samples = interleave(
        [
            lambda: _timed(_harness_timer_hops, hops, "harness_timer"),
            lambda: _timed(_plain_timer_hops, hops, "plain_timer"),
            lambda: _timed(_harness_sleep_hops, hops, "harness_sleep"),
            lambda: _timed(_plain_sleep_hops, hops, "plain_sleep"),
        ],
        repeats,
    )
    return [
        Result(
            CASE,
            f"{name} ({hops:,} hops)",
            samples[f"harness_{key}"],
            "hops/s",
            samples[f"plain_{key}"],
            TARGET,
            "ratio: plain asyncio hops per CPU second / harness hops per CPU second",
            inverted=True,
        )
        for key, name in [
            ("timer", "timer hops (call_later)"),
            ("sleep", "sleep hops (asyncio.sleep)"),
        ]
    ]
