"""Every action that validates runs without a harness error (issue: files that validate, then
crash): each registered example, and variants with its numbers at 0 and a huge value."""

from __future__ import annotations

import re

import pytest

from harness._exceptions import ScenarioError
from harness.scenario import ACTIONS
from harness.scenario._loader import loads

_SCENARIO = """\
name: one action, run
app: examples.outbox
backend:
  resources:
    - url: https://api.example.com/items
  auth:
    - origin: https://api.example.com
duration: 3h
timeline:
  - at: 0s
    do: open app
  - at: 10m
    do: leave app
  - at: 1h
    do: {action}
"""


def _variants(example: str) -> list[str]:
    numbers = list(re.finditer(r"\d+", example))
    variants = [example]
    for match in numbers:
        for value in ("0", "999999999"):
            variants.append(example[: match.start()] + value + example[match.end() :])
    return variants


_CASES = [
    (kind, text) for kind, cls in ACTIONS.items() for text in dict.fromkeys(_variants(cls.example))
]


@pytest.mark.parametrize(("kind", "text"), _CASES, ids=[f"{k}:{t}" for k, t in _CASES])
def test_an_action_that_validates_runs_without_a_harness_error(kind: str, text: str) -> None:
    """Either the file fails to load (exit 2) or its run completes without a run error."""
    try:
        scenario = loads(_SCENARIO.format(action=text), file="one.yaml")
    except ScenarioError:
        return
    result = scenario.run(seed=0)
    assert result.record.error is None, (kind, text, result.record.error)
