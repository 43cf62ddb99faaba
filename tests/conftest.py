"""Settings for harness's own tests (fixtures such as ``sim`` come from harness.pytest_plugin)."""

from __future__ import annotations

import os

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
