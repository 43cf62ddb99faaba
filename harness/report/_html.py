"""The jinja2 environment every HTML page of a report is rendered with.

Autoescape is on and every ``{{ }}`` output goes through :func:`_finalize`, so scenario names,
messages and trace text are data, never markup (docs/report-schema.md, "index.html").

Compiling a template to Python took about a third of a one-hour run's report writing (some
50 ms per page), so the Python jinja2 makes of each template ships in
:mod:`harness.report._compiled_templates` (``python -m tests.regen_compiled_templates``;
``tests/report/test_html.py`` fails while it is stale). :class:`_Precompiled` hands it to jinja2
in place of compiling, only for the jinja2 version that made it and a template whose source has
the checksum it was made from; any other template is compiled as usual.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import jinja2
import markupsafe
from jinja2.bccache import Bucket

from harness._units import format_duration_ms, format_t_ms
from harness.report._compiled_templates import COMPILED, JINJA2_VERSION
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


class _Precompiled(jinja2.BytecodeCache):
    """Templates' Python code from :mod:`harness.report._compiled_templates` (jinja2's cache
    interface: ``get_bucket`` is asked before a template is compiled; a bucket with ``code`` is
    used as is)."""

    def __init__(self, compiled: MutableMapping[str, str] | None = None) -> None:
        self.compiled = dict(COMPILED) if compiled is None else compiled

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        bucket = super().get_bucket(environment, name, filename, source)
        python = self.compiled.get(bucket.checksum)
        if python is not None and jinja2.__version__ == JINJA2_VERSION:
            bucket.code = compile(python, filename or name, "exec")
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Nothing is read from disk (``get_bucket`` fills the bucket)."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Nothing is written to disk."""


def make_environment(**options: Any) -> jinja2.Environment:
    """The report's jinja2 environment (``options`` for the regeneration of the compiled
    templates, which leaves out :class:`_Precompiled`)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        **options,
    )
    environment.filters.update(
        t=format_t_ms,
        dur=format_duration_ms,
        anchorize=lambda text: re.sub(r"[^A-Za-z0-9_-]", "-", str(text)),
        segcolour=segment_colour,
    )
    environment.globals.update(rows=TABLE_ROWS, segment_rows=SEGMENT_ROWS, reasons=time_by_reason)
    return environment


ENV = make_environment(bytecode_cache=_Precompiled())
