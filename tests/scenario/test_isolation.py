"""Isolation per run (harness/app/_imports.py): user modules start every run from a fresh
import state, so the same scenario and seed give the same digest in any executor."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.scenario import Job, load, loads, run_many, run_scenario
from harness.sim import Trace

pytest_plugins = ["pytester"]

COUNTER = """\
name: counter
app: tests.scenario.apps.counter
backend:
  factory: tests.scenario.apps.counter:servers
duration: 1h
timeline:
  - at: 0s
    do: open app
  - at: 1m
    do: leave app
  - at: 2m
    do: open app
checks:
  - no_crashes
  - custom: tests.scenario.apps.counter:check
"""


def _counts(trace: Trace) -> list[int]:
    return [record["launches"] for record in trace.of_kind("app.counter")]


@pytest.fixture
def counter_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenarios" / "counter.yaml"
    path.parent.mkdir()
    path.write_text(COUNTER)
    return path


def test_module_state_does_not_cross_runs_in_one_process() -> None:
    """Two runs of one scenario and seed in one process see the app's module-level counter
    start at 0 each time (a process start on a phone loads the app's code anew)."""
    scenario = loads(COUNTER, file="counter.yaml")
    first = run_scenario(scenario, 3)
    second = run_scenario(scenario, 3)
    assert _counts(first.trace) == _counts(second.trace) == [1, 2]
    assert [r["calls"] for r in second.trace.of_kind("app.counter_factory")] == [1]
    assert first.record.passed, first.record.checks
    assert second.record.passed, second.record.checks
    assert first.record.digest == second.record.digest


def test_environment_cwd_and_sys_path_are_restored_after_a_run() -> None:
    """What app code changes in os.environ, the working directory and sys.path is undone."""
    environ, cwd, path = dict(os.environ), os.getcwd(), list(sys.path)
    module = sys.modules.get("tests.scenario.apps.counter")
    run_scenario(loads(COUNTER, file="counter.yaml"), 0)
    assert "HARNESS_COUNTER_APP" not in os.environ
    assert (dict(os.environ), os.getcwd(), sys.path) == (environ, cwd, path)
    assert sys.modules.get("tests.scenario.apps.counter") is module  # the run's copy is gone


def test_one_worker_and_two_workers_give_the_same_digests(counter_file: Path) -> None:
    """run_many with 1 and with 2 pool workers gives the digests of single in-process runs."""
    jobs = [Job(str(counter_file), seed, None) for seed in (0, 1, 0, 1, 0)]
    alone = [run_scenario(load(counter_file), seed).record.digest for seed in (0, 1)]
    one = [record.digest for record in run_many(jobs, workers=1)]
    two = [record.digest for record in run_many(jobs, workers=2)]
    assert one == two == [alone[0], alone[1], alone[0], alone[1], alone[0]]


def test_cli_run_with_workers_and_replay_agree(
    counter_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run --workers 1`, `--workers 2` and `harness replay` give the same digest."""
    digests = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        args = ["run", str(counter_file), "--seeds", "3", "--out", str(out), "--workers", workers]
        assert main(args) == 0
        summary = json.loads((out / "summary.json").read_text())
        digests[workers] = [run["digest"] for run in summary["scenarios"][0]["runs"]]
    assert digests["1"] == digests["2"]
    capsys.readouterr()
    assert main(["replay", str(counter_file), "--seed", "2"]) == 0
    assert f"digest {digests['1'][2]}" in capsys.readouterr().out


@pytest.mark.slow
def test_pytest_plugin_gives_the_same_digests(
    pytester: pytest.Pytester, counter_file: Path
) -> None:
    """Scenario files collected by pytest run isolated too: their digests equal the CLI's."""
    expected = [run_scenario(load(counter_file), seed).record.digest for seed in range(3)]
    path = pytester.path / "scenarios" / "counter.yaml"
    path.parent.mkdir()
    path.write_text(COUNTER)
    result = pytester.runpytest(
        "scenarios", "--harness-seeds", "3", "--harness-report", "out", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=3)
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert [run["digest"] for run in summary["scenarios"][0]["runs"]] == expected
