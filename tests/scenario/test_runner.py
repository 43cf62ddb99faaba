"""The runner (harness/scenario/_runner.py): run(scenario, seed) -> RunRecord."""

from __future__ import annotations

import gc
import pickle
import re
from pathlib import Path

import pytest

from harness.scenario._loader import load, loads
from harness.scenario._record import trace_location
from harness.scenario._runner import Job, load_once, run, run_many, run_scenario, trace_file
from harness.sim import Simulation, TraceRecord

SCENARIO = """\
name: hourly sync with edits
app: tests.scenario.apps.hourly
backend:
  resources:
    - url: https://api.example.com/items
      initial_items: 5
  faults:
    - at: 5h
      for: 2h
      outage: error
duration: 1d
timeline:
  - at: 0s
    do: open app
  - at: 2h10m
    do: app edit hello
  - at: 5h30m
    do: app edit world
checks:
  - no_data_lost
  - no_duplicate_uploads
  - max_staleness: 7h
  - synced_within: 4h
  - no_crashes
"""


def test_run_produces_a_record_with_verdicts_metrics_and_digest() -> None:
    """A scenario runs for its duration; checks are evaluated on the trace and the servers."""
    result = run_scenario(loads(SCENARIO, file="hourly.yaml"), seed=1)
    record = result.record
    assert record.error is None, record.error
    verdicts = {check.name: check.passed for check in record.checks}
    assert verdicts == {
        "no_unmatched_requests": True,
        "no_data_lost": True,
        "no_duplicate_uploads": True,
        "max_staleness": True,
        "synced_within": True,
        "no_crashes": True,
    }, [c for c in record.checks if not c.passed]
    assert (record.metrics["successful_runs"] or 0) >= 5  # the phone lies untouched: doze
    assert sorted(result.backend.received_ids()) == sorted(result.app.created_ids())
    assert record.duration_ms == 86_400_000
    # the metrics are exactly the ones docs/report-schema.md lists
    schema = (Path(__file__).parents[2] / "docs" / "report-schema.md").read_text()
    start = schema.index('"metrics": {') + len('"metrics": {')
    block = schema[start : schema.index("},", start)]
    documented = set(re.findall(r'"([a-z0-9_]+)":', block))
    assert documented == set(record.metrics)


def test_trace_location_is_a_slug_of_the_scenario_path() -> None:
    """Report directories keep each run's trace at ``runs/<slug>/seed-<N>/trace.jsonl``."""
    assert trace_location("scenarios/outbox/happy_path.yaml", 3) == (
        "runs/scenarios-outbox-happy-path/seed-3/trace.jsonl"
    )
    assert trace_location("/tmp/x/My File.yaml", 0) == "runs/tmp-x-my-file/seed-0/trace.jsonl"


def test_same_seed_same_digest_and_record_is_picklable(tmp_path: Path) -> None:
    """run() is a pure function of (scenario, seed): same digest; the record pickles."""
    path = tmp_path / "hourly.yaml"
    path.write_text(SCENARIO)
    first = run(path, 3, trace_path=tmp_path / "a.jsonl")
    second = run(path, 3, trace_path=tmp_path / "b.jsonl")
    assert first.digest == second.digest
    assert pickle.loads(pickle.dumps(first)).digest == first.digest
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_trace_file_streams_to_the_path_given_or_a_temporary_one(tmp_path: Path) -> None:
    """trace_file(path) is that path; trace_file() a temporary trace.jsonl removed with the
    block. A run streamed to either keeps no records and has the digest of a kept run."""
    scenario = loads(SCENARIO)
    kept = run_scenario(scenario, 1)
    with trace_file(tmp_path / "given.jsonl") as given:
        assert given == tmp_path / "given.jsonl"
    with trace_file() as temporary:
        result = run_scenario(scenario, 1, trace_path=temporary, keep_trace=False)
        assert temporary.name == "trace.jsonl"
        assert temporary.parent.name.startswith("harness-trace-")
        assert result.record.digest == kept.record.digest
        assert [r.kind for r in result.trace] == [r.kind for r in kept.trace]
    assert not temporary.parent.exists()


def test_pool_gives_the_same_records_as_one_by_one(tmp_path: Path) -> None:
    """A process pool returns the same records, in job order, as running them in turn."""
    path = tmp_path / "hourly.yaml"
    path.write_text(SCENARIO)
    jobs = [Job(str(path), seed, None) for seed in range(3)]
    pooled = run_many(jobs, workers=2)
    serial = run_many(jobs, workers=1)
    assert [r.digest for r in pooled] == [r.digest for r in serial]
    assert [r.seed for r in pooled] == [0, 1, 2]


def test_a_failing_check_fails_the_run() -> None:
    """A staleness limit the outage breaks fails with the time of the violation."""
    scenario = loads(SCENARIO.replace("max_staleness: 7h", "max_staleness: 1h30m"))
    record = run_scenario(scenario, seed=0).record
    assert not record.passed
    [broken] = record.failed_checks
    assert broken.name == "max_staleness"
    assert broken.t_ms is not None


