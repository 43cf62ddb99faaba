"""``dumpsys deviceidle`` / ``cmd deviceidle``: DeviceIdleController's shell, verbatim strings.

From ``DeviceIdleController.onShellCommand`` and ``dump`` (FB@01740eff, A15@0898a28d;
key in docs/sources.md): ``step [light|deep]``, ``force-idle [deep|light]``,
``force-inactive``, ``unforce``, ``get light|deep|force|quick|screen|charging|network``,
``enable|disable [deep|light|all]``, ``enabled``, ``motion``.
"""

from __future__ import annotations

from harness._exceptions import ShellCommandError, ShellStateError
from harness.device._allowlist import SHELL_TEMP_ALLOWLIST_DURATION_MS, PowerAllowlist, app_id
from harness.device._doze import Doze
from harness.device._doze_settings import settings_lines
from harness.device._doze_states import DeepState, LightState, format_android_duration


def _java_bool(value: bool) -> str:
    return "true" if value else "false"


def _states(doze: Doze) -> str:
    return f"Light state: {doze.light.state.name}, deep state: {doze.state.name}\n"


#: Every command of ``DeviceIdleController.onShellCommand`` (A15@0898a28d); another word is
#: ``ShellCommand.handleDefaultCommands``' "Unknown command: X".
_PHONE_COMMANDS = frozenset(
    """
    step force-active force-idle force-inactive unforce get disable enable enabled whitelist
    tempwhitelist except-idle-whitelist sys-whitelist motion pre-idle-factor
    reset-pre-idle-factor force-modemanager-quickdoze force-modemanager-offbody help -h
    """.split()  # noqa: SIM905 (a word list reads better than 200 quoted strings)
)


def deviceidle_shell(doze: Doze, args: list[str], allowlist: PowerAllowlist | None = None) -> str:
    """Run ``dumpsys deviceidle ARGS``; a failing command raises with the phone's text."""
    if not args or args[0] == "-a":
        return dump_deviceidle(doze, allowlist)
    command, rest = args[0], args[1:]
    if command.startswith("-") and command != "-h":
        # DeviceIdleController.dump: any other dash argument is "Unknown option: " + arg
        return f"Unknown option: {command}\n"
    if allowlist is not None and command == "whitelist":
        return _whitelist(allowlist, rest)
    if allowlist is not None and command == "tempwhitelist":
        return _tempwhitelist(allowlist, rest)
    arg = rest[0] if rest else None
    handler = _COMMANDS.get(command)
    if handler is None:
        if command not in _PHONE_COMMANDS:
            raise ShellCommandError(f"Unknown command: {command}")
        raise ShellCommandError(
            f"dumpsys deviceidle {command!r} is not supported; use: step [light|deep], "
            "force-idle [deep|light], force-inactive, unforce, get light|deep|force|quick|"
            "screen|charging|network, enable|disable [deep|light|all], enabled, motion"
        )
    try:
        return handler(doze, arg)
    finally:
        doze.publish()


def _whitelist(allowlist: PowerAllowlist, args: list[str]) -> str:
    """``whitelist [+PKG|-PKG|=PKG ...]`` (``DeviceIdleController.onShellCommand``)."""
    if not args:
        # the system allowlists (system-excidle, system) are empty on the simulated phone
        return "".join(f"user,{package},{app_id(package)}\n" for package in allowlist.packages)
    out: list[str] = []
    for arg in args:
        if not arg or arg[0] not in "+-=":
            out.append(f"Package must be prefixed with +, -, or =: {arg}")
            raise ShellCommandError("\n".join(out))
        op, package = arg[0], arg[1:]
        if op == "+":
            out.append(
                f"Added: {package}" if allowlist.add(package) else f"Unknown package: {package}"
            )
        elif op == "-":
            if allowlist.remove(package):
                out.append(f"Removed: {package}")
        else:
            out.append(_java_bool(allowlist.contains(package)))
    return "".join(f"{line}\n" for line in out)


