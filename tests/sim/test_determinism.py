"""Same seed, same trace: in one process and across processes with different PYTHONHASHSEED."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness.demo import run_demo

_SCRIPT = "from harness.demo import run_demo; print(run_demo({seed}, echo=False))"


def _digest_in_subprocess(seed: int, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(seed=seed)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return result.stdout.strip()


def test_same_seed_same_digest_in_process() -> None:
    """Two runs of one seed give identical trace digests; another seed gives another."""
    assert run_demo(3, echo=False) == run_demo(3, echo=False)
    assert run_demo(3, echo=False) != run_demo(4, echo=False)


@pytest.mark.parametrize("hash_seed", ["0", "1", "4242"])
def test_same_digest_across_processes_and_hash_seeds(hash_seed: str) -> None:
    """A separate process with another PYTHONHASHSEED reproduces the digest byte for byte."""
    assert _digest_in_subprocess(7, hash_seed) == run_demo(7, echo=False)
