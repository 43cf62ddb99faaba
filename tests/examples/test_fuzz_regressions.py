"""The example apps survive what `harness fuzz` found in them (issue 16 point 9): each shrunk
failure is kept as a bundled scenario, ``scenarios/<app>/fuzz_*.yaml``, and passes now."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario import load, run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FOUND = sorted(SCENARIOS.glob("*/fuzz_*.yaml"))


def test_each_finding_is_kept() -> None:
    """The findings kept: a duplicate after a timed-out batch (outbox) and a 200 whose JSON body
    is cut off (every app that reads a body)."""
    assert [path.relative_to(SCENARIOS).as_posix() for path in FOUND] == [
        "conditional_sync/fuzz_truncated_answer.yaml",
        "hourly_sync/fuzz_truncated_answer.yaml",
        "notify_new_data/fuzz_truncated_answer.yaml",
        "outbox/fuzz_edit_during_timeout.yaml",
        "paged_download/fuzz_truncated_answer.yaml",
    ]


@pytest.mark.parametrize("path", FOUND, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_the_fixed_example_passes_what_the_fuzzer_found(path: Path) -> None:
    """A cut-off answer is a failed sync, retried, never a crash; an edit made while a batch is
    out never makes the server apply the batch twice."""
    record = run_scenario(load(path), seed=0).record
    assert record.passed, [(check.spec, check.message) for check in record.failed_checks]
