"""A run's metrics (harness/scenario/_metrics.py, _measures.py), checked against the trace."""

from __future__ import annotations

import bisect
from pathlib import Path

from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.scenario import loads, run_scenario
from harness.scenario._measures import Measures, deferral_kind
from harness.scenario._metrics import percentile
from harness.sim import Trace, TraceRecord
from tests.scenario.test_runner import SCENARIO

CHANGES = SCENARIO.replace(
    "  - at: 5h30m\n    do: app edit world\n",
    "  - at: 3h\n    do: server add 3 items to https://api.example.com/items\n"
    "  - at: 5h30m\n    do: app edit world\n"
    "  - at: 9h15m\n    do: server add 1 items to https://api.example.com/items\n",
)


def _run(tmp_path: Path) -> tuple[dict[str, object], Trace, dict[str, list[int]]]:
    result = run_scenario(loads(CHANGES, file="metrics.yaml"), 2, keep_trace=True)
    record = result.record
    assert record.error is None, record.error
    return dict(record.metrics), result.trace, {k: list(v) for k, v in record.samples.items()}


def test_sync_latency_is_the_time_from_a_server_change_to_the_next_successful_fetch(
    tmp_path: Path,
) -> None:
    """As ``synced_within`` measures it: from each ``backend.items_added`` to the first GET
    answered 2xx/304 at or after it; the percentiles are nearest-rank over those values."""
    metrics, trace, samples = _run(tmp_path)
    fetches = [
        r.t_ms
        for r in trace.of_kind("http.request")
        if r["method"] == "GET" and r["status"] is not None and 200 <= r["status"] < 300
    ]
    changes = [r.t_ms for r in trace.of_kind("backend.items_added")]
    expected = [fetches[bisect.bisect_left(fetches, t)] - t for t in changes]
    assert len(expected) == metrics["server_changes"] == 2
    assert samples["sync_latency_ms"] == expected
    assert metrics["sync_latency_p50_ms"] == percentile(expected, 50)
    assert metrics["sync_latency_max_ms"] == max(expected)
    assert metrics["changes_unsynced"] == 0


def test_retries_backoff_bytes_and_items_agree_with_the_trace(tmp_path: Path) -> None:
    """Retries are ``work.retry`` records; time in backoff runs from each to the next run time
    it set; bytes per transport add up to the metered and unmetered bytes; the two edits
    reached the server once each."""
    metrics, trace, samples = _run(tmp_path)
    retries = list(trace.of_kind("work.retry"))
    assert metrics["retries"] == len(retries) > 0  # the 5h-7h outage fails syncs
    assert metrics["backoff_ms"] == sum(r["next_run_time_ms"] - r.t_ms for r in retries)
    by_transport = sum(
        int(metrics[f"bytes_{name}"])  # type: ignore[call-overload]
        for name in ("wifi", "cellular", "ethernet", "other")
    )
    assert by_transport == metrics["bytes_metered"] + metrics["bytes_unmetered"]  # type: ignore[operator]
    assert (metrics["items_created"], metrics["items_lost"], metrics["items_duplicated"]) == (
        2,
        0,
        0,
    )
    assert len(samples["upload_latency_ms"]) == 2


def test_periodic_runs_are_counted_against_the_periods_asked(tmp_path: Path) -> None:
    """An hourly periodic work enqueued near the start of a one-day run asks for 23 or 24
    periods; the runs that ended (finished, not retried) are counted against them."""
    metrics, trace, _ = _run(tmp_path)
    assert metrics["periodic_runs_requested"] in (23, 24)
    ended = [r for r in trace.of_kind("work.finished") if r["result"] is not None]
    assert metrics["periodic_runs"] == len(ended)


def test_deferral_reasons_lose_their_particulars() -> None:
    """Two deferrals for one cause at other instants or counts are one reason."""
    assert deferral_kind("waiting until 2d08:14:00.000 (initial delay, period or backoff)") == (
        "waiting until # (initial delay, period or backoff)"
    )
    assert deferral_kind(
        "out of quota: standby bucket RARE: 12 s of the 600 s quota left per 1440 min window"
    ) == ("out of quota: standby bucket RARE")


def _record(t_ms: int, kind: str, **fields: object) -> TraceRecord:
    return TraceRecord(t_ms, kind, fields)


def test_work_time_and_cellular_bytes_are_tallied_per_day() -> None:
    """Attempts count on the day they start; the busiest day's running time and cellular
    bytes are kept; an attempt still running at the end counts until then (a stuck job)."""
    measures = Measures()
    feed = [
        _record(0, "work.started", id="a"),
        _record(MS_PER_HOUR, "work.finished", id="a", result="success"),
        _record(2 * MS_PER_HOUR, "work.started", id="a"),
        _record(3 * MS_PER_HOUR, "work.stopped", id="a", stop_reason="STOP_REASON_TIMEOUT"),
        _record(MS_PER_DAY, "work.started", id="b"),
        _record(10, "http.request", transport="CELLULAR", bytes_up=5, bytes_down=10),
        _record(MS_PER_DAY + 1, "http.request", transport="CELLULAR", bytes_up=1, bytes_down=1),
        _record(MS_PER_DAY + 2, "http.request", transport=None, bytes_up=3, bytes_down=0),
    ]
    for record in feed:
        measures.handlers[record.kind](record)
    assert measures.max_running_ms_per_day == 2 * MS_PER_HOUR
    assert measures.longest_run_ms == MS_PER_HOUR
    assert measures.still_running(MS_PER_DAY + 5 * MS_PER_HOUR) == 5 * MS_PER_HOUR
    assert measures.max_cellular_bytes_per_day == 15
    assert measures.bytes_by_transport == {"CELLULAR": 17, "other": 3}
    assert measures.stop_reasons == {"STOP_REASON_TIMEOUT": 1}


def test_a_run_without_fetches_has_no_staleness() -> None:
    """A run that made no GET request measured no staleness (``null``, not "stale all run")."""
    scenario = (
        CHANGES.replace("tests.scenario.apps.hourly", "tests.scenario.apps.silent")
        .replace("    do: app edit hello\n", "    do: unplug\n")
        .replace("    do: app edit world\n", "    do: plug in\n")
    )
    result = run_scenario(loads(scenario, file="silent.yaml"), 0, keep_trace=True)
    metrics = result.record.metrics
    assert metrics["staleness_max_ms"] is None
    assert metrics["staleness_mean_ms"] is None


def test_device_wakeups_per_hour_count_only_the_device_leaving_suspend(tmp_path: Path) -> None:
    """The busiest hour's ``device.wakeup`` records (what the excessive-wakeups flag reads),
    fewer than ``max_wakeups_per_hour``, which also counts work started on an awake phone."""
    metrics, trace, _ = _run(tmp_path)
    per_hour: dict[int, int] = {}
    for record in trace.of_kind("device.wakeup"):
        per_hour[record.t_ms // MS_PER_HOUR] = per_hour.get(record.t_ms // MS_PER_HOUR, 0) + 1
    assert metrics["max_device_wakeups_per_hour"] == max(per_hour.values()) == 2
    assert metrics["max_wakeups_per_hour"] == 4
