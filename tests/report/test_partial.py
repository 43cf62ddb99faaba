"""Partial reports: a suite stopped by a signal reports the runs that finished, marked as such."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report import Interruption, rerender, summary_json, write_report
from tests.report.test_report import _record

_STOPPED = Interruption("SIGINT", finished_runs=2, planned_runs=5)


def test_summary_json_marks_an_interrupted_run(tmp_path: Path) -> None:
    """summary.json: `interrupted` names the signal and the finished and planned runs; a partial
    report never `passed`, even when every finished run passed."""
    write_report(tmp_path, [_record(0, passed=True)], created_at="t", interrupted=_STOPPED)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["interrupted"] == {"signal": "SIGINT", "finished_runs": 2, "planned_runs": 5}
    assert summary["passed"] is False
    complete = summary_json([_record(0, passed=True)], created_at="t")
    assert complete["interrupted"] is None
    assert complete["passed"] is True


def test_every_report_file_says_interrupted(tmp_path: Path) -> None:
    """junit.xml, summary.md and index.html say `interrupted: N of M runs`."""
    write_report(tmp_path, [_record(0, passed=True)], created_at="t", interrupted=_STOPPED)
    line = "interrupted: 2 of 5 runs (SIGINT)"
    assert line in (tmp_path / "summary.md").read_text()
    assert line in (tmp_path / "index.html").read_text()
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert root.get("errors") == "1"
    error = root.find("testsuite[@name='interrupted']/testcase/error")
    assert error is not None
    assert error.get("message") == line


def test_rerender_keeps_the_report_partial(tmp_path: Path) -> None:
    """`harness report DIR` on a partial report re-renders it as partial, files unchanged."""
    write_report(tmp_path, [_record(0, passed=True)], created_at="t", interrupted=_STOPPED)
    names = ("summary.json", "junit.xml", "summary.md", "index.html")
    before = {name: (tmp_path / name).read_text() for name in names}
    rerender(tmp_path)
    assert {name: (tmp_path / name).read_text() for name in names} == before


def test_a_summary_without_the_field_is_complete(tmp_path: Path) -> None:
    """A summary.json written before `interrupted` existed reads as a complete run."""
    write_report(tmp_path, [_record(0, passed=True)], created_at="t")
    summary = json.loads((tmp_path / "summary.json").read_text())
    del summary["interrupted"]
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    rerender(tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["interrupted"] is None


def test_a_report_written_at_once_leaves_timelines_for_later(tmp_path: Path) -> None:
    """write_report(timelines=False) (after Ctrl-C) draws no timeline and says how to get them;
    `harness report DIR` then draws them from the traces."""
    from harness.sim import Trace

    trace = Trace(tmp_path / "runs" / "a" / "trace.jsonl", keep=False, strict=False)
    trace.emit(0, "device.battery", level=100)
    trace.close()
    records = [_record(0, passed=True, trace_path="runs/a/trace.jsonl")]
    write_report(tmp_path, records, created_at="t", interrupted=_STOPPED, timelines=False)
    page = (tmp_path / "index.html").read_text()
    assert "<svg" not in page
    assert "harness report DIR</code> draws them" in page
    rerender(tmp_path)
    page = (tmp_path / "index.html").read_text()
    assert "<svg" in page
    assert "interrupted: 2 of 5 runs (SIGINT)" in page
