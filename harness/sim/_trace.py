"""The trace: an append-only record of everything that happens in a run.

Every record has ``t_ms`` (int virtual milliseconds) and ``kind`` (``"work.started"``,
``"device.battery"``, ...) plus JSON fields. Records are serialised canonically (sorted keys, no
spaces, UTF-8), one per line, and the run's digest is the SHA-256 of those lines, so two runs with
the same seed have byte-identical traces and equal digests in any process.

A trace can stream to ``trace.jsonl`` and keep nothing in memory (``keep=False``): a device-year
then costs disk, not gigabytes of RAM. Reading such a trace back re-reads the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Final

from harness._exceptions import DefinitionError
from harness._signals import signals_held
from harness.sim._kinds import check_record, is_registered

# orjson's module set-up crashes the interpreter (a segmentation fault, no exception) when an
# exception, Ctrl-C's among them, comes while it imports the standard modules it needs
# (ijl/orjson#310): it loads with SIGINT and SIGTERM held back, and one that came is delivered
# right after, as a clean interrupt of this import.
with signals_held():
    import orjson

_RESERVED = frozenset({"t_ms", "kind"})

#: Set to ``1`` to make every :class:`Trace` strict by default (harness's own test suite does).
STRICT_ENV = "HARNESS_STRICT_TRACE"

#: A JSON value as a trace field may hold it.
JsonValue = None | bool | int | float | str | list[Any] | dict[str, Any]


#: The canonical encoder, built once: ``json.dumps`` with these options builds one per call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

#: Value types orjson writes byte for byte as ``_CANONICAL`` does (exact types: a subclass, such
#: as an enum member, goes the standard library's way, as does anything it would refuse).
_EXACT_TYPES: Final = frozenset({str, int, bool, type(None)})
_STR_ONLY: Final = frozenset({str})
#: orjson writes a float whose magnitude is below this differently (``0.00001`` and ``1e-7``
#: against ``repr``'s ``1e-05`` and ``1e-07``); from here up it writes ``repr``'s digits.
_SMALLEST_EXACT_FLOAT: Final = 1e-4
_ORJSON_OPTIONS: Final = orjson.OPT_SORT_KEYS
#: The same, with the trace line's newline appended by orjson.
_ORJSON_LINE_OPTIONS: Final = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def _exact_in_orjson(value: Any) -> bool:
    """Whether orjson writes ``value`` exactly as ``_CANONICAL`` would (else use the latter).

    Strings (escapes included), ints within 64 bits, booleans, ``null``, lists, tuples and
    dicts with ``str`` keys (sorted by code point, as ``sort_keys`` does) are written alike;
    floats too except non-finite ones (the standard library refuses them) and tiny ones.
    """
    kind = type(value)
    if kind in _EXACT_TYPES:
        return True
    if kind is float:
        magnitude = abs(value)
        return math.isfinite(value) and (magnitude >= _SMALLEST_EXACT_FLOAT or magnitude == 0)
    if kind is list or kind is tuple:
        # a list of exact scalars (a work's tags) is told at C speed, without a frame per item
        return _EXACT_TYPES.issuperset(map(type, value)) or all(map(_exact_in_orjson, value))
    if kind is dict:
        if not _STR_ONLY.issuperset(map(type, value)):
            return False
        values = value.values()
        return _EXACT_TYPES.issuperset(map(type, values)) or all(map(_exact_in_orjson, values))
    return False


def _canonical_bytes(value: dict[str, Any]) -> bytes:
    """:func:`canonical_json` of ``value`` as UTF-8 bytes.

    orjson (a JSON library written for speed) writes the common record, a flat dict of text,
    integers, booleans and nulls, several times faster than the standard library and with the
    same bytes; any value it would write differently (see :func:`_exact_in_orjson`), or that it
    refuses (an int beyond 64 bits), goes through the standard library, so every trace line,
    and so every digest, is what ``json`` writes.
    """
    for item in value.values():
        if type(item) not in _EXACT_TYPES and not _exact_in_orjson(item):
            return _CANONICAL.encode(value).encode("utf-8")
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _CANONICAL.encode(value).encode("utf-8")


def canonical_json(value: Mapping[str, Any]) -> str:
    """Serialise ``value`` canonically: sorted keys, compact separators, no NaN, UTF-8 text."""
    if type(value) is dict:
        return _canonical_bytes(value).decode("utf-8")
    return _CANONICAL.encode(value)


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One thing that happened at virtual time ``t_ms``."""

    t_ms: int
    kind: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The field ``key``, or ``default`` when the record has no such field."""
        return self.fields.get(key, default)

    def to_json(self) -> str:
        """The canonical one-line JSON form that goes into ``trace.jsonl`` and the digest."""
        return canonical_json({**self.fields, "t_ms": self.t_ms, "kind": self.kind})

    @classmethod
    def from_json(cls, line: str) -> TraceRecord:
        """Parse one ``trace.jsonl`` line back into a record."""
        data = json.loads(line)
        t_ms = data.pop("t_ms")
        kind = data.pop("kind")
        return cls(t_ms=t_ms, kind=kind, fields=MappingProxyType(data))


#: Makes a record without the dataclass's ``__init__`` (:meth:`Trace.emit` sets its fields).
_new_record: Final = object.__new__
_set_attribute: Final = object.__setattr__


class Trace:
    """Append-only trace of one run, optionally streamed to a JSON Lines file.

    ``keep`` holds records in memory for querying (the default, handy in tests); with a ``path``
    and ``keep=False`` records only go to the file, and queries read the file back.

    A ``strict`` trace checks every record against its registered kind (``docs/trace.md``) and
    raises :class:`~harness.TraceKindError` for an unregistered kind or a missing, undeclared or
    wrongly typed field. The default (``strict=None``) is strict when the environment variable
    ``HARNESS_STRICT_TRACE`` is ``1``; otherwise records are not checked (the record path stays
    as fast as it was) and :meth:`unregistered_kinds` lists what no declaration covers.
    """

    def __init__(
        self, path: str | Path | None = None, *, keep: bool = True, strict: bool | None = None
    ) -> None:
        if path is None and not keep:
            raise DefinitionError(
                "a trace with keep=False needs a path to stream to; pass path=..."
            )
        self._path = Path(path) if path is not None else None
        self._keep = keep
        self._strict = os.environ.get(STRICT_ENV) == "1" if strict is None else strict
        self._records: list[TraceRecord] = []
        self._file: IO[bytes] | None = None
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self._path.open("wb")
        self._hasher = hashlib.sha256()
        self._count = 0
        self._kind_counts: Counter[str] = Counter()
        self._last_t_ms = 0
        self._subscribers: list[Callable[[TraceRecord], None]] = []

    @property
    def strict(self) -> bool:
        """Whether every record is checked against its registered kind."""
        return self._strict

    @property
    def path(self) -> Path | None:
        """Where the trace streams to, if anywhere."""
        return self._path

    def subscribe(self, callback: Callable[[TraceRecord], None]) -> None:
        """Call ``callback(record)`` for every record emitted from now on."""
        self._subscribers.append(callback)

    def emit(self, t_ms: int, kind: str, /, **fields: Any) -> TraceRecord:
        """Append a record. ``t_ms`` must not be earlier than the previous record's."""
        if t_ms < self._last_t_ms:
            raise DefinitionError(
                f"trace record {kind!r} at {t_ms} ms is earlier than the previous record at "
                f"{self._last_t_ms} ms; the trace is in virtual-time order"
            )
        if "t_ms" in fields or "kind" in fields:
            clash = sorted(_RESERVED.intersection(fields))
            raise DefinitionError(f"trace field names {clash} are reserved; rename them")
        if self._strict:
            check_record(kind, fields)
        # TraceRecord(t_ms=t_ms, kind=kind, fields=...) without the frozen dataclass's __init__
        # frame (its three object.__setattr__ calls are these)
        record = _new_record(TraceRecord)
        _set_attribute(record, "t_ms", t_ms)
        _set_attribute(record, "kind", kind)
        _set_attribute(record, "fields", MappingProxyType(fields))
        # the canonical line of the record (TraceRecord.to_json) and its newline, encoded once
        # (_canonical_bytes, inlined: the common record is a flat dict of exact types)
        fields["t_ms"] = t_ms
        fields["kind"] = kind
        for item in fields.values():
            item_type = type(item)
            if item_type in _EXACT_TYPES or (
                item_type is list and _EXACT_TYPES.issuperset(map(type, item))  # a work's tags
            ):
                continue
            if not _exact_in_orjson(item):
                line = _CANONICAL.encode(fields).encode("utf-8") + b"\n"
                break
        else:
            try:
                line = orjson.dumps(fields, option=_ORJSON_LINE_OPTIONS)
            except orjson.JSONEncodeError:
                line = _CANONICAL.encode(fields).encode("utf-8") + b"\n"
        del fields["t_ms"], fields["kind"]
        self._hasher.update(line)
        if self._file is not None:
            self._file.write(line)
        if self._keep:
            self._records.append(record)
        self._count += 1
        self._kind_counts[kind] += 1
        self._last_t_ms = t_ms
        for subscriber in self._subscribers:
            subscriber(record)
        return record

    def digest(self) -> str:
        """Hex SHA-256 of the canonical lines so far (equal for byte-identical traces)."""
        return self._hasher.hexdigest()

    def __len__(self) -> int:
        return self._count

    def kind_counts(self) -> Mapping[str, int]:
        """How many records of each kind were emitted (always kept, even with ``keep=False``)."""
        return dict(self._kind_counts)

    def unregistered_kinds(self) -> list[str]:
        """Kinds recorded so far that no declaration covers, sorted (their records are kept)."""
        return sorted(kind for kind in self._kind_counts if not is_registered(kind))

    def __iter__(self) -> Iterator[TraceRecord]:
        if self._keep:
            return iter(list(self._records))
        return self._read_back()

    def _read_back(self) -> Iterator[TraceRecord]:
        assert self._path is not None
        if self._file is not None:
            self._file.flush()
        with self._path.open(encoding="utf-8") as handle:
            for line in handle:
                yield TraceRecord.from_json(line)

    def of_kind(self, *kinds: str) -> list[TraceRecord]:
        """Records whose kind is one of ``kinds``, or starts with one ending in ``.`` (a prefix)."""
        exact = {kind for kind in kinds if not kind.endswith(".")}
        prefixes = tuple(kind for kind in kinds if kind.endswith("."))
        return [
            record
            for record in self
            if record.kind in exact or (prefixes and record.kind.startswith(prefixes))
        ]

    def between(self, start_ms: int, end_ms: int) -> list[TraceRecord]:
        """Records with ``start_ms <= t_ms < end_ms``."""
        return [record for record in self if start_ms <= record.t_ms < end_ms]

    def close(self) -> None:
        """Flush and close the file (the trace stays readable)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @classmethod
    def read(cls, path: str | Path) -> Iterator[TraceRecord]:
        """Iterate over the records of a ``trace.jsonl`` file."""
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                yield TraceRecord.from_json(line)

    @staticmethod
    def digest_file(path: str | Path) -> str:
        """Digest of a ``trace.jsonl`` file: equal to :meth:`digest` of the run that wrote it."""
        hasher = hashlib.sha256()
        with Path(path).open("rb") as handle:
            for line in handle:
                hasher.update(line)
        return hasher.hexdigest()
