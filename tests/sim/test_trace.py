"""The trace (harness/sim/_trace.py): append-only, canonical, streamable, digestible."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.sim import Simulation, Trace, TraceRecord, canonical_json


class _Colour(enum.StrEnum):
    RED = "red"


class _Level(enum.IntEnum):
    HIGH = 3


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


_STDLIB = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_KEYS = st.text(max_size=6)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.text(max_size=8)
    | st.sampled_from([_Colour.RED, _Level.HIGH])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(_KEYS, _VALUES, max_size=8))
def test_canonical_json_is_byte_for_byte_the_standard_librarys(record: dict[str, Any]) -> None:
    """Trace lines (and so digests) are json's canonical form, whichever encoder wrote them:
    floats by ``repr`` (``1e-05``, not ``0.00001``), big ints, enums and tuples included."""
    assert canonical_json(record) == _STDLIB.encode(record)


@pytest.mark.parametrize("bad", [math.nan, math.inf, {1: "int key"}, object()])
def test_canonical_json_refuses_what_the_standard_library_refuses(bad: object) -> None:
    """NaN and infinities are refused as ``allow_nan=False`` refuses them; so is a value json
    cannot write, and a dict key json would write as another type is written as json writes it."""
    record = {"field": bad}
    try:
        expected: str | type[Exception] = _STDLIB.encode(record)
    except (TypeError, ValueError) as error:
        expected = type(error)
    if isinstance(expected, str):
        assert canonical_json(record) == expected
    else:
        with pytest.raises(expected):
            canonical_json(record)


def test_a_streamed_line_is_the_canonical_form_of_its_record(tmp_path: Path) -> None:
    """What ``trace.jsonl`` holds is each record's :meth:`TraceRecord.to_json`, one per line."""
    trace = Trace(tmp_path / "trace.jsonl", keep=True)
    first = trace.emit(5, "x.tiny", value=1.5e-7, name="é")
    second = trace.emit(6, "x.enum", colour=_Colour.RED, big=2**65)
    trace.close()
    lines = (tmp_path / "trace.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == [first.to_json(), second.to_json()]
    assert lines[0] == '{"kind":"x.tiny","name":"é","t_ms":5,"value":1.5e-07}'
    assert Trace.digest_file(tmp_path / "trace.jsonl") == trace.digest()
