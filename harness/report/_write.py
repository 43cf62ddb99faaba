"""Write (and re-render) a report directory: summary.json, junit.xml, summary.md, index.html."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from harness import __version__
from harness.report._escape import printable, report_link
from harness.report._junit import junit_xml
from harness.report._summary import (
    Interruption,
    dump_summary_json,
    summarize,
    summary_markdown,
)
from harness.report._timeline import timeline_svg
from harness.scenario import RunRecord
from harness.sim import Trace


def _finalize(value: object) -> object:
    """Every ``{{ }}`` output: control characters shown as escapes (autoescape then quotes
    ``<``, ``&`` and quotes); markup marked safe (the SVG timeline, escaped when drawn) stays."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value)
    return value


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
)


@dataclass(frozen=True, slots=True)
class _ScenarioView:
    name: str
    path: str
    anchor: str
    runs: tuple[RunRecord, ...]
    failed: tuple[RunRecord, ...]
    passed: bool
    notes: tuple[str, ...]
    shown: RunRecord | None
    svg: str
    #: per run, the href of its trace file, or None (see :func:`_trace_link`)
    trace_links: tuple[str | None, ...]


def _anchor(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def _trace_file(out_dir: Path, run: RunRecord) -> Path | None:
    """The run's trace, when it is a file inside ``out_dir`` named by a plain relative path
    (a ``summary.json`` edited to name ``/etc/passwd``, ``../x`` or a link out gets None)."""
    if run.trace_path is None or report_link(run.trace_path) is None:
        return None
    trace_file = out_dir / run.trace_path
    try:
        inside = trace_file.resolve().is_relative_to(out_dir.resolve())
    except OSError:
        return None
    return trace_file if inside and trace_file.is_file() else None


def _trace_link(out_dir: Path, run: RunRecord) -> str | None:
    """The href of the run's trace: relative, inside the report directory, existing."""
    return report_link(run.trace_path) if _trace_file(out_dir, run) is not None else None


def _svg_for(out_dir: Path, run: RunRecord) -> str:
    """The run's timeline, when its trace is a readable file inside ``out_dir``."""
    trace_file = _trace_file(out_dir, run)
    if trace_file is None:
        return ""
    try:
        return timeline_svg(Trace.read(trace_file), run.duration_ms, run.checks)
    except (OSError, ValueError, TypeError, KeyError):
        return ""  # an edited or cut-off trace: the report shows the run without its picture


def render_html(
    out_dir: Path,
    records: Sequence[RunRecord],
    *,
    created_at: str,
    interrupted: Interruption | None = None,
    timelines: bool = True,
) -> str:
    """``index.html``: scenarios, a timeline of the first failing (or first) seed of each, runs.

    Every value is escaped (autoescape, control characters shown); links go only to files
    inside ``out_dir`` (:func:`report_link`). ``timelines=False`` leaves the SVG timelines out
    (drawing them reads every shown trace: seconds for a full suite)."""
    views = []
    for scenario in summarize(records):
        shown = scenario.failed[0] if scenario.failed else scenario.runs[0]
        notes = tuple(sorted({note for run in scenario.runs for note in run.notes}))
        views.append(
            _ScenarioView(
                name=scenario.name,
                path=scenario.path,
                anchor=_anchor(scenario.path),
                runs=scenario.runs,
                failed=scenario.failed,
                passed=scenario.passed,
                notes=notes,
                shown=shown,
                svg=_svg_for(out_dir, shown) if timelines else "",
                trace_links=tuple(_trace_link(out_dir, run) for run in scenario.runs),
            )
        )
    failed = sum(len(view.failed) for view in views)
    passed = failed == 0 and interrupted is None
    verdict = "all checks hold" if failed == 0 else f"{failed} of {len(records)} runs failed"
    if interrupted is not None:
        finished = "every finished run passed" if failed == 0 else verdict
        verdict = f"{interrupted.describe()}, {finished}"
    return _ENV.get_template("index.html.j2").render(
        scenarios=views,
        passed=passed,
        verdict=verdict,
        partial=interrupted is not None,
        timelines=timelines,
        totals={"scenarios": len(views), "runs": len(records)},
        version=__version__,
        created_at=created_at,
    )


def write_report(
    out_dir: str | Path,
    records: Sequence[RunRecord],
    *,
    created_at: str,
    interrupted: Interruption | None = None,
    timelines: bool = True,
    comparison: Mapping[str, Any] | None = None,
) -> Path:
    """Write the four report files into ``out_dir`` (traces are already there); return index.html.

    Trace paths in the records are relative to ``out_dir``. ``interrupted`` marks a partial
    report: the records are the runs that finished before a signal stopped the suite.
    ``timelines=False`` leaves index.html's timelines out, for a report that must be written at
    once (after Ctrl-C); ``harness report DIR`` (:func:`rerender`) draws them.
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(
        dump_summary_json(
            records, created_at=created_at, interrupted=interrupted, comparison=comparison
        ),
        encoding="utf-8",
    )
    (directory / "junit.xml").write_text(
        junit_xml(records, interrupted=interrupted), encoding="utf-8"
    )
    (directory / "summary.md").write_text(
        summary_markdown(records, interrupted=interrupted, comparison=comparison),
        encoding="utf-8",
    )
    index = directory / "index.html"
    html = render_html(
        directory, records, created_at=created_at, interrupted=interrupted, timelines=timelines
    )
    index.write_text(html, encoding="utf-8")
    return index


def read_records(out_dir: str | Path) -> tuple[list[RunRecord], str]:
    """Read the runs and creation time back from a report directory's ``summary.json``."""
    summary = _read_summary(out_dir)
    return _records_of(summary), str(summary.get("created_at", ""))


def _records_of(summary: dict[str, Any]) -> list[RunRecord]:
    try:
        return [
            RunRecord.from_json(run)
            for scenario in summary["scenarios"]
            for run in scenario["runs"]
        ]
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"summary.json does not follow docs/report-schema.md ({type(error).__name__}: "
            f"{error}); re-run `harness run --out DIR` to write it again"
        ) from None


def _read_summary(out_dir: str | Path) -> dict[str, Any]:
    summary_path = Path(out_dir) / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{summary_path} does not exist; point `harness report` at a directory written by "
            "`harness run --out DIR`"
        ) from None
    if not isinstance(summary, dict):
        raise ValueError(f"{summary_path} is not a harness summary (a JSON object)")
    return summary


def rerender(out_dir: str | Path, *, comparison: Mapping[str, Any] | None = None) -> Path:
    """Re-render every report file of ``out_dir`` from its summary.json and traces (a partial
    report stays marked partial; a comparison with a baseline stays, unless ``comparison``
    replaces it)."""
    summary = _read_summary(out_dir)
    kept = summary.get("comparison")
    return write_report(
        out_dir,
        _records_of(summary),
        created_at=str(summary.get("created_at", "")),
        interrupted=Interruption.from_json(summary.get("interrupted")),
        comparison=comparison
        if comparison is not None
        else kept
        if isinstance(kept, dict)
        else None,
    )
