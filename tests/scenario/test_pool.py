"""Ending the process pool on an interrupt (harness/scenario/_pool.py, used by run_many)."""

from __future__ import annotations

import multiprocessing
import signal
from pathlib import Path

import pytest

from harness.scenario._pool import leave_signals_to_parent
from harness.scenario._runner import Job, run_many
from tests.scenario.test_runner import SCENARIO


def test_run_many_ends_its_workers_when_interrupted(tmp_path: Path) -> None:
    """A KeyboardInterrupt while run_many waits ends every pool worker before it propagates
    (ProcessPoolExecutor's own shutdown would wait for the running jobs); the records on_done
    got are the caller's to report."""
    path = tmp_path / "hourly.yaml"
    path.write_text(SCENARIO)
    jobs = [Job(str(path), seed, None) for seed in range(6)]
    seen: list[int] = []

    def stop_after_first(record: object) -> None:
        seen.append(getattr(record, "seed", -1))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_many(jobs, workers=2, on_done=stop_after_first)
    assert len(seen) == 1
    assert multiprocessing.active_children() == []


def test_a_worker_leaves_ctrl_c_to_the_parent() -> None:
    """The worker set-up ignores SIGINT (the terminal signals the whole group) and restores the
    default SIGTERM, which the parent uses to end it."""
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # as if inherited on fork
        leave_signals_to_parent()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
