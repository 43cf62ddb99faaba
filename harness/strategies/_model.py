"""The phone a drawn timeline walks: a small state machine of what the user and adb can do next.

Each timeline event is a transition of :class:`PhoneModel`, legal only in the states a real phone
can produce it from: a charge only while unplugged (``BatteryManager``: a charger is connected
once), doze's ``force-idle`` only with the screen off and no charger
(AOSP ``DeviceIdleController.becomeInactiveIfAppropriateLocked``: ``!mScreenOn && !mCharging``),
a low-memory kill only of a running background process (``ProcessList``'s LMK spares the TOP
app), ``swipe away`` only of an app in recents, ``unforce`` only after ``force-idle``, nothing on
the adb shell while the phone reboots (``adb: no devices/emulators found``), and no week without
a charger (the phone would die and every later adb command fail). :func:`timeline_problems`
replays a finished timeline through the same machine, so tests can say "every drawn timeline is
legal".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from harness._units import MS_PER_HOUR, MS_PER_MINUTE, parse_duration


class AppState(enum.Enum):
    """Where the app under test is, as the user sees it."""

    GONE = "gone"  # no process and no task in recents (never opened, killed, swiped, rebooted)
    FOREGROUND = "foreground"  # on screen (ActivityManager PROCESS_STATE_TOP)
    BACKGROUND = "background"  # left with Home: a cached process and a task in recents
    STOPPED = "stopped"  # am force-stop: stopped until the user opens it again


#: Battery figures the model predicts with, deliberately pessimistic: the smallest bundled
#: battery (``budget``: 3000 mAh, starting at 60 %), more drain and slower charging than any
#: bundled profile (they draw 360-400 mA with the screen on, 14-20 mA suspended, and charge at
#: 1-3 A on AC), so a drawn timeline never lets the phone die.
CAPACITY_MAH: Final = 3000
START_LEVEL: Final = 60
SCREEN_ON_MA: Final = 450
SCREEN_OFF_MA: Final = 25
CHARGE_MA: Final = {"ac": 900, "usb": 300}
# (no ``plug in wireless``: the budget profiles have no wireless charging, so a wireless pad
# would leave the model charging a phone that runs down)
#: The level at which the user is made to plug in, and the level the charge must reach before
#: an unplug is drawn again (a user does not unplug a nearly empty phone after a minute).
PLUG_IN_LEVEL: Final = 10
UNPLUG_LEVEL: Final = 40
#: A replayed timeline is illegal when the predicted level falls this low without a charger
#: (below :data:`PLUG_IN_LEVEL`, so rounding a drawn plug-in to the minute never trips it).
RUN_DOWN_LEVEL: Final = 5
#: How long after a reboot the phone takes adb commands again: boot (30 s on pixel-like, 45 s on
#: the budget profiles) and BOOT_COMPLETED, with room to spare.
BOOT_GAP_MS: Final = 2 * MS_PER_MINUTE
#: How long the screen stays on after the user stops touching it (the longest bundled
#: ``screen.off_timeout_ms`` is the tablet's 2 min), plus a margin.
SCREEN_OFF_GAP_MS: Final = 3 * MS_PER_MINUTE

_USE_PHONE: Final = re.compile(r"^use phone for (?P<duration>\S+)$")


@dataclass(slots=True)
class PhoneModel:
    """What a timeline has done to the phone so far (times in ms since the start of the run).

    The phone starts on (booted at 0 ms), unplugged, screen on from boot, every radio on and in
    range, the app not running: a scenario's start.
    """

    t_ms: int = 0
    on_from_ms: int = 0
    plugged: str | None = None
    #: predicted charge in mAh, as of ``t_ms``
    charge_mah: float = CAPACITY_MAH * START_LEVEL / 100
    screen_on_until_ms: int = SCREEN_OFF_GAP_MS
    wifi: bool = True
    data: bool = True
    airplane: bool = False
    wifi_in_range: bool = True
    cellular_in_range: bool = True
    captive_portal: bool = False
    battery_set_low: bool = False
    force_idle: bool = False
    app: AppState = AppState.GONE
    #: the user's actions in the app (``app edit note``) the timeline may contain
    app_actions: tuple[str, ...] = field(default=())

    # --- time -------------------------------------------------------------------------------

    @property
    def level(self) -> float:
        """The predicted battery level, in percent."""
        return 100 * self.charge_mah / CAPACITY_MAH

    def _drain_ma(self, t_ms: int) -> float:
        if self.plugged is not None:
            return -CHARGE_MA[self.plugged]
        return SCREEN_ON_MA if t_ms < self.screen_on_until_ms else SCREEN_OFF_MA

    def advance(self, t_ms: int) -> None:
        """Move to ``t_ms`` (never backwards), draining or charging the predicted battery."""
        if t_ms < self.t_ms:
            raise ValueError(f"time goes backwards: {t_ms} ms after {self.t_ms} ms")
        screen_end = max(min(self.screen_on_until_ms, t_ms), self.t_ms)
        for start, end in ((self.t_ms, screen_end), (screen_end, t_ms)):
            self.charge_mah -= self._drain_ma(start) * (end - start) / MS_PER_HOUR
        self.charge_mah = min(max(self.charge_mah, 0.0), float(CAPACITY_MAH))
        self.t_ms = t_ms

    def dies_before(self, t_ms: int, level: float = PLUG_IN_LEVEL) -> int | None:
        """When, before ``t_ms``, the predicted level falls to ``level`` percent (``None``: it
        does not, or a charger is in)."""
        if self.plugged is not None:
            return None
        floor = CAPACITY_MAH * level / 100
        charge, now = self.charge_mah, self.t_ms
        for end, drain in ((self.screen_on_until_ms, SCREEN_ON_MA), (t_ms, SCREEN_OFF_MA)):
            end = min(max(end, now), t_ms)
            if end <= now:
                continue
            spent = drain * (end - now) / MS_PER_HOUR
            if charge - spent <= floor:
                return now + int((charge - floor) / drain * MS_PER_HOUR)
            charge, now = charge - spent, end
        return None

    @property
    def booting(self) -> bool:
        """Whether the phone is still rebooting at ``t_ms`` (adb and the user wait)."""
        return self.t_ms < self.on_from_ms

    def screen_on(self) -> bool:
        """Whether the screen may still be on at ``t_ms`` (in use, or not yet timed out)."""
        return self.t_ms < self.screen_on_until_ms

    # --- transitions ------------------------------------------------------------------------

    def closer_of(self, event: str) -> str | None:
        """The event that ends ``event``'s window, if it opens one."""
        transition = _transition(event, self.app_actions)
        return None if transition is None else transition.closed_by

    def legal(self, event: str) -> str | None:
        """Why ``event`` cannot happen now (``None``: it can)."""
        if self.booting:
            return "the phone is rebooting"
        transition = _transition(event, self.app_actions)
        if transition is None:
            return "no such event in the phone model"
        return transition.guard(self)

    def apply(self, event: str) -> None:
        """Carry out ``event`` at ``t_ms`` (check :meth:`legal` first)."""
        transition = _transition(event, self.app_actions)
        assert transition is not None, event
        transition.effect(self, event)

    def choices(self, group: EventGroup) -> list[str]:
        """The events of ``group`` a timeline may draw now, mildest first (an event that ends
        a window, like ``svc wifi enable``, comes with its window and is not drawn alone;
        ``leave app`` is, for an app brought up by the user's actions)."""
        if self.booting:
            return []
        return [
            transition.text
            for transition in TRANSITIONS
            if transition.group is group
            and (transition.text not in CLOSERS or transition.text == "leave app")
            and transition.guard(self) is None
        ] + ([*self.app_actions] if group is EventGroup.APP_ACTION else [])

    def charged_at(self, level: float) -> int:
        """When, on the charger, the predicted level reaches ``level`` percent (now if it has)."""
        missing = CAPACITY_MAH * level / 100 - self.charge_mah
        if missing <= 0 or self.plugged is None:
            return self.t_ms
        return self.t_ms + int(missing / CHARGE_MA[self.plugged] * MS_PER_HOUR) + 1


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


