"""The adb control surface: parsing, the command table, extension by higher layers."""

from __future__ import annotations

from typing import Any

import pytest

from harness._exceptions import ShellCommandError
from harness.sim import Simulation
from tests.device.conftest import PACKAGE


def test_adb_prefixes_are_optional(device: Any) -> None:
    """'adb shell CMD', 'adb -s SERIAL shell CMD' and 'CMD' are the same command."""
    expected = device.shell("dumpsys deviceidle get deep")
    assert device.shell("adb shell dumpsys deviceidle get deep") == expected
    assert device.shell("adb -s emulator-5554 shell dumpsys deviceidle get deep") == expected


def test_unsupported_command_lists_the_supported(device: Any) -> None:
    """An unsupported command raises ShellCommandError naming it and listing the others."""
    with pytest.raises(
        ShellCommandError,
        match=r"^adb shell command 'ls /sdcard' is not supported by the simulated device; "
        r"supported: .*dumpsys battery",
    ):
        device.shell("ls /sdcard")


def test_unknown_program_is_inaccessible_or_not_found(device: Any) -> None:
    """A program not on the phone's PATH fails as mksh says it:
    ``/system/bin/sh: X: inaccessible or not found`` (exit 127)."""
    with pytest.raises(
        ShellCommandError, match=r"^/system/bin/sh: frobnicate: inaccessible or not found$"
    ):
        device.shell("adb shell frobnicate --now")


def test_unknown_service_cannot_be_found(device: Any) -> None:
    """``dumpsys X`` / ``cmd X`` of a service the phone does not have: ``Can't find service:
    X`` (cmds/dumpsys/dumpsys.cpp) and ``cmd: Can't find service: X`` (cmds/cmd/cmd.cpp); a real
    service the simulation lacks is refused as not supported."""
    with pytest.raises(ShellCommandError, match=r"^Can't find service: jobschedulr$"):
        device.shell("dumpsys jobschedulr")
    with pytest.raises(ShellCommandError, match=r"^cmd: Can't find service: deviceidl$"):
        device.shell("cmd deviceidl step")
    with pytest.raises(ShellCommandError, match=r"'dumpsys activity' is not supported"):
        device.shell("dumpsys activity")


def test_unknown_subcommands_and_options(device: Any) -> None:
    """``ShellCommand.handleDefaultCommands`` prints ``Unknown command: X``;
    ``ActivityManagerShellCommand`` ``Error: Unknown option: -x``."""
    with pytest.raises(ShellCommandError, match=r"^Unknown command: bogus$"):
        device.shell("dumpsys battery bogus")
    with pytest.raises(ShellCommandError, match=r"^Error: Unknown option: -x$"):
        device.shell(f"am force-stop -x {PACKAGE}")


def test_a_refused_command_is_in_the_trace_as_refused(sim: Simulation, device: Any) -> None:
    """The trace shows what was asked and that it was refused, not a command that ran."""
    with pytest.raises(ShellCommandError):
        device.shell("ls /sdcard")
    (asked,) = sim.trace.of_kind("device.shell")
    (refused,) = sim.trace.of_kind("device.shell_error")
    assert asked["command"] == refused["command"] == "ls /sdcard"
    assert str(refused["error"]).startswith("adb shell command 'ls /sdcard' is not supported")


def test_higher_layers_register_commands(device: Any) -> None:
    """device.shell_commands.register adds a service (e.g. cmd jobscheduler) from above."""
    seen: list[list[str]] = []

    def handler(words: list[str]) -> str:
        seen.append(words)
        return "Running job [FORCED]\n"

    device.shell_commands.register("cmd jobscheduler", handler, usage="cmd jobscheduler run")
    assert device.shell(f"cmd jobscheduler run -f {PACKAGE} 7") == "Running job [FORCED]\n"
    assert seen == [["run", "-f", PACKAGE, "7"]]
    assert "cmd jobscheduler run" in device.shell_commands.supported()
    with pytest.raises(ValueError, match=r"already registered"):
        device.shell_commands.register("cmd jobscheduler", handler)


def test_settings_global(device: Any) -> None:
    """settings put/get/delete global NAME."""
    assert device.shell("settings get global foo") == "null\n"
    device.shell("settings put global foo 3")
    assert device.shell("settings get global foo") == "3\n"
    assert device.shell("settings delete global foo") == "Deleted 1 rows\n"


def test_device_off_is_unreachable(sim: Simulation, device: Any) -> None:
    """While rebooting adb finds no device."""
    device.shell("reboot")
    with pytest.raises(ShellCommandError, match=r"no devices/emulators found"):
        device.shell("dumpsys battery")
    sim.run_for(30_000)
    # booted: the screen is on but locked, which does not block doze (WAIT_FOR_UNLOCK)
    assert device.shell("dumpsys deviceidle get deep") == "INACTIVE\n"


def test_usage_errors(device: Any) -> None:
    """Wrong arguments print the command's usage."""
    with pytest.raises(ShellCommandError, match=r"^usage: svc wifi \[enable\|disable\]$"):
        device.shell("svc wifi toggle")
    with pytest.raises(ShellCommandError, match=r"cannot be parsed"):
        device.shell("am kill 'unterminated")
    assert device.shell("pm list packages") == f"package:{PACKAGE}\n"
    assert device.shell(f"monkey -p {PACKAGE} -c android.intent.category.LAUNCHER 1") == (
        "Events injected: 1\n"
    )
