"""``dumpsys battery`` / ``cmd battery``: BatteryService's shell and dump, verbatim strings.

From ``BatteryService.onShellCommand`` and ``dumpInternal`` (FB@00d1a384; A13@717326a8 for
the 12/13 dump, which has no ``Dock powered``, ``Charging state`` or ``Charging policy``).
``set``, ``unplug`` and ``reset`` print nothing, or the new sequence number with ``-f``.
"""

from __future__ import annotations

from harness._exceptions import ShellCommandError
from harness.device._battery import BATTERY_SCALE, Battery

_SET_KEYS = {
    "ac": ("ac", True),
    "usb": ("usb", True),
    "wireless": ("wireless", True),
    "dock": ("dock", True),
    "present": ("present", True),
    "status": ("status", False),
    "level": ("level", False),
    "counter": ("charge_counter_uah", False),
    "temp": ("temperature", False),
}
#: ``BatteryChargingState.NORMAL`` and ``BatteryChargingPolicy.DEFAULT`` (health HAL AIDL v2).
_CHARGING_STATE_NORMAL = 1
_CHARGING_POLICY_DEFAULT = 1


def _java_bool(value: bool) -> str:
    return "true" if value else "false"


def dump_battery(battery: Battery, android_version: int) -> str:
    """``dumpsys battery`` with no arguments."""
    info = battery.health_info
    lines = ["Current Battery Service state:"]
    if battery.updates_stopped:
        lines.append("  (UPDATES STOPPED -- use 'reset' to restart)")
    lines += [
        f"  AC powered: {_java_bool(info.ac)}",
        f"  USB powered: {_java_bool(info.usb)}",
        f"  Wireless powered: {_java_bool(info.wireless)}",
    ]
    if android_version >= 14:
        lines.append(f"  Dock powered: {_java_bool(info.dock)}")
    lines += [
        f"  Max charging current: {info.max_charging_current_ua}",
        f"  Max charging voltage: {info.max_charging_voltage_uv}",
        f"  Charge counter: {info.charge_counter_uah}",
        f"  status: {info.status}",
        f"  health: {info.health}",
        f"  present: {_java_bool(info.present)}",
        f"  level: {info.level}",
        f"  scale: {BATTERY_SCALE}",
        f"  voltage: {info.voltage_mv}",
        f"  temperature: {info.temperature}",
        f"  technology: {info.technology}",
    ]
    if android_version >= 14:
        lines += [
            f"  Charging state: {_CHARGING_STATE_NORMAL}",
            f"  Charging policy: {_CHARGING_POLICY_DEFAULT}",
        ]
    return "\n".join(lines) + "\n"


def battery_shell(battery: Battery, args: list[str], android_version: int) -> str:
    """``dumpsys battery ARGS`` (or ``cmd battery ARGS``): what BatteryService's shell does."""
    if not args or args[0] == "-a":
        return dump_battery(battery, android_version)
    command, rest = args[0], args[1:]
    force = "-f" in rest
    rest = [arg for arg in rest if arg != "-f"]
    if command == "unplug":
        battery.override(force=force, ac=False, usb=False, wireless=False, dock=False)
        return f"{battery.sequence}\n" if force else ""
    if command == "reset":
        battery.reset_override(force=force)
        return f"{battery.sequence}\n" if force else ""
    if command == "get":
        if not rest:
            raise ShellCommandError("No property specified")
        key = rest[0]
        info = battery.health_info
        if key in _SET_KEYS:
            value = getattr(info, _SET_KEYS[key][0])
            return f"{_java_bool(value) if isinstance(value, bool) else value}\n"
        if key == "invalid":
            return "0\n"
        return f"Unknown get option: {key}\n"
    if command == "set":
        if not rest:
            raise ShellCommandError("No property specified")
        if len(rest) < 2:
            raise ShellCommandError("No value specified")
        key, text = rest[0], rest[1]
        if key not in _SET_KEYS:
            return f"Unknown set option: {key}\n"
        try:
            number = int(text)
        except ValueError:
            raise ShellCommandError(f"Bad value: {text}") from None
        field, boolean = _SET_KEYS[key]
        battery.override(force=force, **{field: number != 0 if boolean else number})
        return f"{battery.sequence}\n" if force else ""
    if command == "help":
        return (
            "Battery service (battery) commands:\n  help\n    Print this help text.\n"
            "  set [-f] [ac|usb|wireless|dock|status|level|temp|present|counter|invalid] <value>\n"
            "  unplug [-f]\n  reset [-f]\n"
        )
    if command not in ("suspend_input", "-h"):
        # BatteryService.Shell.onCommand -> ShellCommand.handleDefaultCommands
        raise ShellCommandError(f"Unknown command: {command}")
    raise ShellCommandError(
        f"dumpsys battery {command!r} is not supported; use: dumpsys battery [set KEY VALUE|"
        "get KEY|unplug|reset] [-f]"
    )
