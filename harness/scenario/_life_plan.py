"""A drawn life around a written timeline: which episodes yield, and the actions that remain.

**Written events win in their window.** Each written timeline action belongs to a dimension by its
kind (``open app``, ``leave app``, ``swipe away``, ``use phone``: routine; ``plug in``, ``unplug``:
charging; Wi-Fi and cellular reach, captive portals, links, ``adb shell svc wifi|data`` and airplane
mode: places; ``server outage``, ``server rate limit``, ``server latency`` and the
``backend.faults``: server) and claims it over a window: from its ``do`` to its ``then`` for an
event with ``for:``, and for :data:`WRITTEN_CLAIM_MS` (1 h) after a single action. A drawn episode
(a session, a charge, a commute leg, a spell of server weather) whose span overlaps a window of its
own dimension is dropped whole, so the written timeline happens exactly as written, and the drawn
life never half-undoes it (an ``unplug`` without its ``plug in``). Other actions (reboots, storage,
server items, app actions) claim nothing. At the same millisecond the written actions run first.

The panic charge (``charging.panic_level``) is the one draw that waits for the run: the day's
decision is drawn in advance, and the charger goes in when the battery reaches the level, unless
a charging window of the written timeline is open then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.device import BatteryState, PlugType
from harness.scenario._actions import Action, parse_action
from harness.scenario._life import DrawnLife, Panic, draw_life
from harness.scenario._loader import Scenario, ScheduledAction

if TYPE_CHECKING:
    from harness.scenario._world import World

#: How long a written single action (no ``for:``) keeps drawn episodes of its dimension away.
WRITTEN_CLAIM_MS: Final = MS_PER_HOUR

_DIMENSION_OF_KIND: Final = {
    "open_app": "routine",
    "leave_app": "routine",
    "use_phone": "routine",
    "swipe_away": "routine",
    "plug": "charging",
    "unplug": "charging",
    "wifi_range": "places",
    "cellular_range": "places",
    "captive_portal": "places",
    "link": "places",
    "server_outage": "server",
    "server_rate_limit": "server",
    "server_latency": "server",
}
_PLACES_SHELL: Final = ("svc wifi", "svc data", "airplane")


def dimension_of(action: Action) -> str | None:
    """The life dimension a written action claims, or ``None``."""
    if action.kind == "shell":
        return "places" if any(word in action.text for word in _PLACES_SHELL) else None
    return _DIMENSION_OF_KIND.get(action.kind)


@dataclass(frozen=True, slots=True)
class Claim:
    """The written timeline holds ``dimension`` over ``[start_ms, end_ms]``."""

    dimension: str
    start_ms: int
    end_ms: int


def written_claims(scenario: Scenario) -> list[Claim]:
    """Every window in which the written timeline (and ``backend.faults``) holds a dimension."""
    spec = scenario.spec
    claims: list[Claim] = []
    for item in scenario.schedule:
        event = spec.timeline[item.entry]
        dimension = dimension_of(item.action)
        if dimension is None:
            continue
        if event.for_ms is not None:
            if item.action.text == " ".join(event.do.split()):
                claims.append(Claim(dimension, item.t_ms, item.t_ms + event.for_ms))
        else:
            claims.append(Claim(dimension, item.t_ms, item.t_ms + WRITTEN_CLAIM_MS))
    for fault in spec.backend.faults:
        claims.append(Claim("server", fault.at, fault.at + fault.for_ms))
    return claims


def life_for(scenario: Scenario, seed: int) -> DrawnLife | None:
    """The life ``seed`` draws for ``scenario`` (``None`` without a ``life:`` section), with
    the episodes that yield to the written timeline dropped (``dropped`` counts them)."""
    spec = scenario.spec
    if spec.life is None:
        return None
    package = scenario.apps[0].package if len(scenario.apps) > 1 else None
    servers = bool(
        spec.backend.routes or spec.backend.resources or spec.backend.auth or spec.backend.factory
    )
    life = draw_life(
        spec.life,
        seed=seed,
        epoch=spec.epoch,
        duration_ms=spec.duration,
        package=package,
        servers=servers,
    )
    claims = written_claims(scenario)
    kept = tuple(
        episode
        for episode in life.episodes
        if not any(
            claim.dimension == episode.dimension
            and claim.start_ms <= episode.end_ms
            and episode.start_ms <= claim.end_ms
            for claim in claims
        )
    )
    return replace(life, episodes=kept, dropped=len(life.episodes) - len(kept))


def life_schedule(life: DrawnLife, scenario: Scenario) -> list[ScheduledAction]:
    """The kept episodes as scheduled actions, in time order (after the written ones)."""
    entry = len(scenario.spec.timeline)
    actions = [
        ScheduledAction(t_ms, parse_action(text), entry)
        for episode in life.episodes
        for t_ms, text in episode.actions
        if 0 <= t_ms < scenario.spec.duration
    ]
    actions.sort(key=lambda item: item.t_ms)
    return actions


class PanicCharger:
    """Plugs the charger in when the battery reaches the panic level, on days that panic."""

    def __init__(self, world: World, life: DrawnLife, claims: Iterable[Claim]) -> None:
        self._world = world
        self._life = life
        self._claims = [claim for claim in claims if claim.dimension == "charging"]
        self._panics: dict[int, Panic] = {panic.day: panic for panic in life.panics}
        self._done: set[int] = set()
        self._plug = parse_action(f"plug in {life.charger}")
        self._unplug = parse_action("unplug")
        world.device.battery.changed.connect(self._on_battery)

    def _on_battery(self, state: BatteryState) -> None:
        level = self._life.panic_level
        if level is None or state.level > level or state.plugged is not PlugType.NONE:
            return
        now = self._world.sim.now_ms
        day = now // MS_PER_DAY
        panic = self._panics.get(day)
        if panic is None or not panic.panics or day in self._done:
            return
        if any(claim.start_ms <= now <= claim.end_ms for claim in self._claims):
            return
        self._done.add(day)
        self._world.sim.call_at(now, self._world.execute, self._plug)
        self._world.sim.call_at(now + panic.length_ms, self._world.execute, self._unplug)
