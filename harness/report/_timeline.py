"""A timeline picture of one run, as inline SVG, drawn from its :class:`RunPicture`.

Top to bottom: the battery curve (charging shaded), device lanes (battery saver, screen,
network type and quality, deep and light doze, standby bucket and process state per app),
markers (kills, reboots, force-stops, server faults), HTTP requests as ticks coloured by status,
one row per work (blocked, enqueued, waiting coloured by the reason class, running, and how each
run ended), failing checks, and the time axis. Tooltips (``<title>``) are only on elements a
table of the report also lists (the first :data:`TABLE_ROWS` of each), so nothing needs a
mouse. Colours are in :data:`LANE_COLOURS` and friends; the page's legend reads them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, format_t_ms
from harness.report._escape import printable, xml_text
from harness.report._folder import RunFolder
from harness.report._reasons import REASON_COLOURS
from harness.report._runview import (
    SEGMENT_ROWS,
    TABLE_ROWS,
    MarkerKind,
    Phase,
    RunPicture,
    Segment,
    WorkStory,
)
from harness.scenario import CheckResult
from harness.sim import TraceRecord

WIDTH: Final = 1100
LEFT: Final = 190
LANE_HEIGHT: Final = 16
WORK_HEIGHT: Final = 14
BATTERY_HEIGHT: Final = 50

#: Work rows drawn in one picture (the inspector lists every work).
MAX_WORK_ROWS: Final = 40

#: Fill per lane kind and state; a state missing here is not drawn (the lane's background).
LANE_COLOURS: Final[dict[str, dict[str, str]]] = {
    "charging": {"AC": "#f7dc6f", "USB": "#f7dc6f", "WIRELESS": "#f7dc6f", "DOCK": "#f7dc6f"},
    "saver": {"on": "#d4ac0d"},
    "screen": {"on": "#85c1e9", "on locked": "#d6eaf8"},
    "network": {"WIFI": "#4c9be8", "CELLULAR": "#f0a43a", "ETHERNET": "#7a5cc7"},
    "doze": {
        "INACTIVE": "#e0e0ef",
        "IDLE_PENDING": "#b7b7d6",
        "SENSING": "#b7b7d6",
        "LOCATING": "#b7b7d6",
        "PRE_IDLE": "#b7b7d6",
        "IDLE": "#3d3d6b",
        "IDLE_MAINTENANCE": "#9fd39f",
        "WAITING_FOR_NETWORK": "#b7b7d6",
        "OVERRIDE": "#cccccc",
    },
    "standby": {
        "ACTIVE": "#27ae60",
        "WORKING_SET": "#82e0aa",
        "FREQUENT": "#f9e79f",
        "RARE": "#f0b27a",
        "RESTRICTED": "#e74c3c",
        "NEVER": "#7f8c8d",
    },
    "process": {
        "TOP": "#1f618d",
        "SERVICE": "#5dade2",
        "CACHED_ACTIVITY": "#aed6f1",
        "CACHED_EMPTY": "#d6eaf8",
        "dead": "#555555",
    },
    # iOS: what holds every background launch back, and each app's state
    "iOS": {
        "off": "#000000",
        "not unlocked": "#7f8c8d",
        "Low Power Mode": "#d4ac0d",
        "Background App Refresh off": "#b9770e",
    },
    "iOS app": {
        "foreground": "#1f618d",
        "background": "#5dade2",
        "suspended": "#d6eaf8",
        "force-quit": "#6d214f",
    },
}

MARKER_COLOURS: Final = {
    MarkerKind.KILL: "#c0392b",
    MarkerKind.REBOOT: "#000000",
    MarkerKind.FORCE_STOP: "#8e44ad",
    MarkerKind.SERVER_FAULT: "#d35400",
}

PHASE_COLOURS: Final = {
    Phase.BLOCKED: "#bdc3c7",
    Phase.ENQUEUED: "#d5f5e3",
    Phase.RUNNING: "#1f77b4",
}

#: How a run ended (the history's ``what``), as a dot at the end of the run.
RESULT_COLOURS: Final = {
    "finished": "#2e9e4f",
    "failed": "#d64541",
    "retry": "#e8a33a",
    "stopped": "#8e44ad",
    "raised": "#d64541",
    "cancelled": "#555555",
}

REQUEST_COLOURS: Final = {"ok": "#2e9e4f", "limited": "#e8a33a", "error": "#d64541"}


def lane_colour(kind: str, label: str) -> str:
    """The fill of a lane's state (``""``: not drawn); network is coloured by its transport."""
    if kind == "network":
        label = label.split(" ", 1)[0]
    return LANE_COLOURS.get(kind, {}).get(label, "")


