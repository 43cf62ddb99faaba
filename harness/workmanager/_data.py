"""``Data``: the small typed key/value payload of work inputs, outputs and progress.

Faithful to ``W/Data_.kt`` (androidx 2.9/2.10):

* Only Android's types: null, Boolean, Byte, Int, Long, Float, Double, String and arrays of them.
  Python values are mapped to them as ``put(key, value)`` does in Kotlin: ``bool`` -> Boolean,
  ``int`` -> Int when it fits in 32 bits else Long, ``float`` -> Double, ``str`` -> String,
  ``bytes`` -> ByteArray, a list or tuple of one of those -> the array type. The typed putters
  (``put_long``, ``put_float``, ...) choose the type explicitly; Java semantics follow from the
  type: ``get_long`` on a value stored as Int returns the default, as ``Data.getLong`` does.
* The size limit is measured on the exact bytes of androidx's current database format (the
  ``DataOutputStream`` "V1" layout: 8-byte header, then per entry a type byte, the value and the
  key in Java's modified UTF-8): at most 10 240 bytes, inclusive; more raises
  :class:`InvalidDataError` (androidx: ``IllegalStateException`` from ``build()``).
* A string or key longer than 65 535 encoded bytes makes ``writeUTF`` fail; androidx catches that
  and serialises the whole Data to zero bytes, so it passes ``build()`` but is stored as EMPTY.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

from harness._exceptions import InvalidDataError, NotDataV1Error
from harness.workmanager._data_codec import DataType as _Type
from harness.workmanager._data_codec import Entry as _Entry
from harness.workmanager._data_codec import deserialize, serialize

#: ``Data.MAX_DATA_BYTES`` (``W/Data_.kt``): the largest serialised size, inclusive.
MAX_DATA_BYTES: Final = 10 * 1024

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _float32(value: float) -> float:
    """Round ``value`` to the nearest single-precision float (Java ``float``)."""
    if math.isnan(value) or math.isinf(value):
        return value
    try:
        result: float = struct.unpack(">f", struct.pack(">f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return result


def _number(key: str, value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidDataError(
            f"Data key {key!r}: {value!r} ({type(value).__name__}) is not a number; "
            f"{what} takes an int or a float"
        )
    return float(value)


def _integer(key: str, value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidDataError(
            f"Data key {key!r}: {value!r} ({type(value).__name__}) is not an int; {what} "
            "takes an int"
        )
    if not low <= value <= high:
        raise InvalidDataError(
            f"Data key {key!r}: {value} is outside {what}'s range {low}..{high}; "
            "use a wider type (put_long) or a string"
        )
    return value


def _typed(key: str, kind: _Type, value: object) -> Any:
    """Validate ``value`` for ``kind`` and return its canonical stored form."""
    if kind is _Type.NULL:
        return None
    if kind is _Type.BOOLEAN:
        if not isinstance(value, bool):
            raise InvalidDataError(f"Data key {key!r}: {value!r} is not a bool; use put_boolean")
        return value
    if kind is _Type.BYTE:
        return _integer(key, value, -128, 127, "Byte")
    if kind is _Type.INTEGER:
        return _integer(key, value, _INT_MIN, _INT_MAX, "Int")
    if kind is _Type.LONG:
        return _integer(key, value, _LONG_MIN, _LONG_MAX, "Long")
    if kind is _Type.FLOAT:
        return _float32(_number(key, value, "Float"))
    if kind is _Type.DOUBLE:
        return _number(key, value, "Double")
    if kind is _Type.STRING:
        if value is not None and not isinstance(value, str):
            raise InvalidDataError(f"Data key {key!r}: {value!r} is not a str; use put_string")
        return value
    if kind is _Type.BYTE_ARRAY and isinstance(value, bytes | bytearray):
        return tuple(byte - 256 if byte > 127 else byte for byte in value)
    if isinstance(value, str | bytes | bytearray) or not isinstance(value, Iterable):
        raise InvalidDataError(
            f"Data key {key!r}: {value!r} is not a list or tuple; {kind.name} takes a sequence"
        )
    element = kind.element
    if element is _Type.STRING:
        return tuple(_typed(key, _Type.STRING, item) for item in value)
    return tuple(_typed(key, element, item) for item in value)


def _infer(key: object, value: object) -> _Entry:
    """The Android type Kotlin's ``Data.Builder.put`` would give a Python value."""
    if not isinstance(key, str):
        raise InvalidDataError(f"Data key {key!r} is a {type(key).__name__}; keys are str")
    if value is None:
        return _Type.NULL, None
    if isinstance(value, bool):
        return _Type.BOOLEAN, value
    if isinstance(value, int):
        kind = _Type.INTEGER if _INT_MIN <= value <= _INT_MAX else _Type.LONG
        return kind, _typed(key, kind, value)
    if isinstance(value, float):
        return _Type.DOUBLE, value
    if isinstance(value, str):
        return _Type.STRING, value
    if isinstance(value, bytes | bytearray):
        return _Type.BYTE_ARRAY, _typed(key, _Type.BYTE_ARRAY, value)
    if isinstance(value, list | tuple):
        return _infer_array(key, value)
    raise InvalidDataError(
        f"Key {key} has invalid type {type(value).__name__}; Data holds only None, bool, int, "
        "float, str, bytes and lists of one of those (Android's Boolean, Byte, Int, Long, Float, "
        "Double, String and their arrays)"
    )


