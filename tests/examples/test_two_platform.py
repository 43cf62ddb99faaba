"""examples/two_platform/: one app, one week, on a Pixel and on an iPhone, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.report import summary_json, summary_markdown
from harness.scenario import load
from harness.sim import MS_PER_DAY, MS_PER_MINUTE

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "two_platform"


def test_ios_refreshes_before_the_usual_opens_and_far_less_often() -> None:
    """iOS launches a refresh a little before the times the user opens the app (the modelled
    usage prediction, WWDC20 10063), a few times a day; Android's WorkManager runs it hourly."""
    android = load(EXAMPLE / "android_week.yaml").run(0)
    ios = load(EXAMPLE / "ios_week.yaml").run(0)
    assert android.record.passed
    assert ios.record.passed
    assert ios.record.versions["platform"] == "ios"
    assert android.record.metrics["successful_runs"] > 5 * ios.record.metrics["successful_runs"]
    opens = (0, 8 * 60, 19 * 60)  # minutes of the day the user opens the app
    for launch in ios.trace.of_kind("ios.launch"):
        minute = launch.t_ms % MS_PER_DAY // MS_PER_MINUTE
        assert any(0 < (open_ - minute) % (24 * 60) <= 30 for open_ in opens), minute
    records = [android.record, ios.record]
    (entry,) = summary_json(records, created_at="now")["platforms"]
    assert [p["platform"] for p in entry["platforms"]] == ["android", "ios"]
    line = next(line for line in summary_markdown(records).splitlines() if "a day on" in line)
    assert line.startswith("- `examples.two_platform_sync`: syncs ")
    assert " times a day on Android, " in line
    assert line.endswith(" on iOS (1 and 1 runs)")


SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("app", sorted(path.name for path in SCENARIOS.iterdir() if path.is_dir()))
def test_every_example_app_runs_on_an_iphone(app: str) -> None:
    """Each bundled example app's happy path runs on iphone-like: it opens, uses the network
    and its plugin calls reach iOS without a run error or an app crash (what runs in the
    background there is the iOS side of its plugin)."""
    scenario = load(SCENARIOS / app / "happy_path.yaml").replace(
        device="iphone-like", duration="1d"
    )
    record = scenario.run(0).record
    assert record.error is None
    assert record.versions["platform"] == "ios"
    crashes = [check for check in record.checks if check.name == "no_crashes"]
    assert all(check.passed for check in crashes)
