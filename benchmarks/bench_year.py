"""A device-year: the bundled ``conditional_sync`` happy path run for a year of virtual time.

The product promise is "a year of a phone's life in seconds" without gigabytes of memory, so the
cost of a virtual day must not grow as the run gets longer. Each run happens in a fresh process
(so its peak memory is its own), streaming its trace to a file as the CLI does:

* per virtual day: virtual days per real second of the long run against the same scenario run
  for a quarter of the time, in the same benchmark run. Linear scaling gives about 1.0x; the
  target is 1.3x.
* peak memory: the long run's peak resident memory against the short run's; memory that grows at
  most linearly stays within the ratio of the durations (4x). The long run's peak is also printed.

``--quick`` runs 30 and 120 days instead of 90 and 360.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._result import Result

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "conditional_sync" / "happy_path.yaml"
SPEED_TARGET = 1.3

_CHILD = """
import json, resource, sys
from harness.scenario import load
from harness.scenario._runner import run_scenario
from harness.sim import real_perf_counter
scenario = load(sys.argv[1])
began = real_perf_counter()
result = run_scenario(scenario, 0, trace_path=sys.argv[2], keep_trace=False)
seconds = real_perf_counter() - began
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": peak_kb, "passed": result.record.passed}))
"""


def _run_days(days: int, workdir: Path) -> dict[str, float]:
    """Run the scenario for ``days`` virtual days in a fresh process; its timing and memory."""
    text = SCENARIO.read_text(encoding="utf-8")
    lines = [
        f"duration: {days}d" if line.startswith("duration:") else line for line in text.split("\n")
    ]
    path = workdir / f"year_{days}d.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(workdir / f"trace_{days}d.jsonl")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if not measured["passed"]:
        raise RuntimeError(f"the {days}-day run failed its checks; benchmark numbers are void")
    return measured


def run(days: int) -> list[Result]:
    """Measure a ``days``-long run against one a quarter as long."""
    short_days = days // 4
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as tmp:
        short = _run_days(short_days, Path(tmp))
        long = _run_days(days, Path(tmp))
    return [
        Result(
            f"{days} virtual days (vs {short_days}), days",
            days / long["seconds"],
            short_days / short["seconds"],
            "/s",
            SPEED_TARGET,
        ),
        Result(
            f"{days} virtual days (vs {short_days}), peak",
            long["peak_kb"] / 1024,
            short["peak_kb"] / 1024,
            "MB",
            days / short_days,
            higher_is_better=False,
        ),
    ]
