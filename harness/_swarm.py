"""The examples of a fuzzing session (``harness fuzz``): swarm draws around a scenario.

Each example draws which kinds are on (swarm testing: device events, the scenario's own app
actions, fault kinds, a drawn life), then a timeline and faults of those kinds from
:mod:`harness.strategies`, their times scaled into the first two thirds of the run
(:func:`settle_ms`); there the phone is put back to normal, so the app can catch up before the
end. A run seed comes last. Everything shrinks: fewer kinds, fewer, earlier and milder events
and faults, no life, seed 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_MINUTE, format_duration_ms, parse_duration
from harness.scenario import Scenario
from harness.strategies import DEVICE_EVENTS, FAULT_KINDS, lives, server_faults, timelines

__all__ = ["FuzzExample", "settle_ms", "swarm_examples", "swarm_kinds"]

#: What puts the phone back to normal after each kind of drawn event (applied, for the kinds the
#: example used, when the drawn part of the timeline ends).
_RESTORE: Final = (
    ("airplane-mode enable", "adb shell cmd connectivity airplane-mode disable"),
    ("svc wifi disable", "adb shell svc wifi enable"),
    ("svc data disable", "adb shell svc data enable"),
    ("dumpsys battery", "adb shell dumpsys battery reset"),
    ("deviceidle force-idle", "adb shell dumpsys deviceidle unforce"),
)
#: Events after which the app only runs again once the user opens it.
_NEEDS_OPEN: Final = ("force-stop", "swipe away", "kill app", "reboot", "KEYCODE_POWER")
_MAX_EVENTS: Final = 12
_MAX_FAULTS: Final = 3
_MAX_RUN_SEED: Final = 2**16 - 1


@dataclass(frozen=True, slots=True)
class FuzzExample:
    """One drawn example: a run seed, the drawn events and faults, and the swarm's kinds."""

    seed: int
    events: tuple[Mapping[str, Any], ...]
    faults: tuple[Mapping[str, Any], ...]
    enabled: tuple[str, ...]
    #: A drawn ``life:`` (a preset name or a preset with ranges), or ``None``.
    life: str | Mapping[str, Any] | None = None

    def scenario_data(
        self, base: Mapping[str, Any], base_times: Sequence[int | None], *, settle_ms: int
    ) -> dict[str, Any]:
        """``base`` (a scenario's data, its timeline's ``at`` times in ``base_times``) with the
        drawn events, the restore at ``settle_ms`` and the faults added; the timeline stays in
        time order, the base's events first at equal times."""
        used = " | ".join(str(event["do"]) for event in self.events)
        restore = [do for marker, do in _RESTORE if marker in used]
        if restore or any(marker in used for marker in _NEEDS_OPEN):
            restore.append("open app")
        at = format_duration_ms(settle_ms)
        added = [
            *((_minutes(str(event["at"])) * MS_PER_MINUTE, event) for event in self.events),
            *((settle_ms, {"at": at, "do": do}) for do in restore),
        ]
        timeline: list[Any] = []
        for event, t_ms in zip(base.get("timeline", ()), base_times, strict=True):
            while added and t_ms is not None and added[0][0] < t_ms:
                timeline.append(added.pop(0)[1])
            timeline.append(event)
        timeline.extend(event for _, event in added)
        data: dict[str, Any] = {**base, "timeline": timeline, "seeds": 1}
        if self.life is not None:
            data["life"] = self.life
        if self.faults:
            backend = dict(base.get("backend") or {})
            backend["faults"] = [*backend.get("faults", ()), *self.faults]
            data["backend"] = backend
        return data


def settle_ms(scenario: Scenario) -> int:
    """Where the drawn part ends: two thirds into the run, on a whole minute."""
    return scenario.spec.duration * 2 // 3 // MS_PER_MINUTE * MS_PER_MINUTE


def _app_actions(base: Mapping[str, Any]) -> tuple[str, ...]:
    """The scenario's own ``app ...`` actions, once each: the user edits the fuzzer may add."""
    seen: dict[str, None] = {}
    for event in base.get("timeline", ()):
        action = event.get("do") if isinstance(event, Mapping) else None
        if isinstance(action, str) and action.startswith("app "):
            seen.setdefault(action)
    return tuple(seen)