def test_timeline_server_actions_fail_and_limit_the_servers() -> None:
    """'server outage 3h' answers 503 from then on; 'server rate limit' answers 429."""
    text = SCENARIO.replace(
        "  - at: 2h10m\n    do: app edit hello",
        "  - at: 1h\n    do: use phone for 6h\n  - at: 2h\n    do: server outage 1h\n"
        "  - at: 2h10m\n    do: app edit hello\n"
        "  - at: 3h\n    do: server rate limit 1 per 2h for 2h",
    )
    result = run_scenario(loads(text, file="actions.yaml"), seed=0)
    assert result.record.error is None
    statuses = {
        (r.t_ms // 3_600_000, r["status"])
        for r in result.trace.of_kind("http.request")
        if r["status"] is not None
    }
    assert (2, 503) in statuses
    assert (4, 429) in statuses
    assert result.trace.of_kind("backend.outage")[0].t_ms == 7_200_000


def test_a_slow_outage_answers_after_its_delay() -> None:
    """'server outage 1h slow 2s': every answer in that hour takes the 2 s on top."""
    text = SCENARIO.replace(
        "  - at: 2h10m\n    do: app edit hello",
        "  - at: 1h\n    do: use phone for 6h\n  - at: 2h\n    do: server outage 1h slow 2s\n"
        "  - at: 2h10m\n    do: app edit hello",
    )
    result = run_scenario(loads(text, file="slow.yaml"), seed=0)
    assert result.record.error is None
    slow = [
        r["duration_ms"]
        for r in result.trace.of_kind("http.request")
        if 7_200_000 <= r.t_ms - int(r["duration_ms"] or 0) < 10_800_000 and r["status"] == 200
    ]
    assert slow
    assert all(2_000 <= int(duration) < 4_000 for duration in slow)


def test_no_crashes_names_when_an_unawaited_task_failed() -> None:
    """A task failure nobody awaited is reported at the time it failed, not at the run's end."""
    text = """\
name: stray task
app: tests.scenario.apps.stray_task
duration: 1d
timeline:
  - at: 0s
    do: open app
checks:
  - no_crashes
"""
    record = run_scenario(loads(text, file="stray.yaml"), seed=0).record
    [crashes] = record.failed_checks
    assert crashes.name == "no_crashes"
    assert crashes.t_ms is not None
    assert 2 * 3_600_000 <= crashes.t_ms < 3 * 3_600_000
    assert "ValueError: cache refresh failed" in crashes.details[0]
    assert "at t=0d02:00:00.800" in crashes.details[0]


def test_a_request_cut_by_a_reboot_is_not_a_dropped_response() -> None:
    """responses_processed judges the app: a reboot under a request is not the app dropping it."""
    path = Path(__file__).parents[2] / "scenarios" / "outbox" / "reboot_mid_sync.yaml"
    scenario = load(path)
    assert "responses_processed" in [check.name for check in scenario.checks]
    result = run_scenario(scenario, seed=0)
    errors = [str(r.get("error")) for r in result.trace.of_kind("http.request")]
    assert any(e.startswith("cancelled: the app's process died (reboot)") for e in errors)
    assert result.record.passed, result.record.failed_checks


def test_an_app_action_while_the_phone_is_off_is_refused() -> None:
    """Nobody can use an app on a phone that is rebooting: the action is refused and noted."""
    text = SCENARIO.replace(
        "  - at: 5h30m\n    do: app edit world",
        "  - at: 5h30m\n    do: leave app\n  - at: 5h31m\n    do: reboot\n"
        "  - at: 5h31m\n    do: app edit world",
    )
    result = run_scenario(loads(text, file="off.yaml"), seed=0)
    refused = result.trace.of_kind("scenario.action_refused")
    assert [r["action"] for r in refused] == ["app edit world"]
    assert any("did nothing: the phone is" in note for note in result.record.notes)
    assert [r["name"] for r in result.trace.of_kind("app.action")] == ["edit"]


def test_a_file_edited_in_a_long_lived_process_is_read_again(tmp_path: Path) -> None:
    """A worker process reads each file once, but a file edited since is read again (a pool
    or a pytest session that outlives an edit never runs the stale version)."""
    path = tmp_path / "sync.yaml"
    path.write_text(SCENARIO)
    assert load_once(str(path)).spec.name == "hourly sync with edits"
    path.write_text(SCENARIO.replace("hourly sync with edits", "hourly sync, edited"))
    assert load_once(str(path)).spec.name == "hourly sync, edited"


def test_load_once_reads_each_of_many_files_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command's files are each read once per process however many it runs (the bundled
    suites' 93 files outgrew a 64-file cache: every file was read again by its runs), and a
    file is read again only once edited."""
    import harness.scenario._runner as runner

    read: list[str] = []

    def counted_load(path: str) -> object:
        read.append(path)
        return object()

    monkeypatch.setattr(runner, "load", counted_load)
    monkeypatch.setattr(runner, "_LOADED", {})  # the fakes stay out of the process's cache
    paths = [tmp_path / f"s{index}.yaml" for index in range(100)]
    for path in paths:
        path.write_text("name: x\n")
    first = [load_once(str(path)) for path in paths]
    assert [load_once(str(path)) for path in paths] == first
    assert read == [str(path) for path in paths]
    paths[0].write_text("name: edited\n")
    assert load_once(str(paths[0])) is not first[0]
    assert read[100:] == [str(paths[0])]


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for item in gc.get_objects() if isinstance(item, kind))


def test_a_finished_run_leaves_nothing_alive() -> None:
    """Once its result is dropped, a run's simulation and trace records are freed: nothing at
    module level keeps them (a long pytest process must not grow with every run)."""
    before = (_alive(Simulation), _alive(TraceRecord))
    result = run_scenario(loads(SCENARIO.replace("duration: 1d", "duration: 6h")), seed=1)
    assert result.record.error is None, result.record.error
    assert _alive(Simulation) > before[0]
    del result
    assert (_alive(Simulation), _alive(TraceRecord)) == before
