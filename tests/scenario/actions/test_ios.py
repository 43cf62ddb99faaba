"""iOS actions (harness/scenario/_actions/_ios.py) and the platform of every action: iOS-only
actions are refused on Android devices and Android-only ones on iOS, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness._exceptions import ScenarioError
from harness.scenario import ACTIONS
from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._ios import BackgroundAppRefresh, LowPowerMode, SilentPush
from harness.scenario._loader import loads
from tests.scenario.actions._validate import SCENARIO, assert_refused, validate

IOS_SCENARIO = SCENARIO.replace("app: examples.outbox", "app: examples.outbox\ndevice: iphone-like")

_RUN = """\
name: one action on iOS
app: examples.outbox
device: iphone-like
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


def test_ios_actions_parse() -> None:
    """The iOS switches take on/off and an optional package; a push an optional package."""
    assert parse_action("background app refresh off") == BackgroundAppRefresh(
        "background app refresh off", enabled=False
    )
    assert parse_action("Background App Refresh on com.example.x") == BackgroundAppRefresh(
        "Background App Refresh on com.example.x", enabled=True, package="com.example.x"
    )
    assert parse_action("low power mode on") == LowPowerMode("low power mode on", enabled=True)
    assert parse_action("silent push") == SilentPush("silent push")
    with pytest.raises(ActionError, match=r"say 'low power mode on' or 'low power mode off'"):
        parse_action("low power mode maybe")
    with pytest.raises(ActionError, match=r"say 'background app refresh on' or"):
        parse_action("background app refresh")


def test_an_ios_action_on_an_android_device_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'low power mode on' exists on iOS only: on pixel-like the file does not validate."""
    code, output = validate(tmp_path, capsys, "low power mode on")
    assert_refused(code, output, "low power mode on", "exists on iOS only", "runs Android")


@pytest.mark.parametrize("action", ["force-stop", "adb shell svc wifi disable", "clear data"])
def test_an_android_action_on_an_iphone_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """am force-stop, adb and pm clear have no iPhone equivalent: refused on iphone-like."""
    code, output = validate(tmp_path, capsys, action, IOS_SCENARIO)
    where = "one.yaml:14: timeline[1].do:"  # one line lower: the file names its device
    assert_refused(code, output, action, "exists on Android only", "runs iOS", where=where)


_CASES = [(kind, cls.example) for kind, cls in ACTIONS.items()]


@pytest.mark.parametrize(("kind", "text"), _CASES, ids=[f"{k}:{t}" for k, t in _CASES])
def test_every_action_that_validates_on_an_iphone_runs(kind: str, text: str) -> None:
    """On iphone-like, an action either fails to load (Android only) or runs without error."""
    try:
        scenario = loads(_RUN.format(action=text), file="one.yaml")
    except ScenarioError:
        assert "ios" not in ACTIONS[kind].platforms
        return
    result = scenario.run(seed=0)
    assert result.record.error is None, (kind, text, result.record.error)


def _run(*actions: str) -> list[dict[str, object]]:
    timeline = "\n".join(f"  - at: {2 + i}h\n    do: {action}" for i, action in enumerate(actions))
    text = _RUN.replace("  - at: 1h\n    do: {action}\n", timeline + "\n").replace(
        "duration: 3h", "duration: 1d"
    )
    result = loads(text, file="one.yaml").run(seed=0)
    assert result.record.error is None
    return [
        {"kind": r.kind, "t_ms": r.t_ms, **r.fields}
        for r in result.trace
        if r.kind.startswith("ios.")
    ]


def test_switches_and_pushes_reach_ios() -> None:
    """The actions act on iOS: the switches are ios.setting records, a push an ios.push."""
    records = _run(
        "background app refresh off",
        "background app refresh on",
        "low power mode on",
        "silent push",
    )
    settings = [(r["setting"], r["value"]) for r in records if r["kind"] == "ios.setting"]
    assert settings == [
        ("background_app_refresh", False),
        ("background_app_refresh", True),
        ("low_power_mode", True),
    ]
    (push,) = [r for r in records if r["kind"] == "ios.push"]
    assert push["outcome"] == "Low Power Mode"


def test_swipe_away_on_ios_is_a_force_quit_until_reopened() -> None:
    """On iOS 'swipe away' force-quits: the app is terminated and a push is not delivered."""
    records = _run("swipe away", "silent push", "open app", "leave app", "silent push")
    terminated = [r["reason"] for r in records if r["kind"] == "ios.terminated"]
    assert terminated == ["force-quit in the app switcher"]
    outcomes = [r["outcome"] for r in records if r["kind"] == "ios.push"]
    assert outcomes[0] != "delivered"
    assert outcomes[1] == "not handled: no remote-notification background mode or handler"


def test_first_unlock_after_a_reboot() -> None:
    """'first unlock' ends data protection after a reboot (no launches before it)."""
    records = _run("reboot", "first unlock")
    unlocked = (
        [(r["value"], r["reason"]) for r in records if r["setting"] == "first_unlocked"]
        if False
        else [(r["value"], r["reason"]) for r in records if r.get("setting") == "first_unlocked"]
    )
    assert unlocked == [(False, "reboot"), (True, "user")]
