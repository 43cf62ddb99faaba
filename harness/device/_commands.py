"""The device's built-in adb shell commands, and what each prints (AOSP's strings).

Sources (FB; key in docs/sources.md): ``ActivityManagerShellCommand``
(``am``), ``PackageManagerShellCommand.runClear`` (``pm clear``), ``cmds/svc`` (``svc wifi``,
``svc data``), ``ConnectivityService.ShellCmd`` (``cmd connectivity airplane-mode``),
``PhoneWindowManager`` key handling (``input keyevent``), ``PowerManagerShellCommand``
(``cmd power``), ``SettingsService`` (``settings``), ``DeviceStorageMonitorService``
(``cmd devicestoragemonitor``), ``AppOpsService`` (``cmd appops``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError, ShellCommandError
from harness.device._battery_shell import battery_shell
from harness.device._doze_shell import deviceidle_shell
from harness.device._settings import AIRPLANE_MODE_ON
from harness.device._shell import ShellCommands, expect
from harness.device._standby import parse_bucket
from harness.device._storage import StorageLevel

if TYPE_CHECKING:
    from harness.device._device import Device

#: ``Intent.ACTION_AIRPLANE_MODE_CHANGED``.
AIRPLANE_MODE_ACTION = "android.intent.action.AIRPLANE_MODE"

#: The pid the simulated adb shell's ``am`` runs as (any number; a phone prints its own).
SHELL_PID = 4242

#: ``KeyEvent.KEYCODE_*`` the device reacts to, by name and number.
_KEYCODES = {
    "KEYCODE_POWER": "power",
    "26": "power",
    "KEYCODE_WAKEUP": "wakeup",
    "224": "wakeup",
    "KEYCODE_SLEEP": "sleep",
    "223": "sleep",
    "KEYCODE_MENU": "menu",
    "82": "menu",
}


def _package(device: Device, words: list[str], usage: str) -> str:
    """The one package argument (``--user U`` accepted and ignored: one user)."""
    if words[:1] == ["--user"]:
        words = words[2:]
    if words[:1] and words[0].startswith("-") and words[0] != "-":
        # ActivityManagerShellCommand: getNextOption() other than --user
        raise ShellCommandError(f"Error: Unknown option: {words[0]}")
    expect(words, 1, usage)
    if not device.apps.is_installed(words[0]):
        raise ShellCommandError(f"Error: package {words[0]!r} is not installed")
    return words[0]


def _toggle(words: list[str], usage: str, on: str = "enable", off: str = "disable") -> bool:
    if words not in ([on], [off]):
        raise ShellCommandError(f"usage: {usage}")
    return words == [on]


def install_builtin_commands(table: ShellCommands, device: Device) -> None:
    """Register every built-in command of ``device`` in ``table``."""
    version = device.profile.android_version

    def battery(words: list[str]) -> str:
        return battery_shell(device.battery, words, version)

    def deviceidle(words: list[str]) -> str:
        return deviceidle_shell(device.doze, words, device.allowlist)

    def set_standby_bucket(words: list[str]) -> str:
        if words[:1] == ["--user"]:
            words = words[2:]
        if len(words) < 2 or len(words) % 2:
            raise ShellCommandError("usage: am set-standby-bucket [--user U] PACKAGE BUCKET ...")
        for package, bucket in zip(words[::2], words[1::2], strict=True):
            if not device.apps.is_installed(package):
                raise ShellCommandError(
                    f"Cannot set standby bucket for non existent package ({package})"
                )
            try:
                device.standby.set_bucket(package, parse_bucket(bucket))
            except DefinitionError as error:
                raise ShellCommandError(str(error)) from None
        return ""

    def get_standby_bucket(words: list[str]) -> str:
        if not words:
            return "".join(f"{p}: {int(device.standby.bucket(p))}\n" for p in device.apps.packages)
        package = _package(device, words, "am get-standby-bucket [--user U] PACKAGE")
        return f"{int(device.standby.bucket(package))}\n"

    def set_inactive(words: list[str]) -> str:
        if words[:1] == ["--user"]:
            words = words[2:]
        expect(words, 2, "am set-inactive [--user U] PACKAGE true|false")
        package = _package(device, words[:1], "am set-inactive PACKAGE true|false")
        device.standby.set_inactive(package, words[1].lower() == "true")
        return ""

    def get_inactive(words: list[str]) -> str:
        package = _package(device, words, "am get-inactive [--user U] PACKAGE")
        return f"Idle={'true' if device.standby.is_inactive(package) else 'false'}\n"

    def kill(words: list[str]) -> str:
        device.apps.kill(_package(device, words, "am kill [--user U] PACKAGE"))
        return ""

    def kill_all(words: list[str]) -> str:
        for package in device.apps.packages:
            device.apps.kill(package)
        return ""

    def force_stop(words: list[str]) -> str:
        device.apps.force_stop(_package(device, words, "am force-stop [--user U] PACKAGE"))
        return ""

    def make_uid_idle(words: list[str]) -> str:
        # ActivityManagerShellCommand.runMakeIdle -> AMS.makePackageIdle: a uid in the background
        # that is not idle yet becomes idle now (its BACKGROUND_SETTLE_TIME is cut short); a
        # foreground app stays active, as on a phone (ActiveUids.make_idle)
        if words[:1] == ["--user"]:
            words = words[2:]
        if words[:1] and words[0].startswith("-"):
            raise ShellCommandError(f"Error: Unknown option: {words[0]}")
        if not words:
            raise ShellCommandError(
                "Exception occurred while executing 'make-uid-idle':\n"
                'java.lang.IllegalArgumentException: Argument expected after "make-uid-idle"'
            )
        if not device.apps.is_installed(words[0]):
            raise ShellCommandError(
                "Exception occurred while executing 'make-uid-idle':\n"
                f"java.lang.IllegalArgumentException: Unknown package name {words[0]}"
            )
        device.uids.make_idle(words[0])
        return ""

    def idle_maintenance(words: list[str]) -> str:
        device.idle.handle_idle_trigger()
        return ""

    def monkey(words: list[str]) -> str:
        if len(words) < 2 or words[0] != "-p":
            raise ShellCommandError("usage: monkey -p PACKAGE [-c CATEGORY] 1")
        package = _package(device, words[1:2], "monkey -p PACKAGE 1")
        device.screen.use_for(0)
        device.apps.launch(package)
        return "Events injected: 1\n"

    def pm_clear(words: list[str]) -> str:
        if not words:
            raise ShellCommandError("Error: no package specified")
        device.apps.clear_data(_package(device, words, "pm clear [--user U] PACKAGE"))
        return "Success\n"

    def pm_list(words: list[str]) -> str:
        return "".join(f"package:{package}\n" for package in device.apps.packages)

    def svc_wifi(words: list[str]) -> str:
        device.network.set_wifi_enabled(_toggle(words, "svc wifi [enable|disable]"))
        return ""

    def svc_data(words: list[str]) -> str:
        device.network.set_mobile_data_enabled(_toggle(words, "svc data [enable|disable]"))
        return ""

    def wifi_enabled(words: list[str]) -> str:
        usage = "cmd wifi set-wifi-enabled enabled|disabled"
        device.network.set_wifi_enabled(_toggle(words, usage, "enabled", "disabled"))
        return ""

    def airplane(words: list[str]) -> str:
        # ConnectivityService.ShellCmd "airplane-mode": no argument reads
        # Settings.Global.AIRPLANE_MODE_ON; enable|disable calls setAirplaneMode, which writes the
        # setting and then sends ACTION_AIRPLANE_MODE_CHANGED, the broadcast the radios follow
        # (Wi-Fi's and telephony's receivers re-read the setting).
        if not words:
            on = device.settings.get_int(AIRPLANE_MODE_ON, 0) != 0
            return "enabled\n" if on else "disabled\n"
        usage = "cmd connectivity airplane-mode [enable|disable]"
        enable = _toggle(words, usage)
        device.settings.put(AIRPLANE_MODE_ON, "1" if enable else "0")
        device.network.set_airplane_mode(enable)
        return ""

    def broadcast(words: list[str]) -> str:
        # ActivityManagerShellCommand.runSendBroadcast prints "Broadcasting: <intent>" (the shell
        # adds FLAG_RECEIVER_FROM_SHELL, 0x400000); ACTION_AIRPLANE_MODE_CHANGED is a protected
        # broadcast, so AMS.broadcastIntentLocked refuses it from the shell uid (2000): adb cannot
        # take the "settings put + broadcast" path; `cmd connectivity airplane-mode` can.
        action = words[words.index("-a") + 1] if "-a" in words[:-1] else None
        if action != AIRPLANE_MODE_ACTION:
            raise ShellCommandError(
                f"am broadcast {' '.join(words)!r} is not supported by the simulated device; "
                "it models only the refusal of -a android.intent.action.AIRPLANE_MODE"
            )
        extras = " (has extras)" if any(word.startswith("--e") for word in words) else ""
        raise ShellCommandError(
            f"Broadcasting: Intent {{ act={action} flg=0x400000{extras} }}\n"
            "Exception occurred while executing 'broadcast':\n"
            "java.lang.SecurityException: Permission Denial: not allowed to send broadcast "
            f"{action} from pid={SHELL_PID}, uid=2000"
        )

    def keyevent(words: list[str]) -> str:
        expect(words, 1, "input keyevent KEYCODE_POWER|KEYCODE_WAKEUP|KEYCODE_SLEEP|KEYCODE_MENU")
        action = _KEYCODES.get(words[0].upper())
        if action is None:
            raise ShellCommandError(
                f"input keyevent {words[0]} is not simulated; supported: {', '.join(_KEYCODES)}"
            )
        if action == "power":
            device.screen.press_power()
        elif action == "wakeup":
            device.screen.wake_up("KEYCODE_WAKEUP")
        elif action == "sleep":
            device.screen.go_to_sleep("KEYCODE_SLEEP")
        elif device.screen.on:  # KEYCODE_MENU on the keyguard unlocks (no secure lock)
            device.screen.unlock()
        return ""

    def dismiss_keyguard(words: list[str]) -> str:
        device.screen.unlock()
        return ""

    def reboot(words: list[str]) -> str:
        device.reboot()
        return ""

    def settings(words: list[str]) -> str:
        usage = "settings get|put|delete global NAME [VALUE]"
        if len(words) < 3 or words[1] != "global":
            raise ShellCommandError(f"usage: {usage} (only the global table is simulated)")
        verb, name = words[0], words[2]
        if verb == "get":
            value = device.settings.get(name)
            return f"{'null' if value is None else value}\n"
        if verb == "put":
            expect(words, 4, usage)
            device.settings.put(name, words[3])
            return ""
        if verb == "delete":
            device.settings.put(name, None)
            return "Deleted 1 rows\n"
        raise ShellCommandError(f"usage: {usage}")

    def power_mode(words: list[str]) -> str:
        expect(words, 1, "cmd power set-mode 0|1")
        try:
            mode = int(words[0])
        except ValueError as error:
            raise ShellCommandError(f"Error: {error}") from None
        device.battery_saver.set_enabled_manually(mode == 1)
        return ""

    def storage_monitor(words: list[str]) -> str:
        force = "-f" in words
        words = [word for word in words if word != "-f"]
        levels = {
            "force-low": StorageLevel.LEVEL_LOW,
            "force-not-low": StorageLevel.LEVEL_NORMAL,
            "reset": None,
        }
        if len(words) != 1 or words[0] not in levels:
            raise ShellCommandError(
                "usage: cmd devicestoragemonitor force-low|force-not-low|reset [-f]"
            )
        sequence = device.storage.force(levels[words[0]])
        return f"{sequence}\n" if force else ""

    def appops(words: list[str]) -> str:
        usage = "cmd appops set PACKAGE RUN_ANY_IN_BACKGROUND allow|ignore|default"
        if len(words) != 4 or words[0] != "set" or words[2] != "RUN_ANY_IN_BACKGROUND":
            raise ShellCommandError(f"usage: {usage}")
        package = _package(device, words[1:2], usage)
        if words[3] not in ("allow", "ignore", "default", "deny"):
            raise ShellCommandError(f"usage: {usage}")
        device.apps.set_background_restricted(package, words[3] in ("ignore", "deny"))
        return ""

    commands = [
        ("dumpsys battery", battery, "dumpsys battery [set KEY VALUE|get KEY|unplug|reset] [-f]"),
        ("cmd battery", battery, "cmd battery set|get|unplug|reset ..."),
        (
            "dumpsys deviceidle",
            deviceidle,
            "dumpsys deviceidle [step|force-idle|unforce|get|whitelist [+|-|=PKG]|...]",
        ),
        (
            "cmd deviceidle",
            deviceidle,
            "cmd deviceidle step|force-idle|unforce|get|whitelist|tempwhitelist [-d MS] PKG|...",
        ),
        ("am set-standby-bucket", set_standby_bucket, "am set-standby-bucket PACKAGE BUCKET"),
        ("am get-standby-bucket", get_standby_bucket, "am get-standby-bucket [PACKAGE]"),
        ("am set-inactive", set_inactive, "am set-inactive PACKAGE true|false"),
        ("am get-inactive", get_inactive, "am get-inactive PACKAGE"),
        ("am kill", kill, "am kill PACKAGE"),
        ("am kill-all", kill_all, "am kill-all"),
        ("am force-stop", force_stop, "am force-stop PACKAGE"),
        ("am idle-maintenance", idle_maintenance, "am idle-maintenance"),
        ("am make-uid-idle", make_uid_idle, "am make-uid-idle [--user U] PACKAGE"),
        ("monkey", monkey, "monkey -p PACKAGE 1"),
        ("pm clear", pm_clear, "pm clear PACKAGE"),
        ("pm list packages", pm_list, "pm list packages"),
        ("svc wifi", svc_wifi, "svc wifi enable|disable"),
        ("svc data", svc_data, "svc data enable|disable"),
        ("cmd wifi set-wifi-enabled", wifi_enabled, "cmd wifi set-wifi-enabled enabled|disabled"),
        (
            "cmd connectivity airplane-mode",
            airplane,
            "cmd connectivity airplane-mode [enable|disable]",
        ),
        (
            "am broadcast",
            broadcast,
            "am broadcast -a android.intent.action.AIRPLANE_MODE (refused)",
        ),
        ("input keyevent", keyevent, "input keyevent KEYCODE_POWER|KEYCODE_WAKEUP|KEYCODE_SLEEP"),
        ("wm dismiss-keyguard", dismiss_keyguard, "wm dismiss-keyguard"),
        ("reboot", reboot, "reboot"),
        ("settings", settings, "settings get|put|delete global NAME [VALUE]"),
        ("cmd power set-mode", power_mode, "cmd power set-mode 0|1"),
        (
            "cmd devicestoragemonitor",
            storage_monitor,
            "cmd devicestoragemonitor force-low|force-not-low|reset [-f]",
        ),
        ("cmd appops", appops, "cmd appops set PACKAGE RUN_ANY_IN_BACKGROUND allow|ignore"),
    ]
    for prefix, handler, usage in commands:
        table.register(prefix, handler, usage=usage)