def _infer_array(key: str, values: list[Any] | tuple[Any, ...]) -> _Entry:
    if not values:
        raise InvalidDataError(
            f"Data key {key!r}: an empty list has no element type; use a typed putter such as "
            "Data.builder().put_string_array(key, [])"
        )
    if all(isinstance(item, bool) for item in values):
        return _Type.BOOLEAN_ARRAY, tuple(values)
    if all(isinstance(item, int) and not isinstance(item, bool) for item in values):
        fits = all(_INT_MIN <= item <= _INT_MAX for item in values)
        kind = _Type.INTEGER_ARRAY if fits else _Type.LONG_ARRAY
        return kind, _typed(key, kind, values)
    if all(isinstance(item, float) for item in values):
        return _Type.DOUBLE_ARRAY, tuple(values)
    if all(item is None or isinstance(item, str) for item in values):
        return _Type.STRING_ARRAY, tuple(values)
    kinds = sorted({type(item).__name__ for item in values})
    raise InvalidDataError(
        f"Key {key} has invalid type list of {', '.join(kinds)}; a Data array holds one type "
        "(bool, int, float or str/None), like a Java array"
    )


def _python_value(kind: _Type, value: Any) -> Any:
    if kind is _Type.BYTE_ARRAY:
        return bytes(byte & 0xFF for byte in value)
    if kind.is_array:
        return list(value)
    return value


