"""A scenario swaps the app under test without copying its file: ``harness run FILE --app
MODULE``, ``harness replay ... --app``, ``Scenario.with_app`` (harness/scenario/_loader.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import ScenarioError
from harness.cli import main
from harness.scenario import loads

pytest_plugins = ["pytester"]

OUTBOX = """\
name: outbox, killed after an edit
app: examples.outbox
duration: 1d
backend:
  resources:
    - url: https://api.example.com/notes
timeline:
  - at: 0s
    do: wifi out of range
  - at: 0s
    do: cellular out of range
  - at: 1m
    do: app edit hello
  - at: 2m
    do: leave app
  - at: 3m
    do: kill app
  - at: 1h
    do: wifi in range
  - at: 2h
    do: open app
checks:
  - no_data_lost
"""
BUGGY = "tests.scenario.apps.forgetful_outbox"


def test_the_swapped_app_runs_under_the_scenarios_package() -> None:
    """with_app installs the module under the package the scenario's app had."""
    scenario = loads(OUTBOX, file="outbox.yaml")
    swapped = scenario.with_app(BUGGY)
    assert [(app.package, app.module) for app in swapped.apps] == [("com.example.outbox", BUGGY)]
    assert scenario.run(0).passed
    assert not swapped.run(0).passed  # the edit lived in memory only: the kill lost it
    assert swapped.with_app("com.example.outbox=examples.outbox").run(0).passed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "examples.outbox:UploadOutbox",
            r"^outbox\.yaml: app: --app 'examples\.outbox:UploadOutbox': 'examples\.outbox:"
            r"UploadOutbox' is not a module import path \(an app is a module with main\(\), not "
            r"a class or a function\); write --app MODULE",
        ),
        (
            "com.other=examples.outbox",
            r"^outbox\.yaml: app: --app 'com\.other=examples\.outbox': the scenario has no app "
            r"'com\.other' \(its apps: com\.example\.outbox\)",
        ),
        (
            "examples.nowhere",
            r"^--app 'examples\.nowhere': outbox\.yaml: apps\[0\]\.module: app module "
            r"'examples\.nowhere' cannot be imported",
        ),
        (
            "examples.hourly_sync",
            r"^--app 'examples\.hourly_sync': .*app module examples\.hourly_sync has no "
            r"ACTIONS\['edit'\]",
        ),
    ],
)
def test_a_bad_app_is_refused_naming_the_value_and_the_fix(value: str, message: str) -> None:
    """A bad --app is a scenario error before anything runs, naming the value and the fix."""
    with pytest.raises(ScenarioError, match=message):
        loads(OUTBOX, file="outbox.yaml").with_app(value)


def test_run_and_replay_take_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """harness run --app tests the other module (exit 1 here) and prints a replay command with
    --app; replay --app reproduces its digest; a bad --app exits 2."""
    path = tmp_path / "outbox.yaml"
    path.write_text(OUTBOX, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--seed", "0", "--out", str(out), "--workers", "1"]) == 0
    code = main(["run", str(path), "--seed", "0", "--out", str(out), "--app", BUGGY])
    printed = capsys.readouterr().out
    assert code == 1, printed
    assert f"replay: harness replay {path} --seed 0 --app {BUGGY}" in printed
    digest = re.findall(r'"digest": "(\w+)"', (out / "summary.json").read_text())[0]
    assert main(["replay", str(path), "--seed", "0", "--app", BUGGY]) == 1
    assert f"digest {digest}" in capsys.readouterr().out
    assert main(["run", str(path), "--seed", "0", "--out", str(out), "--app", "x:y"]) == 2
    assert "is not a module import path" in capsys.readouterr().out


def test_the_pytest_plugin_takes_harness_app(pytester: pytest.Pytester) -> None:
    """pytest --harness-app MODULE runs every collected scenario file with that app."""
    path = pytester.path / "scenarios" / "outbox.yaml"
    path.parent.mkdir()
    path.write_text(OUTBOX, encoding="utf-8")
    options = ("scenarios", "-p", "no:cacheprovider", "--harness-seeds", "1")
    pytester.runpytest(*options).assert_outcomes(passed=1)
    pytester.runpytest(*options, "--harness-app", BUGGY).assert_outcomes(failed=1)
