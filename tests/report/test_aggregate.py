"""Aggregates over runs (harness/report/_aggregate.py) in summary.json, fleet.json, summary.md."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from pathlib import Path

from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.report import write_report
from harness.report._aggregate import FLAGS, Pool
from harness.scenario._record import CheckResult, RunRecord, WhyEntry

WHEN = "check max_staleness: 2h failed"
KEYS = {"name", "label", "value", "low", "high", "unit"}


def _run(seed: int, passed: bool, **metrics: float | None) -> RunRecord:
    base: dict[str, float | None] = {
        "work_runs": 10,
        "successful_runs": 9,
        "wakeups_per_hour": 1.0 + seed,
        "max_wakeups_per_hour": 3,
        "battery_mah_per_day": 400.0,
        "bytes_cellular": 1000,
        "periodic_runs": 8,
        "periodic_runs_requested": 10,
    }
    base.update(metrics)
    check = CheckResult("max_staleness", "max_staleness: 2h", passed, "m", t_ms=5)
    return RunRecord(
        scenario="s",
        path="s.yaml",
        seed=seed,
        checks=(check,),
        digest="0" * 64,
        duration_ms=2 * MS_PER_DAY,
        real_seconds=0.1,
        metrics=base,
        samples={"sync_latency_ms": [seed * 1000 + 1, seed * 1000 + 2]},
        reasons={"stopped": {"STOP_REASON_TIMEOUT": 1}, "deferred": {}},
        why=() if passed else (WhyEntry(5, WHEN, "p", "w1", "Sync", "ENQUEUED", "doze"),),
    )


def _by_name(aggregate: Mapping[str, object]) -> dict[str, dict[str, object]]:
    return {m["name"]: m for m in aggregate["metrics"]}  # type: ignore[attr-defined]


def test_summary_json_has_an_aggregate_per_scenario_and_overall(tmp_path: Path) -> None:
    """Each scenario and the report carry {"metrics": [{name, label, value, low, high, unit}],
    "flags": [{name, message}]}: the pass rate with its Wilson interval, the sync success rate
    pooled over runs (27 of 30), percentiles of the pooled latencies, means with t intervals."""
    runs = [_run(0, True), _run(1, True), _run(2, False)]
    write_report(tmp_path, runs, created_at="t")
    summary = json.loads((tmp_path / "summary.json").read_text())
    for aggregate in (summary["aggregate"], summary["scenarios"][0]["aggregate"]):
        assert set(aggregate) == {"metrics", "flags"}
        assert all(set(metric) == KEYS for metric in aggregate["metrics"])
        metrics = _by_name(aggregate)
        assert metrics["pass_rate"]["value"] == 0.666667  # six significant digits
        assert metrics["pass_rate"]["low"] is not None
        assert metrics["sync_success_rate"]["value"] == 0.9
        assert metrics["sync_latency_p50_ms"]["value"] == 1001  # of 1, 2, 1001, 1002, 2001, 2002
        assert metrics["sync_latency_max_ms"]["value"] == 2002
        assert metrics["sync_latency_p50_ms"]["low"] is None
        wakeups = metrics["wakeups_per_hour"]
        assert wakeups["value"] == 2.0
        assert wakeups["low"] < 2.0 < wakeups["high"]  # type: ignore[operator]
        assert metrics["bytes_cellular"]["value"] == 500  # per day of a two-day run
        assert metrics["stopped:STOP_REASON_TIMEOUT"]["value"] == 3
        assert metrics["periodic_run_ratio"]["value"] == 0.8
    assert summary["scenarios"][0]["runs"][2]["why"][0]["reason"] == "doze"
    markdown = (tmp_path / "summary.md").read_text()
    assert "| runs passing | 66.7% (20.8% to 93.9%) |" in markdown
    assert "- t=0d00:00:00.005 (check max\\_staleness: 2h failed): Sync `w1`: doze" in markdown


def test_flags_follow_the_android_vitals_thresholds() -> None:
    """More than 10 wake-ups in an hour, more than 50 MB of mobile data in a day, a work
    attempt of an hour, two hours of work in a day: each flagged with how many runs crossed it;
    exactly at the threshold a run is not flagged for wake-ups (vitals: "more than 10")."""
    pool = Pool()
    pool.add(True, {"max_device_wakeups_per_hour": 10, "max_cellular_bytes_per_day": 50_000_000})
    assert pool.flags() == []
    pool.add(
        True,
        {
            "max_device_wakeups_per_hour": 11,
            "max_cellular_bytes_per_day": 50_000_001,
            "longest_work_run_ms": MS_PER_HOUR,
            "max_work_running_ms_per_day": 2 * MS_PER_HOUR,
        },
    )
    flagged = {flag["name"]: flag["message"] for flag in pool.flags()}
    assert set(flagged) == {flag.name for flag in FLAGS}
    assert flagged["excessive_wakeups"].startswith("1 of 2 runs had more than 10 wake-ups")
    assert "worst 1h" in flagged["stuck_jobs"]


def test_a_pool_does_not_depend_on_the_order_runs_arrive_in() -> None:
    """Exact sums: any order of the same runs gives the same aggregate (fleet executors)."""
    runs = [_run(seed, seed % 3 != 0, battery_mah_per_day=0.1 * seed + 0.3) for seed in range(30)]
    first, second = Pool(coarse=True), Pool(coarse=True)
    for run in runs:
        first.add(run.passed, run.metrics, run.samples, run.reasons, run.duration_ms)
    random.Random(4).shuffle(runs)
    for run in runs:
        second.add(run.passed, run.metrics, run.samples, run.reasons, run.duration_ms)
    assert first.to_json() == second.to_json()


def test_fleet_json_carries_the_aggregate_over_its_devices() -> None:
    """A fleet's report pools its devices the same way: pass rate with Wilson's interval,
    latencies pooled (three significant digits), flags counted over devices."""
    from harness.report import FleetReport
    from harness.scenario import DeviceResult

    report = FleetReport("fleet", "f.yaml", 7, 3, ["pixel"])
    for device in range(3):
        run = _run(device, device != 1, max_device_wakeups_per_hour=20 if device == 2 else 1)
        report.add(DeviceResult.of(device, 0, run))
    aggregate = report.to_json()["aggregate"]
    metrics = _by_name(aggregate)
    assert metrics["pass_rate"]["value"] == 0.666667
    assert metrics["sync_latency_max_ms"]["value"] == 2000  # 2002 kept as 2000
    assert [flag["name"] for flag in aggregate["flags"]] == ["excessive_wakeups"]


def test_why_comparison_and_flags_stay_text_in_summary_md(tmp_path: Path) -> None:
    """A hostile work label, reason, scenario name and baseline (an edited summary.json) are
    escaped in summary.md like every other text: no raw HTML, no link, no ESC."""
    from dataclasses import replace

    from harness.report._compare import compare_reports
    from tests.report.hostile import HOSTILE

    entry = WhyEntry(5, HOSTILE, "p", HOSTILE, HOSTILE, "ENQUEUED", HOSTILE)
    runs = [replace(_run(0, False), scenario=HOSTILE, why=(entry,))]
    comparison = compare_reports(runs, runs, baseline_label=HOSTILE)
    write_report(tmp_path, runs, created_at="t", comparison=comparison)
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in text
    assert "<img" not in text
    assert "\x1b" not in text
    assert "](javascript:" not in text.replace("\\]", "")
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


def test_a_mean_s_interval_never_reaches_below_zero() -> None:
    """A mean of values that cannot be negative (bytes, charge, counts) keeps its interval at or
    above zero: two runs of 0 and one of 300,000 cellular bytes a day would give a t interval
    from about -330,000; the upper bound stays the t interval's."""
    pool = Pool()
    for value in (0, 0, 600_000):  # two-day runs: 0, 0 and 300,000 bytes a day
        pool.add(True, {"bytes_cellular": value}, duration_ms=2 * MS_PER_DAY)
    cellular = _by_name(pool.to_json())["bytes_cellular"]
    assert cellular["value"] == 100_000
    assert cellular["low"] == 0
    assert isinstance(cellular["high"], float | int)
    assert cellular["high"] > 300_000
