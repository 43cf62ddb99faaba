"""A timeline picture of one run, as inline SVG, drawn from its trace.

Lanes, top to bottom: battery level (with charging shaded), network transport, doze state, work
runs (coloured by outcome), HTTP requests (coloured by result) and check violations. Each lane
reads the trace kinds it knows and ignores the rest, so a run without a device still draws its
work and HTTP lanes.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, format_t_ms
from harness.report._escape import printable, xml_text
from harness.scenario import CheckResult
from harness.sim import TraceRecord

WIDTH: Final = 1100
LEFT: Final = 90
LANE_HEIGHT: Final = 26
BATTERY_HEIGHT: Final = 60

_NETWORK_COLOURS: Final = {
    "WIFI": "#4c9be8",
    "CELLULAR": "#f0a43a",
    "ETHERNET": "#7a5cc7",
    "NONE": "#dddddd",
}
_DOZE_COLOURS: Final = {"IDLE": "#3d3d6b", "IDLE_MAINTENANCE": "#9fd39f", "IDLE_PENDING": "#b7b7d6"}
_WORK_COLOURS: Final = {
    "SUCCEEDED": "#2e9e4f",
    "FAILED": "#d64541",
    "RETRY": "#e8a33a",
    "STOPPED": "#8e44ad",
    "RUNNING": "#7f8c8d",
    "ENQUEUED": "#2e9e4f",
}


@dataclass(frozen=True, slots=True)
class _Span:
    start_ms: int
    end_ms: int
    colour: str
    label: str


def _safe(text: str) -> str:
    """Text from a trace or a check, safe inside SVG (and HTML): markup characters quoted,
    controls shown as escapes, nothing XML 1.0 forbids."""
    return html.escape(xml_text(printable(text)))


def _field(record: TraceRecord, *names: str) -> object:
    for name in names:
        value = record.get(name)
        if value is not None:
            return value
    return None


class _StateSpans:
    """Spans of one state carried by records of ``kind`` (the first of ``names`` set), folded
    one record at a time."""

    __slots__ = ("_colours", "_current", "_names", "kind", "spans")

    def __init__(self, kind: str, names: Sequence[str], colours: dict[str, str]) -> None:
        self.kind = kind
        self._names = names
        self._colours = colours
        self._current: tuple[int, str] | None = None
        self.spans: list[_Span] = []

    def feed(self, record: TraceRecord) -> None:
        value = _field(record, *self._names)
        if value is None:
            return
        state = str(value).upper()
        current = self._current
        if current is not None and current[1] != state:
            self._add(current[0], record.t_ms, current[1])
        if current is None or current[1] != state:
            self._current = (record.t_ms, state)

    def _add(self, start_ms: int, end_ms: int, state: str) -> None:
        colour = self._colours.get(state, "")
        if colour:
            self.spans.append(_Span(start_ms, end_ms, colour, state))

    def finish(self, end_ms: int) -> list[_Span]:
        if self._current is not None:
            self._add(self._current[0], end_ms, self._current[1])
            self._current = None
        return self.spans


class _WorkSpans:
    """Spans of work runs, from ``work.started`` to how the run ended, folded one at a time."""

    KINDS: Final = ("work.started", "work.finished", "work.stopped", "work.retry")

    __slots__ = ("_open", "_spans")

    def __init__(self) -> None:
        self._open: dict[str, tuple[int, str]] = {}
        self._spans: list[_Span] = []

    def feed(self, record: TraceRecord) -> None:
        work_id = record.get("id")
        if not isinstance(work_id, str):
            return
        if record.kind == "work.started":
            self._open[work_id] = (record.t_ms, str(record.get("worker", "")))
        elif work_id in self._open:
            start, worker = self._open.pop(work_id)
            outcome = {"work.stopped": "STOPPED", "work.retry": "RETRY"}.get(
                record.kind, str(record.get("state", "SUCCEEDED")).upper()
            )
            self._spans.append(
                _Span(
                    start,
                    record.t_ms,
                    _WORK_COLOURS.get(outcome, "#2e9e4f"),
                    f"{worker.rsplit('.', 1)[-1]} {outcome.lower()}",
                )
            )

    def finish(self, end_ms: int) -> list[_Span]:
        spans = self._spans + [
            _Span(start, end_ms, _WORK_COLOURS["RUNNING"], f"{worker} running")
            for start, worker in self._open.values()
        ]
        return sorted(spans, key=lambda span: span.start_ms)


#: Where the HTTP lane starts: under the battery lane and the network, doze and work lanes.
_HTTP_LANE_Y: Final = 10 + BATTERY_HEIGHT + 6 + 3 * LANE_HEIGHT


def _request_line(record: TraceRecord, at: float) -> str:
    """One request's mark in the HTTP lane, coloured by its result."""
    status = record.get("status")
    ok = isinstance(status, int) and status < 400
    colour = "#2e9e4f" if ok else ("#e8a33a" if status == 429 else "#d64541")
    label = f"{record.get('method', '')} {record.get('url', '')} -> {status or record.get('error')}"
    y = _HTTP_LANE_Y
    return (
        f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{y}" y2="{y + LANE_HEIGHT - 4}" '
        f'stroke="{colour}"><title>{_safe(label)} at {format_t_ms(record.t_ms)}</title></line>'
    )


