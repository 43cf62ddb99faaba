"""Checks for classic background-sync mistakes catch a buggy app and pass its fix
(harness/scenario/_mistakes.py)."""

from __future__ import annotations

import re

import pytest

from harness.scenario import CheckResult, loads

SCENARIO = """\
name: mistakes
app: {app}
duration: 3h
backend:
  resources:
    - url: https://api.example.com/items
  faults:
{faults}
timeline:
  - at: 0s
    do: open app
  - at: 1m
    do: app {action}
checks:
  - {check}
"""
APP = "tests.scenario.apps.mistakes"
FLUTTER = "tests.scenario.apps.flutter_mistakes"
FAILING = """\
    - at: 0s
      for: 3h
      outage: error"""


def _verdict(check: str, action: str, *, app: str = APP, failing: bool = False) -> CheckResult:
    text = SCENARIO.format(
        app=app, action=action, check=check, faults=FAILING if failing else "    []"
    )
    record = loads(text, file="mistakes.yaml").run(0).record
    verdicts: list[CheckResult] = [c for c in record.checks if c.spec == check]
    return verdicts[0]


@pytest.mark.parametrize(
    ("check", "buggy", "fixed", "message", "options"),
    [
        (
            "unique_name_shared",
            "share_name",
            "own_names",
            r"^1 unique name\(s\) held both one-time and periodic work, first 'sync': with KEEP "
            r"the second is dropped silently",
            {},
        ),
        (
            "network_needs_constraint",
            "fetch_anytime",
            "fetch_online",
            r"^1 request\(s\) came from work with no network constraint; set Constraints\(",
            {},
        ),
        (
            "periodic_interval_allowed",
            "sync_every_10m",
            "sync_every_15m",
            r"^1 periodic request\(s\) were clamped by WorkManager: periodic interval 600000 ms "
            r"is below the minimum of 900000 ms \(15 min\)",
            {},
        ),
        (
            "max_attempts_per_work: 5",
            "retry_forever",
            "retry_thrice",
            r"^1 worker\(s\) ran more than 5 attempts in a row \(most: \d+\)",
            {"failing": True},
        ),
        (
            "max_retries_per_hour: 30",
            "hammer",
            "back_off",
            r"^1 hour\(s\) had more than 30 retries of failed requests \(busiest: \d+\): a retry "
            r"storm",
            {"failing": True},
        ),
        (
            "requests_awaited",
            "fire_and_forget",
            "await_it",
            r"^1 request\(s\) were cut off when their background task returned without awaiting "
            r"them",
            {"app": FLUTTER},
        ),
    ],
)
def test_a_buggy_app_is_caught_and_its_fix_passes(
    check: str, buggy: str, fixed: str, message: str, options: dict[str, object]
) -> None:
    """Each check fails on the app that makes the mistake and holds for the fixed one."""
    caught = _verdict(check, buggy, **options)  # type: ignore[arg-type]
    assert not caught.passed
    assert re.search(message, caught.message), caught.message
    assert _verdict(check, fixed, **options).passed  # type: ignore[arg-type]


def test_a_probed_check_needs_the_runners_view() -> None:
    """On a RunView of the user's own, a check that watches the run says what it needs."""
    from harness.scenario import Check

    class Bare:
        def records(self, *_kinds: str) -> list[object]:
            return []

    verdict = Check.parse("network_needs_constraint").evaluate(Bare())  # type: ignore[arg-type]
    assert not verdict.passed
    assert re.search(r"needs a run made by harness's runner", verdict.message)
