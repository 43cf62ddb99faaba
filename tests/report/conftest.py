"""A real failing run's report, shared by the page and browser tests of this directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main

#: The scenario name a report must show as text (a <script> element would run it).
HOSTILE_NAME = "<script>alert(1)</script> charging upload"

_SCENARIO = f"""\
name: "{HOSTILE_NAME}"
app: tests.report.failing_app
device: pixel-like
backend:
  resources:
    - url: https://api.example.com/items
      initial_items: 10
duration: 8h
timeline:
  - at: 0s
    do: open app
  - at: 5m
    do: leave app
  - at: 1h
    do: open app
  - at: 1h05m
    do: leave app
  - at: 3h
    do: plug in
checks:
  - no_crashes
"""


@pytest.fixture(scope="session")
def failing_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report directory of one failing run of tests/report/failing_app.py (seed 0)."""
    where = tmp_path_factory.mktemp("failing")
    scenario = where / "failing.yaml"
    scenario.write_text(_SCENARIO, encoding="utf-8")
    out = where / "report"
    assert main(["run", str(scenario), "--seed", "0", "--out", str(out), "--workers", "1"]) == 1
    return out


def summary_of(report: Path) -> dict[str, Any]:
    """The report's summary.json."""
    data: dict[str, Any] = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    return data


def trace_of(report: Path) -> list[dict[str, Any]]:
    """The failing run's trace records."""
    run = summary_of(report)["scenarios"][0]["runs"][0]
    lines = (report / run["trace"]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]
