"""index.html and fleet.html in a real browser: headless Chromium (Debian's, through
playwright's pipe, never a socket), as a person opening the report would see it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.report import FleetReport, read_records, write_fleet_report
from harness.report._write import render_html
from harness.scenario import CheckResult, DeviceResult, RunRecord
from tests.report.conftest import HOSTILE_NAME, summary_of, trace_of
from tests.report.failing_app import HOSTILE_ERROR

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: The system browser (``.ci/run`` installs Debian's ``chromium`` where it is missing).
CHROMIUM = Path("/usr/bin/chromium")
#: No sandbox (root in CI), no GPU, and nothing that reaches out: no background networking,
#: component updates, first-run or sync.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven over a pipe (the socket guard stays on)."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("no /usr/bin/chromium: install Debian's `chromium` (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _open(browser: Browser, path: Path) -> tuple[Page, list[str]]:
    """A page with ``path`` loaded; the list collects every dialog the page tried to open."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(5_000)  # a missing element fails fast (not a timing assertion)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, dialogs


def test_failing_report_renders_its_timeline_and_tables(
    browser: Browser, failing_report: Path, tmp_path: Path
) -> None:
    """The failing run's timeline draws (lanes, work rows, HTTP ticks, the check marker) with
    real sizes, and its numbers are summary.json's."""
    page, dialogs = _open(browser, failing_report / "index.html")
    svg = page.locator("svg.timeline")
    assert svg.count() == 1
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 1000
    assert box["height"] > 150
    segments = page.locator("svg.timeline rect.segment")
    assert segments.count() >= 3
    for index in range(segments.count()):
        segment = segments.nth(index).bounding_box()
        assert segment is not None
        assert segment["width"] > 0
        assert segment["height"] > 0
    summary = summary_of(failing_report)
    run = summary["scenarios"][0]["runs"][0]
    assert page.locator("svg.timeline .http-tick").count() == run["metrics"]["requests"]
    assert page.locator("svg.timeline path.check").count() == 1
    assert page.locator("svg.timeline [data-lane='battery']").count() == 1
    # the numbers: the verdict, the metrics table, the replay command
    assert page.locator("#verdict").inner_text() == "1 of 1 runs failed"
    for name, value in run["metrics"].items():
        cell = page.locator(f"table.metrics tr[data-metric='{name}'] td.value")
        assert cell.inner_text() == str(value)
    assert page.locator(".failure input.replay-command").input_value() == run["replay"]
    failed = next(r for r in trace_of(failing_report) if r["kind"] == "work.failed")
    assert page.locator(".failure .where").first.inner_text() == (
        f"{failed['file']}:{failed['line']}"
    )
    assert dialogs == []
    page.screenshot(path=str(tmp_path / "failing-report.png"), full_page=True)
    assert (tmp_path / "failing-report.png").stat().st_size > 10_000


def test_tooltips_are_in_tables_a_keyboard_reaches(browser: Browser, failing_report: Path) -> None:
    """Every tooltip of the picture names a time that a table (or the failure's list of
    checks) shows as text."""
    page, _ = _open(browser, failing_report / "index.html")
    page.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    table_text = " ".join(
        page.locator("details.run-block table, .failure .failed-checks").all_inner_texts()
    )
    titles = page.locator("svg.timeline title").all_text_contents()
    assert titles
    for title in titles:
        # the first time and the state a tooltip names are in a table row
        time = re.search(r"\d+d\d\d:\d\d:\d\d\.\d\d\d", title)
        assert time is not None, title
        assert time.group() in table_text, title
    summary = page.locator("details.run-block > summary").first
    summary.focus()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_hostile_strings_stay_inert(browser: Browser, failing_report: Path) -> None:
    """A <script> scenario name and an onerror exception message show as text: no dialog,
    no injected element."""
    page, dialogs = _open(browser, failing_report / "index.html")
    page.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert HOSTILE_NAME in page.locator(".failure h3").inner_text()
    assert HOSTILE_ERROR in page.locator(".failure .traceback").first.inner_text()
    assert dialogs == []


def test_aggregates_show_summary_numbers(
    browser: Browser, failing_report: Path, tmp_path: Path
) -> None:
    """A summary.json aggregate (hand-written here) appears with its values and flags."""
    summary = summary_of(failing_report)
    summary["aggregate"] = {
        "metrics": [
            {
                "name": "sync_success_rate",
                "label": "sync success rate",
                "value": 0.5,
                "low": 0.2,
                "high": 0.8,
                "unit": "",
            },
        ],
        "flags": [{"name": "stuck_jobs", "message": HOSTILE_ERROR}],
    }
    records, created_at = read_records(failing_report)
    page_file = failing_report / "with-aggregate.html"
    page_file.write_text(
        render_html(failing_report, records, created_at=created_at, summary=summary),
        encoding="utf-8",
    )
    page, dialogs = _open(browser, page_file)
    row = page.locator("#aggregate table.aggregate tr[data-metric='sync_success_rate']")
    assert row.locator("td.value").inner_text() == "0.5"
    flag = page.locator("#aggregate .warning[data-flag='stuck_jobs']")
    assert flag.inner_text().endswith(HOSTILE_ERROR)
    assert page.locator("img").count() == 0
    assert dialogs == []


def _fleet(devices: int) -> FleetReport:
    report = FleetReport("hourly sync fleet", "scenarios/fleet.yaml", 7, devices, ["a", "b"])
    for device in range(devices):
        passed = device % 10 != 3
        record = None
        if not passed:
            record = RunRecord(
                scenario="hourly sync fleet",
                path="scenarios/fleet.yaml",
                seed=device,
                checks=(CheckResult("max_staleness", "max_staleness: 2h", False, "5h stale"),),
                digest=f"{device:064x}",
                duration_ms=86_400_000,
                real_seconds=0.1,
            )
        report.add(
            DeviceResult(
                device=device,
                seed=device,
                part=device % 2,
                passed=passed,
                digest=f"{device:064x}",
                real_seconds=0.1,
                metrics={"requests": device % 7, "wakeups": 3},
                failed_checks=() if passed else ("max_staleness: 2h",),
                record=record,
            )
        )
    return report


def test_a_thousand_device_fleet_page_stays_small(browser: Browser, tmp_path: Path) -> None:
    """fleet.html of 1,000 devices is bounded in bytes and DOM nodes, and shows fleet.json's
    numbers."""
    write_fleet_report(tmp_path, _fleet(1000))
    page_file = tmp_path / "fleet.html"
    assert page_file.stat().st_size < 60_000
    page, dialogs = _open(browser, page_file)
    assert page.evaluate("document.getElementsByTagName('*').length") < 1_500
    data = json.loads((tmp_path / "fleet.json").read_text(encoding="utf-8"))
    assert page.locator("#pass-rate").inner_text() == f"{data['pass_rate']:.1%}"
    assert page.locator("table.failing input.replay-command").count() == 20
    mean = page.locator("tr[data-metric='requests'] td.mean").inner_text()
    assert float(mean) == pytest.approx(data["metrics"]["requests"]["mean"], rel=1e-5)
    assert dialogs == []
    page.screenshot(path=str(tmp_path / "fleet.png"), full_page=True)
