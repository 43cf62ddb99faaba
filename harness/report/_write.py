"""Write (and re-render) a report directory: summary.json, junit.xml, summary.md, index.html."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from harness import __version__
from harness.report._junit import junit_xml
from harness.report._summary import dump_summary_json, summarize, summary_markdown
from harness.report._timeline import timeline_svg
from harness.scenario import RunRecord
from harness.sim import Trace

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
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


def _anchor(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def _svg_for(out_dir: Path, run: RunRecord) -> str:
    if run.trace_path is None:
        return ""
    trace_file = out_dir / run.trace_path
    if not trace_file.exists():
        return ""
    return timeline_svg(Trace.read(trace_file), run.duration_ms, run.checks)


def render_html(out_dir: Path, records: Sequence[RunRecord], *, created_at: str) -> str:
    """``index.html``: scenarios, a timeline of the first failing (or first) seed of each, runs."""
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
                svg=_svg_for(out_dir, shown),
            )
        )
    failed = sum(len(view.failed) for view in views)
    passed = failed == 0
    verdict = "all checks hold" if passed else f"{failed} of {len(records)} runs failed"
    return _ENV.get_template("index.html.j2").render(
        scenarios=views,
        passed=passed,
        verdict=verdict,
        totals={"scenarios": len(views), "runs": len(records)},
        version=__version__,
        created_at=created_at,
    )


def write_report(out_dir: str | Path, records: Sequence[RunRecord], *, created_at: str) -> Path:
    """Write the four report files into ``out_dir`` (traces are already there); return index.html.

    Trace paths in the records are relative to ``out_dir``.
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(
        dump_summary_json(records, created_at=created_at), encoding="utf-8"
    )
    (directory / "junit.xml").write_text(junit_xml(records), encoding="utf-8")
    (directory / "summary.md").write_text(summary_markdown(records), encoding="utf-8")
    index = directory / "index.html"
    index.write_text(render_html(directory, records, created_at=created_at), encoding="utf-8")
    return index


def read_records(out_dir: str | Path) -> tuple[list[RunRecord], str]:
    """Read the runs and creation time back from a report directory's ``summary.json``."""
    summary_path = Path(out_dir) / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{summary_path} does not exist; point `harness report` at a directory written by "
            "`harness run --out DIR`"
        ) from None
    records = [
        RunRecord.from_json(run) for scenario in summary["scenarios"] for run in scenario["runs"]
    ]
    return records, str(summary.get("created_at", ""))


def rerender(out_dir: str | Path) -> Path:
    """Re-render every report file of ``out_dir`` from its summary.json and traces."""
    records, created_at = read_records(out_dir)
    return write_report(out_dir, records, created_at=created_at)
