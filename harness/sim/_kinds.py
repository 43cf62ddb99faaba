"""The trace-kind registry: every kind a trace may hold, with its fields and their types.

A kind is declared once, as a frozen slotted dataclass subclassing :class:`TraceKind` whose
``KIND`` names it, whose docstring's first line says what it means, and whose fields are the
record's fields (no default: required; a default: optional, absent from some records)::

    @register_trace_kind
    @dataclass(frozen=True, slots=True, kw_only=True)
    class WakeupRecord(TraceKind):
        \"\"\"The device woke from suspend (an alarm, a job, a push).\"\"\"

        KIND: ClassVar[str] = "device.wakeup"
        reason: str

Each layer declares its own kinds in its own ``trace_kinds`` module, which registers them when it
is imported. Building ~100 dataclasses is a large share of a short run's start-up, so the layers'
``trace_kinds`` modules are imported only when a kind's declaration is needed: the generated
index :data:`~harness.sim._kind_index.HARNESS_KINDS` (kind -> module, regenerated with
``python -m tests.regen_trace_doc`` and checked by ``tests/test_trace_kinds.py``) answers
whether a kind is known; any question about a kind's class or fields imports its module first.
A strict :class:`~harness.sim.Trace` checks every record against its kind
(:func:`check_record`); the class is also the typed view of a record
(:meth:`TraceKind.from_record`). ``docs/trace.md`` is generated from this registry
(:func:`render_trace_kinds_markdown`).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, TypeVar, get_args, get_origin

from harness._exceptions import TraceKindError
from harness.sim._kind_index import HARNESS_KINDS

if typing.TYPE_CHECKING:
    from harness.sim._trace import TraceRecord

_RESERVED = frozenset({"t_ms", "kind"})
#: JSON scalar types a field may declare (``float`` also accepts ``int``, as JSON does).
_SCALARS: Mapping[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float, int),
    type(None): (type(None),),
    list: (list,),
    dict: (dict,),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceKind:
    """Base of a registered trace kind: the typed form of one record (``t_ms`` plus its fields)."""

    #: The kind's name as records carry it (``"work.finished"``); set by every subclass.
    KIND: ClassVar[str] = ""

    t_ms: int

    @classmethod
    def from_record(cls, record: TraceRecord) -> Self:
        """The typed view of ``record`` (a record of this kind); undeclared fields are left out."""
        if record.kind != cls.KIND:
            raise TraceKindError(
                f"a {record.kind!r} record is not a {cls.KIND!r} record; "
                f"select records of kind {cls.KIND!r} for {cls.__name__}"
            )
        spec = _declared_spec(cls.KIND)
        names = spec.names if spec is not None else frozenset(record.fields)
        values = {name: value for name, value in record.fields.items() if name in names}
        missing = sorted(spec.required - values.keys()) if spec is not None else []
        if missing:
            raise TraceKindError(
                f"the {cls.KIND!r} record at {record.t_ms} ms lacks required field(s) "
                f"{missing}; was it written by another version of harness?"
            )
        return cls(t_ms=record.t_ms, **values)


@dataclass(frozen=True, slots=True)
class _Check:
    """What a field accepts: exact JSON types, optional literal values, list element types."""

    types: tuple[type, ...]
    literals: frozenset[Any] | None = None
    items: tuple[type, ...] | None = None

    def accepts(self, value: Any) -> bool:
        if type(value) not in self.types:
            return False
        if self.literals is not None and value is not None and value not in self.literals:
            return False
        if self.items is not None and isinstance(value, list):
            return all(type(item) in self.items for item in value)
        return True


@dataclass(frozen=True, slots=True)
class TraceField:
    """One field of a trace kind, as the docs and ``harness list --trace-kinds`` show it."""

    name: str
    #: The declared type as written (``"int | None"``, ``"list[str]"``).
    type_text: str
    #: ``True`` when every record of the kind carries the field.
    required: bool


@dataclass(frozen=True, slots=True)
class TraceKindSpec:
    """A registered kind: its name, meaning, fields and the class that types its records."""

    kind: str
    meaning: str
    record_type: type[TraceKind]
    fields: tuple[TraceField, ...]
    required: frozenset[str]
    names: frozenset[str]
    checks: Mapping[str, _Check]

    @property
    def module(self) -> str:
        """The module that declares the kind (where to change it)."""
        return self.record_type.__module__


_REGISTRY: dict[str, TraceKindSpec] = {}
_K = TypeVar("_K", bound=type[TraceKind])
#: Harness's kinds whose module is not imported yet: kind -> the module that declares it.
_PENDING: dict[str, str] = dict(HARNESS_KINDS)


def _import_declaring(kind: str | None) -> None:
    """Import the module that declares ``kind`` (every harness module not yet imported when
    ``kind`` is ``None`` or not in the index: an index older than the code still finds it)."""
    module = _PENDING.get(kind) if kind is not None else None
    modules = [module] if module is not None else sorted(set(_PENDING.values()))
    for name in modules:
        importlib.import_module(name)
        # a kind the index names but the module no longer declares is not registered
        for stale in [k for k, declaring in _PENDING.items() if declaring == name]:
            del _PENDING[stale]


def _declared_spec(kind: str) -> TraceKindSpec | None:
    """The registered spec of ``kind``, importing harness's module that declares it if need be."""
    spec = _REGISTRY.get(kind)
    if spec is None and _PENDING:
        _import_declaring(kind)
        spec = _REGISTRY.get(kind)
    return spec