def _transition(event: str, app_actions: Sequence[str]) -> Transition | None:
    if event in _BY_TEXT:
        return _BY_TEXT[event]
    if _USE_PHONE.match(event):
        return _BY_TEXT["use phone for {D}"]
    if event in app_actions or event.startswith("app "):
        return _APP_ACTION
    return None


def timeline_problems(
    timeline: Iterable[Mapping[str, Any]], *, app_actions: Sequence[str] = ()
) -> list[str]:
    """Replay ``timeline`` (``at``/``do`` entries in time order) through :class:`PhoneModel`:
    each event the phone could not produce then, and each time the battery would have run
    below :data:`RUN_DOWN_LEVEL` (empty: the timeline is legal)."""
    model = PhoneModel(app_actions=tuple(app_actions))
    problems: list[str] = []
    for entry in timeline:
        t_ms = parse_duration(str(entry["at"]))
        event = str(entry["do"])
        dies = model.dies_before(t_ms, RUN_DOWN_LEVEL)
        if dies is not None:
            problems.append(f"at {entry['at']}: the battery runs down before it (no charger)")
        if t_ms < model.t_ms:
            problems.append(f"at {entry['at']}: {event!r} comes before the event above it")
            continue
        model.advance(t_ms)
        why = model.legal(event)
        if why is not None:
            problems.append(f"at {entry['at']}: {event!r}: {why}")
            continue
        model.apply(event)
    return problems
