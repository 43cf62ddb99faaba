"""What index.html shows of one run: its picture, its tables and the work inspector.

A :class:`RunBlock` is a run with its folded trace (:class:`RunPicture`) and its SVG; the
template ``run.html.j2`` renders it as a ``<details>`` (open for a failing run). The blocks of
a page share a size budget (:data:`PAGE_BUDGET`): the first failing seed of each scenario is
always drawn, other failing seeds and the first passing seed of each scenario while the budget
lasts (the page says which were left out and how to see them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from harness._units import format_duration_ms, format_t_ms
from harness.report._reasons import REASON_COLOURS, ReasonClass
from harness.report._runview import Phase, RunPicture, Segment, WorkEvent, WorkStory
from harness.report._timeline import (
    LANE_COLOURS,
    MARKER_COLOURS,
    PHASE_COLOURS,
    REQUEST_COLOURS,
    RESULT_COLOURS,
    segment_colour,
)
from harness.scenario import RunRecord

#: Characters of run blocks (pictures and tables) one index.html holds, beyond the first
#: failing seed of each scenario (always shown).
PAGE_BUDGET: Final = 5_000_000


@dataclass(frozen=True, slots=True)
class Standing:
    """What one work was doing at a moment (a failing check's time): the stretch that holds
    it, else its last history line by then, and the last wait before it."""

    work: WorkStory
    segment: Segment | None
    last_event: WorkEvent | None
    #: ``(reason, total ms)`` of the waits since its run before, longest first
    waits: tuple[tuple[str, int], ...]

    @property
    def text(self) -> str:
        """``waiting: doze: deferred to the next maintenance window (since 0d03:00:00.000)``,
        or ``raised at 0d03:00:03.000: ...; before: waited 2h59m: constraint unmet: ...``."""
        if self.segment is not None:
            what = self.segment.phase.value
            if self.segment.reason:
                what += f": {self.segment.reason}"
            text = f"{what} (since {format_t_ms(self.segment.start_ms)})"
        elif self.last_event is not None:
            event = self.last_event
            text = f"{event.what} at {format_t_ms(event.t_ms)}: {event.detail}"
        else:
            text = "not enqueued yet"
        if self.waits:
            waits = "; ".join(
                f"{format_duration_ms(total)}: {reason}" for reason, total in self.waits[:3]
            )
            text += f" — before that it waited {waits}"
        return text


@dataclass(frozen=True, slots=True)
class RunBlock:
    """One run as the page shows it (see the module docstring)."""

    run: RunRecord
    picture: RunPicture
    svg: str
    anchor: str
    open: bool

    def standing_at(self, t_ms: int) -> list[Standing]:
        """What each work was doing at ``t_ms``."""
        standings = []
        for work in self.picture.works:
            segment = next((s for s in work.segments if s.start_ms <= t_ms < s.end_ms), None)
            last_event = next((e for e in reversed(work.events) if e.t_ms <= t_ms), None)
            standings.append(Standing(work, segment, last_event, _waits_before(work, t_ms)))
        return standings


def _waits_before(work: WorkStory, t_ms: int) -> tuple[tuple[str, int], ...]:
    """The waits (by reason, summed) between the run before ``t_ms`` and ``t_ms``."""
    totals: dict[str, int] = {}
    for segment in reversed(work.segments):
        if segment.start_ms > t_ms:
            continue
        if segment.phase is Phase.RUNNING and segment.end_ms < t_ms:
            break  # the run before: earlier waits are another story
        if segment.phase is Phase.WAITING:
            end = min(segment.end_ms, t_ms)
            totals[segment.reason] = totals.get(segment.reason, 0) + end - segment.start_ms
    return tuple(sorted(totals.items(), key=lambda item: -item[1]))


def time_by_reason(work: WorkStory) -> list[tuple[str, str, str]]:
    """``(what, colour, duration)`` for each phase and waiting reason, longest first."""
    totals: dict[tuple[str, str], int] = {}
    for segment in work.segments:
        what = segment.phase.value + (f": {segment.reason}" if segment.reason else "")
        if segment.phase is Phase.WAITING and segment.reason.startswith("waiting until"):
            what = "waiting: initial delay, period or backoff"
        key = (what, segment_colour(segment))
        totals[key] = totals.get(key, 0) + segment.end_ms - segment.start_ms
    ordered = sorted(totals.items(), key=lambda item: -item[1])
    return [(what, colour, format_duration_ms(ms)) for (what, colour), ms in ordered]


def run_anchor(run: RunRecord) -> str:
    """The HTML id of a run's block."""
    return "run-" + re.sub(r"[^a-z0-9]+", "-", f"{run.path}-{run.seed}".lower()).strip("-")


def legend(picture: RunPicture) -> dict[str, list[tuple[str, str]]]:
    """The legend of one picture: per group, ``(label, colour)`` of what it draws."""
    phases = {s.phase for w in picture.works for s in w.segments}
    reasons = {s.reason_class for w in picture.works for s in w.segments}
    ended = {e.what for w in picture.works for e in w.events}
    outcomes = {r.colour_class for r in picture.requests}
    markers = {m.kind for m in picture.markers}
    groups: dict[str, list[tuple[str, str]]] = {
        "work": [(p.value, c) for p, c in PHASE_COLOURS.items() if p in phases]
        + [(f"waiting: {k.value}", REASON_COLOURS[k]) for k in ReasonClass if k in reasons],
        "run ended": [(what, c) for what, c in RESULT_COLOURS.items() if what in ended],
        "http": [
            (label, REQUEST_COLOURS[key])
            for key, label in (("ok", "below 400"), ("limited", "429"), ("error", "error"))
            if key in outcomes
        ],
        "markers": [(k.value, c) for k, c in MARKER_COLOURS.items() if k in markers],
    }
    for lane in picture.lanes:
        states = {
            span.label.split(" ", 1)[0] if lane.kind == "network" else span.label
            for span in lane.spans
        }
        pairs = [
            (label, c) for label, c in LANE_COLOURS.get(lane.kind, {}).items() if label in states
        ]
        group = groups.setdefault(lane.kind, [])
        group.extend(pair for pair in pairs if pair not in group)
    return {name: items for name, items in groups.items() if items}


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric of an ``aggregate`` block, as text (``low``/``high`` empty when unknown)."""

    name: str
    label: str
    value: str
    low: str
    high: str
    unit: str


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The ``aggregate`` object of summary.json (metrics over seeds or devices, and flags)."""

    metrics: tuple[MetricRow, ...]
    #: ``(name, message)`` of each flag (a threshold crossed)
    flags: tuple[tuple[str, str], ...]


def _number(value: object) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def aggregate_of(data: object) -> Aggregate | None:
    """Read an ``aggregate`` object (docs/report-schema.md) for display; None when absent or
    not an object. Whatever its entries hold is shown as text, never trusted as markup."""
    if not isinstance(data, dict):
        return None
    metrics = []
    for item in data.get("metrics") or ():
        if isinstance(item, dict):
            name = str(item.get("name", ""))
            metrics.append(
                MetricRow(
                    name=name,
                    label=str(item.get("label") or name),
                    value=_number(item.get("value")),
                    low=_number(item.get("low")),
                    high=_number(item.get("high")),
                    unit=str(item.get("unit") or ""),
                )
            )
    flags = tuple(
        (str(item.get("name", "")), str(item.get("message", "")))
        for item in data.get("flags") or ()
        if isinstance(item, dict)
    )
    if not metrics and not flags:
        return None
    return Aggregate(tuple(metrics), flags)
