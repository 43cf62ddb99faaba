"""Write (and re-render) a report directory: summary.json, junit.xml, summary.md, index.html."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import markupsafe

from harness import __version__
from harness.report._escape import report_link
from harness.report._folder import RunFolder
from harness.report._html import ENV as _ENV
from harness.report._junit import junit_xml
from harness.report._page import (
    PAGE_BUDGET,
    Aggregate,
    RunBlock,
    aggregate_of,
    legend,
    run_anchor,
)
from harness.report._runview import WorkStory
from harness.report._summary import (
    Interruption,
    dump_summary_json,
    summarize,
    summary_json,
    summary_markdown,
)
from harness.report._timeline import picture_svg
from harness.scenario import RunRecord
from harness.sim import Trace


@dataclass(frozen=True, slots=True)
class _ScenarioView:
    name: str
    path: str
    anchor: str
    runs: tuple[RunRecord, ...]
    failed: tuple[RunRecord, ...]
    passed: bool
    notes: tuple[str, ...]
    #: the rendered run blocks (timeline, tables, work inspector) shown for this scenario
    blocks: tuple[markupsafe.Markup, ...]
    #: seeds whose timelines the page budget left out
    left_out: tuple[int, ...]
    #: per run, the href of its trace file, or None (see :func:`_trace_link`)
    trace_links: tuple[str | None, ...]
    aggregate: Aggregate | None


@dataclass(frozen=True, slots=True)
class _FailureView:
    run: RunRecord
    block: RunBlock | None


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


def _block_for(out_dir: Path, run: RunRecord, *, open_: bool) -> RunBlock | None:
    """The run's picture, when its trace is a readable file inside ``out_dir``."""
    trace_file = _trace_file(out_dir, run)
    if trace_file is None:
        return None
    try:
        picture = RunFolder.of(Trace.read(trace_file), max(run.duration_ms, 1))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # an edited or cut-off trace: the report shows the run without its picture
    anchor = run_anchor(run)
    svg = picture_svg(picture, run.checks, anchor_prefix=f"{anchor}-")
    return RunBlock(run, picture, svg, anchor, open_)


def _render_block(block: RunBlock) -> markupsafe.Markup:
    failed_ids = {f.work_id for f in block.picture.failures if f.work_id}

    def failed_work(work: WorkStory) -> bool:
        return work.id in failed_ids or work.state == "FAILED"

    return markupsafe.Markup(
        _ENV.get_template("run.html.j2").render(
            block=block, legend=legend(block.picture), failed_work=failed_work
        )
    )


def _draw(
    out_dir: Path, run: RunRecord, *, open_: bool
) -> tuple[RunBlock, markupsafe.Markup] | None:
    """The run's block and its HTML, when its trace is a readable file inside ``out_dir``."""
    block = _block_for(out_dir, run, open_=open_)
    return None if block is None else (block, _render_block(block))


class Timelines:
    """Run blocks (timeline, tables, work inspector) drawn before the report is written.

    Drawing the blocks, each a read and fold of a trace file, is most of the report's work for
    a suite (about 2.6 of 4.3 CPU seconds for the bundled suites), and the report is written
    after the last run. ``harness run`` draws each block the page will likely show as soon as
    its run finishes (:meth:`draw`), while the pool's workers run the others, and hands them to
    :func:`write_report`. The page is the same either way: a block drawn ahead is used only for
    the very run it was drawn from (an equal record, the same report directory; a run's trace
    file is written once, by the run), and any other run the page shows is drawn then.
    """

    __slots__ = ("_drawn", "_out_dir")

    def __init__(self, out_dir: str | Path) -> None:
        self._out_dir = Path(out_dir)
        self._drawn: dict[tuple[str, int], tuple[RunBlock, markupsafe.Markup]] = {}

    def draw(self, run: RunRecord) -> None:
        """Draw ``run``'s block now (trace path relative to the report directory, as
        :func:`write_report` gets it); a run whose trace cannot be read is drawn by none."""
        drawn = _draw(self._out_dir, run, open_=False)
        if drawn is not None:
            self._drawn[run.path, run.seed] = drawn

    def block(
        self, out_dir: Path, run: RunRecord, *, open_: bool
    ) -> tuple[RunBlock, markupsafe.Markup] | None:
        """``run``'s block and HTML as :func:`render_html` draws them: the one drawn ahead
        for this run, reopened if need be, else one drawn now."""
        drawn = self._drawn.get((run.path, run.seed)) if out_dir == self._out_dir else None
        if drawn is None or drawn[0].run != run:
            return _draw(out_dir, run, open_=open_)
        block, rendered = drawn
        if block.open != open_:  # the picture and SVG do not depend on it; the HTML does
            block = replace(block, open=open_)
            rendered = _render_block(block)
        return block, rendered


