"""``summary.json`` (versioned; schema in docs/report-schema.md) and ``summary.md``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from harness import __version__
from harness.scenario import RunRecord

#: Bump on any incompatible change to summary.json; docs/report-schema.md describes each version.
SCHEMA_VERSION: Final = 1


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


def summary_json(records: Sequence[RunRecord], *, created_at: str) -> dict[str, Any]:
    """The ``summary.json`` document."""
    scenarios = summarize(records)
    return {
        "schema_version": SCHEMA_VERSION,
        "harness_version": __version__,
        "created_at": created_at,
        "passed": all(scenario.passed for scenario in scenarios),
        "totals": {
            "scenarios": len(scenarios),
            "runs": len(records),
            "failed_runs": sum(len(scenario.failed) for scenario in scenarios),
        },
        "scenarios": [
            {
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


def dump_summary_json(records: Sequence[RunRecord], *, created_at: str) -> str:
    """``summary.json`` as indented, key-sorted text."""
    return json.dumps(summary_json(records, created_at=created_at), indent=2, sort_keys=True) + "\n"


def summary_markdown(records: Sequence[RunRecord]) -> str:
    """``summary.md``: a table of scenarios, then each failure with its replay command."""
    scenarios = summarize(records)
    lines = ["# harness run summary", ""]
    total_failed = sum(len(scenario.failed) for scenario in scenarios)
    verdict = "all checks hold" if total_failed == 0 else f"{total_failed} run(s) failed"
    lines += [f"{len(scenarios)} scenario(s), {len(records)} run(s): **{verdict}**.", ""]
    lines += ["| scenario | seeds | result |", "|---|---|---|"]
    for scenario in scenarios:
        result = (
            "✓ all pass"
            if scenario.passed
            else f"✗ {len(scenario.failed)}/{len(scenario.runs)} seeds fail"
        )
        lines.append(f"| {scenario.name} (`{scenario.path}`) | {len(scenario.runs)} | {result} |")
    for scenario in scenarios:
        if scenario.passed:
            continue
        lines += ["", f"## ✗ {scenario.name}", ""]
        first = scenario.failed[0]
        for check in first.failed_checks:
            lines.append(f"- `{check.spec}`: {check.message}")
            lines.extend(f"  - {detail}" for detail in check.details)
        if first.error is not None:
            lines.append(f"- run error: {first.error}")
        seeds = ", ".join(str(run.seed) for run in scenario.failed)
        lines += ["", f"Failing seeds: {seeds}. Replay the first:", ""]
        lines += ["```", first.replay_command(), "```"]
    notes = sorted({note for record in records for note in record.notes})
    if notes:
        lines += ["", "## Notes", ""]
        lines.extend(f"- {note}" for note in notes)
    return "\n".join(lines) + "\n"