def timeline_svg(
    records: Iterable[TraceRecord], duration_ms: int, checks: Sequence[CheckResult] = ()
) -> str:
    """Draw the run's timeline as an SVG string (self-contained, for inlining in HTML)."""
    duration_ms = max(duration_ms, 1)
    span_width = WIDTH - LEFT - 10

    def x(t_ms: int) -> float:
        return LEFT + span_width * min(max(t_ms, 0), duration_ms) / duration_ms

    # one pass over the records (a streamed trace is read once, never held whole)
    charging = _StateSpans(
        "device.power",
        ("plugged", "charger", "source"),
        {"AC": "#fff3b0", "USB": "#fff3b0", "WIRELESS": "#fff3b0"},
    )
    network = _StateSpans("device.network", ("transport", "type"), _NETWORK_COLOURS)
    doze = _StateSpans("device.doze", ("state",), _DOZE_COLOURS)
    work = _WorkSpans()
    feeds: dict[str, Callable[[TraceRecord], None]] = {
        **{state.kind: state.feed for state in (charging, network, doze)},
        **dict.fromkeys(_WorkSpans.KINDS, work.feed),
    }
    points: list[tuple[int, float]] = []
    requests: list[str] = []
    for record in records:
        if record.kind == "http.request":
            requests.append(_request_line(record, x(record.t_ms)))
        elif record.kind == "device.battery":
            level = _field(record, "level", "percent")
            if isinstance(level, int | float):
                points.append((record.t_ms, float(level)))
        else:
            feed = feeds.get(record.kind)
            if feed is not None:
                feed(record)

    parts: list[str] = []
    y = 10
    # battery lane
    parts.append(f'<text x="4" y="{y + BATTERY_HEIGHT / 2}" class="lane">battery</text>')
    for span in charging.finish(duration_ms):
        left, right = x(span.start_ms), x(span.end_ms)
        parts.append(
            f'<rect x="{left:.1f}" y="{y}" width="{right - left:.1f}" height="{BATTERY_HEIGHT}"'
            f' fill="{span.colour}"><title>charging ({_safe(span.label)})</title></rect>'
        )
    parts.append(
        f'<rect x="{LEFT}" y="{y}" width="{span_width}" height="{BATTERY_HEIGHT}" class="frame"/>'
    )
    if points:
        if points[-1][0] < duration_ms:
            points.append((duration_ms, points[-1][1]))
        path = " ".join(
            f"{x(t):.1f},{y + BATTERY_HEIGHT * (1 - level / 100):.1f}" for t, level in points
        )
        parts.append(f'<polyline points="{path}" class="battery"/>')
    y += BATTERY_HEIGHT + 6
    lanes = [
        ("network", network.finish(duration_ms)),
        ("doze", doze.finish(duration_ms)),
        ("work", work.finish(duration_ms)),
    ]
    for name, spans in lanes:
        parts.append(f'<text x="4" y="{y + 17}" class="lane">{name}</text>')
        parts.append(
            f'<rect x="{LEFT}" y="{y}" width="{span_width}" height="{LANE_HEIGHT - 4}"'
            ' class="frame"/>'
        )
        for span in spans:
            width = max(x(span.end_ms) - x(span.start_ms), 1.0)
            parts.append(
                f'<rect x="{x(span.start_ms):.1f}" y="{y}" width="{width:.1f}" '
                f'height="{LANE_HEIGHT - 4}" fill="{span.colour}"><title>'
                f"{_safe(span.label)} {format_t_ms(span.start_ms)} - {format_t_ms(span.end_ms)}"
                "</title></rect>"
            )
        y += LANE_HEIGHT
    parts.append(f'<text x="4" y="{y + 17}" class="lane">http</text>')
    parts.append(
        f'<rect x="{LEFT}" y="{y}" width="{span_width}" height="{LANE_HEIGHT - 4}" class="frame"/>'
    )
    assert y == _HTTP_LANE_Y  # the request lines were drawn in the pass, at this height
    parts.extend(requests)
    y += LANE_HEIGHT
    for check in checks:
        if not check.passed and check.t_ms is not None:
            parts.append(
                f'<path d="M{x(check.t_ms):.1f},{y} l-5,9 h10 z" fill="#d64541"><title>'
                f"{_safe(check.spec)}: {_safe(check.message)}</title></path>"
            )
    y += 14
    step = MS_PER_DAY if duration_ms > 2 * MS_PER_DAY else MS_PER_HOUR * 6
    if duration_ms <= 6 * MS_PER_HOUR:
        step = MS_PER_HOUR
    for tick in range(0, duration_ms + 1, step):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="10" y2="{y - 14}" class="grid"/>'
        )
        label = f"day {tick // MS_PER_DAY}" if step == MS_PER_DAY else format_t_ms(tick)[:-7]
        parts.append(f'<text x="{x(tick):.1f}" y="{y + 2}" class="tick">{label}</text>')
    height = y + 10
    style = (
        "<style>.lane{font:11px sans-serif;fill:#444}.tick{font:10px sans-serif;fill:#666;"
        "text-anchor:middle}.frame{fill:none;stroke:#ccc}.grid{stroke:#eee}"
        ".battery{fill:none;stroke:#2e7d32;stroke-width:1.5}</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img">{style}{"".join(parts)}</svg>'
    )
