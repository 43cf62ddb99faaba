"""What `harness` prints shows control characters from scenario files as text, never raw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.cli import main

pytest_plugins = ["pytester"]

#: A scenario whose name carries terminal escapes (colour, title, clear screen), NUL and markup,
#: and whose custom check fails with tests/report/hostile.py's HOSTILE text.
_HOSTILE_SCENARIO = r"""
name: "\e[31mred\e[0m \e]0;title\a \x9b2J nul\0 <script>alert(1)</script> \u202eevil"
app: tests.scenario.apps.hourly
backend:
  resources:
    - url: https://api.example.com/items
      initial_items: 5
duration: 2h
timeline:
  - at: 0s
    do: open app
checks:
  - no_crashes
  - custom: tests.report.hostile:raise_hostile
"""

_RAW = ("\x1b", "\x9b", "\x00", "\x07", "\u202e")


@pytest.mark.parametrize("command", ["run", "replay", "validate", "list"])
def test_no_escape_sequence_from_a_scenario_reaches_the_terminal(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names, check messages and exception text print with ESC, CSI, NUL, BEL and bidi
    overrides shown as visible pictures (U+241B for ESC), in every command."""
    path = tmp_path / "hostile.yaml"
    path.write_text(_HOSTILE_SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    arguments = {
        "run": ["run", str(path), "--seed", "0", "--workers", "1", "--out", str(out)],
        "replay": ["replay", str(path), "--seed", "0", "--all"],
        "validate": ["validate", str(path)],
        "list": ["list", str(path)],
    }[command]
    code = main(arguments)
    printed = capsys.readouterr()
    assert code == (1 if command in ("run", "replay") else 0), printed
    for raw in _RAW:
        assert raw not in printed.out + printed.err, (raw, printed.out)
    assert "\u241b[31mred" in printed.out  # ESC shown, the rest of the name kept
    if command == "run":
        ET.parse(out / "junit.xml")  # and the report of that run is well-formed
        assert "<script" not in (out / "summary.md").read_text(encoding="utf-8")


def test_pytest_failure_text_shows_no_escape_sequence(pytester: pytest.Pytester) -> None:
    """A scenario run through pytest fails with the same text, controls shown as escapes."""
    path = pytester.path / "scenarios" / "hostile.yaml"
    path.parent.mkdir()
    path.write_text(_HOSTILE_SCENARIO, encoding="utf-8")
    result = pytester.runpytest("scenarios", "--harness-seeds", "1", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = "\n".join(result.outlines + result.errlines)
    assert "the check raised ValueError: \\x1b[31mred" in text
    for raw in _RAW:
        assert raw not in text, raw
