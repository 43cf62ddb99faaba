"""The pytest plugin (harness/pytest_plugin.py): scenario files as items, options, fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests.scenario.test_runner import SCENARIO

if TYPE_CHECKING:
    from tests.conftest import RunScenarioCalls

pytest_plugins = ["pytester"]


def _write(pytester: pytest.Pytester, name: str, text: str) -> Path:
    path = pytester.path / "scenarios" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.slow
def test_scenario_files_are_collected_one_item_per_seed(pytester: pytest.Pytester) -> None:
    """`pytest scenarios/` collects each scenario file, one item per seed."""
    _write(pytester, "hourly.yaml", SCENARIO)
    _write(pytester, "profile.yaml", "battery: {capacity_mah: 4000}\n")  # not a scenario
    result = pytester.runpytest("scenarios", "--harness-seeds", "3", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    collected = pytester.runpytest("scenarios", "--collect-only", "-q", "-p", "no:cacheprovider")
    collected.stdout.fnmatch_lines(["scenarios/hourly.yaml::seed0", "*seed4"])


def test_failing_item_shows_check_timeline_and_replay(pytester: pytest.Pytester) -> None:
    """A failing item names the broken check, a timeline excerpt and the replay command."""
    _write(pytester, "tight.yaml", SCENARIO.replace("max_staleness: 7h", "max_staleness: 1h"))
    result = pytester.runpytest("scenarios", "--harness-seeds", "1", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*hourly sync with edits (seed 0) failed:*",
            "*max_staleness: 1h ✗ data went *",
            "*timeline around the first violation:*",
            "*replay: harness replay *tight.yaml --seed 0*",
        ]
    )


def test_items_stream_their_trace_to_a_temporary_file_and_keep_no_records(
    pytester: pytest.Pytester, spy_run_scenario: Callable[[ModuleType], RunScenarioCalls]
) -> None:
    """Without a report directory an item's trace streams to a temporary file, not into memory
    (a device-year collected by pytest peaks where a month does); the failure's timeline excerpt
    is read back from that file, which is gone when the item ends."""
    import importlib

    # through sys.modules: an earlier in-process run may have left a stale module object as
    # the package's attribute (pytester restores sys.modules after each run)
    calls, scratch = spy_run_scenario(importlib.import_module("harness._pytest_items"))
    _write(pytester, "tight.yaml", SCENARIO.replace("max_staleness: 7h", "max_staleness: 1h"))
    result = pytester.runpytest_inprocess(
        "scenarios", "--harness-seeds", "1", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*timeline around the first violation:*", "*t=*"])
    [(trace_path, keep_trace)] = calls
    assert keep_trace is False
    assert trace_path.parent.parent == scratch
    assert trace_path.parent.name.startswith("harness-trace-")
    assert list(scratch.iterdir()) == []  # the temporary trace is removed with its item


def test_bad_scenario_file_is_a_failing_item(pytester: pytest.Pytester) -> None:
    """A scenario file that does not validate fails with its error, not a crash."""
    _write(pytester, "bad.yaml", SCENARIO.replace("do: open app", "do: dance"))
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*bad scenario file:*action 'dance' is not one of*"])


def test_broken_scenario_files_are_failing_items_not_skipped(pytester: pytest.Pytester) -> None:
    """A misspelt field or a YAML syntax error in a scenarios folder fails loudly; a device
    profile file beside the scenarios is not collected."""
    _write(pytester, "typo.yaml", SCENARIO.replace("duration:", "durration:"))
    _write(pytester, "syntax.yaml", "name: [unclosed\n")
    _write(pytester, "profile.yaml", "battery: {capacity_mah: 4000}\n")
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*typo.yaml:*durration: unknown field 'durration'*"])


@pytest.mark.slow
def test_report_option_writes_a_report_also_with_xdist(pytester: pytest.Pytester) -> None:
    """--harness-report DIR writes summary.json etc., collecting records from xdist workers."""
    _write(pytester, "hourly.yaml", SCENARIO)
    result = pytester.runpytest_subprocess(
        "scenarios",
        "--harness-seeds",
        "4",
        "-n",
        "2",
        "--harness-report",
        "out",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=4)
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert summary["totals"] == {"scenarios": 1, "runs": 4, "failed_runs": 0}
    assert (pytester.path / "out" / "index.html").exists()
    traces = sorted((pytester.path / "out" / "runs").rglob("trace.jsonl"))
    assert len(traces) == 4


def test_fixtures_for_python_scenarios(pytester: pytest.Pytester) -> None:
    """sim, backend, workmanager and app fixtures compose a scenario in Python."""
    pytester.makepyfile(
        test_python_scenario="""
        from datetime import timedelta
        from harness.workmanager import OneTimeWorkRequest, Result, Worker

        class Hello(Worker):
            def do_work(self):
                return Result.success()

        def test_it(sim, backend, workmanager, app, device):
            assert device.is_on
            backend.backend("https://api.example.com").route("GET", "/x", json={})
            workmanager.enqueue(OneTimeWorkRequest.builder(Hello)
                                .set_initial_delay(timedelta(minutes=5)).build())
            sim.run_for("10m")
            assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [300_000]
            assert app.packages == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_app_fixture_runs_apps_on_the_device(pytester: pytest.Pytester) -> None:
    """The ``app`` fixture is the device's app runtime: with Wi-Fi and data off the app's
    network job waits (JobScheduler's connectivity constraint); when Wi-Fi returns it runs (in
    the next light-doze window, the screen having gone off) and its HTTP reaches ``backend``
    through the device's network."""
    pytester.makepyfile(
        test_device_bound="""
        from harness.app import App

        def test_it(sim, backend, device, app):
            backend.backend("https://api.example.com").resource("/items", initial_items=3)
            app.install(App.from_module("tests.platform.apps.oneshot"))
            package = "com.example.oneshot"
            sim.run_for("10s")
            device.shell("svc wifi disable")
            device.shell("svc data disable")
            device.apps.launch(package)
            sim.run_for("5m")
            assert [r for r in sim.trace.of_kind("work.started")] == []
            device.shell("svc wifi enable")
            sim.run_for("30m")  # the screen went off: light doze defers it to a window
            (request,) = [r for r in sim.trace.of_kind("http.request")]
            assert request["status"] == 200
            assert request["transport"] == "WIFI"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_harness_profile_option_loads_the_hypothesis_profile(pytester: pytest.Pytester) -> None:
    """`--harness-profile ci` makes harness's ci settings hypothesis's current ones."""
    pytester.makepyfile(
        test_profile="""
from hypothesis import settings

def test_ci_settings():
    current = settings()
    assert current.derandomize and current.deadline is None and current.max_examples == 50
"""
    )
    # in this process (a pytest child costs seconds of imports): the option changes hypothesis's
    # current settings for the whole process, so this suite's own profile is put back after
    try:
        result = pytester.runpytest("--harness-profile", "ci", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        refused = pytester.runpytest("--harness-profile", "weekly")
        assert refused.ret == pytest.ExitCode.USAGE_ERROR
    finally:
        settings.load_profile("harness")
    assert settings().max_examples == settings.get_profile("harness").max_examples
