"""``dumpsys deviceidle`` / ``cmd deviceidle``: DeviceIdleController's shell, verbatim strings.

From ``DeviceIdleController.onShellCommand`` and ``dump`` (FB@01740eff, A15@0898a28d;
key in docs/sources.md): ``step [light|deep]``, ``force-idle [deep|light]``,
``force-inactive``, ``unforce``, ``get light|deep|force|quick|screen|charging|network``,
``enable|disable [deep|light|all]``, ``enabled``, ``motion``.
"""

from __future__ import annotations

from harness._exceptions import ShellCommandError, ShellStateError
from harness.device._doze import Doze
from harness.device._doze_states import DeepState, LightState, format_android_duration


def _java_bool(value: bool) -> str:
    return "true" if value else "false"


def _states(doze: Doze) -> str:
    return f"Light state: {doze.light.state.name}, deep state: {doze.state.name}\n"


def deviceidle_shell(doze: Doze, args: list[str]) -> str:
    """Run ``dumpsys deviceidle ARGS``; a failing command raises with the phone's text."""
    if not args or args[0] == "-a":
        return dump_deviceidle(doze)
    command, rest = args[0], args[1:]
    arg = rest[0] if rest else None
    try:
        return _COMMANDS[command](doze, arg)
    except KeyError:
        raise ShellCommandError(
            f"dumpsys deviceidle {command!r} is not supported; use: step [light|deep], "
            "force-idle [deep|light], force-inactive, unforce, get light|deep|force|quick|"
            "screen|charging|network, enable|disable [deep|light|all], enabled, motion"
        ) from None
    finally:
        doze.publish()


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


def dump_deviceidle(doze: Doze) -> str:
    """``dumpsys deviceidle``: the settings block and the state lines (allowlists omitted)."""
    constants = doze.constants
    pre_idle = constants.light_pre_idle_to_ms  # 12/13 only: 14 has no PRE_IDLE state
    settings = [
        ("light_after_inactive_to", constants.light_after_inactive_to_ms),
        *([("light_pre_idle_to", pre_idle)] if pre_idle is not None else []),
        ("light_idle_to", constants.light_idle_to_ms),
        ("light_max_idle_to", constants.light_max_idle_to_ms),
        ("light_idle_maintenance_min_budget", constants.light_idle_maintenance_min_budget_ms),
        ("light_idle_maintenance_max_budget", constants.light_idle_maintenance_max_budget_ms),
        ("min_light_maintenance_time", constants.min_light_maintenance_time_ms),
        ("min_deep_maintenance_time", constants.min_deep_maintenance_time_ms),
        ("inactive_to", constants.inactive_to_ms),
        ("sensing_to", constants.sensing_to_ms),
        ("locating_to", constants.locating_to_ms),
        ("motion_inactive_to", constants.motion_inactive_to_ms),
        ("idle_after_inactive_to", constants.idle_after_inactive_to_ms),
        ("idle_pending_to", constants.idle_pending_to_ms),
        ("max_idle_pending_to", constants.max_idle_pending_to_ms),
        ("quick_doze_delay_to", constants.quick_doze_delay_to_ms),
        ("idle_to", constants.idle_to_ms),
        ("max_idle_to", constants.max_idle_to_ms),
        ("min_time_to_alarm", constants.min_time_to_alarm_ms),
    ]
    lines = ["  Settings:"]
    lines += [f"    {name}={format_android_duration(value)}" for name, value in settings]
    lines += [
        f"    light_idle_factor={constants.light_idle_factor}",
        f"    idle_pending_factor={constants.idle_pending_factor}",
        f"    idle_factor={constants.idle_factor}",
        f"    wait_for_unlock={_java_bool(constants.wait_for_unlock)}",
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
