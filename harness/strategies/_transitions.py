"""The events of the phone model (:mod:`._model`): each one's group, when the phone can produce
it (its guard, with the AOSP rule it follows) and what it changes.

Guards and effects read and write a :class:`~harness.strategies.PhoneModel`; the table lists
each group's events mildest first, because hypothesis shrinks a choice towards the first.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from harness._units import MS_PER_MINUTE, parse_duration

if TYPE_CHECKING:
    from harness.strategies._model import PhoneModel


class AppState(enum.Enum):
    """Where the app under test is, as the user sees it."""

    GONE = "gone"  # no process and no task in recents (never opened, killed, swiped, rebooted)
    FOREGROUND = "foreground"  # on screen (ActivityManager PROCESS_STATE_TOP)
    BACKGROUND = "background"  # left with Home: a cached process and a task in recents
    STOPPED = "stopped"  # am force-stop: stopped until the user opens it again


#: The level the charge must reach before an unplug is drawn again (a user does not unplug a
#: nearly empty phone after a minute).
UNPLUG_LEVEL: Final = 40
#: How long after a reboot the phone takes adb commands again: boot (30 s on pixel-like, 45 s on
#: the budget profiles) and BOOT_COMPLETED, with room to spare.
BOOT_GAP_MS: Final = 2 * MS_PER_MINUTE
#: How long the screen stays on after the user stops touching it (the longest bundled
#: ``screen.off_timeout_ms`` is the tablet's 2 min), plus a margin.
SCREEN_OFF_GAP_MS: Final = 3 * MS_PER_MINUTE

_USE_PHONE: Final = re.compile(r"^use phone for (?P<duration>\S+)$")


class EventGroup(enum.Enum):
    """Kinds of event a timeline step draws from (each its own dimension of the phone)."""

    APP = "app"  # open, leave, swipe away, kill, force-stop
    APP_ACTION = "app_action"  # the user's own actions in the app (``app edit note``)
    SCREEN = "screen"  # the user picks the phone up (``use phone for D``)
    POWER = "power"  # chargers
    NETWORK = "network"  # radios, reach, captive portals
    BATTERY = "battery"  # dumpsys battery set level (a low battery without the wait)
    DOZE = "doze"  # dumpsys deviceidle force-idle / unforce
    REBOOT = "reboot"


def _ok(_: PhoneModel) -> str | None:
    return None


def _when(condition: Callable[[PhoneModel], bool], why: str) -> Callable[[PhoneModel], str | None]:
    return lambda model: None if condition(model) else why


def _set(**changes: Any) -> Callable[[PhoneModel, str], None]:
    def effect(model: PhoneModel, _event: str) -> None:
        for name, value in changes.items():
            setattr(model, name, value)

    return effect


def _open(model: PhoneModel, _event: str) -> None:
    model.app = AppState.FOREGROUND
    # opening the app means the screen is on while the user looks at it
    model.screen_on_until_ms = max(model.screen_on_until_ms, model.t_ms + SCREEN_OFF_GAP_MS)


def _leave(model: PhoneModel, _event: str) -> None:
    model.app = AppState.BACKGROUND
    model.screen_on_until_ms = max(model.screen_on_until_ms, model.t_ms + SCREEN_OFF_GAP_MS)


def _use_phone(model: PhoneModel, event: str) -> None:
    match = _USE_PHONE.match(event)
    assert match is not None
    until = model.t_ms + parse_duration(match["duration"]) + SCREEN_OFF_GAP_MS
    model.screen_on_until_ms = max(model.screen_on_until_ms, until)


def _plug(charger: str) -> Callable[[PhoneModel, str], None]:
    return _set(plugged=charger)


def _reboot(model: PhoneModel, _event: str) -> None:
    # BatteryService forgets `dumpsys battery set` and DeviceIdleController its forced idle when
    # system_server restarts; the stopped state of a force-stopped package survives a reboot
    # (PackageManagerService keeps it in packages-stopped.xml)
    model.on_from_ms = model.t_ms + BOOT_GAP_MS
    model.screen_on_until_ms = model.on_from_ms + SCREEN_OFF_GAP_MS
    model.battery_set_low = False
    model.force_idle = False
    if model.app is not AppState.STOPPED:
        model.app = AppState.GONE


def _app_action(model: PhoneModel, _event: str) -> None:
    # an action in a dead app first brings it up the way the user does (opening it)
    if model.app in (AppState.GONE, AppState.STOPPED):
        model.app = AppState.FOREGROUND
        model.screen_on_until_ms = max(model.screen_on_until_ms, model.t_ms + SCREEN_OFF_GAP_MS)


@dataclass(frozen=True, slots=True)
class Transition:
    """One event of the model: its text, group, when it is legal and what it changes."""

    text: str
    group: EventGroup
    guard: Callable[[PhoneModel], str | None]
    effect: Callable[[PhoneModel, str], None]
    #: the event that ends this one's window (``svc wifi enable`` after ``svc wifi disable``):
    #: a drawn timeline schedules it a drawn span later and never draws it on its own
    closed_by: str | None = None


_SHELL: Final = "adb shell "
_in_recents = _when(
    lambda m: m.app in (AppState.FOREGROUND, AppState.BACKGROUND), "the app is not in recents"
)

#: Every transition, mildest first within a group (hypothesis shrinks a choice towards the first).
TRANSITIONS: Final[tuple[Transition, ...]] = (
    Transition(
        "open app",
        EventGroup.APP,
        _when(lambda m: m.app is not AppState.FOREGROUND, "the app is already on screen"),
        _open,
        "leave app",
    ),
    Transition(
        "leave app",
        EventGroup.APP,
        _when(lambda m: m.app is AppState.FOREGROUND, "the app is not on screen"),
        _leave,
    ),
    Transition(
        "kill app",
        EventGroup.APP,
        # ProcessList: the low-memory killer takes cached processes, never the TOP app
        _when(lambda m: m.app is AppState.BACKGROUND, "no background process to kill"),
        _set(app=AppState.GONE),
    ),
    Transition("swipe away", EventGroup.APP, _in_recents, _set(app=AppState.GONE)),
    Transition(
        "force-stop",
        EventGroup.APP,
        _when(lambda m: m.app is not AppState.STOPPED, "the app is already stopped"),
        _set(app=AppState.STOPPED),
    ),
    Transition("use phone for {D}", EventGroup.SCREEN, _ok, _use_phone),
    Transition(
        "plug in ac",
        EventGroup.POWER,
        _when(lambda m: m.plugged is None, "already plugged in"),
        _plug("ac"),
        "unplug",
    ),
    Transition(
        "plug in usb",
        EventGroup.POWER,
        _when(lambda m: m.plugged is None, "already plugged in"),
        _plug("usb"),
        "unplug",
    ),
    Transition(
        "unplug",
        EventGroup.POWER,
        _when(
            lambda m: m.plugged is not None and m.level >= UNPLUG_LEVEL,
            f"not plugged in, or charged below {UNPLUG_LEVEL} %",
        ),
        _set(plugged=None),
    ),
    Transition(
        f"{_SHELL}svc wifi disable",
        EventGroup.NETWORK,
        _when(lambda m: m.wifi, "Wi-Fi is off"),
        _set(wifi=False),
        f"{_SHELL}svc wifi enable",
    ),
    Transition(
        f"{_SHELL}svc wifi enable",
        EventGroup.NETWORK,
        _when(lambda m: not m.wifi, "Wi-Fi is on"),
        _set(wifi=True),
    ),
    Transition(
        f"{_SHELL}svc data disable",
        EventGroup.NETWORK,
        _when(lambda m: m.data, "data is off"),
        _set(data=False),
        f"{_SHELL}svc data enable",
    ),
    Transition(
        f"{_SHELL}svc data enable",
        EventGroup.NETWORK,
        _when(lambda m: not m.data, "data is on"),
        _set(data=True),
    ),
    Transition(
        "wifi out of range",
        EventGroup.NETWORK,
        _when(lambda m: m.wifi_in_range, "Wi-Fi is out of range"),
        _set(wifi_in_range=False),
        "wifi in range",
    ),
    Transition(
        "wifi in range",
        EventGroup.NETWORK,
        _when(lambda m: not m.wifi_in_range, "Wi-Fi is in range"),
        _set(wifi_in_range=True),
    ),
    Transition(
        "cellular out of range",
        EventGroup.NETWORK,
        _when(lambda m: m.cellular_in_range, "cellular is out of range"),
        _set(cellular_in_range=False),
        "cellular in range",
    ),
    Transition(
        "cellular in range",
        EventGroup.NETWORK,
        _when(lambda m: not m.cellular_in_range, "cellular is in range"),
        _set(cellular_in_range=True),
    ),
    Transition(
        f"{_SHELL}cmd connectivity airplane-mode enable",
        EventGroup.NETWORK,
        _when(lambda m: not m.airplane, "airplane mode is on"),
        _set(airplane=True),
        f"{_SHELL}cmd connectivity airplane-mode disable",
    ),
    Transition(
        f"{_SHELL}cmd connectivity airplane-mode disable",
        EventGroup.NETWORK,
        _when(lambda m: m.airplane, "airplane mode is off"),
        _set(airplane=False),
    ),
    Transition(
        "wifi captive portal on",
        EventGroup.NETWORK,
        _when(lambda m: not m.captive_portal, "the captive portal is on"),
        _set(captive_portal=True),
        "wifi captive portal off",
    ),
    Transition(
        "wifi captive portal off",
        EventGroup.NETWORK,
        _when(lambda m: m.captive_portal, "there is no captive portal"),
        _set(captive_portal=False),
    ),
    Transition(
        f"{_SHELL}dumpsys battery set level 14",
        EventGroup.BATTERY,
        _when(lambda m: not m.battery_set_low, "the level is already set"),
        _set(battery_set_low=True),
        f"{_SHELL}dumpsys battery reset",
    ),
    Transition(
        f"{_SHELL}dumpsys battery reset",
        EventGroup.BATTERY,
        _when(lambda m: m.battery_set_low, "nothing to reset"),
        _set(battery_set_low=False),
    ),
    Transition(
        f"{_SHELL}dumpsys deviceidle force-idle",
        EventGroup.DOZE,
        # DeviceIdleController.becomeInactiveIfAppropriateLocked: !mScreenOn && !mCharging
        _when(
            lambda m: not m.force_idle and not m.screen_on() and m.plugged is None,
            "force-idle needs the screen off, no charger and no forced idle yet",
        ),
        _set(force_idle=True),
        f"{_SHELL}dumpsys deviceidle unforce",
    ),
    Transition(
        f"{_SHELL}dumpsys deviceidle unforce",
        EventGroup.DOZE,
        _when(lambda m: m.force_idle, "idle is not forced"),
        _set(force_idle=False),
    ),
    Transition("reboot", EventGroup.REBOOT, _ok, _reboot),
)

#: Events that end a window (``closed_by`` of another).
CLOSERS: Final = frozenset(t.closed_by for t in TRANSITIONS if t.closed_by is not None)
_BY_TEXT: Final[Mapping[str, Transition]] = {t.text: t for t in TRANSITIONS}
_APP_ACTION: Final = Transition("app", EventGroup.APP_ACTION, _ok, _app_action)


def transition_for(event: str, app_actions: Sequence[str]) -> Transition | None:
    if event in _BY_TEXT:
        return _BY_TEXT[event]
    if _USE_PHONE.match(event):
        return _BY_TEXT["use phone for {D}"]
    if event in app_actions or event.startswith("app "):
        return _APP_ACTION
    return None
