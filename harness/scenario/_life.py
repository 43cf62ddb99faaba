"""Drawing a life from a seed: the ``life:`` section becomes timeline actions, day by day.

Every draw comes from a named stream, ``random.Random(derive_seed(seed, "life.<dimension>.
day<N>"))`` (SHA-256 of the seed and the name, never ``hash()``), one per dimension and day, and
``"life.vendor"`` for the vendor: adding a dimension, a field or a day never shifts the draws of
the others. The life is *episodes* of ordinary timeline action texts (``open app``, ``plug in
ac``, ``wifi out of range``, ``link wifi ...``, ``server outage 12m slow 4s``): the same actions
a scenario writes, carried out by the same :class:`~harness.scenario.World`; the vendor becomes a
device-profile override. How episodes yield to the written timeline is in :mod:`._life_plan`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE
from harness.scenario._life_spec import (
    ChargingSpec,
    LifeSpec,
    LinkSpan,
    PlacesSpec,
    RoutineSpec,
    ServerSpec,
    Span,
)
from harness.sim import derive_seed

#: The dimensions of a life, in the order they are drawn and summarised.
DIMENSIONS: Final = ("routine", "charging", "places", "server")
_WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Episode:
    """Drawn actions that belong together (a session, a charge, a commute leg, a slow spell):
    kept or dropped as a whole, over ``[start_ms, end_ms]``."""

    dimension: str
    start_ms: int
    end_ms: int
    actions: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Panic:
    """Whether the owner panics on day ``day`` when the battery reaches the panic level."""

    day: int
    panics: bool
    length_ms: int


@dataclass(frozen=True, slots=True)
class DayLife:
    """What one day drew, in words (the summary ``harness replay`` prints)."""

    day: int
    weekday: str
    notes: tuple[tuple[str, str], ...]

    def line(self) -> str:
        """``day 2 Wed  routine: ...; charging: ...``"""
        parts = "; ".join(f"{dimension}: {text}" for dimension, text in self.notes if text)
        return f"day {self.day} {self.weekday}  {parts}"


@dataclass(frozen=True, slots=True)
class DrawnLife:
    """The life one seed drew: the vendor, per-day summaries, episodes and panic decisions."""

    preset: str
    seed: int
    vendor: str | None
    days: tuple[DayLife, ...]
    episodes: tuple[Episode, ...]
    panics: tuple[Panic, ...] = ()
    panic_level: int | None = None
    charger: str = "ac"
    dropped: int = field(default=0)

    def summary_lines(self) -> list[str]:
        """A short readable summary: the life, then one line per day."""
        head = f"life {self.preset} (seed {self.seed})"
        if self.vendor is not None:
            head += f", vendor {self.vendor}"
        if self.panic_level is not None:
            head += f", panics at {self.panic_level} %"
        if self.dropped:
            head += f"; {self.dropped} drawn episodes yield to the written timeline"
        return [head, *(f"  {day.line()}" for day in self.days)]

    def to_json(self) -> dict[str, Any]:
        """The life as ``summary.json`` records it per run."""
        return {
            "preset": self.preset,
            "vendor": self.vendor,
            "episodes": len(self.episodes),
            "dropped": self.dropped,
            "days": [day.line() for day in self.days],
        }


def _clock(t_ms: int) -> str:
    minutes = (t_ms % MS_PER_DAY) // MS_PER_MINUTE
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _seconds(duration_ms: int) -> str:
    """A duration as an action writes it, in whole seconds (at least 1 s)."""
    return f"{max(1, duration_ms // 1000)}s"


class _Day:
    """The draws of one day: its streams, its bounds, and the episodes it adds."""

    def __init__(self, seed: int, day: int, day_start_ms: int, weekend: bool) -> None:
        self.seed = seed
        self.day = day
        self.start_ms = day_start_ms
        self.weekend = weekend
        self.episodes: list[Episode] = []
        self.notes: dict[str, str] = {}
        self.wake_ms = self.start_ms + 7 * MS_PER_HOUR
        self.sleep_ms = self.start_ms + 23 * MS_PER_HOUR
        #: the commute legs (out, back) as (start, end)
        self.legs: list[tuple[int, int]] = []

    def rng(self, dimension: str) -> random.Random:
        return random.Random(derive_seed(self.seed, f"life.{dimension}.day{self.day}"))

    def add(self, dimension: str, actions: list[tuple[int, str]]) -> None:
        times = [t for t, _ in actions]
        self.episodes.append(Episode(dimension, min(times), max(times), tuple(actions)))


def _disjoint(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` windows in time order, each one that overlaps an earlier one left out
    (coverage is on or off: two drops at once would end together)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if not kept or start > kept[-1][1]:
            kept.append((start, end))
    return kept


def _minutes(duration_ms: int) -> str:
    return f"{max(1, round(duration_ms / MS_PER_MINUTE))}m"


def _pick(rng: random.Random, span: Span[int]) -> int:
    return rng.randint(span.low, span.high)


def _link(rng: random.Random, transport: str, link: LinkSpan) -> tuple[str, str]:
    latency, down, up = (
        _pick(rng, link.latency_ms),
        _pick(rng, link.down_kb_per_s),
        _pick(rng, link.up_kb_per_s),
    )
    loss = round(rng.uniform(link.loss_percent.low, link.loss_percent.high), 2)
    text = f"link {transport} latency {latency}ms down {down} KB/s up {up} KB/s loss {loss}%"
    return text, f"{latency}ms {down} KB/s {loss}%"


def _draw_routine(day: _Day, spec: RoutineSpec, package: str | None) -> None:
    rng = day.rng("routine")
    wake = spec.weekend_wake if day.weekend else spec.wake
    sleep = spec.weekend_sleep if day.weekend else spec.sleep
    day.wake_ms = day.start_ms + _pick(rng, wake)
    day.sleep_ms = day.start_ms + _pick(rng, sleep)
    if day.sleep_ms <= day.wake_ms:
        day.sleep_ms += MS_PER_DAY
    commutes = spec.commute_days == "daily" or (spec.commute_days == "weekdays" and not day.weekend)
    if commutes:
        out = day.start_ms + _pick(rng, spec.commute_out)
        back = day.start_ms + _pick(rng, spec.commute_back)
        if back <= out:
            back += MS_PER_DAY
        for leg_start in (out, back):
            day.legs.append((leg_start, leg_start + _pick(rng, spec.commute_length)))
    count = _pick(rng, spec.weekend_sessions if day.weekend else spec.sessions)
    starts = sorted(rng.randint(day.wake_ms, day.sleep_ms - 1) for _ in range(count))
    opens = set(rng.sample(range(count), min(count, _pick(rng, spec.app_opens))))
    app = "open app" if package is None else f"open app {package}"
    leave = "leave app" if package is None else f"leave app {package}"
    busy_until, done, opened = 0, 0, 0
    for index, start in enumerate(starts):
        length = _pick(rng, spec.session_length)
        if start < busy_until:  # sessions never overlap: this pick-up is part of the last one
            continue
        busy_until = start + length + MS_PER_MINUTE
        done += 1
        if index in opens:
            opened += 1
            day.add("routine", [(start, app), (start + length, leave)])
        else:
            day.add("routine", [(start, f"use phone for {_seconds(length)}")])
    legs = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in day.legs)
    day.notes["routine"] = (
        f"wake {_clock(day.wake_ms)} sleep {_clock(day.sleep_ms)}"
        + (f", commute {legs}" if legs else "")
        + f", {done} sessions ({opened} app opens)"
    )


def _draw_charging(day: _Day, spec: ChargingSpec, next_wake_ms: int) -> Panic:
    rng = day.rng("charging")
    notes = []
    if rng.random() < spec.overnight:
        plug = day.sleep_ms + rng.randint(0, 15 * MS_PER_MINUTE)
        day.add("charging", [(plug, f"plug in {spec.charger}"), (next_wake_ms, "unplug")])
        notes.append(f"overnight {_clock(plug)}-{_clock(next_wake_ms)}")
    top_up = rng.random() < spec.opportunistic
    length = _pick(rng, spec.top_up_length)
    earliest, latest = day.wake_ms + MS_PER_HOUR, day.sleep_ms - length - MS_PER_HOUR
    if top_up and latest > earliest:
        start = rng.randint(earliest, latest)
        day.add("charging", [(start, f"plug in {spec.charger}"), (start + length, "unplug")])
        notes.append(f"top-up {_clock(start)} for {_minutes(length)}")
    panic = Panic(day.day, rng.random() < spec.panic, _pick(rng, spec.panic_length))
    if panic.panics:
        notes.append(f"plugs in at {spec.panic_level} %")
    day.notes["charging"] = ", ".join(notes) or "none"
    return panic


def _home_spans(day: _Day) -> list[tuple[int, int]]:
    """When the owner is at home and awake (between the commute legs)."""
    spans, at = [], day.wake_ms
    for index, (start, end) in enumerate(day.legs):
        if index % 2 == 0:
            spans.append((at, start))
        at = end
    spans.append((at, day.sleep_ms))
    return [(a, b) for a, b in spans if b - a > 10 * MS_PER_MINUTE]


def _draw_places(day: _Day, spec: PlacesSpec) -> None:
    rng = day.rng("places")
    home, home_note = _link(rng, "wifi", spec.home)
    day.add("places", [(day.wake_ms, home)])
    notes = [f"home {home_note}"]
    zones = 0
    for index, (start, end) in enumerate(day.legs):
        cellular, cell_note = _link(rng, "cellular", spec.commute)
        actions = [
            (start, "wifi captive portal off"),
            (start, "wifi out of range"),
            (start, cellular),
        ]
        windows = []
        for _ in range(_pick(rng, spec.dead_zones)):
            begin = rng.randint(start, max(start, end - MS_PER_MINUTE))
            windows.append((begin, begin + min(_pick(rng, spec.dead_zone_length), end - begin)))
        for begin, finish in _disjoint(windows):
            actions += [(begin, "cellular out of range"), (finish, "cellular in range")]
            zones += 1
        going_to_work = index % 2 == 0
        if going_to_work and spec.work is not None:
            work, work_note = _link(rng, "wifi", spec.work)
            actions += [(end, "wifi in range"), (end, work)]
            if rng.random() < spec.captive_portal:
                actions.append((end, "wifi captive portal on"))
                work_note += " captive portal"
            notes.append(f"work {work_note}")
        elif not going_to_work:
            actions += [(end, "wifi in range"), (end, home)]
        if index == 0:
            notes.append(f"commute {cell_note}")
        day.add("places", sorted(actions, key=lambda item: item[0]))
    if zones:
        notes.append(f"{zones} dead zones")
    spans = _home_spans(day)
    if spans and rng.random() < spec.flaky_wifi:
        windows = []
        for _ in range(_pick(rng, spec.flaky_drops)):
            begin, end = spans[rng.randrange(len(spans))]
            start = rng.randint(begin, end - 1)
            windows.append((start, start + min(_pick(rng, spec.flaky_drop_length), end - start)))
        drops = _disjoint(windows)
        for start, finish in drops:
            day.add("places", [(start, "wifi out of range"), (finish, "wifi in range")])
        notes.append(f"flaky Wi-Fi ({len(drops)} drops)")
    day.notes["places"] = ", ".join(notes)


def _draw_server(day: _Day, spec: ServerSpec) -> None:
    rng = day.rng("server")
    counts: dict[str, int] = {}

    def spell(name: str, times: int, length: Span[int], text: Callable[[int], str]) -> None:
        for _ in range(times):
            start = day.start_ms + rng.randint(0, MS_PER_DAY - 1)
            duration = _pick(rng, length)
            day.add("server", [(start, text(duration))])
            counts[name] = counts.get(name, 0) + 1

    spell(
        "slow",
        _pick(rng, spec.slow),
        spec.slow_length,
        lambda ms: f"server outage {_seconds(ms)} slow {_seconds(_pick(rng, spec.slow_delay))}",
    )
    spell(
        "error",
        _pick(rng, spec.errors),
        spec.error_length,
        lambda ms: f"server outage {_seconds(ms)} error",
    )
    spell(
        "429",
        _pick(rng, spec.rate_limits),
        spec.rate_limit_length,
        lambda ms: f"server rate limit {_pick(rng, spec.rate_limit)} per 1m for {_seconds(ms)}",
    )
    spell(
        "outage",
        1 if rng.random() < spec.outage else 0,
        spec.outage_length,
        lambda ms: f"server outage {_seconds(ms)} error",
    )
    notes = [f"{n} {name}" for name, n in counts.items()] or ["calm"]
    if spec.latency_median is not None:  # drawn last: the spells' draws stay as they were
        median = _pick(rng, spec.latency_median)
        p99 = max(median, _pick(rng, spec.latency_p99))
        day.add("server", [(day.start_ms, f"server latency {median}ms p99 {p99}ms")])
        notes.append(f"latency {median} ms (p99 {p99} ms)")
    day.notes["server"] = ", ".join(notes)


def draw_life(
    spec: LifeSpec,
    *,
    seed: int,
    epoch: datetime,
    duration_ms: int,
    package: str | None = None,
    servers: bool = True,
) -> DrawnLife:
    """The life ``seed`` draws over ``[0, duration_ms)`` (day 0 is the epoch's date).

    ``package`` names the app ``open app`` opens (``None``: the scenario's only app);
    ``servers`` is whether the scenario has servers for the server weather to act on.
    """
    midnight = epoch.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = int((midnight - epoch) / timedelta(milliseconds=1))
    days_count = (duration_ms - offset + MS_PER_DAY - 1) // MS_PER_DAY + 1
    days = [
        _Day(seed, d, offset + d * MS_PER_DAY, (midnight + timedelta(days=d)).weekday() >= 5)
        for d in range(days_count + 1)  # one more: tonight's charge ends at tomorrow's wake
    ]
    if spec.routine is not None:
        for day in days:
            _draw_routine(day, spec.routine, package)
    panics: list[Panic] = []
    for index, day in enumerate(days[:-1]):
        if spec.charging is not None:
            panics.append(_draw_charging(day, spec.charging, days[index + 1].wake_ms))
        if spec.places is not None:
            _draw_places(day, spec.places)
        if spec.server is not None and servers:
            _draw_server(day, spec.server)
    vendor = None
    if spec.vendor is not None:
        names = sorted(spec.vendor)
        rng = random.Random(derive_seed(seed, "life.vendor"))
        vendor = rng.choices(names, weights=[spec.vendor[name] for name in names])[0]
    episodes = sorted(
        (
            episode
            for day in days[:-1]
            for episode in day.episodes
            if 0 <= episode.start_ms < duration_ms
        ),
        key=lambda episode: (episode.start_ms, DIMENSIONS.index(episode.dimension)),
    )
    summaries = tuple(
        DayLife(
            day.day,
            _WEEKDAY_NAMES[(midnight + timedelta(days=day.day)).weekday()],
            tuple((dimension, day.notes.get(dimension, "")) for dimension in DIMENSIONS),
        )
        for day in days[:-1]
        if day.start_ms < duration_ms
    )
    charging = spec.charging
    return DrawnLife(
        preset=spec.label,
        seed=seed,
        vendor=vendor,
        days=summaries,
        episodes=tuple(episodes),
        panics=tuple(panics),
        panic_level=None if charging is None else charging.panic_level,
        charger="ac" if charging is None else charging.charger,
    )
