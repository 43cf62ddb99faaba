"""Custom checks see every record of a run, typed on request (harness/scenario/_runner.py)."""

from __future__ import annotations

import re

import pytest

from harness import TraceKindError
from harness.device.trace_kinds import DeviceBatteryRecord
from harness.scenario import RunView, loads, run_scenario
from harness.workmanager.trace_kinds import WorkStartedRecord
from tests.scenario.apps.own_kinds import NoteSavedRecord

SCENARIO = """\
name: own kinds
app: tests.scenario.apps.own_kinds
duration: 2h
timeline:
  - at: 1m
    do: app save hello
  - at: 2m
    do: app save world
checks:
  - custom: tests.scenario.test_custom_checks:{check}
"""


def sees_device_records(run: RunView) -> bool:
    """A device.* kind the built-in checks never read."""
    return len(run.records("device.battery")) > 0 and len(run.records("device.")) > 0


def sees_typed_records(run: RunView) -> bool:
    """Typed records of harness's kinds and of the app's own registered kind."""
    notes = run.records(NoteSavedRecord)
    batteries = run.records(DeviceBatteryRecord)
    return [n.text for n in notes] == ["hello", "world"] and isinstance(batteries[0].level, int)


def sees_every_record(run: RunView) -> bool:
    """No kinds: every record, in trace order."""
    records = run.records()
    return sum(run.kind_counts().values()) == len(records) > 0


def registered_but_absent_is_empty(run: RunView) -> bool:
    """A registered kind the run did not record is simply empty."""
    return run.records(WorkStartedRecord) == [] and run.records("job.") == []


def misspelt_kind(run: RunView) -> bool:
    """A kind neither registered nor recorded raises, listing the recorded kinds."""
    run.records("ownkinds.note_savd")
    return True


def _verdict(check: str) -> tuple[bool, str]:
    result = run_scenario(loads(SCENARIO.format(check=check), file="own.yaml"), seed=0)
    (verdict,) = [c for c in result.record.checks if c.spec.startswith("custom")]
    return verdict.passed, verdict.message


@pytest.mark.parametrize(
    "check",
    [
        "sees_device_records",
        "sees_typed_records",
        "sees_every_record",
        "registered_but_absent_is_empty",
    ],
)
def test_custom_checks_see_every_kind(check: str) -> None:
    """A custom check reads any kind, a family, everything, or typed records of a kind."""
    assert _verdict(check) == (True, "held")


def test_an_unknown_kind_fails_the_check_and_lists_the_recorded_kinds() -> None:
    """A misspelt kind is an error naming the kinds the run recorded, not an empty list."""
    passed, message = _verdict("misspelt_kind")
    assert not passed
    assert re.match(
        r"^the check raised TraceKindError: no trace kind 'ownkinds.note_savd' is registered or "
        r"was recorded in this run; the run recorded \[.*'ownkinds.note_saved'.*\]; register",
        message,
    )


def test_an_unregistered_kind_raises_in_a_strict_run() -> None:
    """Under a strict trace (harness's own tests) recording an unregistered kind raises."""
    text = SCENARIO.format(check="sees_every_record").replace("app save world", "app scribble")
    result = run_scenario(loads(text, file="own.yaml"), seed=0)
    assert result.record.error is None
    (crash,) = result.trace.of_kind("app.crash")
    assert "TraceKindError: trace kind 'ownkinds.scribbled' is not registered" in crash["error"]


@pytest.mark.usefixtures("lenient_trace")
def test_an_unregistered_kind_is_kept_and_listed_in_a_lenient_run() -> None:
    """Outside strict mode an unregistered kind is kept in the trace and named in the notes."""
    text = SCENARIO.format(check="sees_every_record").replace("app save world", "app scribble")
    result = run_scenario(loads(text, file="own.yaml"), seed=0)
    assert [r["strokes"] for r in result.trace.of_kind("ownkinds.scribbled")] == [3]
    assert result.trace.unregistered_kinds() == ["ownkinds.scribbled"]
    assert any(
        note.startswith(
            "trace kinds not registered (kept as recorded, unchecked): ownkinds.scribbled;"
        )
        for note in result.record.notes
    )


def test_typed_view_of_another_kind_is_refused() -> None:
    """from_record names both kinds when given a record of another kind."""
    from harness.sim import TraceRecord

    with pytest.raises(TraceKindError, match=r"^a 'device.wakeup' record is not a 'ownkinds"):
        NoteSavedRecord.from_record(TraceRecord(0, "device.wakeup", {"reason": "x"}))
