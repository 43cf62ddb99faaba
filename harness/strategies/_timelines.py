"""``timelines()``: device timelines drawn as walks of the phone model (:mod:`._model`).

Each step draws five integers: a marker (0: the walk ends), the gap to the previous event
(whole minutes on top of ``min_gap``), the group of event (app, screen, network, power, ...),
which legal event of that group, and a span: how long ``use phone for D`` lasts, or how long
the window an event opens stays open (``svc wifi disable`` is followed by ``svc wifi enable``
that long after, ``plug in`` by ``unplug``, ``open app`` by ``leave app``). Every draw shrinks
towards 0, which means: stop, no extra gap, the first (mildest) group and event, the shortest
span. So hypothesis shrinks a failing week towards fewer events, earlier times and shorter
windows, and deleting one step leaves the others as they were (a step whose event is no longer
legal after a deletion draws nothing, never an event of another kind).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from typing import Any, Final

from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_MINUTE, format_duration_ms, parse_duration
from harness.strategies._model import PhoneModel
from harness.strategies._transitions import TRANSITIONS, UNPLUG_LEVEL, EventGroup

#: Device events a drawn timeline may contain, by their text (``use phone for {D}`` stands for
#: every length); ``timelines(events=...)`` takes a subset.
DEVICE_EVENTS: Final = tuple(transition.text for transition in TRANSITIONS)
#: The groups a step draws from, mildest first (a shrinking choice goes to the first), with
#: their weights: how many of 24 steps draw from each, about.
_GROUP_WEIGHTS: Final = (
    (EventGroup.SCREEN, 6),
    (EventGroup.APP_ACTION, 5),
    (EventGroup.APP, 5),
    (EventGroup.NETWORK, 6),
    (EventGroup.POWER, 3),
    (EventGroup.BATTERY, 1),
    (EventGroup.DOZE, 1),
    (EventGroup.REBOOT, 1),
)
#: The walk stops when the marker draws 0: about one step in this many at random, every step
#: once shrunk.
_CONTINUE_ODDS: Final = 1023
_PICKS: Final = 63
#: After a forced charge (the battery ran low), the user unplugs at this level.
_FULL_ENOUGH: Final = 80


def _at(t_ms: int) -> str:
    return format_duration_ms(t_ms) if t_ms else "0s"


def _ms(value: str | int) -> int:
    return value if isinstance(value, int) else parse_duration(value)


def _minute_up(t_ms: int) -> int:
    return -(-t_ms // MS_PER_MINUTE) * MS_PER_MINUTE


class _Walk:
    """The timeline being drawn: the model, the events so far and the windows still open."""

    def __init__(self, model: PhoneModel, end_ms: int) -> None:
        self.model = model
        self.end_ms = end_ms
        self.timeline: list[dict[str, Any]] = []
        #: ``(t_ms, order, event)`` of window ends to come
        self.pending: list[tuple[int, int, str]] = []
        self._order = 0

    def add(self, t_ms: int, event: str) -> None:
        self.model.advance(t_ms)
        self.model.apply(event)
        self.timeline.append({"at": _at(t_ms), "do": event})

    def close_later(self, t_ms: int, event: str) -> None:
        self._order += 1
        heapq.heappush(self.pending, (_minute_up(t_ms), self._order, event))

    def run_until(self, t_ms: int) -> bool:
        """Close the windows due by ``t_ms`` and charge a phone running low, in time order;
        ``False`` when the walk reached the end of the run."""
        model = self.model
        while True:
            due = self.pending[0][0] if self.pending else None
            target = t_ms if due is None else min(due, t_ms)
            runs_down = model.dies_before(target)
            if runs_down is not None:
                # the user charges a phone that runs low: a phone at 0 % is off, and a
                # timeline that goes on with it off is one no phone produces
                plug_ms = max(model.t_ms, model.on_from_ms, runs_down // MS_PER_MINUTE * 60_000)
                if plug_ms >= self.end_ms:
                    return False
                self.add(plug_ms, "plug in ac")
                self.close_later(model.charged_at(_FULL_ENOUGH), "unplug")
                continue
            if due is None or due > t_ms:
                return t_ms < self.end_ms
            when, _order, event = heapq.heappop(self.pending)
            if when >= self.end_ms:
                continue
            model.advance(max(when, model.t_ms))
            if model.booting:  # the user waits for the phone to come back
                self.close_later(model.on_from_ms, event)
                continue
            if event == "unplug" and model.plugged is not None and model.level < UNPLUG_LEVEL:
                self.close_later(model.charged_at(UNPLUG_LEVEL), event)
                continue
            if model.legal(event) is None:  # a swipe may have ended the app's session early
                self.add(model.t_ms, event)


def timelines(
    *,
    days: int = 7,
    max_events: int = 30,
    events_per_day: float = 6.0,
    min_gap: str | int = "1m",
    max_use: str | int = "1h",
    max_window: str | int = "6h",
    events: Collection[str] | None = None,
    app_actions: tuple[str, ...] = (),
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Timelines a phone can produce: ``open app`` at 0 s, then events before ``days``.

    Events are drawn as a walk of :class:`~harness.strategies.PhoneModel` (each legal in the
    state the earlier ones left), at whole minutes, about ``events_per_day`` a day and at least
    ``min_gap`` apart, at most ``max_events`` drawn (window ends and charges come on top).
    ``use phone for D`` lasts up to ``max_use``; an event that opens a window (Wi-Fi off,
    airplane mode, a charger, the app opened, forced doze) is ended up to ``max_window`` later.
    ``events`` limits the device events to a subset of :data:`DEVICE_EVENTS`; ``app_actions``
    (e.g. ``"app edit note"``) are the user's own actions in the app, mixed in. When the
    predicted battery runs low the user plugs in (``plug in ac``), so the phone never dies.
    Shrinks towards fewer and earlier events, shorter windows and milder events.
    """
    if days < 1 or max_events < 0 or events_per_day <= 0:
        raise ValueError(
            f"timelines(days={days}, max_events={max_events}, events_per_day={events_per_day}): "
            "give days >= 1, max_events >= 0 and events_per_day > 0"
        )
    allowed = frozenset(DEVICE_EVENTS if events is None else events)
    unknown = sorted(allowed - set(DEVICE_EVENTS))
    if unknown:
        raise ValueError(
            f"timelines(events=...): {', '.join(map(repr, unknown))} not in DEVICE_EVENTS; "
            f"choose from {', '.join(DEVICE_EVENTS)}"
        )
    return _walks(
        days * MS_PER_DAY,
        max_events,
        _ms(min_gap),
        max(1, round(MS_PER_DAY / events_per_day / MS_PER_MINUTE)),
        max(1, _ms(max_use) // MS_PER_MINUTE),
        max(1, _ms(max_window) // MS_PER_MINUTE),
        allowed,
        tuple(app_actions),
    )


@st.composite
def _walks(
    draw: st.DrawFn,
    end_ms: int,
    max_events: int,
    gap_ms: int,
    mean_gap_minutes: int,
    use_minutes: int,
    window_minutes: int,
    allowed: frozenset[str],
    app_actions: tuple[str, ...],
) -> list[dict[str, Any]]:
    wheel = [
        group
        for group, weight in _GROUP_WEIGHTS
        if (group is EventGroup.APP_ACTION and app_actions)
        or any(t.group is group and t.text in allowed for t in TRANSITIONS)
        for _ in range(weight)
    ]
    walk = _Walk(PhoneModel(app_actions=app_actions), end_ms)
    walk.add(0, "open app")
    # the same strategies each step, made once (st.integers looks its arguments up in a cache
    # on every call: a fifth of the drawing time); the draws, and so the examples, are the same
    carry_on = st.integers(0, _CONTINUE_ODDS)
    extras = st.integers(0, 2 * mean_gap_minutes)
    groups = st.integers(0, max(len(wheel) - 1, 0))
    picks = st.integers(0, _PICKS)
    spans = st.integers(0, window_minutes - 1)
    drawn = 0
    while drawn < max_events and wheel:
        if draw(carry_on) == 0:
            break
        extra = draw(extras)
        group = wheel[draw(groups)]
        pick = draw(picks)
        span = draw(spans)
        model = walk.model
        t_ms = _minute_up(max(model.t_ms + gap_ms + extra * MS_PER_MINUTE, model.on_from_ms))
        if not walk.run_until(t_ms):
            break
        model.advance(t_ms)
        if model.booting:  # a charge made during the reboot moved time on
            continue
        choices = [
            text
            for text in model.choices(group)
            if text in allowed or group is EventGroup.APP_ACTION
        ]
        if not choices:
            continue
        event = choices[pick % len(choices)]
        if event == "use phone for {D}":
            minutes = 1 + span * use_minutes // window_minutes
            event = f"use phone for {format_duration_ms(minutes * MS_PER_MINUTE)}"
        walk.add(t_ms, event)
        closer = model.closer_of(event)
        if closer is not None:
            # the app stays open as long as a use of the phone; other windows up to max_window
            minutes = 1 + span * use_minutes // window_minutes if event == "open app" else span + 1
            walk.close_later(t_ms + minutes * MS_PER_MINUTE, closer)
        drawn += 1
    walk.run_until(walk.end_ms - 1)
    return walk.timeline
