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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from harness._units import MS_PER_HOUR, parse_duration
from harness.strategies._transitions import (
    CLOSERS,
    SCREEN_OFF_GAP_MS,
    TRANSITIONS,
    AppState,
    EventGroup,
    transition_for,
)

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
#: The level at which the user is made to plug in.
PLUG_IN_LEVEL: Final = 10
#: A replayed timeline is illegal when the predicted level falls this low without a charger
#: (below :data:`PLUG_IN_LEVEL`, so rounding a drawn plug-in to the minute never trips it).
RUN_DOWN_LEVEL: Final = 5


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
        transition = transition_for(event, self.app_actions)
        return None if transition is None else transition.closed_by

    def legal(self, event: str) -> str | None:
        """Why ``event`` cannot happen now (``None``: it can)."""
        if self.booting:
            return "the phone is rebooting"
        transition = transition_for(event, self.app_actions)
        if transition is None:
            return "no such event in the phone model"
        return transition.guard(self)

    def apply(self, event: str) -> None:
        """Carry out ``event`` at ``t_ms`` (check :meth:`legal` first)."""
        transition = transition_for(event, self.app_actions)
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
