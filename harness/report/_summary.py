"""``summary.json`` (versioned; schema in docs/report-schema.md) and ``summary.md``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from harness import __version__
from harness.report._aggregate import pool_of
from harness.report._escape import markdown_block, markdown_code, markdown_text
from harness.report._metrics_md import metrics_section, why_lines
from harness.report._platforms import platform_comparison, platform_lines
from harness.scenario import RunRecord

#: Bump on any incompatible change to summary.json; docs/report-schema.md describes each version.
SCHEMA_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Interruption:
    """A ``harness run`` stopped early by a signal; its report holds the runs that finished.

    ``signal`` is the signal's name (``"SIGINT"`` for Ctrl-C, ``"SIGTERM"``);
    ``finished_runs`` of the ``planned_runs`` (scenario, seed) pairs completed.
    """

    signal: str
    finished_runs: int
    planned_runs: int

    def describe(self) -> str:
        """The line every report file shows: ``interrupted: 7 of 20 runs (SIGINT)``."""
        return f"interrupted: {self.finished_runs} of {self.planned_runs} runs ({self.signal})"

    def to_json(self) -> dict[str, Any]:
        """The ``interrupted`` object of ``summary.json``."""
        return {
            "signal": self.signal,
            "finished_runs": self.finished_runs,
            "planned_runs": self.planned_runs,
        }

    @classmethod
    def from_json(cls, data: object) -> Interruption | None:
        """Read ``interrupted`` back (None, or a file without the key, is a complete run)."""
        if not isinstance(data, dict):
            return None
        return cls(
            signal=str(data.get("signal", "")),
            finished_runs=int(data.get("finished_runs", 0)),
            planned_runs=int(data.get("planned_runs", 0)),
        )


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    """How one scenario fared over its seeds."""

    name: str
    path: str
    runs: tuple[RunRecord, ...]

    @property
    def failed(self) -> tuple[RunRecord, ...]:
        """The runs that failed."""
        return tuple(run for run in self.runs if not run.passed)

    @property
    def passed(self) -> bool:
        """Every seed passed."""
        return not self.failed


def summarize(records: Sequence[RunRecord]) -> list[ScenarioSummary]:
    """Group runs by scenario file, seeds ascending, scenarios in path order."""
    ordered = sorted(records, key=lambda record: (record.path, record.seed))
    return [
        ScenarioSummary(runs[0].scenario, path, tuple(runs))
        for path, group in groupby(ordered, key=lambda record: record.path)
        for runs in [list(group)]
    ]


def summary_json(
    records: Sequence[RunRecord],
    *,
    created_at: str,
    interrupted: Interruption | None = None,
    comparison: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``summary.json`` document (``interrupted`` set makes it a partial report;
    ``comparison``, the comparison with a baseline report, ``harness.report._compare``)."""
    scenarios = summarize(records)
    platforms = platform_comparison(records)  # only when an app ran on several platforms
    return {
        **({"platforms": platforms} if platforms else {}),
        "schema_version": SCHEMA_VERSION,
        "harness_version": __version__,
        "created_at": created_at,
        "interrupted": interrupted.to_json() if interrupted is not None else None,
        "passed": interrupted is None and all(scenario.passed for scenario in scenarios),
        "totals": {
            "scenarios": len(scenarios),
            "runs": len(records),
            "failed_runs": sum(len(scenario.failed) for scenario in scenarios),
        },
        "aggregate": pool_of(records).to_json(),
        "comparison": None if comparison is None else dict(comparison),
        "scenarios": [
            {
                "aggregate": pool_of(scenario.runs).to_json(),
                "name": scenario.name,
                "path": scenario.path,
                "passed": scenario.passed,
                "seeds": [run.seed for run in scenario.runs],
                "failed_seeds": [run.seed for run in scenario.failed],
                "runs": [run.to_json() for run in scenario.runs],
            }
            for scenario in scenarios
        ],
    }


