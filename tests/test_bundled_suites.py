"""The bundled scenario suites in ``scenarios/``: every file loads, and each app's suite runs."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness.scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
APPS = (
    "conditional_sync",
    "hourly_sync",
    "notify_new_data",
    "outbox",
    "paged_download",
    "rate_limited_fetch",
)
SUITE = (
    "commute",
    "force_stop",
    "happy_path",
    "killed_mid_sync",
    "low_battery_saver",
    "overnight_doze",
    "rare_bucket",
    "rate_limited",
    "reboot_mid_sync",
    "server_outage",
    "storage_low",
)
#: one scenario per app that runs in the test (short ones, 2-4 virtual days)
RUN_ONE = {
    "conditional_sync": "storage_low",
    "hourly_sync": "killed_mid_sync",
    "notify_new_data": "reboot_mid_sync",
    "outbox": "killed_mid_sync",
    "paged_download": "server_outage",
    "rate_limited_fetch": "rate_limited",
}


def _files() -> list[Path]:
    return sorted(SCENARIOS.glob("*/*.yaml"))


def test_every_app_has_the_whole_suite() -> None:
    for app in APPS:
        names = {path.stem for path in (SCENARIOS / app).glob("*.yaml")}
        assert set(SUITE) <= names, f"{app} lacks {sorted(set(SUITE) - names)}"


@pytest.mark.parametrize("path", _files(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_scenario_file_loads(path: Path) -> None:
    scenario = harness.scenario.load(path)
    assert scenario is not None


@pytest.mark.parametrize("app", APPS)
def test_one_scenario_per_app_passes_seed_0(app: str) -> None:
    path = SCENARIOS / app / f"{RUN_ONE[app]}.yaml"
    result = harness.scenario.load(path).run(0)
    assert result.record.passed, result.record
