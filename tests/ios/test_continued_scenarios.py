"""Continued-processing tasks from a scenario file: the user's cancel in the Live Activity (the
``cancel continued task`` action) and the bundled ``scenarios/album_upload/`` suites (iOS 26)."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness.scenario
from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._ios import CancelContinuedTask
from harness.scenario._loader import loads

SUITE = Path(__file__).resolve().parents[2] / "scenarios" / "album_upload"

_UPLOAD = """\
name: one upload
app: examples.album_upload
device: iphone-like
backend:
  resources:
    - url: https://api.example.com/photos
duration: 1h
timeline:
  - at: 1m
    do: open app
  - at: 1m5s
    do: app upload 100
  - at: 1m20s
    do: leave app
  - at: 3m
    do: cancel continued task
  - at: 30m
    do: cancel continued task
"""


def test_the_action_parses() -> None:
    """'cancel continued task [PKG]': an optional package, nothing more."""
    assert parse_action("cancel continued task") == CancelContinuedTask("cancel continued task")
    assert parse_action("Cancel continued task com.x") == CancelContinuedTask(
        "Cancel continued task com.x", package="com.x"
    )
    with pytest.raises(ActionError, match=r"takes at most a package name"):
        parse_action("cancel continued task com.x now")


def test_the_users_cancel_runs_the_expiration_handler_and_an_idle_one_is_refused() -> None:
    """ "If a person cancels a task through the interface, the framework invokes the task's
    expiration handler" (Performing long-running tasks on iOS and iPadOS); with no task
    running the cancel does nothing, and the run says so."""
    result = loads(_UPLOAD, file="one.yaml").run(seed=0)
    assert result.record.error is None
    records = list(result.trace)
    expired = [r for r in records if r.kind == "ios.expired"]
    assert [(r.t_ms, r["reason"], r["handler"]) for r in expired] == [
        (180_000, "cancelled by the user in the Live Activity", True)
    ]
    completed = [r for r in records if r.kind == "ios.completed"]
    assert [(r.t_ms, r["success"]) for r in completed] == [(180_000, False)]
    refused = [r for r in records if r.kind == "scenario.action_refused"]
    assert [(r.t_ms, r["reason"]) for r in refused] == [
        (1_800_000, "com.example.albumupload has no continued-processing task running")
    ]


@pytest.mark.parametrize("path", sorted(SUITE.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_bundled_album_upload_suite_passes(path: Path) -> None:
    """Each scenarios/album_upload file passes on seed 0: the upload continues in the
    background, code 4 under .fail, the user's cancel, a stall, a swipe."""
    result = harness.scenario.load(path).run(seed=0)
    assert result.record.error is None
    failed = [check.message for check in result.record.checks if not check.passed]
    assert failed == []
