"""The trace-kind registry (harness/sim/_kinds.py) and strict traces (harness/sim/_trace.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pytest

from harness import TraceKindError
from harness.device.trace_kinds import DeviceWakeupRecord
from harness.sim import (
    Trace,
    TraceKind,
    TraceRecord,
    register_trace_kind,
    registered_trace_kinds,
    trace_kind_spec,
)
from harness.sim import _kinds as kinds_module


@pytest.fixture(autouse=True)
def _restore_registry() -> Iterator[None]:
    # the kinds a test's lookups import are registered for good: keep them, drop only the test's
    saved = dict(kinds_module._REGISTRY)
    yield
    imported = {
        kind: spec
        for kind, spec in kinds_module._REGISTRY.items()
        if kind not in saved and not spec.module.startswith("tests.")
    }
    kinds_module._REGISTRY.clear()
    kinds_module._REGISTRY.update(saved | imported)


def _declare() -> type[TraceKind]:
    @register_trace_kind
    @dataclass(frozen=True, slots=True, kw_only=True)
    class SampleRecord(TraceKind):
        """A sample kind for the registry's tests.

        More words that are not the meaning.
        """

        KIND: ClassVar[str] = "sample.thing"
        count: int
        label: str | None
        mode: Literal["fast", "slow"] = "fast"
        ratio: float | None = None
        tags: list[str] | None = None
        extra: dict[str, Any] | None = None

    return SampleRecord


def test_registration_describes_fields_types_and_meaning() -> None:
    """A declaration becomes a spec: first docstring paragraph, fields, types, required."""
    _declare()
    spec = trace_kind_spec("sample.thing")
    assert spec.meaning == "A sample kind for the registry's tests."
    assert [(f.name, f.type_text, f.required) for f in spec.fields] == [
        ("count", "int", True),
        ("label", "str | None", True),
        ("mode", "'fast' | 'slow'", False),
        ("ratio", "float | None", False),
        ("tags", "list[str] | None", False),
        ("extra", "dict[str, Any] | None", False),
    ]
    assert spec.module == __name__
    assert "sample.thing" in registered_trace_kinds()


def test_a_strict_trace_accepts_records_that_fit() -> None:
    """Required fields present, optional ones absent or of their type: the record is kept."""
    _declare()
    trace = Trace(strict=True)
    trace.emit(0, "sample.thing", count=1, label=None)
    trace.emit(1, "sample.thing", count=2, label="x", mode="slow", ratio=2, tags=["a"], extra={})
    assert len(trace) == 2


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (
            "sample.thign",
            {"count": 1},
            r"^trace kind 'sample.thign' is not registered \(did you mean 'sample.thing'\?\); "
            r"declare it as a TraceKind subclass and register it with "
            r"harness.sim.register_trace_kind",
        ),
        (
            "sample.thing",
            {"label": "x"},
            r"^trace record 'sample.thing' lacks required field 'count' \(int\); pass count=\.\.\. "
            r"or give it a default in tests.sim.test_kinds.SampleRecord$",
        ),
        (
            "sample.thing",
            {"count": 1, "label": "x", "colour": "red"},
            r"^trace record 'sample.thing' has undeclared field 'colour'; its fields are "
            r"\['count', 'extra', 'label', 'mode', 'ratio', 'tags'\]: add colour to "
            r"tests.sim.test_kinds.SampleRecord$",
        ),
        (
            "sample.thing",
            {"count": "1", "label": "x"},
            r"^trace field sample.thing.count is '1' \(str\), declared int; record a int or "
            r"change the declaration in tests.sim.test_kinds.SampleRecord$",
        ),
        (
            "sample.thing",
            {"count": True, "label": "x"},
            r"^trace field sample.thing.count is True \(bool\), declared int",
        ),
        (
            "sample.thing",
            {"count": 1, "label": "x", "mode": "medium"},
            r"^trace field sample.thing.mode is 'medium' \(str\), declared 'fast' \| 'slow'",
        ),
        (
            "sample.thing",
            {"count": 1, "label": "x", "tags": ["a", 2]},
            r"^trace field sample.thing.tags is \['a', 2\] \(list\), declared list\[str\] \| None",
        ),
    ],
)
def test_a_strict_trace_refuses_records_that_do_not_fit(
    kind: str, fields: dict[str, Any], message: str
) -> None:
    """An unregistered kind, a missing, undeclared or wrongly typed field names the fix."""
    _declare()
    with pytest.raises(TraceKindError, match=message):
        Trace(strict=True).emit(0, kind, **fields)


def test_a_lenient_trace_keeps_and_lists_unregistered_kinds() -> None:
    """Without strict mode nothing is checked; kinds no declaration covers are listed."""
    trace = Trace(strict=False)
    trace.emit(0, "mine.b", anything=object.__name__)
    trace.emit(0, "device.wakeup", reason="alarm")
    trace.emit(0, "mine.a")
    assert trace.unregistered_kinds() == ["mine.a", "mine.b"]
    assert len(trace) == 3


def test_strict_default_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """HARNESS_STRICT_TRACE=1 makes traces strict by default; an explicit argument wins."""
    monkeypatch.setenv("HARNESS_STRICT_TRACE", "1")
    assert Trace().strict
    assert not Trace(strict=False).strict
    monkeypatch.setenv("HARNESS_STRICT_TRACE", "0")
    assert not Trace().strict


def test_from_record_gives_the_typed_view() -> None:
    """A record of the kind becomes its dataclass; undeclared fields are left out."""
    record_type = _declare()
    record = TraceRecord(7, "sample.thing", {"count": 3, "label": None, "old_field": 1})
    typed: Any = record_type.from_record(record)
    assert (typed.t_ms, typed.count, typed.label, typed.mode) == (7, 3, None, "fast")


def test_from_record_refuses_a_record_lacking_a_required_field() -> None:
    """A record without a required field cannot be typed; the error says which."""
    record_type = _declare()
    with pytest.raises(TraceKindError, match=r"^the 'sample.thing' record at 7 ms lacks required"):
        record_type.from_record(TraceRecord(7, "sample.thing", {"label": None}))


def test_a_kind_is_registered_once() -> None:
    """Declaring the same class again is harmless; another class for the kind is an error."""
    _declare()
    _declare()  # the same qualified name in the same module: a re-import
    assert trace_kind_spec("device.wakeup").record_type is DeviceWakeupRecord

    with pytest.raises(TraceKindError, match=r"^trace kind 'device.wakeup' is already registered"):

        @register_trace_kind
        @dataclass(frozen=True, slots=True, kw_only=True)
        class Clash(TraceKind):
            """Another wake-up."""

            KIND: ClassVar[str] = "device.wakeup"


def test_declarations_are_checked() -> None:
    """A kind needs a name, a docstring and JSON field types."""
    with pytest.raises(TraceKindError, match=r"has no KIND"):

        @register_trace_kind
        @dataclass(frozen=True, slots=True, kw_only=True)
        class Nameless(TraceKind):
            """No name."""

    with pytest.raises(TraceKindError, match=r"needs a docstring"):

        @register_trace_kind
        @dataclass(frozen=True, slots=True, kw_only=True)
        class Undocumented(TraceKind):
            KIND: ClassVar[str] = "sample.undocumented"

    with pytest.raises(TraceKindError, match=r"Badly.when is declared .*a trace field holds JSON"):

        @register_trace_kind
        @dataclass(frozen=True, slots=True, kw_only=True)
        class Badly(TraceKind):
            """A set is not JSON."""

            KIND: ClassVar[str] = "sample.badly"
            when: set[int]