def segment_colour(segment: Segment) -> str:
    """A work segment's fill: its phase, or for waiting its reason class."""
    if segment.phase is Phase.WAITING and segment.reason_class is not None:
        return REASON_COLOURS[segment.reason_class]
    return PHASE_COLOURS.get(segment.phase, "#cccccc")


def _safe(text: str) -> str:
    """Text from a trace or a check, safe inside SVG (and HTML): markup characters quoted,
    controls shown as escapes, nothing XML 1.0 forbids."""
    return html.escape(xml_text(printable(text)))


def _title(text: str) -> str:
    return f"<title>{_safe(text)}</title>"


def segment_text(segment: Segment) -> str:
    """A work segment in words (its tooltip)."""
    what = segment.phase.value
    if segment.reason:
        what += f": {segment.reason}"
    return f"{what} {format_t_ms(segment.start_ms)} - {format_t_ms(segment.end_ms)}"


class _Canvas:
    """The picture's coordinates: virtual time to x."""

    def __init__(self, duration_ms: int) -> None:
        self.duration_ms = max(duration_ms, 1)
        self.span_width = WIDTH - LEFT - 10

    def x(self, t_ms: int) -> float:
        return LEFT + self.span_width * min(max(t_ms, 0), self.duration_ms) / self.duration_ms


def _label(y: float, text: str, css: str = "lane") -> str:
    shown = text if len(text) <= 30 else text[:29] + "…"
    return f'<text x="4" y="{y:.1f}" class="{css}">{_safe(shown)}</text>'


def _battery(picture: RunPicture, canvas: _Canvas, y: int) -> list[str]:
    parts = [_label(y + BATTERY_HEIGHT / 2, "battery")]
    charging = next((lane for lane in picture.lanes if lane.kind == "charging"), None)
    for index, span in enumerate(() if charging is None else charging.spans):
        colour = lane_colour("charging", span.label)
        if colour:
            left, right = canvas.x(span.start_ms), canvas.x(span.end_ms)
            title = (
                _title(
                    f"charging: {span.label} {format_t_ms(span.start_ms)} - "
                    f"{format_t_ms(span.end_ms)}"
                )
                if index < TABLE_ROWS
                else ""
            )
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 0.5):.1f}" '
                f'height="{BATTERY_HEIGHT}" fill="{colour}" opacity="0.6">{title}</rect>'
            )
    parts.append(
        f'<rect x="{LEFT}" y="{y}" width="{canvas.span_width}" height="{BATTERY_HEIGHT}" '
        'class="frame"/>'
    )
    points = list(picture.battery)
    if points:
        if points[-1][0] < picture.duration_ms:
            points.append((picture.duration_ms, points[-1][1]))
        path = " ".join(
            f"{canvas.x(t):.1f},{y + BATTERY_HEIGHT * (1 - level / 100):.1f}" for t, level in points
        )
        parts.append(f'<polyline points="{path}" class="battery" data-lane="battery"/>')
    return parts


