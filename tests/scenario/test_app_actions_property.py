"""A correct app never fails because of the harness, whatever the drawn timeline mixes in.

``timelines(app_actions=...)`` mixes user actions in the app with kills, swipes, force-stops and
reboots. An action in an app whose process is dead first brings the app up the way a user does
(opening it), so the action runs in a real process that later kills and reboots end; an action
while the phone is off is refused, as the user cannot use a phone that is off.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from harness.scenario import load_data, run_scenario
from harness.strategies import timelines

_DAYS = 2
_RESTORE = (
    "adb shell cmd connectivity airplane-mode disable",
    "adb shell svc wifi enable",
    "adb shell svc data enable",
    "adb shell dumpsys battery reset",
    "adb shell dumpsys deviceidle unforce",
    "open app",
)


def _outbox(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "outbox under a drawn timeline",
        "app": "examples.outbox",
        "backend": {"resources": [{"url": "https://api.example.com/notes"}]},
        "duration": f"{_DAYS + 1}d",
        # at the end the phone is back to normal and the user opens the app once more (so a
        # force-stopped app runs again): every edit has its chance to sync
        "timeline": [*timeline, *({"at": f"{_DAYS}d", "do": event} for event in _RESTORE)],
        "checks": ["no_data_lost", "no_duplicate_uploads", "no_crashes"],
    }


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(timeline=timelines(days=_DAYS, max_events=12, app_actions=("app edit note",)))
# found by this test: the edit started an app instance with no device process behind it, which
# the force-stop never ended, so WorkManager never rescheduled the upload
@pytest.mark.slow
@example(
    timeline=[
        {"at": "0s", "do": "open app"},
        {"at": "1m", "do": "adb shell svc data disable"},
        {"at": "1m", "do": "adb shell svc wifi disable"},
        {"at": "1m", "do": "swipe away"},
        {"at": "2m", "do": "app edit note"},
        {"at": "4h18m", "do": "force-stop"},
    ]
)
def test_the_outbox_keeps_every_edit_whatever_the_device_does(
    timeline: list[dict[str, Any]],
) -> None:
    """Every edit reaches the server exactly once, across kills, swipes, force-stops, reboots."""
    record = run_scenario(load_data(_outbox(timeline)), seed=0).record
    assert record.error is None, record.error
    assert record.passed, [(c.name, c.message, c.details) for c in record.failed_checks]
