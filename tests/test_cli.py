"""The `harness` console command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import __version__
from harness.cli import main
from tests.scenario.test_runner import SCENARIO


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness --version` prints the package version."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"harness {__version__}"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness --help` describes the tool and its commands."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "deterministic simulated phone" in out
    assert "demo" in out


def test_demo_prints_a_device_day(capsys: pytest.CaptureFixture[str]) -> None:
    """`harness demo` simulates a day of hourly syncs and prints the timeline and digest."""
    assert main(["demo", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "24 syncs in 24 h of virtual time" not in out
    assert "23 syncs in 24 h of virtual time" in out
    assert "wall clock 2026-01-05T01:00:00.000" in out
    assert "trace digest " in out


def test_console_script_is_installed() -> None:
    """The `harness` entry point runs as a module too (python -m harness.cli --version)."""
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"harness {__version__}"


def _scenario_file(tmp_path: Path, text: str, name: str = "hourly.yaml") -> Path:
    path = tmp_path / "scenarios" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_run_writes_the_report_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`harness run DIR --seeds N --out OUT` runs every file, writes the report, exits 0."""
    _scenario_file(tmp_path, SCENARIO)
    out = tmp_path / "out"
    code = main(
        ["run", str(tmp_path / "scenarios"), "--seeds", "2", "--out", str(out), "--workers", "1"]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "✓ hourly sync with edits  2/2 seeds pass" in printed
    for name in ("summary.json", "junit.xml", "summary.md", "index.html"):
        assert (out / name).exists()
    assert len(list((out / "runs").rglob("trace.jsonl"))) == 2


def test_failing_run_exits_1_and_replay_reproduces_the_digest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing check exits 1 with a replay command; replay reproduces the trace digest."""
    path = _scenario_file(tmp_path, SCENARIO.replace("max_staleness: 7h", "max_staleness: 1h"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--seed", "3", "--out", str(out), "--workers", "1"]) == 1
    printed = capsys.readouterr().out
    assert f"replay: harness replay {path} --seed 3" in printed
    summary = json.loads((out / "summary.json").read_text())
    digest = summary["scenarios"][0]["runs"][0]["digest"]
    assert main(["replay", str(path), "--seed", "3"]) == 1
    replayed = capsys.readouterr().out
    assert f"digest {digest}" in replayed
    assert "max_staleness: 1h: data went" in replayed


def test_bad_scenario_exits_2_with_its_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad scenario file is rejected before anything runs, exit code 2."""
    path = _scenario_file(tmp_path, SCENARIO.replace("do: open app", "do: dance"))
    assert main(["run", str(path)]) == 2
    assert "action 'dance' is not one of" in capsys.readouterr().out
    assert main(["validate", str(path)]) == 2
    printed = capsys.readouterr().out
    # printed as text, not rich markup: the optional parts in brackets survive
    assert "'server outage DURATION [KIND [DELAY]] [at ORIGIN]'" in " ".join(printed.split())


def test_validate_list_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate and list read files without running; report re-renders a report directory."""
    path = _scenario_file(tmp_path, SCENARIO)
    assert main(["validate", str(path)]) == 0
    assert "hourly sync with edits" in capsys.readouterr().out
    assert main(["list", str(path)]) == 0
    assert "  - max_staleness: 7h" in capsys.readouterr().out
    out = tmp_path / "out"
    main(["run", str(path), "--seed", "0", "--out", str(out), "--workers", "1"])
    (out / "index.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "index.html").exists()
    assert main(["report", str(tmp_path / "nothing")]) == 2


def test_usage_errors_exit_2() -> None:
    """Bad usage is exit code 2, as argparse reports it."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run"])
    assert exit_info.value.code == 2
    assert main([]) == 2


def test_list_trace_kinds_prints_every_kind_with_its_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`harness list --trace-kinds` prints each registered kind, its meaning and its fields."""
    assert main(["list", "--trace-kinds"]) == 0
    out = capsys.readouterr().out
    assert "work.finished  A run completed: result success or failure" in out
    assert "\n    next_run_time_ms: int | None\n" in out
    assert "\n    fault: str | None  (optional)\n" in out
    assert "flutter.task_result" in out
    assert "demo.sync" in out
    assert main(["list"]) == 2