def _tempwhitelist(allowlist: PowerAllowlist, args: list[str]) -> str:
    """``tempwhitelist [-u USER] [-d MS] [-r] [PKG]`` (``DeviceIdleController.onShellCommand``)."""
    duration_ms = SHELL_TEMP_ALLOWLIST_DURATION_MS
    remove = False
    words = list(args)
    while words and words[0].startswith("-") and words[0] != "-":  # ShellCommand.getNextOption
        option = words.pop(0)
        if option == "--":
            break
        if option in ("-u", "-d"):
            if not words:
                raise ShellCommandError(
                    "-u requires a user number" if option == "-u" else "-d requires a duration"
                )
            value = words.pop(0)
            try:
                number = int(value)
            except ValueError:
                raise ShellCommandError(
                    "Exception occurred while executing 'tempwhitelist':\n"
                    f'java.lang.NumberFormatException: For input string: "{value}"'
                ) from None
            if option == "-d":
                duration_ms = number
        elif option == "-r":
            remove = True
    if words:
        package = words[0]
        try:
            if remove:
                allowlist.remove_temp(package)
            else:
                allowlist.add_temp(package, duration_ms)
        except ValueError as error:
            raise ShellCommandError(f"Failed: {error}") from None
        return ""
    if remove:
        raise ShellCommandError("[-r] requires a package name")
    # dumpTempWhitelistScheduleLocked(pw, false): "UID=" appId ": " end-now " - " reason
    return "".join(
        f"UID={app_id(package)}: {format_android_duration(left_ms)} - shell\n"
        for package, left_ms in allowlist.temp_entries()
    )


def _step(doze: Doze, arg: str | None) -> str:
    if arg is None or arg == "deep":
        doze.step("s:shell")
        return f"Stepped to deep: {doze.state.name}\n"
    if arg == "light":
        doze.light.step("s:shell")
        return f"Stepped to light: {doze.light.state.name}\n"
    return f"Unknown idle mode: {arg}\n"


def _force_idle(doze: Doze, arg: str | None) -> str:
    if arg is None or arg == "deep":
        if not doze.deep_enabled:
            raise ShellStateError("Unable to go deep idle; not enabled")
        doze.force_idle = True
        doze.become_inactive_if_appropriate()
        current = doze.state
        while current is not DeepState.IDLE:
            doze.step("s:shell")
            if doze.state is current:
                doze.exit_force_idle()
                raise ShellStateError(f"Unable to go deep idle; stopped at {current.name}")
            current = doze.state
        return "Now forced in to deep idle mode\n"
    if arg == "light":
        doze.force_idle = True
        doze.become_inactive_if_appropriate()
        current_light = doze.light.state
        while current_light is not LightState.IDLE:
            doze.light.step("s:shell")
            if doze.light.state is current_light:
                doze.exit_force_idle()
                raise ShellStateError(f"Unable to go light idle; stopped at {current_light.name}")
            current_light = doze.light.state
        return "Now forced in to light idle mode\n"
    return f"Unknown idle mode: {arg}\n"


def _force_inactive(doze: Doze, _arg: str | None) -> str:
    doze.force_idle = True
    doze.become_inactive_if_appropriate()
    return _states(doze)


def _unforce(doze: Doze, _arg: str | None) -> str:
    doze.exit_force_idle()
    return _states(doze)


def _get(doze: Doze, arg: str | None) -> str:
    values = {
        "light": doze.light.state.name,
        "deep": doze.state.name,
        "force": _java_bool(doze.force_idle),
        "quick": _java_bool(doze.quick_doze),
        "screen": _java_bool(doze.screen_on),
        "charging": _java_bool(doze.charging),
        "network": _java_bool(doze.network_connected),
    }
    if arg is None:
        return "Argument required\n"
    return f"{values.get(arg, f'Unknown get option: {arg}')}\n"


def _enable(doze: Doze, arg: str | None, enable: bool) -> str:
    out: list[str] = []
    valid = changed = False
    if arg in (None, "deep", "all"):
        valid = True
        if doze.deep_enabled != enable:
            doze.deep_enabled = enable
            changed = True
            out.append(f"Deep idle mode {'enabled' if enable else 'disabled'}")
    if arg in (None, "light", "all"):
        valid = True
        if doze.light_enabled != enable:
            doze.light_enabled = enable
            changed = True
            out.append("Light idle mode enable" if enable else "Light idle mode disabled")
    if changed:
        if enable:
            doze.become_inactive_if_appropriate()
        else:
            doze.become_active(f"{arg or 'all'}-disabled")
    if not valid:
        out.append(f"Unknown idle mode: {arg}")
    return "".join(f"{line}\n" for line in out)


