"""The scenario's ``versions:`` block: validated, passed to the apps, shown in the record."""

from __future__ import annotations

import pytest

from harness import ScenarioError
from harness.scenario._loader import loads
from harness.scenario._runner import run_scenario
from harness.workmanager import WorkManagerVersion

SILENT = """\
name: a dispatcher that never calls back
app: tests.scenario.apps.silent
duration: 3h
timeline:
  - at: 0s
    do: open app
"""


def test_versions_default_to_the_newest_stable_lines() -> None:
    """Issue 18.7 defaults: androidx.work 2.12 (2.12.0 stable 2026-09-23), flutter workmanager
    0.10.10 (the newest release, 2026-09-07)."""
    spec = loads(SILENT).spec
    assert spec.versions.model_dump() == {"androidx_work": "2.12", "flutter_workmanager": "0.10.10"}


def test_bad_versions_name_file_line_field_value_and_allowed_values() -> None:
    """A bad version is a scenario error naming the file, line, field, value and allowed values."""
    text = SILENT + 'versions:\n  androidx_work: "2.8"\n  flutter_workmanager: 0.11.0\n'
    with pytest.raises(ScenarioError) as caught:
        loads(text, file="v.yaml")
    message = str(caught.value)
    assert "v.yaml:8: versions.androidx_work: '2.8' is not a modelled androidx WorkManager " in (
        message
    )
    assert "allowed: 2.9, 2.10, 2.11, 2.12" in message
    assert "v.yaml:9: versions.flutter_workmanager: '0.11.0' is not a modelled flutter " in message
    assert "allowed: 0.10.7, 0.10.9, 0.10.10" in message


@pytest.mark.parametrize(("plugin", "every_run_fails"), [("0.10.7", False), ("0.10.9", True)])
def test_the_plugin_version_reaches_the_background_worker(
    plugin: str, every_run_fails: bool
) -> None:
    """0.10.9's DartInitializationWatchdog fails each hourly run after 30 s; 0.10.7 waits (the
    job runs until JobScheduler stops it), so no run fails (BackgroundWorker.kt)."""
    text = SILENT + f'versions: {{androidx_work: "2.9", flutter_workmanager: "{plugin}"}}\n'
    result = run_scenario(loads(text, file="silent.yaml"), seed=0)
    errors = [
        record
        for record in result.trace.of_kind("flutter.task_error")
        if record["phase"] == "initialization"
    ]
    started = list(result.trace.of_kind("work.started"))  # by JobScheduler or GreedyScheduler
    assert len(started) >= 2
    assert len(errors) == (len(started) if every_run_fails else 0)
    process = result.world.runtime.process("com.example.silent")
    assert process is not None
    assert process.work_manager.version is WorkManagerVersion.V2_9
    assert result.record.versions == {
        "androidx_work": "2.9",
        "flutter_workmanager": plugin,
        "android": "15",
        "device": "pixel-like",
        "app": "tests.scenario.apps.silent",
    }
    assert result.record.describe_versions() == (
        f"androidx.work 2.9 · flutter workmanager {plugin} · Android 15 (pixel-like)"
    )
    assert result.record.to_json()["versions"] == result.record.versions
