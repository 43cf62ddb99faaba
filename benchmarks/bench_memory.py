"""(g) Peak resident memory of a month and a year, each in a fresh child process, checks included.

The child loads case b's scenario (a 15-minute sync with one GET on a pixel-like phone, typical
days) for 30
or 365 days (``--quick``: 1 and 4), runs it as the CLI does (trace streamed to a file and not
kept; every check evaluated afterwards) and reports its peak RSS (``ru_maxrss``) and whether the
checks held. The month is the floor: the cost of a longer run should not grow with its length.

Targets (issue 14): the year under 100 MB, and within 10 % of the month.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from benchmarks._measure import interleave, run_child
from benchmarks._result import On, Result, Target
from benchmarks._scenarios import DAILY_TIMELINE, scenario_data, write_scenario

CASE = "g"
TITLE = "peak RSS of a month and a year in a child process, checks included"
YEAR_TARGET = Target(100.0, on=On.VALUE)
GROWTH_TARGET = Target(1.10)
REPEATS = 2

_CHILD = """
import json, resource, sys
from harness.scenario import load, run_scenario
result = run_scenario(load(sys.argv[1]), 0, trace_path=sys.argv[2], keep_trace=False)
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_kb": peak_kb, "passed": result.record.passed,
                  "runs": result.record.metrics["work_runs"]}))
"""


def _side(days: int, workdir: Path, key: str) -> Mapping[str, float]:
    path = write_scenario(
        scenario_data("benchmarks._apps.quarter_hour", f"{days}d", timeline=DAILY_TIMELINE),
        workdir / f"{key}.yaml",
    )
    done = run_child([sys.executable, "-c", _CHILD, str(path), str(workdir / f"{key}.jsonl")])
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    if not measured["passed"] or not measured["runs"]:
        raise RuntimeError(f"the {days}-day run failed its checks; numbers are void")
    return {key: measured["peak_kb"] / 1024}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """The month and the year (or 1 and 4 days), interleaved."""
    short, long = (1, 4) if quick else (30, 365)
    repeats = repeats or (1 if quick else REPEATS)
    with tempfile.TemporaryDirectory(prefix="harness-bench-g-") as tmp:
        workdir = Path(tmp)
        samples = interleave(
            [lambda: _side(short, workdir, "short"), lambda: _side(long, workdir, "long")],
            repeats,
        )
    return [
        Result(
            CASE,
            f"peak RSS of {long} virtual days",
            samples["long"],
            "MB",
            target=YEAR_TARGET,
            compares="value: the child's peak resident set (ru_maxrss), run and checks",
        ),
        Result(
            CASE,
            f"peak RSS of {long} virtual days vs {short}",
            samples["long"],
            "MB",
            samples["short"],
            GROWTH_TARGET,
            f"ratio: peak RSS of {long} days / peak RSS of {short} days (flat memory: 1.00x)",
        ),
    ]
