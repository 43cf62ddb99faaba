"""Settings for harness's own tests (fixtures such as ``sim`` come from harness.pytest_plugin)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings

from harness.sim._trace import STRICT_ENV

# No per-example wall-clock deadline: CI machines vary, and speed is measured in benchmarks/.
# Derandomized: every run of the suite draws the same examples, so a slow or failing example
# seen once is seen every time (nightly exploration belongs to --harness-profile nightly).
settings.register_profile("harness", deadline=None, derandomize=True)
settings.load_profile("harness")


# Every trace in harness's own tests is strict: a record of an unregistered kind, or with a
# missing, undeclared or wrongly typed field, fails the test (docs/trace.md). Set in the
# environment so process pools and subprocesses the tests start are strict too.
os.environ[STRICT_ENV] = "1"


@pytest.fixture
def lenient_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Traces created in this test accept any kind (for tests of the trace itself)."""
    monkeypatch.setenv(STRICT_ENV, "0")


#: The calls of a spied ``run_scenario`` (trace path, ``keep_trace``), and the folder where
#: temporary files are made meanwhile.
RunScenarioCalls = tuple[list[tuple[Path, bool]], Path]


@pytest.fixture
def spy_run_scenario(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[ModuleType], RunScenarioCalls]:
    """``spy_run_scenario(module)``: ``module.run_scenario`` records each call's trace path and
    ``keep_trace`` and runs as before, and temporary files are made in an empty ``scratch``
    folder (to see what a run streamed, and that nothing is left behind)."""

    def spy(module: ModuleType) -> RunScenarioCalls:
        calls: list[tuple[Path, bool]] = []
        real_run = module.run_scenario

        def run_scenario(scenario: Any, seed: int, *, trace_path: Path, keep_trace: bool) -> Any:
            calls.append((Path(trace_path), keep_trace))
            return real_run(scenario, seed, trace_path=trace_path, keep_trace=keep_trace)

        scratch = tmp_path / "scratch"
        scratch.mkdir()
        monkeypatch.setattr(module, "run_scenario", run_scenario)
        monkeypatch.setattr(tempfile, "tempdir", str(scratch))
        return calls, scratch

    return spy
