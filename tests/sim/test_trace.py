"""The trace (harness/sim/_trace.py): append-only, canonical, streamable, digestible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.sim import Simulation, Trace, TraceRecord

# These tests are about the trace itself, so they record ad-hoc kinds; the kind registry and
# strict traces are tested in tests/sim/test_kinds.py.
pytestmark = pytest.mark.usefixtures("lenient_trace")


def test_records_carry_int_t_ms_and_kind(sim: Simulation) -> None:
    """Every record has t_ms (int virtual ms) and kind, plus its fields."""
    sim.run_for(1500)
    record = sim.record("device.wakeup", reason="alarm")
    assert (record.t_ms, record.kind, record["reason"], record.get("absent")) == (
        1500,
        "device.wakeup",
        "alarm",
        None,
    )


def test_canonical_line_is_sorted_and_compact() -> None:
    """Lines are canonical JSON: sorted keys, no spaces, so equal traces are equal bytes."""
    record = TraceRecord(t_ms=5, kind="work.started", fields={"b": 1, "a": "ü"})
    assert record.to_json() == '{"a":"ü","b":1,"kind":"work.started","t_ms":5}'
    assert TraceRecord.from_json(record.to_json()) == record


def test_streamed_trace_matches_digest_and_holds_nothing_in_memory(tmp_path: Path) -> None:
    """With keep=False records go only to trace.jsonl; the file's digest equals the run's."""
    path = tmp_path / "run" / "trace.jsonl"
    trace = Trace(path, keep=False)
    for i in range(1000):
        trace.emit(i, "tick", n=i)
    assert trace._records == []
    assert [r["n"] for r in trace.of_kind("tick")][-3:] == [997, 998, 999]
    trace.close()
    assert Trace.digest_file(path) == trace.digest()
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {"t_ms": 0, "kind": "tick", "n": 0}
    assert trace.kind_counts() == {"tick": 1000}


def test_records_must_be_in_time_order() -> None:
    """The trace is append-only in virtual-time order."""
    trace = Trace()
    trace.emit(10, "a")
    with pytest.raises(ValueError, match=r"^trace record 'b' at 9 ms is earlier"):
        trace.emit(9, "b")


def test_reserved_field_names_are_refused() -> None:
    """t_ms and kind are the record's own; a field with those names is an error."""
    with pytest.raises(ValueError, match=r"reserved"):
        Trace().emit(0, "a", kind="x")


def test_of_kind_matches_exact_kinds_and_prefixes() -> None:
    """of_kind('work.') selects a family; of_kind('work.started') one kind."""
    trace = Trace()
    for kind in ["work.enqueued", "work.started", "device.battery", "work.finished"]:
        trace.emit(0, kind)
    assert [r.kind for r in trace.of_kind("work.")] == [
        "work.enqueued",
        "work.started",
        "work.finished",
    ]
    assert [r.kind for r in trace.of_kind("device.battery", "work.started")] == [
        "work.started",
        "device.battery",
    ]
    assert [r.kind for r in trace.between(0, 1)] == [r.kind for r in trace]


def test_keep_false_needs_a_path() -> None:
    """A trace that keeps nothing in memory must stream somewhere."""
    with pytest.raises(ValueError, match=r"keep=False needs a path"):
        Trace(keep=False)


def test_subscribers_see_every_record() -> None:
    """Reports and checks can follow a trace as it is written, without holding it."""
    seen: list[str] = []
    trace = Trace()
    trace.subscribe(lambda record: seen.append(record.kind))
    trace.emit(0, "a")
    trace.emit(1, "b")
    assert seen == ["a", "b"]
