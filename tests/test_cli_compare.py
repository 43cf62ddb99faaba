"""Comparing with a baseline: `harness report --baseline OLD NEW`, `harness run --baseline OLD`
(harness/_cli_report.py, harness/report/_compare.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.report import rerender
from harness.report._compare import judge
from tests.scenario.test_runner import SCENARIO

FLAKY = SCENARIO.replace("tests.scenario.apps.hourly", "tests.scenario.apps.hourly_flaky")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two real reports of one scenario file: the app as it was, and after a change that made
    every other sync give up (tests/scenario/apps/hourly_flaky.py)."""
    root = tmp_path_factory.mktemp("compare")
    scenario = root / "sync.yaml"
    scenario.write_text(SCENARIO)
    old, same = root / "old", root / "same"
    assert main(["run", str(scenario), "--seeds", "3", "--workers", "1", "--out", str(old)]) == 0
    assert main(["run", str(scenario), "--seeds", "3", "--workers", "1", "--out", str(same)]) == 0
    scenario.write_text(FLAKY)
    new = root / "new"
    code = main(
        ["run", str(scenario), "--seeds", "3", "--workers", "1", "--out", str(new),
         "--baseline", str(old)]
    )  # fmt: skip
    assert code == 1
    return {"old": old, "same": same, "new": new}


def test_run_with_a_baseline_writes_the_comparison_and_fails_ci_when_worse(
    reports: dict[str, Path],
) -> None:
    """The buggy variant's report says *worse*: its sync success rate's Wilson interval lies
    below the baseline's, and seeds that passed now fail; summary.md leads with the comparison,
    fit for a pull-request comment."""
    summary = json.loads((reports["new"] / "summary.json").read_text())
    comparison = summary["comparison"]
    assert comparison["verdict"] == "worse"
    overall = comparison["scopes"][0]
    assert overall["scope"] == "overall"
    by_name = {change["name"]: change for change in overall["changes"]}
    rate = by_name["sync_success_rate"]
    assert rate["verdict"] == "worse"
    assert rate["new_high"] < rate["old_low"]
    assert "every seed passed in the baseline; some fail now" in overall["notes"]
    markdown = (reports["new"] / "summary.md").read_text()
    assert markdown.index("## Comparison with the baseline") < markdown.index("| scenario |")
    assert "**🔴 worse** than" in markdown
    assert "| sync success rate (successful work runs / runs started) | 87.5% (" in markdown


def test_report_with_a_baseline_exits_0_when_nothing_got_worse(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same app run again is *the same* (exit 0); compared the other way round, the buggy
    report as baseline, the fixed one is *better* (exit 0); worse is exit 1."""
    assert main(["report", "--baseline", str(reports["old"]), str(reports["same"])]) == 0
    assert "compared with" in capsys.readouterr().out
    same = json.loads((reports["same"] / "summary.json").read_text())["comparison"]
    assert same["verdict"] == "same"
    assert main(["report", "--baseline", str(reports["new"]), str(reports["same"])]) == 0
    better = json.loads((reports["same"] / "summary.json").read_text())["comparison"]
    assert better["verdict"] == "better"
    assert main(["report", "--baseline", str(reports["old"]), str(reports["new"])]) == 1


def test_a_missing_baseline_is_a_usage_error(
    reports: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline directory without summary.json: exit 2, naming the file and the fix."""
    assert main(["report", "--baseline", str(tmp_path), str(reports["same"])]) == 2
    assert "summary.json does not exist; point `harness report` at a directory" in (
        capsys.readouterr().out
    )


def test_rerendering_keeps_the_comparison(reports: dict[str, Path]) -> None:
    """`harness report DIR` re-renders a compared report with its comparison intact."""
    before = (reports["new"] / "summary.json").read_text()
    rerender(reports["new"])
    assert (reports["new"] / "summary.json").read_text() == before


def _figure(value: float, low: float | None = None, high: float | None = None) -> dict[str, object]:
    return {"value": value, "low": low, "high": high}


def test_verdicts_follow_the_intervals_or_the_tolerance() -> None:
    """With intervals on both sides only disjoint ones count (and a move of over 1 %);
    without, a move of more than the tolerance; the direction depends on the figure."""
    assert judge(_figure(0.9, 0.8, 0.95), _figure(0.85, 0.75, 0.9), True, 0.1)[0] == "same"
    assert judge(_figure(0.9, 0.8, 0.95), _figure(0.5, 0.4, 0.6), True, 0.1)[0] == "worse"
    assert judge(_figure(0.9, 0.8, 0.95), _figure(0.5, 0.4, 0.6), False, 0.1)[0] == "better"
    assert judge(_figure(100.0, 99.99, 100.01), _figure(100.5, 100.49, 100.51), False, 0.1) == (
        "same",
        "moved less than 1%",
    )
    assert judge(_figure(1000), _figure(1090), False, 0.1)[0] == "same"
    assert judge(_figure(1000), _figure(1200), False, 0.1) == (
        "worse",
        "moved more than the 10% tolerance",
    )
    assert judge(_figure(0), _figure(3), False, 0.1)[0] == "worse"
    assert judge({"value": None}, _figure(3), False, 0.1)[0] == "same"