def _enabled(doze: Doze, arg: str | None) -> str:
    if arg == "deep":
        value = doze.deep_enabled
    elif arg == "light":
        value = doze.light_enabled
    else:
        value = doze.deep_enabled and doze.light_enabled
    return "1\n" if value else "0\n"


def _motion(doze: Doze, _arg: str | None) -> str:
    doze.motion()
    return _states(doze)


_COMMANDS = {
    "step": _step,
    "force-idle": _force_idle,
    "force-inactive": _force_inactive,
    "unforce": _unforce,
    "get": _get,
    "enable": lambda doze, arg: _enable(doze, arg, True),
    "disable": lambda doze, arg: _enable(doze, arg, False),
    "enabled": _enabled,
    "motion": _motion,
}


def _allowlist_lines(allowlist: PowerAllowlist | None) -> list[str]:
    """The user and temp allowlist sections of ``DeviceIdleController.dump`` (the system
    allowlists are empty on the simulated phone)."""
    if allowlist is None:
        return []
    lines: list[str] = []
    users = allowlist.packages
    if users:
        ids = sorted(app_id(package) for package in users)
        lines += ["  Whitelist user apps:", *(f"    {package}" for package in users)]
        lines += ["  Whitelist user app ids:", *(f"    {number}" for number in ids)]
        lines += ["  Whitelist all app ids:", *(f"    {number}" for number in ids)]
    temp = allowlist.temp_entries()
    if temp:
        lines.append("  Temp whitelist schedule:")
        lines += [
            f"    UID={app_id(package)}: {format_android_duration(left_ms)} - shell"
            for package, left_ms in temp
        ]
        lines.append("  Temp whitelist app ids:")
        lines += [f"    {app_id(package)}" for package, _end in temp]
    return lines


def dump_deviceidle(doze: Doze, allowlist: PowerAllowlist | None = None) -> str:
    """``dumpsys deviceidle``: the settings block, the user and temp allowlists, the state lines
    (the system allowlists are empty on the simulated phone)."""
    lines = settings_lines(doze.constants)  # DeviceIdleController.Constants.dump
    lines += [
        *_allowlist_lines(allowlist),
        f"  mLightEnabled={_java_bool(doze.light_enabled)}"
        f"  mDeepEnabled={_java_bool(doze.deep_enabled)}",
        f"  mForceIdle={_java_bool(doze.force_idle)}",
        f"  mScreenOn={_java_bool(doze.screen_on)}",
        f"  mScreenLocked={_java_bool(doze.screen_locked)}",
        f"  mNetworkConnected={_java_bool(doze.network_connected)}",
        f"  mCharging={_java_bool(doze.charging)}",
        f"  mQuickDozeActivated={_java_bool(doze.quick_doze)}",
        f"  mNotMoving={_java_bool(doze.deep.not_moving)}",
        f"  mState={doze.state.name} mLightState={doze.light.state.name}",
        f"  mInactiveTimeout={format_android_duration(doze.inactive_timeout)}",
    ]
    if doze.active_idle_op_count:
        lines.append(f"  mActiveIdleOpCount={doze.active_idle_op_count}")
    for name, value in (
        ("mNextIdlePendingDelay", doze.deep.next_idle_pending_delay),
        ("mNextIdleDelay", doze.deep.next_idle_delay),
        ("mNextLightIdleDelay", doze.light.next_idle_delay),
        ("mCurLightIdleBudget", doze.light.cur_idle_budget),
    ):
        if value:
            lines.append(f"  {name}={format_android_duration(value)}")
    if doze.jobs_active:
        lines.append("  mJobsActive=true")
    if doze.alarms_active:
        lines.append("  mAlarmsActive=true")
    return "\n".join(lines) + "\n"
