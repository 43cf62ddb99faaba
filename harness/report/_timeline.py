"""A timeline picture of one run, as inline SVG, drawn from its trace.

Lanes, top to bottom: battery level (with charging shaded), network transport, doze state, work
runs (coloured by outcome), HTTP requests (coloured by result) and check violations. Each lane
reads the trace kinds it knows and ignores the rest, so a run without a device still draws its
work and HTTP lanes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
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


def _state_spans(
    records: Iterable[TraceRecord],
    kind: str,
    names: Sequence[str],
    colours: dict[str, str],
    end_ms: int,
) -> list[_Span]:
    spans: list[_Span] = []
    current: tuple[int, str] | None = None
    for record in records:
        if record.kind != kind:
            continue
        value = _field(record, *names)
        if value is None:
            continue
        state = str(value).upper()
        if current is not None and current[1] != state:
            spans.append(_Span(current[0], record.t_ms, colours.get(current[1], ""), current[1]))
        if current is None or current[1] != state:
            current = (record.t_ms, state)
    if current is not None:
        spans.append(_Span(current[0], end_ms, colours.get(current[1], ""), current[1]))
    return [span for span in spans if span.colour]


def _work_spans(records: Iterable[TraceRecord], end_ms: int) -> list[_Span]:
    open_runs: dict[str, tuple[int, str]] = {}
    spans: list[_Span] = []
    for record in records:
        work_id = record.get("id")
        if not isinstance(work_id, str):
            continue
        if record.kind == "work.started":
            open_runs[work_id] = (record.t_ms, str(record.get("worker", "")))
        elif (
            record.kind in ("work.finished", "work.stopped", "work.retry") and work_id in open_runs
        ):
            start, worker = open_runs.pop(work_id)
            outcome = {"work.stopped": "STOPPED", "work.retry": "RETRY"}.get(
                record.kind, str(record.get("state", "SUCCEEDED")).upper()
            )
            spans.append(
                _Span(
                    start,
                    record.t_ms,
                    _WORK_COLOURS.get(outcome, "#2e9e4f"),
                    f"{worker.rsplit('.', 1)[-1]} {outcome.lower()}",
                )
            )
    spans.extend(
        _Span(start, end_ms, _WORK_COLOURS["RUNNING"], f"{worker} running")
        for start, worker in open_runs.values()
    )
    return sorted(spans, key=lambda span: span.start_ms)


def timeline_svg(
    records: Iterable[TraceRecord], duration_ms: int, checks: Sequence[CheckResult] = ()
) -> str:
    """Draw the run's timeline as an SVG string (self-contained, for inlining in HTML)."""
    trace = list(records)
    duration_ms = max(duration_ms, 1)
    span_width = WIDTH - LEFT - 10

    def x(t_ms: int) -> float:
        return LEFT + span_width * min(max(t_ms, 0), duration_ms) / duration_ms

    parts: list[str] = []
    y = 10
    # battery lane
    levels = [(r.t_ms, _field(r, "level", "percent")) for r in trace if r.kind == "device.battery"]
    points = [(t, float(v)) for t, v in levels if isinstance(v, int | float)]
    parts.append(f'<text x="4" y="{y + BATTERY_HEIGHT / 2}" class="lane">battery</text>')
    for span in _state_spans(
        trace,
        "device.power",
        ("plugged", "charger", "source"),
        {"AC": "#fff3b0", "USB": "#fff3b0", "WIRELESS": "#fff3b0"},
        duration_ms,
    ):
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
        (
            "network",
            _state_spans(
                trace, "device.network", ("transport", "type"), _NETWORK_COLOURS, duration_ms
            ),
        ),
        ("doze", _state_spans(trace, "device.doze", ("state",), _DOZE_COLOURS, duration_ms)),
        ("work", _work_spans(trace, duration_ms)),
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
    for record in trace:
        if record.kind != "http.request":
            continue
        status = record.get("status")
        ok = isinstance(status, int) and status < 400
        colour = "#2e9e4f" if ok else ("#e8a33a" if status == 429 else "#d64541")
        label = (
            f"{record.get('method', '')} {record.get('url', '')} -> {status or record.get('error')}"
        )
        parts.append(
            f'<line x1="{x(record.t_ms):.1f}" x2="{x(record.t_ms):.1f}" y1="{y}" '
            f'y2="{y + LANE_HEIGHT - 4}" stroke="{colour}"><title>{_safe(label)} at '
            f"{format_t_ms(record.t_ms)}</title></line>"
        )
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
