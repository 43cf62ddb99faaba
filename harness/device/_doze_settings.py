"""``DeviceIdleController.Constants.dump``: the ``Settings:`` block of ``dumpsys deviceidle``.

Every key a release prints, in its order and format (``TimeUtils.formatDuration`` for
durations, Java's float and boolean printing for the rest): the 12/13 form from FB@01740eff
(``light_pre_idle_to``, ``pre_idle_factor_long``/``_short``), the 14+ form from A15@0898a28d
(no PRE_IDLE; linear light-idle growth keys; ``use_mode_manager``). The profile's doze settings
give the values the simulation models; the keys it does not model print the Java default of
that source (flex windows, location accuracy, the temp-allowlist durations, window alarms).
"""

from __future__ import annotations

from typing import Final

from harness.device._doze_states import format_android_duration
from harness.device._profile import DozeSettings

_MINUTE: Final = 60_000

#: ``DEFAULT_FLEX_TIME_SHORT`` / ``mDefaultFlexTimeShort``: 1 min.
FLEX_TIME_SHORT_MS: Final = _MINUTE
#: ``DEFAULT_LIGHT_IDLE_TIMEOUT_INITIAL_FLEX``: 1 min.
LIGHT_IDLE_TIMEOUT_INITIAL_FLEX_MS: Final = _MINUTE
#: ``DEFAULT_LIGHT_MAX_IDLE_TIMEOUT_FLEX`` (12/13) / ``mDefaultLightIdleTimeoutMaxFlex``: 15 min.
LIGHT_MAX_IDLE_TIMEOUT_FLEX_MS: Final = 15 * _MINUTE
#: ``DEFAULT_MOTION_INACTIVE_TIMEOUT_FLEX``: 1 min.
MOTION_INACTIVE_TIMEOUT_FLEX_MS: Final = _MINUTE
#: ``MAX_TEMP_APP_ALLOWLIST_DURATION_MS`` (5 min), then the MMS, SMS and notification ones.
TEMP_ALLOWLIST_DURATIONS_MS: Final = (5 * _MINUTE, _MINUTE, 20_000, 30_000)


def _duration(name: str, value_ms: int) -> str:
    return f"    {name}={format_android_duration(value_ms)}"


def _java(value: bool | float) -> str:
    """``PrintWriter.print`` of a Java boolean or float (``true``, ``2.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(float(value))


def settings_lines(constants: DozeSettings) -> list[str]:
    """The ``Settings:`` block, one entry per line, as the release of ``constants`` prints it
    (the 12/13 form where the release has ``light_pre_idle_to``, else the 14+ form)."""
    c = constants
    pre_idle = c.light_pre_idle_to_ms
    lines = ["  Settings:", _duration("flex_time_short", FLEX_TIME_SHORT_MS)]
    lines.append(_duration("light_after_inactive_to", c.light_after_inactive_to_ms))
    if pre_idle is not None:  # 12/13
        lines.append(_duration("light_pre_idle_to", pre_idle))
    lines += [
        _duration("light_idle_to", c.light_idle_to_ms),
        _duration("light_idle_to_initial_flex", LIGHT_IDLE_TIMEOUT_INITIAL_FLEX_MS),
        _duration("light_max_idle_to_flex", LIGHT_MAX_IDLE_TIMEOUT_FLEX_MS),
        f"    light_idle_factor={_java(c.light_idle_factor)}",
    ]
    if pre_idle is None:  # 14+: linear growth of light idle (off by default)
        lines += [
            "    light_idle_increase_linearly=false",
            # mDefaultLightIdleLinearIncreaseFactorMs = mDefaultLightIdleTimeout (a long)
            f"    light_idle_linear_increase_factor_ms={c.light_idle_to_ms}",
            f"    light_idle_flex_linear_increase_factor_ms={LIGHT_IDLE_TIMEOUT_INITIAL_FLEX_MS}",
        ]
    mms, sms, notification = TEMP_ALLOWLIST_DURATIONS_MS[1:]
    lines += [
        _duration("light_max_idle_to", c.light_max_idle_to_ms),
        _duration("light_idle_maintenance_min_budget", c.light_idle_maintenance_min_budget_ms),
        _duration("light_idle_maintenance_max_budget", c.light_idle_maintenance_max_budget_ms),
        _duration("min_light_maintenance_time", c.min_light_maintenance_time_ms),
        _duration("min_deep_maintenance_time", c.min_deep_maintenance_time_ms),
        _duration("inactive_to", c.inactive_to_ms),
        _duration("sensing_to", c.sensing_to_ms),
        _duration("locating_to", c.locating_to_ms),
        "    location_accuracy=20.0m",  # DEFAULT_LOCATION_ACCURACY = 20f, then "m"
        _duration("motion_inactive_to", c.motion_inactive_to_ms),
        _duration("motion_inactive_to_flex", MOTION_INACTIVE_TIMEOUT_FLEX_MS),
        _duration("idle_after_inactive_to", c.idle_after_inactive_to_ms),
        _duration("idle_pending_to", c.idle_pending_to_ms),
        _duration("max_idle_pending_to", c.max_idle_pending_to_ms),
        f"    idle_pending_factor={_java(c.idle_pending_factor)}",
        _duration("quick_doze_delay_to", c.quick_doze_delay_to_ms),
        _duration("idle_to", c.idle_to_ms),
        _duration("max_idle_to", c.max_idle_to_ms),
        f"    idle_factor={_java(c.idle_factor)}",
        _duration("min_time_to_alarm", c.min_time_to_alarm_ms),
        _duration("max_temp_app_allowlist_duration_ms", TEMP_ALLOWLIST_DURATIONS_MS[0]),
        _duration("mms_temp_app_allowlist_duration_ms", mms),
        _duration("sms_temp_app_allowlist_duration_ms", sms),
        _duration("notification_allowlist_duration_ms", notification),
        f"    wait_for_unlock={_java(c.wait_for_unlock)}",
    ]
    if pre_idle is not None:  # 12/13: DEFAULT_PRE_IDLE_FACTOR_LONG / _SHORT
        lines += ["    pre_idle_factor_long=1.67", "    pre_idle_factor_short=0.33"]
    lines.append("    use_window_alarms=true")  # DEFAULT_USE_WINDOW_ALARMS
    if pre_idle is None:
        lines.append("    use_mode_manager=false")  # mDefaultUseModeManager
    return lines
