"""The benchmark harness itself (benchmarks/): ratios and targets, never timings."""

from __future__ import annotations

from benchmarks import bench_loop
from benchmarks._result import Result


def test_ratio_is_how_many_times_worse_harness_is() -> None:
    """Rates: baseline / harness; sizes: harness / baseline. Within the target is 'ok'."""
    slower = Result("rate", harness=50.0, baseline=100.0, unit="/s", target=1.5)
    assert slower.ratio == 2.0
    assert not slower.met
    assert "MISSED" in slower.line()
    bigger = Result("size", 120.0, 100.0, "MB", target=4, higher_is_better=False)
    assert bigger.ratio == 1.2
    assert bigger.met
    assert bigger.line().endswith("<= 4x ok")


def test_loop_benchmark_measures_both_kinds_of_hop() -> None:
    """A tiny run gives both rows with positive rates (their values are not asserted)."""
    results = bench_loop.run(hops=50)
    assert [r.name for r in results] == ["timer hops (call_later)", "sleep hops (asyncio.sleep)"]
    assert all(r.harness > 0 and r.baseline > 0 for r in results)
