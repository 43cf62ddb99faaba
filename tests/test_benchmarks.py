"""The benchmarks themselves (benchmarks/): rows, ratios and targets, never timings.

Each case runs in ``--quick`` mode with tiny sizes and one repeat; the tests check the shape of
what it prints (rows, positive numbers, every target stated with ok/MISSED), not its speed.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks import (
    __main__ as cli,
)
from benchmarks import (
    _measure,
    bench_fixed_cost,
    bench_fleet,
    bench_loop,
    bench_memory,
    bench_property,
    bench_request,
    bench_scheduler,
    bench_startup,
    bench_suites,
    bench_year,
)
from benchmarks._measure import interleave
from benchmarks._result import Goal, On, Result, Samples, Target
from benchmarks._scenarios import scenario_data, write_scenario


@pytest.fixture(autouse=True)
def full_collections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``interleave``'s full garbage collection before each side, counted and not run: it steadies
    real measurements, these tests assert no timing, and in a test worker holding a session's
    objects each collection cost about a second of CPU."""
    calls: list[int] = []

    def collect() -> int:
        calls.append(0)
        return 0

    monkeypatch.setattr(_measure, "gc", SimpleNamespace(collect=collect))
    return calls


def _check_rows(results: list[Result], case: str, *, rows: int) -> None:
    assert len(results) == rows
    for result in results:
        assert result.case == case
        # a tiny phase's CPU time can round to zero at the clock's resolution; never below
        assert all(value >= 0 for value in result.harness.values)
        if result.floor is not None:
            assert all(value > 0 for value in result.floor.values)
            assert result.ratio is not None
            assert result.ratio > 0
        text = "\n".join(result.lines())
        assert text.startswith(f"({case}) {result.name}")
        assert "median" in text
        assert "min" in text
        if result.target is not None:
            assert f"target {result.target.describe(result.unit)}: " in text
            assert text.split("\n")[1].endswith(("ok", "MISSED"))
            assert result.compares  # every judged row says what it compares


def test_ratio_is_median_against_median_and_inverted_for_speedups() -> None:
    """harness / floor of the medians; floor / harness when inverted; minimums beside them."""
    cost = Result("x", "cost", Samples((2.0, 4.0, 9.0)), "ms", Samples((1.0, 2.0, 2.0)))
    assert cost.ratio == 2.0
    assert cost.min_ratio == 2.0
    assert cost.met is None
    speedup = Result(
        "x", "speed-up", Samples((5.0,)), "s", Samples((9.0,)), Target(1.8, Goal.AT_LEAST),
        inverted=True,
    )  # fmt: skip
    assert speedup.ratio == pytest.approx(1.8)
    assert speedup.met


def test_targets_bound_the_ratio_or_the_value_from_either_side() -> None:
    """A ratio target reads the ratio, a value target the median; 'ok' or 'MISSED' is printed."""
    slower = Result("a", "slow", Samples((3.0,)), "us", Samples((1.0,)), Target(1.5))
    assert slower.met is False
    assert slower.lines()[1].endswith("target <= 1.5x: MISSED")
    rate = Result(
        "c", "rate", Samples((25_000.0,)), "runs/s", target=Target(2e4, Goal.AT_LEAST, On.VALUE)
    )
    assert rate.met is True
    assert rate.lines()[1].endswith("target >= 20,000 runs/s: ok")
    with pytest.raises(ValueError, match=r"^ratio: a ratio target needs a floor$"):
        _ = Result("c", "ratio", Samples((1.0,)), "s", target=Target(1.0)).met


def test_interleave_alternates_sides_in_every_repeat(full_collections: list[int]) -> None:
    """Sides run harness, floor, harness, floor, ...: noise hits both, not one side's series;
    a full garbage collection comes before each side."""
    order: list[str] = []

    def side(name: str, value: float) -> dict[str, float]:
        order.append(name)
        assert len(full_collections) == len(order)
        return {name: value}

    samples = interleave([lambda: side("h", 1.0), lambda: side("f", 2.0)], 3)
    assert order == ["h", "f", "h", "f", "h", "f"]
    assert len(full_collections) == 6
    assert samples["h"].values == (1.0, 1.0, 1.0)
    assert samples["f"].median == 2.0


def test_request_case_compares_the_device_path_with_bare_httpx() -> None:
    """(a): the static route, the REST resource and the servers alone, each against its floor."""
    _check_rows(bench_request.run(quick=True, repeats=1), "a", rows=3)


def test_year_case_divides_the_run_by_its_work_runs() -> None:
    """(b): one row, per work run, against one bare request plus one timer hop."""
    results = bench_year.run(quick=True, repeats=1)
    _check_rows(results, "b", rows=1)
    assert results[0].target == Target(3.0)


@pytest.mark.skipif(bench_scheduler.SKIP_REASON is not None, reason="SimPy is not installed")
def test_scheduler_case_rates_the_test_scheduler_and_the_device_against_simpy() -> None:
    """(c): three rates with absolute targets; SimPy's rate as the floor."""
    results = bench_scheduler.run(quick=True, repeats=1)
    _check_rows(results, "c", rows=3)
    assert [r.target.bound for r in results if r.target] == [20_000, 20_000, 5_000]