def _json_value(kind: _Type, value: Any) -> Any:
    if kind.is_array:
        return [_json_value(kind.element, item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'nan', 'inf': the trace's canonical JSON has no NaN or Infinity
    return value


def _canonical(kind: _Type, value: Any) -> Any:
    """A hashable form in which floats compare by bits, as Java's boxed ``equals`` does."""
    if kind in (_Type.FLOAT, _Type.DOUBLE):
        return struct.pack(">d", value)
    if kind in (_Type.FLOAT_ARRAY, _Type.DOUBLE_ARRAY):
        return tuple(struct.pack(">d", item) for item in value)
    return value


class Data:
    """An immutable, typed key/value payload (``androidx.work.Data``).

    Build one from a mapping (``Data({"page": 3, "token": "abc"})``) or with
    ``Data.builder().put_long("since", 0).build()``. At most :data:`MAX_DATA_BYTES` bytes when
    serialised, inclusive.
    """

    __slots__ = ("_entries", "_raw")

    _entries: dict[str, _Entry]
    #: The serialised bytes, set by the first :meth:`to_byte_array`.
    _raw: bytes
    EMPTY: ClassVar[Data]
    Builder: ClassVar[type[DataBuilder]]
    MAX_DATA_BYTES: ClassVar[int] = MAX_DATA_BYTES

    def __init__(self, values: Mapping[str, object] | Data | None = None) -> None:
        if isinstance(values, Data):
            self._entries = dict(values._entries)
            return
        entries = {} if values is None else {key: _infer(key, v) for key, v in values.items()}
        self._entries = entries
        _check_size(entries)

    @classmethod
    def _from_entries(cls, entries: dict[str, _Entry]) -> Data:
        data = cls.__new__(cls)
        data._entries = entries
        return data

    @staticmethod
    def builder() -> DataBuilder:
        """A ``Data.Builder``."""
        return DataBuilder()

    # --- typed getters: the default (or None) on a missing key or another type -------------

    def _get(self, key: str, kind: _Type) -> Any:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] is kind else None

    def get_boolean(self, key: str, default_value: bool) -> bool:
        """The Boolean under ``key``, else ``default_value``."""
        value = self._get(key, _Type.BOOLEAN)
        return default_value if value is None else bool(value)

    def get_byte(self, key: str, default_value: int) -> int:
        """The Byte under ``key`` (-128..127), else ``default_value``."""
        value = self._get(key, _Type.BYTE)
        return default_value if value is None else int(value)

    def get_int(self, key: str, default_value: int) -> int:
        """The Int under ``key``, else ``default_value`` (also when it is stored as a Long)."""
        value = self._get(key, _Type.INTEGER)
        return default_value if value is None else int(value)

    def get_long(self, key: str, default_value: int) -> int:
        """The Long under ``key``, else ``default_value`` (also when it is stored as an Int)."""
        value = self._get(key, _Type.LONG)
        return default_value if value is None else int(value)

    def get_float(self, key: str, default_value: float) -> float:
        """The Float under ``key``, else ``default_value``."""
        value = self._get(key, _Type.FLOAT)
        return default_value if value is None else float(value)

    def get_double(self, key: str, default_value: float) -> float:
        """The Double under ``key``, else ``default_value``."""
        value = self._get(key, _Type.DOUBLE)
        return default_value if value is None else float(value)

    def get_string(self, key: str) -> str | None:
        """The String under ``key``, else ``None``."""
        value = self._get(key, _Type.STRING)
        return None if value is None else str(value)

    def _get_array(self, key: str, kind: _Type) -> list[Any] | None:
        value = self._get(key, kind)
        return None if value is None else list(value)

    def get_boolean_array(self, key: str) -> list[bool] | None:
        """The BooleanArray under ``key``, else ``None``."""
        return self._get_array(key, _Type.BOOLEAN_ARRAY)

    def get_byte_array(self, key: str) -> bytes | None:
        """The ByteArray under ``key`` as ``bytes``, else ``None``."""
        value = self._get(key, _Type.BYTE_ARRAY)
        return None if value is None else _python_value(_Type.BYTE_ARRAY, value)

    def get_int_array(self, key: str) -> list[int] | None:
        """The IntArray under ``key``, else ``None``."""
        return self._get_array(key, _Type.INTEGER_ARRAY)

    def get_long_array(self, key: str) -> list[int] | None:
        """The LongArray under ``key``, else ``None``."""
        return self._get_array(key, _Type.LONG_ARRAY)

    def get_float_array(self, key: str) -> list[float] | None:
        """The FloatArray under ``key``, else ``None``."""
        return self._get_array(key, _Type.FLOAT_ARRAY)

    def get_double_array(self, key: str) -> list[float] | None:
        """The DoubleArray under ``key``, else ``None``."""
        return self._get_array(key, _Type.DOUBLE_ARRAY)

    def get_string_array(self, key: str) -> list[str | None] | None:
        """The String array under ``key`` (elements may be ``None``), else ``None``."""
        return self._get_array(key, _Type.STRING_ARRAY)

    def has_key_with_value_of_type(self, key: str, value_type: type) -> bool:
        """Whether ``key`` holds a non-null value that is an instance of ``value_type``."""
        entry = self._entries.get(key)
        if entry is None or entry[1] is None:
            return False
        return isinstance(_python_value(*entry), value_type)

    @property
    def key_value_map(self) -> dict[str, Any]:
        """A copy of every value as Python: arrays as lists, a ByteArray as ``bytes``."""
        return {key: _python_value(kind, value) for key, (kind, value) in self._entries.items()}

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict for the trace (byte arrays as signed ints, NaN as ``'nan'``)."""
        return {key: _json_value(kind, value) for key, (kind, value) in self._entries.items()}

    # --- serialisation ----------------------------------------------------------------------

    def to_byte_array(self) -> bytes:
        """The exact bytes androidx stores in its database (``toByteArrayInternalV1``)."""
        try:
            return self._raw
        except AttributeError:  # serialised once: the entries never change
            raw = self._raw = serialize(self._entries)
            return raw

    @classmethod
    def from_byte_array(cls, raw: bytes) -> Data:
        """Read the V1 format back (``Data.fromByteArray``); empty bytes are ``Data.EMPTY``."""
        if len(raw) > MAX_DATA_BYTES:
            raise InvalidDataError(
                f"Data cannot occupy more than {MAX_DATA_BYTES} bytes when serialized; got "
                f"{len(raw)} bytes"
            )
        if not raw:
            return cls.EMPTY
        try:
            entries = deserialize(raw)
        except NotDataV1Error as error:
            raise InvalidDataError(
                f"bytes are not androidx Data V1 ({error}); only the current DataOutputStream "
                "format is read"
            ) from error
        return cls._from_entries(entries)

    # --- value semantics --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def _key(self) -> frozenset[tuple[str, _Type, Any]]:
        return frozenset(
            (key, kind, _canonical(kind, value)) for key, (kind, value) in self._entries.items()
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Data):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        body = ", ".join(f"{key!r}: {value!r}" for key, value in self.key_value_map.items())
        return f"Data({{{body}}})"


def _check_size(entries: Mapping[str, _Entry]) -> None:
    size = len(serialize(entries))
    if size > MAX_DATA_BYTES:
        raise InvalidDataError(
            f"Data cannot occupy more than {MAX_DATA_BYTES} bytes when serialized; this one takes "
            f"{size} bytes — keep large payloads in app storage and pass a key in Data"
        )


class DataBuilder:
    """``Data.Builder``: typed puts, then :meth:`build` (which enforces the size limit)."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def _put(self, key: str, kind: _Type, value: object) -> DataBuilder:
        if not isinstance(key, str):
            raise InvalidDataError(f"Data key {key!r} is a {type(key).__name__}; keys are str")
        if value is None and kind is _Type.STRING:
            kind = _Type.NULL  # putString(key, null) stores a null, written as TYPE_NULL
        self._entries[key] = (kind, _typed(key, kind, value))
        return self

    def put_boolean(self, key: str, value: bool) -> DataBuilder:
        """Put a Boolean."""
        return self._put(key, _Type.BOOLEAN, value)

    def put_byte(self, key: str, value: int) -> DataBuilder:
        """Put a Byte (-128..127)."""
        return self._put(key, _Type.BYTE, value)

    def put_int(self, key: str, value: int) -> DataBuilder:
        """Put an Int (32-bit)."""
        return self._put(key, _Type.INTEGER, value)

    def put_long(self, key: str, value: int) -> DataBuilder:
        """Put a Long (64-bit)."""
        return self._put(key, _Type.LONG, value)

    def put_float(self, key: str, value: float) -> DataBuilder:
        """Put a Float (rounded to single precision)."""
        return self._put(key, _Type.FLOAT, value)

    def put_double(self, key: str, value: float) -> DataBuilder:
        """Put a Double."""
        return self._put(key, _Type.DOUBLE, value)

    def put_string(self, key: str, value: str | None) -> DataBuilder:
        """Put a String (``None`` is stored as null)."""
        return self._put(key, _Type.STRING, value)

    def put_boolean_array(self, key: str, value: Iterable[bool]) -> DataBuilder:
        """Put a BooleanArray."""
        return self._put(key, _Type.BOOLEAN_ARRAY, value)

    def put_byte_array(self, key: str, value: bytes | Iterable[int]) -> DataBuilder:
        """Put a ByteArray (``bytes``, or ints in -128..127)."""
        return self._put(key, _Type.BYTE_ARRAY, value)

    def put_int_array(self, key: str, value: Iterable[int]) -> DataBuilder:
        """Put an IntArray."""
        return self._put(key, _Type.INTEGER_ARRAY, value)

    def put_long_array(self, key: str, value: Iterable[int]) -> DataBuilder:
        """Put a LongArray."""
        return self._put(key, _Type.LONG_ARRAY, value)

    def put_float_array(self, key: str, value: Iterable[float]) -> DataBuilder:
        """Put a FloatArray."""
        return self._put(key, _Type.FLOAT_ARRAY, value)

    def put_double_array(self, key: str, value: Iterable[float]) -> DataBuilder:
        """Put a DoubleArray."""
        return self._put(key, _Type.DOUBLE_ARRAY, value)

    def put_string_array(self, key: str, value: Iterable[str | None]) -> DataBuilder:
        """Put a String array (elements may be ``None``)."""
        return self._put(key, _Type.STRING_ARRAY, value)

    def put(self, key: str, value: object) -> DataBuilder:
        """Put a value of any supported type, typed as Kotlin's ``put`` would (module doc)."""
        self._entries[key] = _infer(key, value)
        return self

    def put_all(self, values: Data | Mapping[str, object]) -> DataBuilder:
        """Put every entry of a ``Data`` (types kept) or of a mapping (types inferred)."""
        if isinstance(values, Data):
            self._entries.update(values._entries)
        else:
            for key, value in values.items():
                self.put(key, value)
        return self

    def _put_entry(self, key: str, entry: _Entry) -> None:
        self._entries[key] = entry

    def build(self) -> Data:
        """The ``Data``; :class:`InvalidDataError` if it serialises to more than 10 240 bytes."""
        entries = dict(self._entries)
        _check_size(entries)
        return Data._from_entries(entries)


Data.EMPTY = Data()
Data.Builder = DataBuilder
