"""(h) Start-up: ``harness --version`` and a one-hour scenario in a child process.

Each side is a fresh child process; its CPU seconds (user + system, from ``getrusage`` of the
waited-for child) are compared with ``python -c pass`` in the same repeats:

* ``harness --version`` (the console script; ``python -m harness.cli`` when there is none);
* ``harness run FILE --seed 0 --workers 1 --out TMP`` on a one-hour scenario (the quarter-hour
  sync on a pixel-like phone), report written;
* for information, the floor under that run: a child that only imports the libraries any such
  run needs whatever harness does (:data:`FLOOR_IMPORTS`: the app's HTTP client, the fake
  servers' router, the wall-clock patch, the scenario file's YAML, asyncio for app code and
  sqlite3 for WorkManager's database). What the one-hour run costs above it is harness's own
  share. httpx imports its command line (click, rich, pygments: some 75 ms) only where click is
  installed, so the row says whether it is in the measuring interpreter. A second row adds one
  start and stop of freezegun's ``freeze_time`` (:data:`FREEZE`), which the wall-clock patch
  needs: its walk over ``sys.modules`` also loads what anyio, pydantic, ``concurrent.futures``
  and others serve lazily.

The children compile each module once, in a warm-up run that is not measured, and read the
bytecode afterwards, as any installed ``harness`` does from its second run on: the bytecode
goes to a temporary ``PYTHONPYCACHEPREFIX``, written even where ``PYTHONDONTWRITEBYTECODE`` is
set in the environment (where it is, every run compiled every module again: a few tenths of a
second of the one-hour run went to compiling what a user's machine compiles once).

Targets (issue 14): ``--version`` under 0.1 s, the one-hour scenario under 0.3 s.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks._measure import harness_command, interleave, run_child
from benchmarks._result import On, Result, Target
from benchmarks._scenarios import scenario_data, write_scenario

CASE = "h"
TITLE = "start-up: harness --version and a one-hour scenario vs python -c pass"
VERSION_TARGET = Target(0.1, on=On.VALUE)
HOUR_TARGET = Target(0.3, on=On.VALUE)
REPEATS = 5
#: What a one-hour run of an app syncing over HTTP needs imported, whatever harness does.
FLOOR_IMPORTS = ("httpx", "respx", "freezegun", "yaml", "asyncio", "sqlite3")
#: One start and stop of freezegun's patch, as a run's wall-clock patch starts it.
FREEZE = "freezer = freezegun.freeze_time('2026-01-01'); freezer.start(); freezer.stop()"


def _side(command: Sequence[str], key: str, env: Mapping[str, str]) -> Mapping[str, float]:
    return {key: run_child(command, env=env).cpu_seconds}


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """The three commands, interleaved."""
    repeats = repeats or (2 if quick else REPEATS)
    with tempfile.TemporaryDirectory(prefix="harness-bench-h-") as tmp:
        workdir = Path(tmp)
        # an empty PYTHONDONTWRITEBYTECODE is unset for Python: bytecode is written and read
        env = {"PYTHONPYCACHEPREFIX": str(workdir / "pycache"), "PYTHONDONTWRITEBYTECODE": ""}
        scenario = write_scenario(
            scenario_data("benchmarks._apps.quarter_hour", "1h"), workdir / "one_hour.yaml"
        )
        out = workdir / "report"

        def one_hour() -> Mapping[str, float]:
            shutil.rmtree(out, ignore_errors=True)
            return _side(
                [
                    *harness_command(),
                    "run",
                    str(scenario),
                    "--seed",
                    "0",
                    "--workers",
                    "1",
                    "--out",
                    str(out),
                ],
                "hour",
                env,
            )

        sides = [
            lambda: _side([sys.executable, "-c", "pass"], "python", env),
            lambda: _side(
                [sys.executable, "-c", f"import {', '.join(FLOOR_IMPORTS)}"], "libraries", env
            ),
            lambda: _side(
                [sys.executable, "-c", f"import {', '.join(FLOOR_IMPORTS)}; {FREEZE}"],
                "frozen",
                env,
            ),
            lambda: _side([*harness_command(), "--version"], "version", env),
            one_hour,
        ]
        interleave(sides, 1)  # the warm-up: compiles and caches the bytecode
        samples = interleave(sides, repeats)
    return [
        Result(
            CASE,
            "harness --version",
            samples["version"],
            "s",
            samples["python"],
            VERSION_TARGET,
            "value: the child's CPU seconds; ratio (information): / CPU seconds of "
            "`python -c pass`",
        ),
        Result(
            CASE,
            "harness run of a one-hour scenario (report written)",
            samples["hour"],
            "s",
            samples["python"],
            HOUR_TARGET,
            "value: the child's CPU seconds; ratio (information): / CPU seconds of "
            "`python -c pass`",
        ),
        Result(
            CASE,
            f"imports alone: {', '.join(FLOOR_IMPORTS)} (information)",
            samples["libraries"],
            "s",
            samples["python"],
            None,
            "value: CPU seconds of a child importing only what a run needs whatever harness "
            "does (the one-hour run's floor); ratio: / `python -c pass`; click "
            + ("IS" if importlib.util.find_spec("click") else "is not")
            + " installed here (with it, httpx also imports click, rich and pygments)",
        ),
        Result(
            CASE,
            "imports alone and one freezegun start and stop (information)",
            samples["frozen"],
            "s",
            samples["python"],
            None,
            "value: CPU seconds of the child above also starting and stopping freezegun's "
            "freeze_time once (the wall-clock patch's floor); ratio: / `python -c pass`",
        ),
    ]
