"""`harness why SCENARIO --seed N --at TIME [WORK]` (harness/_cli_why.py, scenario/_why.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.scenario import loads
from harness.scenario._why import why_at
from tests.scenario.test_metrics import CHANGES

# In this run (seed 2) the phone lies unused after 9h15m and dozes: the change made then
# waits for a maintenance window, and synced_within: 4h fails at 13h15m.
FAILED_AT_MS = 47_700_000


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "hourly.yaml"
    path.write_text(CHANGES)
    return path


def test_why_says_what_the_phone_decides_at_that_moment(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 13h15m the hourly work waits for doze's maintenance window: the answer is the phone's
    own (``why_not_running``, JobScheduler's ``doze`` blocker)."""
    assert main(["why", str(scenario_file), "--seed", "2", "--at", "13h15m"]) == 0
    out = capsys.readouterr().out
    assert "hourly sync with edits · seed 2 · at t=0d13:15:00.000" in out
    assert "✗ com.example.hourly BackgroundWorker (unique sync)" in out
    assert "why not: doze: deferred to the next maintenance window" in out


def test_why_names_one_work_by_unique_name_after_the_options(
    scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """WORK may follow the options and may be a unique name, a tag or an id's prefix."""
    assert main(["why", str(scenario_file), "--seed", "2", "--at", "day 0 13:15", "sync"]) == 0
    out = capsys.readouterr().out
    assert out.count("BackgroundWorker") == 1
    answers = why_at(loads(CHANGES, file="hourly.yaml"), 2, FAILED_AT_MS, "sync")
    assert [answer.blocker for answer in answers] == ["doze"]
    by_id = why_at(loads(CHANGES, file="hourly.yaml"), 2, FAILED_AT_MS, answers[0].work[:8])
    assert by_id == answers


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--at", "half past two"],
            r"✗ time 'half past two' is not a time: give a duration like '15m' or '2h30m', or "
            r"a clock time like 'day 2 08:00'",
        ),
        (["--at", "3d"], r"✗ time 3d00:00:00.000 is after the end of .*hourly.yaml"),
        (
            ["--at", "1h", "nightly"],
            r"✗ no work 'nightly' at that time; name a work by its id \(or its first 8 "
            r"characters\), a tag or a unique name: [0-9a-f]{8}, .*sync",
        ),
    ],
)
def test_why_refuses_a_bad_time_or_an_unknown_work_with_the_fix(
    scenario_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    """A time that does not parse, one past the run, or a work nobody enqueued: exit 2 and a
    message naming the value and what to give instead."""
    assert main(["why", str(scenario_file), "--seed", "2", *extra]) == 2
    assert re.match(message, capsys.readouterr().out)


def test_a_failed_run_records_why_its_works_were_not_running(scenario_file: Path) -> None:
    """The report carries the same explanations: for a failed run, each unfinished work's
    reason at each failed check's time and at the end."""
    from harness.scenario import run

    record = run(scenario_file, 2)
    assert not record.passed
    at_check = [entry for entry in record.why if entry.t_ms == FAILED_AT_MS]
    assert [(e.at, e.blocker, e.reason) for e in at_check] == [
        (
            "check synced_within: 4h failed",
            "doze",
            "doze: deferred to the next maintenance window",
        )
    ]
    assert record.why[-1].at == "run end"
    assert record.to_json()["why"][0]["work"] == at_check[0].work


def test_the_paused_run_is_the_same_run(scenario_file: Path) -> None:
    """Asking why at several instants does not change the run: the paused run's trace has the
    run's digest; a digest that does not match (a run that is not a pure function of its seed)
    gets no explanation rather than a wrong one."""
    from harness.scenario import load, run
    from harness.scenario._why import why_during

    record = run(scenario_file, 2)
    scenario = load(scenario_file)
    moments = [(FAILED_AT_MS, "check"), (scenario.spec.duration, "run end")]
    assert why_during(scenario, 2, moments, record.digest)
    assert why_during(scenario, 2, moments, "0" * 64) == ()
