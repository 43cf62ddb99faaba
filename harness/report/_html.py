"""The jinja2 environment every HTML page of a report is rendered with.

Autoescape is on and every ``{{ }}`` output goes through :func:`_finalize`, so scenario names,
messages and trace text are data, never markup (docs/report-schema.md, "index.html").
"""

from __future__ import annotations

import re

import jinja2
import markupsafe

from harness._units import format_duration_ms, format_t_ms
from harness.report._escape import printable
from harness.report._page import time_by_reason
from harness.report._runview import SEGMENT_ROWS, TABLE_ROWS
from harness.report._timeline import segment_colour


def _finalize(value: object) -> object:
    """Every ``{{ }}`` output: control characters shown as escapes (autoescape then quotes
    ``<``, ``&`` and quotes); markup marked safe (the SVG timeline, escaped when drawn) stays."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
)
ENV.filters.update(
    t=format_t_ms,
    dur=format_duration_ms,
    anchorize=lambda text: re.sub(r"[^A-Za-z0-9_-]", "-", str(text)),
    segcolour=segment_colour,
)
ENV.globals.update(rows=TABLE_ROWS, segment_rows=SEGMENT_ROWS, reasons=time_by_reason)
