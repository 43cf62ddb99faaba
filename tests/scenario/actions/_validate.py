"""Run ``harness validate`` on a one-action scenario, as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main

#: A scenario with one app (examples.outbox), a resource and token auth; ``{action}`` at 1h.
SCENARIO = """\
name: one action
app: examples.outbox
backend:
  resources:
    - url: https://api.example.com/notes
  auth:
    - origin: https://auth.example.com
duration: 1d
timeline:
  - at: 0s
    do: open app
  - at: 1h
    do: {action}
"""


def validate(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    action: str,
    scenario: str = SCENARIO,
    *options: str,
) -> tuple[int, str]:
    """The exit code and output of ``harness validate [OPTIONS]`` on a file whose line 13 is
    ``action`` (``--import`` to check what only the app module can tell)."""
    path = tmp_path / "one.yaml"
    path.write_text(scenario.format(action=action), encoding="utf-8")
    code = main(["validate", *options, str(path)])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    return code, output


def assert_refused(
    code: int, output: str, action: str, *needles: str, where: str = "one.yaml:13: timeline[1].do:"
) -> None:
    """Exit 2 naming the file, line, the field (``where``), the action text and ``needles``."""
    assert code == 2, output
    assert where in output, output
    assert repr(action) in output, output
    for needle in needles:
        assert needle in output, output
