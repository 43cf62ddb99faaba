"""Same seed, same trace: ids, retries, periods, cancels and restarts are deterministic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.sim import Simulation
from harness.workmanager import (
    BackoffPolicy,
    ExistingWorkPolicy,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    WorkManager,
)
from tests.workmanager.workers import AlwaysRetry, Echo, Raise, Sleep, SyncSleep

_ROOT = Path(__file__).resolve().parents[2]


def run_scenario(seed: int) -> str:
    """A day of mixed work with a process death in the middle; returns the trace digest."""
    with Simulation(seed=seed) as sim:
        workmanager = WorkManager(sim)
        retrying = (
            OneTimeWorkRequest.builder(AlwaysRetry)
            .set_backoff_criteria(BackoffPolicy.LINEAR, "1m")
            .build()
        )
        workmanager.enqueue([retrying, PeriodicWorkRequest.builder(Sleep, "1h", "20m").build()])
        chain = workmanager.begin_with(OneTimeWorkRequest.from_(Echo)).then(
            [OneTimeWorkRequest.from_(SyncSleep), OneTimeWorkRequest.from_(Raise)]
        )
        chain.enqueue()
        workmanager.enqueue_unique_work(
            "u", ExistingWorkPolicy.APPEND, OneTimeWorkRequest.from_(Sleep)
        )
        sim.run_for("5h")
        workmanager.cancel_work_by_id(retrying.id)
        workmanager.kill()
        sim.run_for("1h")
        WorkManager(sim, workmanager.database)
        sim.run_for("18h")
        return sim.trace.digest()


def test_same_seed_same_digest() -> None:
    """Two runs of a seed give identical traces; another seed gives other ids, another digest."""
    assert run_scenario(3) == run_scenario(3)
    assert run_scenario(3) != run_scenario(4)


@pytest.mark.slow
def test_same_digest_in_another_process() -> None:
    """A fresh interpreter with another PYTHONHASHSEED reproduces the digest byte for byte."""
    code = "from tests.workmanager.test_determinism import run_scenario; print(run_scenario(3))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "123"},
        cwd=_ROOT,
        check=True,
    )
    assert result.stdout.strip() == run_scenario(3)
