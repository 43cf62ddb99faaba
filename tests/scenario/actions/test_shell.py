"""``adb shell CMD`` (harness/scenario/_actions/_shell.py): checked on a scratch device."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._shell import AdbShell
from tests.scenario.actions._validate import assert_refused, validate


def test_shell_forms() -> None:
    """'adb shell CMD' and 'shell CMD' both run CMD; an empty command is not a shell action."""
    assert parse_action("adb shell svc wifi disable") == AdbShell(
        "adb shell svc wifi disable", command="svc wifi disable"
    )
    assert parse_action("shell svc data enable").command == "svc data enable"  # type: ignore[attr-defined]
    with pytest.raises(ActionError, match=r"is not one of"):
        parse_action("adb shell")
    with pytest.raises(ActionError, match=r"check the quotes"):
        parse_action("adb shell settings put global x 'y")


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("adb shell svc wifi", "usage: svc wifi [enable|disable]"),
        ("adb shell svc data on", "usage: svc data [enable|disable]"),
        ("adb shell am force-stop com.nothere", "package 'com.nothere' is not installed"),
        ("adb shell dumpsys battery set level", "No value specified"),
        ("adb shell input keyevent KEYCODE_HOME", "input keyevent KEYCODE_HOME is not simulated"),
    ],
)
def test_a_command_the_device_refuses_fails_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, says: str
) -> None:
    """An incomplete or wrong command fails validation with the device's own words (it used to
    pass and crash the run with ShellCommandError)."""
    code, output = validate(tmp_path, capsys, action)
    assert_refused(code, output, action, "the device refuses it", says)


def test_an_unknown_command_lists_the_supported_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command the device does not have names the ones it does."""
    code, output = validate(tmp_path, capsys, "adb shell frobnicate now")
    assert_refused(
        code, output, "adb shell frobnicate now", "supported: am ", "am force-stop PACKAGE"
    )


@pytest.mark.parametrize(
    "action",
    [
        "adb shell svc wifi disable",
        "adb shell am set-standby-bucket com.example.outbox rare",
        "adb shell dumpsys deviceidle force-idle",
        "adb shell cmd jobscheduler run -f com.example.outbox 1",
        "adb shell cmd devicestoragemonitor force-low",
    ],
)
def test_good_commands_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """Well-formed commands validate, including the platform's (checked when they run)."""
    code, output = validate(tmp_path, capsys, action)
    assert code == 0, output