def _type_text(hint: Any) -> str:
    if hint is type(None):
        return "None"
    if get_origin(hint) is Literal:
        return " | ".join(repr(value) for value in get_args(hint))
    if isinstance(hint, type) and not get_args(hint):
        return hint.__name__
    return str(hint).replace("typing.", "")


def _check_of(hint: Any, where: str) -> _Check:
    """The runtime check of a declared type (JSON scalars, lists, dicts, unions, literals)."""
    if hint is Any:
        return _Check(types=tuple({*(t for ts in _SCALARS.values() for t in ts)}))
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        parts = [_check_of(arg, where) for arg in get_args(hint)]
        literals = [p.literals for p in parts if p.literals is not None]
        return _Check(
            types=tuple(t for p in parts for t in p.types),
            literals=frozenset().union(*literals) if literals else None,
            items=next((p.items for p in parts if p.items is not None), None),
        )
    if origin is Literal:
        values = get_args(hint)
        return _Check(types=tuple({type(v) for v in values}), literals=frozenset(values))
    if origin is list:
        (item,) = get_args(hint)
        inner = None if item is Any else _check_of(item, where).types
        return _Check(types=(list,), items=inner)
    if origin is dict:
        return _Check(types=(dict,))
    if hint in _SCALARS:
        return _Check(types=_SCALARS[hint])
    raise TraceKindError(
        f"{where} is declared {hint!r}; a trace field holds JSON: use str, int, float, bool, "
        "None, list[...], dict[str, Any], a Literal of those, or a union of them"
    )


def register_trace_kind(record_type: _K) -> _K:
    """Register a :class:`TraceKind` subclass (use as a class decorator); returns it unchanged.

    Registering the same class again does nothing; another class for a registered kind is a
    :class:`TraceKindError` (kinds are unique across harness and the apps it runs).
    """
    kind = record_type.KIND
    name = record_type.__qualname__
    if not kind or not issubclass(record_type, TraceKind) or kind != kind.strip():
        raise TraceKindError(
            f"{name} has no KIND; set KIND: ClassVar[str] = 'area.event' on a TraceKind subclass"
        )
    if _PENDING.get(kind) not in (None, record_type.__module__):
        _import_declaring(kind)  # harness declares this kind: its class is the registered one
    existing = _REGISTRY.get(kind)
    if existing is not None:
        if existing.record_type.__qualname__ == name and existing.module == record_type.__module__:
            return record_type  # the same declaration imported again (a reloaded module)
        raise TraceKindError(
            f"trace kind {kind!r} is already registered by {existing.module}."
            f"{existing.record_type.__qualname__}; choose another name for {name}"
        )
    module = sys.modules.get(record_type.__module__)
    hints = typing.get_type_hints(record_type, vars(module) if module else None)
    fields: list[TraceField] = []
    checks: dict[str, _Check] = {}
    for item in dataclasses.fields(record_type):
        if item.name == "t_ms":
            continue
        if item.name in _RESERVED:
            raise TraceKindError(f"{name}.{item.name}: field names t_ms and kind are reserved")
        hint = hints[item.name]
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        checks[item.name] = _check_of(hint, f"{name}.{item.name}")
        fields.append(TraceField(item.name, _type_text(hint), required))
    doc = (record_type.__doc__ or "").strip()
    if not doc or doc.startswith(f"{record_type.__name__}("):
        raise TraceKindError(f"{name} needs a docstring whose first line says what {kind} means")
    _REGISTRY[kind] = TraceKindSpec(
        kind=kind,
        meaning=" ".join(doc.split("\n\n", 1)[0].split()),
        record_type=record_type,
        fields=tuple(fields),
        required=frozenset(f.name for f in fields if f.required),
        names=frozenset(checks),
        checks=checks,
    )
    _PENDING.pop(kind, None)
    return record_type