def test_scheduler_case_says_why_it_is_skipped_without_simpy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the bench extra the case prints a clear message and counts nothing."""
    monkeypatch.setattr(bench_scheduler, "SKIP_REASON", "skipped: SimPy is not installed")
    lines: list[str] = []
    assert cli.run_case(bench_scheduler, quick=True, repeats=1, out=lines.append) == (0, 0)
    assert lines[-1] == "   skipped: SimPy is not installed"


def test_fixed_cost_case_prints_the_breakdown() -> None:
    """(d): the fixed cost against 10 ms, then each phase."""
    results = bench_fixed_cost.run(quick=True, repeats=1)
    _check_rows(results, "d", rows=6)
    assert all(value > 0 for value in results[0].harness.values)  # the whole is never free
    assert [r.name.strip().split(" ")[0] for r in results[1:]] == [
        "load", "preflight", "start", "world", "run",
    ]  # fmt: skip


@pytest.fixture
def tiny_scenario(tmp_path: Path) -> Path:
    """A one-hour scenario file (the quarter-hour sync)."""
    return write_scenario(
        scenario_data("benchmarks._apps.quarter_hour", "1h"), tmp_path / "tiny.yaml"
    )


@pytest.mark.slow
def test_suites_case_times_one_and_two_workers(
    monkeypatch: pytest.MonkeyPatch, tiny_scenario: Path
) -> None:
    """(e): the speed-up (wall time) of 2 workers over 1, and their CPU for information."""
    monkeypatch.setattr(bench_suites, "QUICK_FILES", (str(tiny_scenario),))
    monkeypatch.setattr(bench_suites, "QUICK_SEEDS", ("--seeds", "1"))
    results = bench_suites.run(quick=True, repeats=1)
    _check_rows(results, "e", rows=2)
    assert results[0].inverted
    assert results[0].target == Target(1.8, Goal.AT_LEAST)


@pytest.mark.slow
def test_fleet_case_rates_each_executor_and_the_second_worker() -> None:
    """Device-days per second in-process and on the pool with 1 and 2 workers, and the pool's
    speed-up, as information rows (issue 15 gives no target); --quick leaves Dask out."""
    results = bench_fleet.run(quick=True, repeats=1)
    _check_rows(results, "fleet", rows=4)
    assert all(result.target is None for result in results)
    assert results[-1].name == "  pool executor, 2 workers vs 1"


def test_property_case_rates_examples_and_shrinks_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(f): examples per second against direct runs, and the shrink of the buggy app's crash."""
    monkeypatch.setattr(bench_property, "MAX_EVENTS", 2)
    monkeypatch.setattr(bench_property, "QUICK_EXAMPLES", 2)
    results = bench_property.run(quick=True, repeats=1)
    _check_rows(results, "f", rows=2)
    assert "shrunk to: 0s open app" in results[1].compares


@pytest.mark.slow
def test_memory_case_compares_the_long_run_with_the_short() -> None:
    """(g): each workload's long run (GETs, 1 MB photo uploads, the GETs' file collected by
    pytest) against 100 MB, and against its short run's peak."""
    results = bench_memory.run(quick=True, repeats=1)
    _check_rows(results, "g", rows=6)
    assert results[0].unit == "MB"
    assert "photo uploads" in results[2].name
    assert "collected by pytest" in results[4].name
    assert "pytest and its plugins" in results[4].compares


@pytest.mark.slow
def test_startup_case_compares_children_with_python_doing_nothing() -> None:
    """(h): `--version`, a one-hour run and its floors against `python -c pass`."""
    _check_rows(bench_startup.run(quick=True, repeats=1), "h", rows=4)


def test_loop_case_measures_both_kinds_of_hop() -> None:
    """A tiny run gives both rows with positive rates (their values are not asserted)."""
    results = bench_loop.run(quick=True, repeats=1, hops=50)
    _check_rows(results, "loop", rows=2)


def test_command_runs_a_subset_and_exits_1_when_a_target_is_missed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m benchmarks d --quick` prints the case and a summary; 1 if a target is missed."""
    missed = Result("d", "stub", Samples((20.0,)), "ms", target=Target(10.0, on=On.VALUE))
    monkeypatch.setattr(bench_fixed_cost, "run", lambda **_: [missed])
    assert cli.main(["d", "--quick"]) == 1
    out = capsys.readouterr().out
    assert "== (d) per-scenario-run fixed cost" in out
    assert out.rstrip().endswith("targets: 0 met, 1 missed")


def test_command_exits_0_when_every_target_holds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """All targets met: exit 0."""
    met = Result("d", "stub", Samples((2.0,)), "ms", target=Target(10.0, on=On.VALUE))
    monkeypatch.setattr(bench_fixed_cost, "run", lambda **_: [met])
    assert cli.main(["d"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("targets: 1 met, 0 missed")


def test_a_case_that_breaks_counts_as_missed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error inside a case is printed and the command exits 1 (never a silent pass)."""

    def broken(**_: object) -> list[Result]:
        raise RuntimeError("numbers are void")

    monkeypatch.setattr(bench_fixed_cost, "run", broken)
    assert cli.main(["d", "--quick"]) == 1
    assert "RuntimeError: numbers are void" in capsys.readouterr().out


def test_unknown_case_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown case name exits 2 and lists the cases."""
    assert cli.main(["z"]) == 2
    assert "unknown case(s) z; choose from a, b, c, d, e, f, g, h, loop" in capsys.readouterr().err
