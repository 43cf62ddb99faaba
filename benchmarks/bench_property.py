"""(f) Property tests: hypothesis examples per second against direct runs, and a week's shrink.

* examples per second: a hypothesis test draws timelines with
  :func:`harness.strategies.timelines` (a week, up to 10 drawn device events, walked on the
  phone model) and runs the scenario (``benchmarks._apps.buggy_sync`` in its correct form, a
  15-minute sync) with each one through :func:`harness.property.check`, as a user's ``@given``
  test does; derandomized, so every repeat draws the same examples. The floor runs exactly those
  timelines directly, in a plain loop (``with_drawn(...).run()``): the same merge, validation
  and preflight, so the ratio is what hypothesis and ``check`` add.
* shrink: the same test against the deliberately buggy form of the app (it crashes on the first
  sync without a network), with harness's profile phases (no ``explain``); CPU seconds and
  examples until hypothesis has found the failure and shrunk it (to the one event that takes the
  network away), its database off.
* both sides of the rate run once before the measured repeats (not measured): hypothesis's first
  ``@given`` call in a process builds its caches and the strategy, paid once per test session.

Targets (issue 14, issue 16 point 10): examples per second at least 0.9x of direct runs; the
week's shrink under 60 s.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from benchmarks._apps import buggy_sync
from benchmarks._measure import cpu_seconds, interleave
from benchmarks._result import Goal, On, Result, Target
from benchmarks._scenarios import scenario_data
from harness.property import PHASES, check, with_drawn
from harness.scenario import Scenario, load_data
from harness.strategies import timelines

CASE = "f"
TITLE = "property-test examples per second vs direct runs; time to shrink a week"
RATE_TARGET = Target(0.9, Goal.AT_LEAST)
SHRINK_TARGET = Target(60.0, on=On.VALUE)
REPEATS = 5
#: Device events per drawn timeline, at most (tests make it smaller).
MAX_EVENTS = 10
#: ``--quick``: days per example and examples per repeat.
QUICK_DAYS = 1
QUICK_EXAMPLES = 4


def _base(days: int) -> Scenario:
    return load_data(
        scenario_data("benchmarks._apps.buggy_sync", f"{days}d"),
        file=f"<benchmark f {days} days>",
    )


def _property_side(
    base: Scenario, days: int, examples: int, drawn: list[list[dict[str, Any]]]
) -> Mapping[str, float]:
    os.environ[buggy_sync.BUGGY_ENV] = "0"
    drawn.clear()

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(timeline=timelines(days=days, max_events=MAX_EVENTS))
    def examples_run(timeline: list[dict[str, Any]]) -> None:
        drawn.append(timeline)
        check(base, timeline=timeline)

    began = cpu_seconds()
    examples_run()
    return {"property": len(drawn) / (cpu_seconds() - began)}


def _direct_side(base: Scenario, drawn: list[list[dict[str, Any]]]) -> Mapping[str, float]:
    os.environ[buggy_sync.BUGGY_ENV] = "0"
    began = cpu_seconds()
    for timeline in drawn:
        with_drawn(base, timeline=timeline).run(seed=0)
    return {"direct": len(drawn) / (cpu_seconds() - began)}


def shrink_once(
    base: Scenario, days: int, examples: int
) -> tuple[float, int, list[dict[str, Any]]]:
    """CPU seconds and examples to find and shrink the buggy app's failure, and the shrunk
    timeline."""
    os.environ[buggy_sync.BUGGY_ENV] = "1"
    failing: list[list[dict[str, Any]]] = []
    calls: list[int] = []
    failures = tempfile.mkdtemp(prefix="harness-bench-f-")

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[phase for phase in PHASES if phase in (Phase.generate, Phase.shrink)],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(timeline=timelines(days=days, max_events=MAX_EVENTS))
    def never_crashes(timeline: list[dict[str, Any]]) -> None:
        calls.append(1)
        try:
            check(base, timeline=timeline, failures=failures)
        except AssertionError:
            failing.append(timeline)
            raise

    began = cpu_seconds()
    try:
        never_crashes()
    except AssertionError:
        pass
    else:
        raise RuntimeError("hypothesis did not find the buggy app's crash; numbers are void")
    finally:
        os.environ[buggy_sync.BUGGY_ENV] = "1"
        shutil.rmtree(failures, ignore_errors=True)
    return cpu_seconds() - began, len(calls), failing[-1]


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Examples per second against direct runs (interleaved), then the shrink."""
    days = QUICK_DAYS if quick else 7
    examples = QUICK_EXAMPLES if quick else 30
    repeats = repeats or (1 if quick else REPEATS)
    base = _base(days)
    drawn: list[list[dict[str, Any]]] = []
    sides = [lambda: _property_side(base, days, examples, drawn), lambda: _direct_side(base, drawn)]
    # The warm-up, not measured: hypothesis's first @given call in a process builds its caches
    # and the strategy (some 0.2 s, paid once per test session), which took 6 % of the first
    # repeat's property side and none of the direct side's.
    interleave(sides, 1)
    samples = interleave(sides, repeats)
    shrunk: list[dict[str, Any]] = []
    counts: list[int] = []

    def shrink_side() -> Mapping[str, float]:
        spent, count, timeline = shrink_once(base, days, 100)
        shrunk[:] = timeline
        counts.append(count)
        return {"shrink": spent}

    shrink = interleave([shrink_side], 1 if quick else 2)
    events = "; ".join(f"{event['at']} {event['do']}" for event in shrunk)
    return [
        Result(
            CASE,
            f"hypothesis examples of a {days}-day scenario per second ({len(drawn)} examples)",
            samples["property"],
            "examples/s",
            samples["direct"],
            RATE_TARGET,
            "ratio: examples per CPU second under @given / direct runs per CPU second of the "
            "same timelines",
        ),
        Result(
            CASE,
            f"find and shrink a failing {days}-day example",
            shrink["shrink"],
            "s",
            target=SHRINK_TARGET,
            compares=f"value: CPU seconds of the whole @given run (generate + shrink), "
            f"{'/'.join(map(str, counts))} examples; shrunk to: {events}",
        ),
    ]
