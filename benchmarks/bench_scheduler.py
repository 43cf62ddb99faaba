"""(c) Scheduler-only runs per second (no-op workers), with SimPy's timeouts as the floor.

* test scheduler, one-time: a WorkManager on the in-process ``TestScheduler`` (``TestDriver``'s
  scheduler, time-based) enqueues N no-op one-time works at once; the simulation runs until they
  have all finished. Runs per CPU second of enqueue and run.
* test scheduler, periodic: one no-op 15-minute periodic work run for N periods.
* device: an app (``benchmarks._apps.noop_works``) on a pixel-like phone enqueues N no-op
  one-time works when opened; they run through the device's JobScheduler. Runs per CPU second of
  the whole scenario run (world build included; small against N runs).
* floor: SimPy doing the equivalent timeouts (one ``env.timeout`` per run: N processes of one
  timeout for a batch, one process of N 15-minute timeouts for the periodic work), in the same
  repeats. SimPy is the optional ``bench`` extra; without it the case says so and is skipped.

Targets (issue 14): at least 20,000 runs/s on the test scheduler and 5,000 on a device (the
ratio to SimPy is printed for information).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from benchmarks._apps import noop_works
from benchmarks._measure import cpu_seconds, interleave
from benchmarks._result import Goal, On, Result, Target
from benchmarks._scenarios import scenario_data
from harness.scenario import Scenario, load_data
from harness.sim import Simulation
from harness.workmanager import (
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    TestDriver,
    WorkManager,
)

CASE = "c"
TITLE = "scheduler-only runs per second (no-op workers) vs SimPy timeouts"
TEST_SCHEDULER_TARGET = Target(20_000, Goal.AT_LEAST, On.VALUE)
DEVICE_TARGET = Target(5_000, Goal.AT_LEAST, On.VALUE)
REPEATS = 5
_PERIOD_MS = 15 * 60 * 1000

#: Why the case is skipped, or None when SimPy is installed.
SKIP_REASON = (
    None
    if importlib.util.find_spec("simpy") is not None
    else "skipped: SimPy is not installed (pip install -e '.[bench]')"
)


def _finished(sim: Simulation) -> int:
    return sum(1 for record in sim.trace.of_kind("work.finished") if record.get("result"))


def _one_time_side(count: int) -> Mapping[str, float]:
    with Simulation(seed=0) as sim:
        began = cpu_seconds()
        work_manager = WorkManager(sim)
        TestDriver(work_manager)  # the work-testing scheduler drives it (time-based)
        work_manager.enqueue(
            [OneTimeWorkRequest.builder(noop_works.NoOpWorker).build() for _ in range(count)]
        )
        sim.run_for("1h")
        spent = cpu_seconds() - began
        runs = _finished(sim)
    if runs != count:
        raise RuntimeError(f"{runs} of {count} one-time works finished; numbers are void")
    return {"one_time": runs / spent}


def _periodic_side(periods: int) -> Mapping[str, float]:
    with Simulation(seed=0) as sim:
        began = cpu_seconds()
        work_manager = WorkManager(sim)
        request = PeriodicWorkRequest.builder(
            noop_works.NoOpWorker, timedelta(milliseconds=_PERIOD_MS)
        ).build()
        work_manager.enqueue(request)
        sim.run_for(periods * _PERIOD_MS - 1)
        spent = cpu_seconds() - began
        runs = _finished(sim)
    if runs < periods // 2:
        raise RuntimeError(f"only {runs} periodic runs in {periods} periods; numbers are void")
    return {"periodic": runs / spent}


def _device_side(scenario: Scenario, count: int) -> Mapping[str, float]:
    os.environ["HARNESS_BENCH_COUNT"] = str(count)
    began = cpu_seconds()
    result = scenario.run(seed=0)
    spent = cpu_seconds() - began
    runs = int(result.record.metrics["successful_runs"])
    if runs != count or not result.passed:
        raise RuntimeError(f"{runs} of {count} works succeeded on the device; numbers are void")
    return {"device": runs / spent}


def _simpy_batch(count: int, key: str = "simpy_batch") -> Mapping[str, float]:
    import simpy

    env = simpy.Environment()

    def one_run(env: Any) -> Any:
        yield env.timeout(1)

    began = cpu_seconds()
    for _ in range(count):
        env.process(one_run(env))
    env.run()
    return {key: count / (cpu_seconds() - began)}


def _simpy_periodic(periods: int) -> Mapping[str, float]:
    import simpy

    env = simpy.Environment()

    def periodic(env: Any) -> Any:
        for _ in range(periods):
            yield env.timeout(_PERIOD_MS)

    began = cpu_seconds()
    env.process(periodic(env))
    env.run()
    return {"simpy_periodic": periods / (cpu_seconds() - began)}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Measure the three schedulers against SimPy, interleaved (skipped without SimPy)."""
    if SKIP_REASON is not None:
        return []
    count = 30 if quick else 2_000
    periods = 30 if quick else 5_000
    device_count = 20 if quick else 500
    repeats = repeats or (2 if quick else REPEATS)
    device = load_data(
        scenario_data(
            "benchmarks._apps.noop_works",
            "1d",
            timeline=[{"at": "1m", "do": "open app"}],
            checks=["no_crashes"],
        ),
        file="<benchmark c device>",
    )
    sides: list[Callable[[], Mapping[str, float]]] = [
        lambda: _one_time_side(count),
        lambda: _simpy_batch(count),
        lambda: _periodic_side(periods),
        lambda: _simpy_periodic(periods),
        lambda: _device_side(device, device_count),
        lambda: _simpy_batch(device_count, "simpy_device"),
    ]
    samples = interleave(sides, repeats)
    simpy_note = "value: runs per CPU second; ratio (information): SimPy's rate / harness's rate"
    return [
        Result(
            CASE,
            f"test scheduler, a batch of {count:,} one-time works",
            samples["one_time"],
            "runs/s",
            samples["simpy_batch"],
            TEST_SCHEDULER_TARGET,
            f"{simpy_note} for {count:,} processes of one timeout each",
            inverted=True,
        ),
        Result(
            CASE,
            f"test scheduler, one 15-minute periodic work for {periods:,} periods",
            samples["periodic"],
            "runs/s",
            samples["simpy_periodic"],
            TEST_SCHEDULER_TARGET,
            f"{simpy_note} for one process of {periods:,} 15-minute timeouts",
            inverted=True,
        ),
        Result(
            CASE,
            f"device (JobScheduler), {device_count:,} one-time works",
            samples["device"],
            "runs/s",
            samples["simpy_device"],
            DEVICE_TARGET,
            f"{simpy_note} for {device_count:,} processes of one timeout each",
            inverted=True,
        ),
    ]