def dump_summary_json(document: Mapping[str, Any]) -> str:
    """``summary.json``'s text: :func:`summary_json`'s ``document``, indented, keys sorted."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


#: The figures ``summary.md`` shows per run of a scenario that draws lives (docs/lives.md).
LIFE_FIGURES: Final = ("work_runs", "wakeups", "battery_mah_used")


def _lives(scenarios: Sequence[ScenarioSummary]) -> list[str]:
    """Per run of each scenario with a drawn life: its vendor and the figures lives move."""
    lines: list[str] = []
    for scenario in scenarios:
        runs = [run for run in scenario.runs if run.life is not None]
        if not runs:
            continue
        lines += ["", f"## Lives drawn: {markdown_text(scenario.name)}", ""]
        lines += ["| seed | life | vendor | " + " | ".join(LIFE_FIGURES) + " |"]
        lines += ["|---" * (3 + len(LIFE_FIGURES)) + "|"]
        for run in runs:
            life = run.life or {}
            figures = " | ".join(str(run.metrics.get(name, "")) for name in LIFE_FIGURES)
            lines.append(
                f"| {run.seed} | {markdown_text(str(life.get('preset')))} | "
                f"{markdown_text(str(life.get('vendor') or 'profile'))} | {figures} |"
            )
        lines.append("")
        for name in LIFE_FIGURES:
            values = [v for run in runs if (v := run.metrics.get(name)) is not None]
            if values:
                lines.append(f"- {name}: {min(values)} to {max(values)} over {len(values)} seeds")
    return lines


def summary_markdown(
    records: Sequence[RunRecord],
    *,
    interrupted: Interruption | None = None,
    comparison: Mapping[str, Any] | None = None,
    document: Mapping[str, Any] | None = None,
) -> str:
    """``summary.md``: a table of scenarios, then each failure with its replay command.

    Names, paths, messages and notes are escaped (:func:`markdown_text`, :func:`markdown_code`):
    the file carries no raw HTML, links or emphasis that came from a scenario or a run.
    ``document``: :func:`summary_json` of the same records, when the caller built it already;
    its aggregates are shown rather than pooled from the runs again.
    """
    scenarios = summarize(records)
    lines = ["# harness run summary", ""]
    total_failed = sum(len(scenario.failed) for scenario in scenarios)
    verdict = "all checks hold" if total_failed == 0 else f"{total_failed} run(s) failed"
    if interrupted is not None:
        verdict = "every finished run passed" if total_failed == 0 else verdict
        lines += [f"**{markdown_text(interrupted.describe())}**: a partial report.", ""]
    lines += [f"{len(scenarios)} scenario(s), {len(records)} run(s): **{verdict}**.", ""]
    if comparison is not None:  # first: the part a pull-request comment is about
        from harness.report._compare import comparison_markdown

        try:
            lines += [*comparison_markdown(comparison), ""]
        except (KeyError, TypeError, ValueError, AttributeError):  # an edited summary.json
            lines += [
                "The comparison in summary.json is unreadable; run "
                "`harness report --baseline OLD DIR` again.",
                "",
            ]
    lines += ["| scenario | seeds | result |", "|---|---|---|"]
    for scenario in scenarios:
        result = (
            "✓ all pass"
            if scenario.passed
            else f"✗ {len(scenario.failed)}/{len(scenario.runs)} seeds fail"
        )
        name, path = markdown_text(scenario.name), markdown_code(scenario.path)
        lines.append(f"| {name} ({path}) | {len(scenario.runs)} | {result} |")
    for scenario in scenarios:
        if scenario.passed:
            continue
        lines += ["", f"## ✗ {markdown_text(scenario.name)}", ""]
        first = scenario.failed[0]
        for check in first.failed_checks:
            lines.append(f"- {markdown_code(check.spec)}: {markdown_text(check.message)}")
            lines.extend(f"  - {markdown_text(detail)}" for detail in check.details)
        if first.error is not None:
            lines.append(f"- run error: {markdown_text(first.error)}")
        if first.versions:
            lines += ["", f"Modelled: {markdown_text(first.describe_versions())}."]
        seeds = ", ".join(str(run.seed) for run in scenario.failed)
        lines += ["", f"Failing seeds: {seeds}. Replay the first:", ""]
        lines += markdown_block(first.replay_command())
        lines += why_lines(first)
    lines += platform_lines(records)
    lines += _lives(scenarios)
    if document is None:
        document = {
            "aggregate": pool_of(records).to_json(),
            "scenarios": [
                {"name": scenario.name, "aggregate": pool_of(scenario.runs).to_json()}
                for scenario in scenarios
            ],
        }
    lines += metrics_section(
        document["aggregate"],
        [(scenario["name"], scenario["aggregate"]) for scenario in document["scenarios"]],
    )
    notes = sorted({note for record in records for note in record.notes})
    if notes:
        lines += ["", "## Notes", ""]
        lines.extend(f"- {markdown_text(note)}" for note in notes)
    return "\n".join(lines) + "\n"
