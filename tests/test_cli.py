"""The `harness` console command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness import __version__
from harness.cli import main


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
