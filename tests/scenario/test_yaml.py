"""Reading scenario YAML with line numbers (harness/scenario/_yaml.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness._exceptions import ScenarioError
from harness.scenario._yaml import load_yaml, read_yaml_file

DOC = """\
name: demo
duration: 7d
timeline:
  - at: 0s
    do: open app
  - at: 2h
    do: adb shell svc wifi disable
"""


def test_lines_are_known_for_every_value() -> None:
    """Each value's line is kept, so an error can name the line of the bad field."""
    data, index = load_yaml(DOC, file="s.yaml")
    assert data["timeline"][1]["do"] == "adb shell svc wifi disable"
    assert index.line_of(("duration",)) == 2
    assert index.line_of(("timeline", 1, "at")) == 6
    assert index.line_of(("timeline", 1, "missing")) == 6


def test_syntax_error_names_file_and_line() -> None:
    """A YAML syntax error is a ScenarioError with the file and line."""
    with pytest.raises(
        ScenarioError,
        match=r"^s\.yaml:4: YAML syntax error: expected ',' or '\]'.* flow sequence at line 3",
    ):
        load_yaml("name: x\ntimeline:\n  - at: [0s\n", file="s.yaml")


def test_unsafe_tags_are_refused() -> None:
    """Only safe YAML: a python object tag is an error, never executed."""
    with pytest.raises(ScenarioError, match=r"YAML syntax error"):
        load_yaml("x: !!python/object/apply:os.system ['true']\n", file="s.yaml")


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match=r"no such scenario file"):
        read_yaml_file(tmp_path / "nope.yaml")
