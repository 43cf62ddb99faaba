"""Report files: summary.json, junit.xml, summary.md, index.html (harness/report/)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from harness.report import (
    SCHEMA_VERSION,
    Timelines,
    read_records,
    rerender,
    timeline_svg,
    write_report,
)
from harness.scenario._record import CheckResult, RunRecord
from harness.sim import Trace


def _record(seed: int, *, passed: bool, trace_path: str | None = None) -> RunRecord:
    checks = (
        CheckResult("responses_processed", "responses_processed", True, "all 12 handled"),
        CheckResult(
            "max_staleness",
            "max_staleness: 2h",
            passed,
            "ok" if passed else "data was 5h10m stale at t=2d08:00:00.000",
            t_ms=None if passed else 2 * 86_400_000 + 8 * 3_600_000,
            details=() if passed else ("stale from 2d02:50 to 2d08:00",),
        ),
    )
    return RunRecord(
        scenario="hourly sync, a commuter's week",
        path="scenarios/hourly/commute.yaml",
        seed=seed,
        checks=checks,
        digest="ab" * 32,
        duration_ms=7 * 86_400_000,
        real_seconds=0.5,
        metrics={"requests": 120, "wakeups_per_hour": 1.2},
        notes=("interval 300000 ms raised to 900000 ms (15 min minimum), as WorkManager does",),
        trace_path=trace_path,
    )


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    trace = Trace(tmp_path / "runs" / "seed-1" / "trace.jsonl", keep=False, strict=False)
    trace.emit(0, "device.battery", level=100)
    trace.emit(0, "device.network", transport="WIFI")
    trace.emit(3_600_000, "work.started", id="w1", worker="app.SyncWorker")
    trace.emit(3_660_000, "http.request", method="GET", url="https://api/x", status=200)
    trace.emit(3_700_000, "work.finished", id="w1", state="SUCCEEDED")
    trace.emit(86_400_000, "device.battery", level=62)
    trace.close()
    records = [
        _record(0, passed=True),
        _record(1, passed=False, trace_path="runs/seed-1/trace.jsonl"),
    ]
    write_report(tmp_path, records, created_at="2026-11-22T14:12:00Z")
    return tmp_path


def test_summary_json_is_versioned_and_complete(report_dir: Path) -> None:
    """summary.json carries the schema version, totals, and per-run checks and replay."""
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["schema_version"] == SCHEMA_VERSION == 1
    assert summary["passed"] is False
    assert summary["totals"] == {"scenarios": 1, "runs": 2, "failed_runs": 1}
    scenario = summary["scenarios"][0]
    assert scenario["failed_seeds"] == [1]
    run = scenario["runs"][1]
    assert run["replay"] == "harness replay scenarios/hourly/commute.yaml --seed 1"
    assert run["checks"][1]["t_ms"] == 201_600_000


def test_junit_has_one_case_per_scenario_and_seed(report_dir: Path) -> None:
    """junit.xml: a testsuite per scenario, a testcase per seed, failures with the replay."""
    root = ET.parse(report_dir / "junit.xml").getroot()
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "2", "1")
    cases = root.findall("testsuite/testcase")
    assert [case.get("name") for case in cases] == ["seed 0", "seed 1"]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith("max_staleness: 2h: data was 5h10m stale")
    assert "replay: harness replay scenarios/hourly/commute.yaml --seed 1" in (failure.text or "")


def test_markdown_names_failures_and_replay(report_dir: Path) -> None:
    """summary.md has the scenario table, the broken checks and the replay command."""
    text = (report_dir / "summary.md").read_text()
    assert "✗ 1/2 seeds fail" in text
    assert "`max_staleness: 2h`: data was 5h10m stale" in text
    assert "harness replay scenarios/hourly/commute.yaml --seed 1" in text
    assert "raised to 900000 ms" in text


def test_html_shows_timeline_of_first_failing_seed(report_dir: Path) -> None:
    """index.html embeds the timeline SVG of the first failing seed and escapes text."""
    html = (report_dir / "index.html").read_text()
    assert "<svg" in html
    assert "Timeline and work inspector of seed 1 (FAIL" in html
    assert "commuter&#39;s week" in html


def test_rerender_round_trips(report_dir: Path) -> None:
    """`harness report DIR` re-renders identical files from summary.json and the traces."""
    before = {
        name: (report_dir / name).read_text()
        for name in ("summary.json", "junit.xml", "summary.md", "index.html")
    }
    records, created_at = read_records(report_dir)
    assert created_at == "2026-11-22T14:12:00Z"
    assert [record.passed for record in records] == [True, False]
    rerender(report_dir)
    after = {name: (report_dir / name).read_text() for name in before}
    assert after == before


def test_timelines_drawn_ahead_give_the_same_files(report_dir: Path) -> None:
    """A run's block drawn as it finished (collapsed) and reopened as the scenario's first
    failing seed: every report file is the one drawn at the end."""
    names = ("summary.json", "junit.xml", "summary.md", "index.html")
    before = {name: (report_dir / name).read_text() for name in names}
    records, created_at = read_records(report_dir)
    drawn = Timelines(report_dir)
    for record in records:
        drawn.draw(record)
    write_report(report_dir, records, created_at=created_at, drawn=drawn)
    assert {name: (report_dir / name).read_text() for name in names} == before
    assert '<details class="run-block" id="' in before["index.html"]
    assert "Timeline and work inspector of seed 1 (FAIL" in before["index.html"]


def test_a_timeline_drawn_ahead_serves_only_its_own_run(report_dir: Path, tmp_path: Path) -> None:
    """The page uses a block drawn ahead for an equal record in the same directory, and draws
    any other run from its trace (here gone, so that run shows no timeline)."""
    records, created_at = read_records(report_dir)
    drawn = Timelines(report_dir)
    drawn.draw(records[1])
    (report_dir / "runs" / "seed-1" / "trace.jsonl").unlink()
    write_report(report_dir, records, created_at=created_at, drawn=drawn)
    assert "<svg" in (report_dir / "index.html").read_text()
    rerun = [records[0], replace(records[1], real_seconds=0.75)]
    write_report(report_dir, rerun, created_at=created_at, drawn=drawn)
    assert "<svg" not in (report_dir / "index.html").read_text()
    elsewhere = tmp_path / "elsewhere"
    write_report(elsewhere, records, created_at=created_at, drawn=drawn)
    assert "<svg" not in (elsewhere / "index.html").read_text()


def test_timeline_draws_lanes_from_trace() -> None:
    """The SVG has the battery line, the network band, the work's row and the HTTP tick."""
    trace = Trace(strict=False)
    trace.emit(0, "device.battery", level=90)
    trace.emit(0, "device.network", transport="CELLULAR")
    trace.emit(10, "work.started", id="a", worker="m.W")
    trace.emit(20, "http.request", method="GET", url="u", status=503)
    trace.emit(30, "work.stopped", id="a")
    svg = timeline_svg(trace, 100)
    assert "<polyline" in svg
    assert "#f0a43a" in svg  # cellular
    assert "W a: running" in svg
    assert "W a stopped" in svg
    assert "GET u -&gt; 503" in svg


def test_read_records_explains_a_wrong_directory(tmp_path: Path) -> None:
    """Pointing `harness report` at a directory without summary.json says what to do."""
    with pytest.raises(FileNotFoundError, match=r"harness run --out DIR"):
        read_records(tmp_path)
