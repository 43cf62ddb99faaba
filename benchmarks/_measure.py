"""Measuring: CPU time of this process and of children, and interleaved repeats.

Interleaving: each repeat runs every side once, one after the other (harness, floor, harness,
floor, ...), so a burst of other work on a busy machine hits both sides instead of one side's
whole series. CPU time (``time.process_time``, all threads of this process; ``getrusage`` of
waited-for children) is much less disturbed by other processes than wall time.
"""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks._result import Samples

#: The repository (child processes run here so ``examples.*`` and ``benchmarks.*`` import).
ROOT = Path(__file__).resolve().parent.parent

#: One side of a case: runs once, returns its measured quantities by name.
Side = Callable[[], Mapping[str, float]]


def cpu_seconds() -> float:
    """CPU seconds of this process so far (every thread; freezegun never patches this)."""
    return time.process_time()


def interleave(sides: Sequence[Side], repeats: int) -> dict[str, Samples]:
    """Run ``sides`` in turn ``repeats`` times; every quantity's samples, by name."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    values: dict[str, list[float]] = {}
    for _ in range(repeats):
        for side in sides:
            gc.collect()
            for name, value in side().items():
                values.setdefault(name, []).append(value)
    return {name: Samples(tuple(samples)) for name, samples in values.items()}


@dataclass(frozen=True, slots=True)
class ChildRun:
    """A finished child process: its CPU seconds (user + system), wall seconds and output."""

    cpu_seconds: float
    wall_seconds: float
    returncode: int
    stdout: str
    stderr: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(
    command: Sequence[str], *, check: bool = True, env: Mapping[str, str] | None = None
) -> ChildRun:
    """Run ``command`` in ``ROOT`` and wait for it; its CPU time includes its own children's."""
    cpu_before = _children_cpu()
    wall_before = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - wall_before
    cpu = _children_cpu() - cpu_before
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}\n"
            f"{done.stderr[-2000:]}"
        )
    return ChildRun(cpu, wall, done.returncode, done.stdout, done.stderr)


def harness_command() -> list[str]:
    """The ``harness`` console script of this interpreter (``python -m harness.cli`` if none)."""
    script = Path(sys.executable).parent / "harness"
    return [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]
