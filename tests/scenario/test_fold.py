"""Checks fold the trace as it is written (harness/scenario/_fold.py and the runner)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.app import AppStorage
from harness.backends import Backend
from harness.scenario import RunView, loads, run_scenario
from harness.scenario._checks import parse_check
from harness.scenario._fold import RunFold
from harness.sim import Trace, TraceRecord
from tests.scenario.test_runner import SCENARIO

EVERY_BUILTIN = SCENARIO.replace(
    "  - no_crashes\n",
    "  - no_crashes\n"
    "  - responses_processed\n"
    "  - honours_retry_after\n"
    "  - max_requests_per_hour: 30\n"
    "  - max_wakeups_per_hour: 1\n"
    "  - max_battery_per_sync: 0.0001\n"
    "  - min_successful_runs: 1000\n",
)


def _verdicts(
    path: Path, *, keep: bool
) -> list[tuple[str, bool, str, int | None, tuple[str, ...]]]:
    result = run_scenario(
        loads(EVERY_BUILTIN, file="fold.yaml"), 3, trace_path=path, keep_trace=keep
    )
    return [(c.spec, c.passed, c.message, c.t_ms, c.details) for c in result.record.checks]


def test_builtin_checks_never_read_a_streamed_trace_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run streamed to a file (keep_trace=False) evaluates every built-in check and metric
    from the records as they were written: reading the trace back after the run raises here."""
    kept = _verdicts(tmp_path / "kept.jsonl", keep=True)

    def refuse(self: Trace) -> Iterator[TraceRecord]:
        raise AssertionError("the trace was read back after the run")

    monkeypatch.setattr(Trace, "_read_back", refuse)
    streamed = _verdicts(tmp_path / "streamed.jsonl", keep=False)
    assert streamed == kept
    assert {passed for _, passed, *_ in kept} == {True, False}  # both verdicts exercised


class _ListView:
    """A RunView over a list of records, without a fold (as a user's own view would be)."""

    def __init__(self, view: RunView) -> None:
        self._view = view
        self.duration_ms = view.duration_ms
        self.internet = view.internet

    def records(self, *kinds: Any) -> Any:
        return self._view.records(*kinds)

    def iter_records(self, *kinds: Any) -> Any:
        return iter(self.records(*kinds))

    def kind_counts(self) -> dict[str, int]:
        return dict(self._view.kind_counts())

    def metric(self, name: str) -> float | None:
        return self._view.metric(name)

    def storage(self, package: str | None = None) -> AppStorage:
        return self._view.storage(package)

    def server(self, origin: str) -> Backend:
        return self._view.server(origin)


def same_verdicts_without_the_fold(run: RunView) -> bool:
    """Every built-in check gives the same verdict on a view the runner folded and on a view
    that only lists records (the check folds those itself)."""
    checks = [parse_check(entry) for entry in yaml.safe_load(EVERY_BUILTIN)["checks"]]
    assert isinstance(getattr(run, "fold", None), RunFold)
    return all(c.evaluate(run) == c.evaluate(_ListView(run)) for c in checks)


def streams_records(run: RunView) -> bool:
    """iter_records streams (an iterator, not a list) what records() lists, typed or not."""
    stream = run.iter_records("work.", "http.request")
    assert not isinstance(stream, list)
    assert list(stream) == run.records("work.", "http.request")
    return [r.t_ms for r in run.iter_records()] == [r.t_ms for r in run.records()]


@pytest.mark.parametrize("check", ["same_verdicts_without_the_fold", "streams_records"])
def test_custom_checks_read_the_streamed_trace(tmp_path: Path, check: str) -> None:
    """Custom checks still see the whole run, read from the streamed file."""
    text = EVERY_BUILTIN.replace(
        "checks:\n", f"checks:\n  - custom: tests.scenario.test_fold:{check}\n"
    )
    result = run_scenario(
        loads(text, file="fold.yaml"), 3, trace_path=tmp_path / "t.jsonl", keep_trace=False
    )
    (verdict,) = [c for c in result.record.checks if c.name == "custom"]
    assert (verdict.passed, verdict.message) == (True, "held")


def _cut(t_ms: int, transport: str) -> TraceRecord:
    return TraceRecord(
        t_ms,
        "http.request",
        {
            "method": "GET",
            "url": "https://api.example.com/items",
            "transport": transport,
            "error": "cancelled: the caller was stopped before the response arrived",
        },
    )


def test_a_request_cut_as_its_network_went_away_is_a_lost_connection() -> None:
    """responses_processed: a request cut at the instant its network disconnected (the
    connectivity stop and the lost connection are one event) is not a response the app dropped;
    one cut while its network stayed up still is."""
    fold = RunFold.of(
        [
            TraceRecord(1_000, "device.network", {"connected": ["WIFI", "CELLULAR"]}),
            TraceRecord(5_000, "device.network", {"connected": ["WIFI"]}),
            _cut(5_000, "CELLULAR"),  # cellular went away under it
            _cut(5_000, "WIFI"),  # its network is still there: the worker was stopped
            _cut(9_000, "CELLULAR"),  # later: no network change at that instant
        ]
    )
    assert fold.connections_lost == 1
    assert fold.cut_requests.count == 2
