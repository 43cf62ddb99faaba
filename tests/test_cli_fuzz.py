"""`harness fuzz SCENARIO` (harness/_cli_fuzz.py): failures written as scenario files with their
replay command, a summary, exit 1 when something was found, 0 when not, 2 for bad usage, the
signal's code after Ctrl-C."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from tests.test_fuzz import SCENARIO


def _write(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "hourly.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, **changes}, sort_keys=False))
    return path


def test_a_failure_is_written_shrunk_with_the_command_that_replays_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each distinct failure becomes a scenario file in --out, printed with `harness replay FILE
    --seed S`, which reproduces it to the digest the file's header names; exit 1."""
    path = _write(tmp_path)
    out = tmp_path / "found"
    args = ["fuzz", str(path), "--examples", "60", "--kinds", "error", "--out", str(out)]
    assert main(args) == 1
    printed = capsys.readouterr()
    (saved,) = sorted(out.glob("*.yaml"))
    assert "✗ custom: tests.fuzz_checks:no_server_errors" in printed.out
    command = re.search(r"replay: harness replay (\S+) --seed (\d+)", printed.out)
    assert command is not None
    assert Path(command[1]) == saved
    assert "1 distinct failure(s)" in printed.out
    assert "not checked (they fail by design under drawn outages" in printed.out
    assert "fuzz hourly sync under drawn faults: found" in printed.err  # plain progress lines
    digest = re.search(r"trace digest ([0-9a-f]{16})", saved.read_text())
    assert digest is not None
    assert main(["replay", str(saved), "--seed", command[2]]) == 1
    assert f"digest {digest[1]}" in capsys.readouterr().out


def test_nothing_found_is_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A search that finds nothing says so and exits 0."""
    path = _write(tmp_path)
    assert main(["fuzz", str(path), "--examples", "3", "--kinds", "open app"]) == 0
    assert "3 examples · no failure found (every example run)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--budget", "ten"], r"--budget: duration 'ten'"),
        (["--examples", "0"], r"--examples 0 must be at least 1"),
        (["--kinds", "meteor"], r"--kinds: meteor cannot be drawn around"),
        (["--checks", "no_crashes,nope"], r"--checks: no check named nope; the checks are "),
    ],
)
def test_bad_usage_is_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    """A bad budget, count, kind or check is exit 2 naming it, before anything runs."""
    path = _write(tmp_path)
    assert main(["fuzz", str(path), *options]) == 2
    assert re.search(message, capsys.readouterr().out)


def test_a_scenario_with_nothing_to_fuzz_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario whose checks are all timing checks has nothing fuzzing keeps: exit 2 with the
    fix (add a check that must always hold, or name checks with --checks)."""
    path = _write(tmp_path, checks=[{"max_staleness": "1h"}])
    assert main(["fuzz", str(path), "--checks", "no_data_lost"]) == 2
    assert "is kept for fuzzing" in capsys.readouterr().out
    assert main(["fuzz", str(tmp_path / "missing.yaml")]) == 2


def test_ctrl_c_prints_the_summary_so_far(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT mid-search ends it with the summary of what ran, exit 130."""
    import harness._fuzz
    from harness.scenario import run_scenario

    real = run_scenario
    calls = []

    def interrupted_on_the_third(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(harness._fuzz, "run_scenario", interrupted_on_the_third)
    path = _write(tmp_path)
    assert main(["fuzz", str(path), "--examples", "20", "--kinds", "open app"]) == 130
    assert "2 examples · no failure found (interrupted)" in capsys.readouterr().out