def _scenario_aggregates(summary: dict[str, Any] | None) -> dict[str, Aggregate | None]:
    """Each scenario's ``aggregate`` of summary.json, by path."""
    if summary is None or not isinstance(summary.get("scenarios"), list):
        return {}
    return {
        str(scenario.get("path")): aggregate_of(scenario.get("aggregate"))
        for scenario in summary["scenarios"]
        if isinstance(scenario, dict)
    }


def render_html(
    out_dir: Path,
    records: Sequence[RunRecord],
    *,
    created_at: str,
    interrupted: Interruption | None = None,
    timelines: bool = True,
    summary: dict[str, Any] | None = None,
    drawn: Timelines | None = None,
) -> str:
    """``index.html``: failures first (replay command, failing checks, tracebacks), metrics,
    scenarios, and per run its timeline and work inspector.

    The first failing seed of each scenario gets its timeline (open); other failing seeds and
    the first passing seed of each scenario get one (collapsed) while :data:`PAGE_BUDGET`
    lasts. ``summary`` is summary.json's content: its ``aggregate`` objects are shown.
    Every value is escaped (autoescape, control characters shown); links go only to files
    inside ``out_dir`` (:func:`report_link`). ``timelines=False`` leaves the timelines out
    (drawing them reads every shown trace: seconds for a full suite); ``drawn`` holds blocks
    drawn ahead (:class:`Timelines`)."""
    scenarios = summarize(records)
    aggregates = _scenario_aggregates(summary)
    blocks: dict[tuple[str, int], markupsafe.Markup] = {}
    runs_blocks: dict[tuple[str, int], RunBlock] = {}
    first_failing = [scenario.failed[0] for scenario in scenarios if scenario.failed]
    other_failing = [run for scenario in scenarios for run in scenario.failed[1:]]
    first_passing = [
        next(run for run in scenario.runs if run.passed)
        for scenario in scenarios
        if any(run.passed for run in scenario.runs)
    ]
    ahead = drawn if drawn is not None else Timelines(out_dir)  # none drawn ahead: each now
    budget = PAGE_BUDGET
    for wanted, always in ((first_failing, True), (other_failing, False), (first_passing, False)):
        for run in wanted if timelines else ():
            found = ahead.block(out_dir, run, open_=always)
            if found is None:
                continue
            block, rendered = found
            if not always and len(rendered) > budget:
                continue
            budget -= len(rendered) if not always else 0
            blocks[run.path, run.seed] = rendered
            runs_blocks[run.path, run.seed] = block
    views = []
    for scenario in scenarios:
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
                blocks=tuple(
                    blocks[run.path, run.seed]
                    for run in scenario.runs
                    if (run.path, run.seed) in blocks
                ),
                left_out=tuple(
                    run.seed
                    for run in scenario.runs
                    if timelines
                    and (run.path, run.seed) not in blocks
                    and (run in other_failing or run in first_passing)
                ),
                trace_links=tuple(_trace_link(out_dir, run) for run in scenario.runs),
                aggregate=aggregates.get(scenario.path),
            )
        )
    failures = [
        _FailureView(run, runs_blocks.get((run.path, run.seed)))
        for scenario in scenarios
        for run in scenario.failed
    ]
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
        failures=failures,
        aggregate=aggregate_of(summary.get("aggregate")) if summary else None,
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
    drawn: Timelines | None = None,
) -> Path:
    """Write the four report files into ``out_dir`` (traces are already there); return index.html.

    Trace paths in the records are relative to ``out_dir``. ``interrupted`` marks a partial
    report: the records are the runs that finished before a signal stopped the suite.
    ``timelines=False`` leaves index.html's timelines out, for a report that must be written at
    once (after Ctrl-C); ``harness report DIR`` (:func:`rerender`) draws them. ``drawn``: run
    blocks drawn ahead, as runs finished (:class:`Timelines`; the files are the same without).
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    document = summary_json(
        records, created_at=created_at, interrupted=interrupted, comparison=comparison
    )
    (directory / "summary.json").write_text(dump_summary_json(document), encoding="utf-8")
    (directory / "junit.xml").write_text(
        junit_xml(records, interrupted=interrupted), encoding="utf-8"
    )
    (directory / "summary.md").write_text(
        summary_markdown(
            records, interrupted=interrupted, comparison=comparison, document=document
        ),
        encoding="utf-8",
    )
    index = directory / "index.html"
    html = render_html(
        directory,
        records,
        created_at=created_at,
        interrupted=interrupted,
        timelines=timelines,
        summary=document,
        drawn=drawn,
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