def swarm_kinds(scenario: Scenario) -> tuple[str, ...]:
    """What a swarm may enable around ``scenario``: device events, the scenario's own app
    actions, fault kinds and (for a scenario without one) a drawn ``life``."""
    life = ("life",) if "life" not in scenario.data and scenario.spec.population is None else ()
    return (*DEVICE_EVENTS, *_app_actions(scenario.data), *FAULT_KINDS, *life)


def swarm_examples(
    scenario: Scenario, kinds: Collection[str] | None = None
) -> st.SearchStrategy[FuzzExample]:
    """Examples around ``scenario``: the swarm's kinds (device events, the scenario's own app
    actions, fault kinds, a drawn life), then events and faults of those kinds inside the
    drawn part of the run; ``kinds`` limits the swarm to some of :func:`swarm_kinds`. All
    shrink: fewer kinds, fewer, earlier and milder events, no life."""
    actions = _app_actions(scenario.data)
    possible = swarm_kinds(scenario)
    unknown = sorted(set(kinds or ()) - set(possible))
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)}: not a kind the swarm can draw here; choose from "
            f"{', '.join(possible)}"
        )
    kinds = tuple(kind for kind in possible if kinds is None or kind in kinds)
    settle = settle_ms(scenario)
    days = max(1, -(-settle // MS_PER_DAY))
    # times are drawn over whole days and scaled into the drawn part of the run
    scale = settle / (days * MS_PER_DAY)

    @st.composite
    def draw_example(draw: st.DrawFn) -> FuzzExample:
        # a swarm of one kind has nothing to choose: that kind is on
        on = (
            [True] * len(kinds)
            if len(kinds) == 1
            else draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
        )
        enabled = tuple(kind for kind, flag in zip(kinds, on, strict=True) if flag)
        device = [kind for kind in enabled if kind in DEVICE_EVENTS]
        app = tuple(kind for kind in enabled if kind in actions)
        events: list[dict[str, Any]] = []
        if device or app:
            drawn = draw(
                timelines(days=days, max_events=_MAX_EVENTS, events=device, app_actions=app)
            )
            if drawn and drawn[0] == {"at": "0s", "do": "open app"}:
                drawn = drawn[1:]  # the walk's start: the scenario opens the app itself
            events = [{**event, "at": _scaled(event["at"], scale)} for event in drawn]
        fault_kinds = [kind for kind in FAULT_KINDS if kind in enabled]
        faults: list[dict[str, Any]] = []
        if fault_kinds:
            drawn_faults = draw(server_faults(days=days, max_faults=_MAX_FAULTS, kinds=fault_kinds))
            faults = [
                clipped
                for fault in drawn_faults
                if (clipped := _clip_fault(fault, scale, settle)) is not None
            ]
        life = draw(lives()) if "life" in enabled else None
        run_seed = draw(st.integers(min_value=0, max_value=_MAX_RUN_SEED))
        return FuzzExample(run_seed, tuple(events), tuple(faults), enabled, life)

    return draw_example()


def _clip_fault(fault: Mapping[str, Any], scale: float, settle: int) -> dict[str, Any] | None:
    """``fault`` scaled into the drawn part of the run and ended by ``settle`` (``None`` when
    nothing of it is left)."""
    start = int(_minutes(fault["at"]) * scale)
    minutes = min(max(1, int(_minutes(fault["for"]) * scale)), settle // MS_PER_MINUTE - start)
    if minutes < 1:
        return None
    at = format_duration_ms(start * MS_PER_MINUTE) if start else "0s"
    return {**fault, "at": at, "for": format_duration_ms(minutes * MS_PER_MINUTE)}


def _scaled(text: str, scale: float) -> str:
    """A drawn ``at`` time scaled by ``scale``, in whole minutes."""
    minutes = int(_minutes(text) * scale)
    return format_duration_ms(minutes * MS_PER_MINUTE) if minutes else "0s"


def _minutes(text: str) -> int:
    return 0 if text == "0s" else parse_duration(text) // MS_PER_MINUTE
