"""What index.html shows of runs: failures first, the work inspector, aggregates (no browser)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from harness.report import read_records
from harness.report._write import render_html
from tests.report import failing_app
from tests.report.conftest import HOSTILE_NAME, summary_of, trace_of
from tests.report.failing_app import HOSTILE_ERROR

#: A summary.json as report-metrics writes it (docs/report-schema.md "aggregate"), by hand.
_AGGREGATE = {
    "metrics": [
        {
            "name": "sync_success_rate",
            "label": "sync success rate",
            "value": 0.9375,
            "low": 0.71,
            "high": 0.99,
            "unit": "",
        },
        {
            "name": "latency_p90",
            "label": "change to phone, p90",
            "value": 5400.0,
            "low": None,
            "high": None,
            "unit": "s",
        },
    ],
    "flags": [{"name": "excessive_wakeups", "message": f"12 wake-ups per hour {HOSTILE_ERROR}"}],
}


def test_failures_come_first_with_replay_checks_and_traceback(failing_report: Path) -> None:
    """A failing run comes first: replay command, failing check, where the worker raised."""
    html = (failing_report / "index.html").read_text(encoding="utf-8")
    failed = next(r for r in trace_of(failing_report) if r["kind"] == "work.failed")
    failures_at = html.index('<h2 id="failures">')
    assert failures_at < html.index("<h2>Scenarios</h2>")
    section = html[failures_at : html.index("<h2>Scenarios</h2>")]
    assert 'value="harness replay ' in section
    assert "no_crashes" in section
    source = Path(failing_app.__file__).read_text(encoding="utf-8").splitlines()
    assert failed["file"] == "tests/report/failing_app.py"
    assert source[failed["line"] - 1].strip() == "raise ValueError(HOSTILE_ERROR)"
    assert f'<code class="where">{failed["file"]}:{failed["line"]}</code>' in section
    assert "What each work was doing at" in section
    # why the upload ran so late: it waited for a charger (plugged in at 3h)
    assert "before that it waited 2h59m" in section
    assert "constraint unmet: needs charging" in section


def test_the_inspector_shows_why_the_upload_waited_and_the_dropped_keep(
    failing_report: Path,
) -> None:
    """The upload's row waits on 'needs charging'; the second launch's KEEP enqueue is shown."""
    html = (failing_report / "index.html").read_text(encoding="utf-8")
    assert "waiting: constraint unmet: needs charging" in html
    assert "dropped: ExistingWorkPolicy.KEEP: unique work &#39;upload&#39;" in html
    assert re.search(r"Fetch &#39;upload&#39; [0-9a-f]{8}</a> <span class=\"meta\">SUCCEEDED", html)


def test_hostile_names_and_errors_are_text(failing_report: Path) -> None:
    """The scenario's <script> name and the worker's onerror message are escaped."""
    html = (failing_report / "index.html").read_text(encoding="utf-8")
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; charging upload" in html
    assert HOSTILE_ERROR not in html
    assert "<script" not in html
    assert "<img" not in html


def test_aggregate_metrics_and_flags_are_rendered(failing_report: Path, tmp_path: Path) -> None:
    """summary.json's aggregate (top level and per scenario) shows as tables and warnings."""
    summary = summary_of(failing_report)
    summary["aggregate"] = _AGGREGATE
    summary["scenarios"][0]["aggregate"] = _AGGREGATE
    records, created_at = read_records(failing_report)
    html = render_html(failing_report, records, created_at=created_at, summary=summary)
    assert html.count('<tr data-metric="sync_success_rate">') == 2
    assert '<td>sync success rate</td><td class="value">0.9375</td><td>0.71 – 0.99</td>' in html
    assert '<td>change to phone, p90</td><td class="value">5400</td><td></td><td>s</td>' in html
    assert html.count('data-flag="excessive_wakeups"') == 2
    assert HOSTILE_ERROR not in html


def test_a_summary_without_aggregate_shows_no_metrics_section(failing_report: Path) -> None:
    """A summary.json without aggregate objects (an older file) renders without them."""
    summary = summary_of(failing_report)
    summary.pop("aggregate", None)
    for scenario in summary["scenarios"]:
        scenario.pop("aggregate", None)
    records, created_at = read_records(failing_report)
    html = render_html(failing_report, records, created_at=created_at, summary=summary)
    assert "Metrics over all runs" not in html
    assert 'class="aggregate"' not in html


def test_the_runs_own_aggregate_is_shown(failing_report: Path) -> None:
    """index.html shows the aggregate summary.json holds (pass rate over the seeds)."""
    html = (failing_report / "index.html").read_text(encoding="utf-8")
    aggregate = summary_of(failing_report)["aggregate"]
    assert '<section id="aggregate">' in html
    for metric in aggregate["metrics"]:
        assert f'<tr data-metric="{metric["name"]}">' in html


def test_ids_are_unique_and_every_link_lands(failing_report: Path) -> None:
    """Two runs with the same work ids on one page: every id is unique, every #link resolves."""
    records, created_at = read_records(failing_report)
    twice = [records[0], dataclasses.replace(records[0], seed=1)]
    html = render_html(failing_report, twice, created_at=created_at)
    assert html.count('class="run-block"') == 2
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets
    assert targets <= set(ids)


def test_failures_come_before_the_metrics(failing_report: Path) -> None:
    """Failing runs are the first thing on the page, above the aggregate metrics."""
    html = (failing_report / "index.html").read_text(encoding="utf-8")
    assert html.index('<h2 id="failures">') < html.index('<section id="aggregate">')