def _lanes(picture: RunPicture, canvas: _Canvas, y: int) -> tuple[list[str], int]:
    parts: list[str] = []
    for lane in picture.lanes:
        if lane.kind == "charging":
            continue  # shaded under the battery curve
        parts.append(_label(y + 12, lane.name))
        parts.append(
            f'<rect x="{LEFT}" y="{y}" width="{canvas.span_width}" '
            f'height="{LANE_HEIGHT - 3}" class="frame" data-lane="{_safe(lane.name)}"/>'
        )
        # spans of one colour that touch are drawn as one rectangle, and a span narrower than
        # half a pixel where the last one ended is not drawn (a week of doze has thousands)
        drawn: list[tuple[float, float, str, str, str]] = []  # left, right, colour, extra, title
        for index, span in enumerate(lane.spans):
            colour = lane_colour(lane.kind, span.label)
            if not colour:
                continue
            left, right = canvas.x(span.start_ms), canvas.x(span.end_ms)
            opacity = ' opacity="0.45"' if "not validated" in span.label else ""
            last = drawn[-1] if drawn else None
            if (
                last is not None
                and last[2] == colour
                and last[3] == opacity
                and left <= last[1] + 0.5
            ):
                drawn[-1] = (last[0], max(right, last[1]), colour, opacity, last[4])
                continue
            if last is not None and right - left < 0.5 and left < last[1] + 0.5:
                continue
            title = (
                _title(
                    f"{lane.name}: {span.label} {format_t_ms(span.start_ms)} - "
                    f"{format_t_ms(span.end_ms)}"
                )
                if index < TABLE_ROWS
                else ""
            )
            drawn.append((left, right, colour, opacity, title))
        for left, right, colour, opacity, title in drawn:
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 0.5):.1f}" '
                f'height="{LANE_HEIGHT - 3}" fill="{colour}"{opacity}>{title}</rect>'
            )
        y += LANE_HEIGHT
    return parts, y


def _markers(picture: RunPicture, canvas: _Canvas, y: int, bottom_y: int) -> list[str]:
    parts = [_label(y + 12, "events")]
    for index, marker in enumerate(picture.markers):
        at = canvas.x(marker.t_ms)
        colour = MARKER_COLOURS[marker.kind]
        title = (
            _title(f"{marker.kind.value}: {marker.text} at {format_t_ms(marker.t_ms)}")
            if index < TABLE_ROWS
            else ""
        )
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="10" y2="{bottom_y}" stroke="{colour}" '
            'stroke-dasharray="2,2" stroke-width="0.8"/>'
        )
        parts.append(
            f'<path class="marker" data-kind="{marker.kind.value}" '
            f'd="M{at:.1f},{y + 1} l4,6 l-4,6 l-4,-6 z" fill="{colour}">{title}</path>'
        )
    return parts


def _requests(picture: RunPicture, canvas: _Canvas, y: int) -> list[str]:
    parts = [
        _label(y + 12, "http"),
        f'<rect x="{LEFT}" y="{y}" width="{canvas.span_width}" height="{LANE_HEIGHT - 3}" '
        'class="frame"/>',
    ]
    for index, request in enumerate(picture.requests):
        at = canvas.x(request.t_ms)
        colour = REQUEST_COLOURS[request.colour_class]
        title = (
            _title(
                f"{request.method} {request.url} -> {request.outcome} at "
                f"{format_t_ms(request.t_ms)}"
            )
            if index < TABLE_ROWS
            else ""
        )
        parts.append(
            f'<line class="http-tick" x1="{at:.1f}" x2="{at:.1f}" y1="{y}" '
            f'y2="{y + LANE_HEIGHT - 3}" stroke="{colour}">{title}</line>'
        )
    return parts


def _work_row(story: WorkStory, canvas: _Canvas, y: int, prefix: str) -> list[str]:
    parts = [
        f'<a href="#{prefix}{story.anchor}">{_label(y + 11, story.short_label, "work-label")}</a>',
        f'<rect x="{LEFT}" y="{y}" width="{canvas.span_width}" height="{WORK_HEIGHT - 3}" '
        'class="frame"/>',
    ]
    last_right = -1.0
    for index, segment in enumerate(story.segments):
        left = canvas.x(segment.start_ms)
        right = canvas.x(segment.end_ms)
        if right - left < 0.5 and left < last_right + 0.5 and segment.phase is not Phase.RUNNING:
            continue  # narrower than a pixel and where the last one ended: not drawable
        last_right = max(right, left + 1.0)
        parts.append(
            f'<rect class="segment" data-phase="{segment.phase.value}" x="{left:.1f}" y="{y}" '
            f'width="{max(right - left, 1.0):.1f}" height="{WORK_HEIGHT - 3}" '
            f'fill="{segment_colour(segment)}">'
            f"{_title(story.label + ': ' + segment_text(segment)) if index < SEGMENT_ROWS else ''}"
            "</rect>"
        )
    # every run's end is drawn; the ones the history table lists get a tooltip
    listed_until = story.events[-1].t_ms if story.events_dropped and story.events else None
    for event in story.ends:
        colour = RESULT_COLOURS.get(event.what)
        if colour is None:
            continue
        listed = listed_until is None or event.t_ms < listed_until
        text = f"{story.label} {event.what}: {event.detail} at {format_t_ms(event.t_ms)}"
        parts.append(
            f'<circle class="result" cx="{canvas.x(event.t_ms):.1f}" cy="{y + 5.5}" r="2.6" '
            f'fill="{colour}">{_title(text) if listed else ""}</circle>'
        )
    return parts