def registered_trace_kinds() -> Mapping[str, TraceKindSpec]:
    """Every registered kind (harness's, and those of the apps imported so far), sorted by
    name."""
    if _PENDING:
        _import_declaring(None)
    return {kind: _REGISTRY[kind] for kind in sorted(_REGISTRY)}


def trace_kind_spec(kind: str) -> TraceKindSpec:
    """The registered kind ``kind``; :class:`TraceKindError` listing close names if unknown."""
    spec = _declared_spec(kind)
    if spec is None:
        raise TraceKindError(_unregistered(kind))
    return spec


def is_registered(kind: str) -> bool:
    """Whether ``kind`` is registered (harness's kinds are, before their modules are imported)."""
    return kind in _REGISTRY or kind in _PENDING or _declared_spec(kind) is not None


def _unregistered(kind: str) -> str:
    if _PENDING:
        _import_declaring(None)
    close = difflib.get_close_matches(kind, _REGISTRY, n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    return (
        f"trace kind {kind!r} is not registered{hint}; declare it as a TraceKind subclass and "
        "register it with harness.sim.register_trace_kind (docs/trace.md, 'Adding a kind'); "
        "`harness list --trace-kinds` lists the registered kinds"
    )


def check_record(kind: str, fields: Mapping[str, Any]) -> None:
    """Raise :class:`TraceKindError` unless ``fields`` fit the registered kind ``kind``."""
    spec = _REGISTRY.get(kind) or _declared_spec(kind)
    if spec is None:
        raise TraceKindError(_unregistered(kind))
    missing = spec.required.difference(fields)
    if missing:
        name = min(missing)
        declared = next(f for f in spec.fields if f.name == name)
        raise TraceKindError(
            f"trace record {kind!r} lacks required field {name!r} ({declared.type_text}); "
            f"pass {name}=... or give it a default in {spec.module}.{spec.record_type.__name__}"
        )
    checks = spec.checks
    for name, value in fields.items():
        check = checks.get(name)
        if check is None:
            raise TraceKindError(
                f"trace record {kind!r} has undeclared field {name!r}; its fields are "
                f"{sorted(spec.names)}: add {name} to "
                f"{spec.module}.{spec.record_type.__name__}"
            )
        if not check.accepts(value):
            declared = next(f for f in spec.fields if f.name == name)
            raise TraceKindError(
                f"trace field {kind}.{name} is {value!r} ({type(value).__name__}), declared "
                f"{declared.type_text}; record a {declared.type_text} or change the declaration "
                f"in {spec.module}.{spec.record_type.__name__}"
            )


def render_trace_kinds_markdown(specs: Iterable[TraceKindSpec] | None = None) -> str:
    """The kind reference of ``docs/trace.md``: a summary table, then each kind's fields, grouped
    by the module that declares them (``specs`` default: every registered kind)."""
    chosen = sorted(
        registered_trace_kinds().values() if specs is None else specs,
        key=lambda spec: (spec.module, spec.kind),
    )
    lines = ["| kind | meaning |", "|---|---|"]
    lines += [
        f"| [`{spec.kind}`](#{_anchor(spec.kind)}) | {_cell(spec.meaning)} |" for spec in chosen
    ]
    module = None
    for spec in chosen:
        if spec.module != module:
            module = spec.module
            lines += ["", f"## `{module}`"]
        lines += ["", f"### `{spec.kind}`", "", f"{spec.meaning} (`{spec.record_type.__name__}`)"]
        if spec.fields:
            lines += ["", "| field | type | required |", "|---|---|---|"]
            for item in spec.fields:
                required = "yes" if item.required else "no"
                lines.append(f"| `{item.name}` | `{_cell(item.type_text)}` | {required} |")
        else:
            lines += ["", "No fields beyond `t_ms` and `kind`."]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """``text`` safe in a Markdown table cell."""
    return text.replace("|", "\\|")


def _anchor(kind: str) -> str:
    """The GitHub heading anchor of ``### `kind` ``: lower case, dots and backticks dropped."""
    return "".join(ch for ch in kind.lower() if ch.isalnum() or ch in "-_")
