"""(e) The bundled suites with 1 and 2 worker processes: the speed-up of the second worker.

Each side is ``harness run scenarios/ --workers N --out TMP`` in a child process (the README's
main command, with each file's own seeds). The speed-up is wall time, since that is what two
workers buy; the children's CPU time is printed for information. ``--quick``: one bundled file,
2 seeds (``QUICK_FILES``, ``QUICK_SEEDS``).

Target (issue 14): 2 workers at least 1.8x as fast as 1.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from benchmarks._measure import ROOT, harness_command, interleave, run_child
from benchmarks._result import Goal, Result, Target
from harness.scenario import discover

CASE = "e"
TITLE = "bundled suites with 1 and 2 workers"
TARGET = Target(1.8, Goal.AT_LEAST)
REPEATS = 2
#: ``--quick``: the files and the seeds option (tests point these at a tiny scenario).
QUICK_FILES: tuple[str, ...] = ("scenarios/hourly_sync/happy_path.yaml",)
QUICK_SEEDS = ("--seeds", "2")


def _side(paths: list[str], extra: list[str], workers: int) -> Mapping[str, float]:
    out = Path(tempfile.mkdtemp(prefix="harness-bench-e-"))
    try:
        done = run_child(
            [
                *harness_command(),
                "run",
                *paths,
                *extra,
                "--workers",
                str(workers),
                "--out",
                str(out),
            ],
            check=False,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if done.returncode not in (0, 1):  # 1: a check failed, still a timing of the whole suite
        raise RuntimeError(f"harness run exited {done.returncode}: {done.stderr[-2000:]}")
    return {f"wall_{workers}": done.wall_seconds, f"cpu_{workers}": done.cpu_seconds}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Run the suites with 1 and 2 workers, interleaved."""
    paths = list(QUICK_FILES) if quick else ["scenarios/"]
    extra = list(QUICK_SEEDS) if quick else []
    repeats = repeats or (1 if quick else REPEATS)
    runs = len(discover([ROOT / path for path in paths]))
    samples = interleave([lambda: _side(paths, extra, 1), lambda: _side(paths, extra, 2)], repeats)
    seeds = " ".join(QUICK_SEEDS) if quick else "each file's seeds"
    what = f"{runs} file{'' if runs == 1 else 's'}, {seeds}"
    return [
        Result(
            CASE,
            f"harness run {' '.join(paths)} ({what}), 2 workers vs 1",
            samples["wall_2"],
            "s",
            samples["wall_1"],
            TARGET,
            "ratio: wall seconds with 1 worker / wall seconds with 2 workers (the speed-up)",
            inverted=True,
        ),
        Result(
            CASE,
            "  CPU seconds of the 2-worker run (all processes) vs the 1-worker run",
            samples["cpu_2"],
            "s",
            samples["cpu_1"],
            None,
            "information: children's CPU seconds, 2 workers / 1 worker (the cost of a second "
            "process)",
        ),
    ]
