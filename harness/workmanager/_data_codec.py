"""The exact byte layout androidx stores ``Data`` in: the ``DataOutputStream`` "V1" format.

``Data.toByteArrayInternalV1``/``fromByteArray`` (``W/Data_.kt`` @31adf48a): a 2-byte magic
``0xABEF``, a 2-byte version ``1``, a 4-byte entry count, then per entry a type byte, the value
and the key written with ``writeUTF`` (Java's modified UTF-8 behind a 2-byte length). Arrays are a
4-byte length and their elements; a null element of a String array is written as a sentinel
string. Everything is big-endian. The serialised size is what the 10 240-byte limit measures.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping
from typing import Any, Final

from harness._exceptions import NotDataV1Error

_STREAM_MAGIC: Final = 0xABEF
_STREAM_VERSION: Final = 1
_NULL_STRING_V1: Final = "androidx.work.Data-95ed6082-b8e9-46e8-a73f-ff56f00f5d9d"


class DataType(enum.IntEnum):
    """The type codes of the V1 format (``Data.TYPE_*`` in ``W/Data_.kt``)."""

    NULL = 0
    BOOLEAN = 1
    BYTE = 2
    INTEGER = 3
    LONG = 4
    FLOAT = 5
    DOUBLE = 6
    STRING = 7
    BOOLEAN_ARRAY = 8
    BYTE_ARRAY = 9
    INTEGER_ARRAY = 10
    LONG_ARRAY = 11
    FLOAT_ARRAY = 12
    DOUBLE_ARRAY = 13
    STRING_ARRAY = 14

    @property
    def is_array(self) -> bool:
        return self >= DataType.BOOLEAN_ARRAY

    @property
    def element(self) -> DataType:
        """The scalar type of an array type's elements."""
        return DataType(self - 7)

    @property
    def array(self) -> DataType:
        """The array type of a scalar type (NULL counts as String, see ArrayCreatingInputMerger)."""
        return DataType.STRING_ARRAY if self is DataType.NULL else DataType(self + 7)


#: One stored value: its Android type and a canonical Python value (arrays are tuples).
Entry = tuple[DataType, Any]


class _UTFDataFormatError(Exception):
    """``writeUTF`` refused a string longer than 65 535 encoded bytes."""


def _modified_utf8(text: str) -> bytes:
    """Java's modified UTF-8 (``DataOutputStream.writeUTF`` body), per UTF-16 code unit."""
    if text.isascii() and "\x00" not in text:
        return text.encode("ascii")
    units = text.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    for index in range(0, len(units), 2):
        unit = (units[index] << 8) | units[index + 1]
        if 0x0001 <= unit <= 0x007F:
            out.append(unit)
        elif unit <= 0x07FF:
            out += bytes((0xC0 | (unit >> 6), 0x80 | (unit & 0x3F)))
        else:
            out += bytes((0xE0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3F), 0x80 | (unit & 0x3F)))
    return bytes(out)


def _write_utf(text: str) -> bytes:
    body = _modified_utf8(text)
    if len(body) > 0xFFFF:
        raise _UTFDataFormatError(f"encoded string too long: {len(body)} bytes")
    return struct.pack(">H", len(body)) + body


def _read_utf(buffer: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from(">H", buffer, offset)
    offset += 2
    body = buffer[offset : offset + length]
    units = bytearray()
    index = 0
    while index < len(body):
        first = body[index]
        if first < 0x80:
            unit, index = first, index + 1
        elif first >> 5 == 0b110:
            unit, index = ((first & 0x1F) << 6) | (body[index + 1] & 0x3F), index + 2
        else:
            unit = ((first & 0x0F) << 12) | ((body[index + 1] & 0x3F) << 6)
            unit, index = unit | (body[index + 2] & 0x3F), index + 3
        units += struct.pack(">H", unit)
    return units.decode("utf-16-be", "surrogatepass"), offset + length


_SCALAR_FORMAT: Final = {
    DataType.BOOLEAN: ">?",
    DataType.BYTE: ">b",
    DataType.INTEGER: ">i",
    DataType.LONG: ">q",
    DataType.FLOAT: ">f",
    DataType.DOUBLE: ">d",
}


def _write_value(kind: DataType, value: Any) -> bytes:
    if kind is DataType.NULL:
        return b""
    if kind is DataType.STRING:
        return _write_utf(value)
    if kind.is_array:
        parts = [struct.pack(">i", len(value))]
        element = kind.element
        for item in value:
            if element is DataType.STRING:
                parts.append(_write_utf(_NULL_STRING_V1 if item is None else item))
            else:
                parts.append(struct.pack(_SCALAR_FORMAT[element], item))
        return b"".join(parts)
    return struct.pack(_SCALAR_FORMAT[kind], value)


def serialize(entries: Mapping[str, Entry]) -> bytes:
    """``Data.toByteArrayInternalV1``: the exact bytes androidx stores (b"" if writeUTF fails)."""
    try:
        parts = [struct.pack(">HHi", _STREAM_MAGIC, _STREAM_VERSION, len(entries))]
        for key, (kind, value) in entries.items():
            parts.append(struct.pack(">B", kind))
            parts.append(_write_value(kind, value))
            parts.append(_write_utf(key))
        return b"".join(parts)
    except _UTFDataFormatError:
        return b""  # androidx catches the IOException and returns ByteArray(0)


def _read_value(kind: DataType, buffer: bytes, offset: int) -> tuple[Any, int]:
    if kind is DataType.NULL:
        return None, offset
    if kind is DataType.STRING:
        return _read_utf(buffer, offset)
    if kind.is_array:
        (count,) = struct.unpack_from(">i", buffer, offset)
        offset += 4
        items: list[Any] = []
        for _ in range(count):
            item, offset = _read_value(kind.element, buffer, offset)
            if kind is DataType.STRING_ARRAY and item == _NULL_STRING_V1:
                item = None
            items.append(item)
        return tuple(items), offset
    fmt = _SCALAR_FORMAT[kind]
    (value,) = struct.unpack_from(fmt, buffer, offset)
    return value, offset + struct.calcsize(fmt)


def deserialize(raw: bytes) -> dict[str, Entry]:
    """``Data.fromByteArray`` for the V1 format (the caller handles empty bytes and the limit)."""
    magic, version, count = struct.unpack_from(">HHi", raw, 0)
    if magic != _STREAM_MAGIC or version != _STREAM_VERSION:
        raise NotDataV1Error(f"magic {magic:#x}, version {version}")
    offset = 8
    entries: dict[str, Entry] = {}
    for _ in range(count):
        kind = DataType(raw[offset])
        value, offset = _read_value(kind, raw, offset + 1)
        key, offset = _read_utf(raw, offset)
        entries[key] = (kind, value)
    return entries
