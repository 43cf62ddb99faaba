"""(g) Peak resident memory of a month and a year, each in a fresh child process, checks included.

The child loads case b's scenario (a 15-minute sync with one GET on a pixel-like phone, typical
days) for 30 or 365 days (``--quick``: 1 and 4), runs it as the CLI does (trace streamed to a file
and not kept; every check folded as the records are written) and reports its peak RSS (Linux's
``VmHWM``, else ``ru_maxrss``) and whether the checks held. The month is the floor: the cost of a
longer run should not grow with its length. The second pair of rows runs the same phone with an
app that uploads a 1 MB photo (a body of declared size, ``harness.backends.SizedBody``) every 15
minutes. The third pair runs case b's scenario file as a pytest item (the harness plugin
collects it; one seed), as a team running its scenario files under pytest does.

Targets (issue 14): each year under 100 MB, and within 10 % of its month.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks._measure import interleave, run_child
from benchmarks._result import On, Result, Target
from benchmarks._scenarios import DAILY_TIMELINE, PHOTOS_URL, scenario_data, write_scenario

CASE = "g"
TITLE = "peak RSS of a month and a year in a child process, checks included"
YEAR_TARGET = Target(100.0, on=On.VALUE)
GROWTH_TARGET = Target(1.10)
REPEATS = 2

# Linux keeps ru_maxrss across fork and exec: a child of a benchmark process that grew to
# 110 MB (after cases a-f) reports at least 110 MB. VmHWM is the peak of this process's own
# memory since its exec; ru_maxrss is the fallback where /proc is absent. Each child runs
# ``SCENARIO_FILE TRACE_FILE``, sets ``passed`` and ``runs`` (work runs, or None where it does
# not count them), then prints what this tail reads.
_PEAK = """
import json, re, resource
try:
    with open("/proc/self/status") as status:
        peak_kb = int(re.search(r"^VmHWM:\\s+(\\d+) kB", status.read(), re.M).group(1))
except (OSError, AttributeError):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_kb": peak_kb, "passed": passed, "runs": runs}))
"""

_CHILD = (
    """
import sys
from harness.scenario import load, run_scenario
result = run_scenario(load(sys.argv[1]), 0, trace_path=sys.argv[2], keep_trace=False)
passed, runs = result.record.passed, result.record.metrics["work_runs"]
"""
    + _PEAK
)

# The same scenario file collected by pytest (the harness plugin), one seed, in this process:
# pytest's exit code says whether its checks held; it does not count the work runs.
_PYTEST_CHILD = (
    """
import os, sys
import pytest
code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", os.path.dirname(sys.argv[2]),
                    "--harness-seeds", "1", sys.argv[1]])
passed, runs = code == 0, None
"""
    + _PEAK
)


#: The workloads: case b's GET every 15 minutes, a 1 MB photo upload every 15 minutes, and case
#: b's scenario file collected by pytest.
_WORKLOADS: dict[str, dict[str, Any]] = {
    "sync": {"app": "benchmarks._apps.quarter_hour"},
    "photos": {
        "app": "benchmarks._apps.photo_upload",
        "routes": [{"method": "POST", "url": PHOTOS_URL, "status": 201, "json": {"ok": True}}],
    },
    "pytest": {"app": "benchmarks._apps.quarter_hour", "child": _PYTEST_CHILD},
}


def _side(workload: str, days: int, workdir: Path, key: str) -> Mapping[str, float]:
    setup = _WORKLOADS[workload]
    path = write_scenario(
        scenario_data(
            setup["app"], f"{days}d", routes=setup.get("routes"), timeline=DAILY_TIMELINE
        ),
        workdir / f"{key}.yaml",
    )
    child = setup.get("child", _CHILD)
    done = run_child([sys.executable, "-c", child, str(path), str(workdir / f"{key}.jsonl")])
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    if not measured["passed"] or measured["runs"] == 0:
        raise RuntimeError(f"the {days}-day {workload} run failed its checks; numbers are void")
    return {key: measured["peak_kb"] / 1024}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """The month and the year (or 1 and 4 days) of each workload, interleaved."""
    short, long = (1, 4) if quick else (30, 365)
    repeats = repeats or (1 if quick else REPEATS)
    with tempfile.TemporaryDirectory(prefix="harness-bench-g-") as tmp:
        workdir = Path(tmp)
        sides = [
            functools.partial(_side, workload, days, workdir, f"{workload}-{length}")
            for workload in _WORKLOADS
            for days, length in ((short, "short"), (long, "long"))
        ]
        samples = interleave(sides, repeats)
    results: list[Result] = []
    for workload, what in (
        ("sync", ""),
        ("photos", " of 1 MB photo uploads"),
        ("pytest", " collected by pytest"),
    ):
        results += [
            Result(
                CASE,
                f"peak RSS of {long} virtual days{what}",
                samples[f"{workload}-long"],
                "MB",
                target=YEAR_TARGET,
                compares="value: the child's peak resident set (VmHWM), run and checks"
                + (" (pytest and its plugins loaded too)" if workload == "pytest" else ""),
            ),
            Result(
                CASE,
                f"peak RSS of {long} virtual days{what} vs {short}",
                samples[f"{workload}-long"],
                "MB",
                samples[f"{workload}-short"],
                GROWTH_TARGET,
                f"ratio: peak RSS of {long} days / peak RSS of {short} days (flat memory: 1.00x)",
            ),
        ]
    return results