def picture_svg(
    picture: RunPicture, checks: Sequence[CheckResult] = (), *, anchor_prefix: str = ""
) -> str:
    """Draw a folded run as an SVG string (self-contained, for inlining in HTML); a work's
    label links to ``#{anchor_prefix}work-ID``, its entry in the inspector."""
    canvas = _Canvas(picture.duration_ms)
    parts: list[str] = []
    y = 10
    parts.extend(_battery(picture, canvas, y))
    y += BATTERY_HEIGHT + 6
    lane_parts, y = _lanes(picture, canvas, y)
    parts.extend(lane_parts)
    markers_y = y
    y += LANE_HEIGHT
    parts.extend(_requests(picture, canvas, y))
    y += LANE_HEIGHT + 4
    works = picture.works[:MAX_WORK_ROWS]
    for story in works:
        parts.extend(_work_row(story, canvas, y, anchor_prefix))
        y += WORK_HEIGHT
    if len(picture.works) > MAX_WORK_ROWS:
        parts.append(
            _label(y + 11, f"+{len(picture.works) - MAX_WORK_ROWS} more works (see the inspector)")
        )
        y += WORK_HEIGHT
    parts.append(_label(y + 10, "checks"))
    for check in checks:
        if not check.passed and check.t_ms is not None:
            at_text = format_t_ms(check.t_ms)
            parts.append(
                f'<path class="check" d="M{canvas.x(check.t_ms):.1f},{y} l-5,9 h10 z" '
                f'fill="#d64541">{_title(f"{check.spec}: {check.message} at {at_text}")}</path>'
            )
    y += 14
    parts[0:0] = _markers(picture, canvas, markers_y, y - 14)
    duration_ms = canvas.duration_ms
    step = MS_PER_DAY if duration_ms > 2 * MS_PER_DAY else MS_PER_HOUR * 6
    if duration_ms <= 6 * MS_PER_HOUR:
        step = MS_PER_HOUR
    for tick in range(0, duration_ms + 1, step):
        at = canvas.x(tick)
        parts.insert(0, f'<line x1="{at:.1f}" x2="{at:.1f}" y1="10" y2="{y - 14}" class="grid"/>')
        label = f"day {tick // MS_PER_DAY}" if step == MS_PER_DAY else format_t_ms(tick)[:-7]
        parts.append(f'<text x="{at:.1f}" y="{y + 2}" class="tick">{label}</text>')
    height = y + 10
    style = (
        # scoped to the picture: an inline SVG's style sheet applies to the whole page
        "<style>.timeline .lane{font:11px sans-serif;fill:#444}"
        ".timeline .work-label{font:10px monospace;fill:#1a5276}"
        ".timeline .tick{font:10px sans-serif;fill:#666;text-anchor:middle}"
        ".timeline .frame{fill:none;stroke:#ccc}.timeline .grid{stroke:#eee}"
        ".timeline .battery{fill:none;stroke:#2e7d32;stroke-width:1.5}</style>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="timeline of the run; the tables below list every element">'
        f"{style}{''.join(parts)}</svg>"
    )


def timeline_svg(
    records: Iterable[TraceRecord], duration_ms: int, checks: Sequence[CheckResult] = ()
) -> str:
    """Draw the run's timeline as an SVG string (self-contained, for inlining in HTML)."""
    return picture_svg(RunFolder.of(records, max(duration_ms, 1)), checks)
