"""The exact byte layout androidx stores ``Data`` in: the ``DataOutputStream`` "V1" format.

``Data.toByteArrayInternalV1``/``fromByteArray`` (``W/Data_.kt`` @31adf48a): a 2-byte magic
``0xABEF``, a 2-byte version ``1``, a 4-byte entry count, then per entry a type byte, the value
and the key written with ``writeUTF`` (Java's modified UTF-8 behind a 2-byte length). Arrays are a
4-byte length and their elements; a null element of a String array is written as a sentinel
string. Everything is big-endian. The serialised size is what the 10 240-byte limit measures.
"""

from __future__ import annotations

import enum
import re
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
    """Java's modified UTF-8 (``DataOutputStream.writeUTF`` body), per UTF-16 code unit.

    It is UTF-8 with two differences, applied in bulk: U+0000 is ``C0 80``, and a character
    above U+FFFF is its UTF-16 surrogate pair, each half as a 3-byte sequence (CESU-8). Lone
    surrogates are written as 3-byte sequences too (``surrogatepass``).
    """
    if text.isascii():
        body = text.encode("ascii")
    else:
        if _SUPPLEMENTARY.search(text) is not None:
            text = _SUPPLEMENTARY.sub(_as_surrogate_pair, text)
        body = text.encode("utf-8", "surrogatepass")
    return body.replace(b"\x00", b"\xc0\x80") if b"\x00" in body else body


#: A character outside the Basic Multilingual Plane (4 bytes in UTF-8, 6 in modified UTF-8).
_SUPPLEMENTARY: Final = re.compile("[\U00010000-\U0010ffff]")


def _as_surrogate_pair(match: re.Match[str]) -> str:
    above = ord(match.group()) - 0x10000
    return chr(0xD800 | (above >> 10)) + chr(0xDC00 | (above & 0x3FF))


def _write_utf(text: str) -> bytes:
    body = _modified_utf8(text)
    if len(body) > 0xFFFF:
        raise _UTFDataFormatError(f"encoded string too long: {len(body)} bytes")
    return struct.pack(">H", len(body)) + body


def _read_utf(buffer: bytes, offset: int) -> tuple[str, int]:
    """``DataInputStream.readUTF``: the string at ``offset`` and the offset after it."""
    (length,) = struct.unpack_from(">H", buffer, offset)
    offset += 2
    body = buffer[offset : offset + length]
    return _decode_modified_utf8(body), offset + length


#: Bytes that never occur in modified UTF-8 (lead bytes of 4-byte UTF-8 sequences and beyond).
_NOT_MODIFIED_UTF8: Final = re.compile(b"[\xf0-\xff]")


def _decode_modified_utf8(body: bytes) -> str:
    """The text of a modified UTF-8 body, decoded in bulk where that gives the same text.

    Once ``C0 80`` is back to ``00``, well-formed modified UTF-8 is UTF-8 with surrogates encoded
    as 3-byte sequences, which Python's UTF-8 decoder takes with ``surrogatepass``; a surrogate
    pair it leaves as two code points is joined through UTF-16, as Java's ``String`` holds it.
    Anything else (overlong forms other than ``C0 80``, truncated or 4-byte sequences) goes to
    :func:`_decode_per_unit`, the lenient per-character decoding this module always had.
    """
    if body.isascii():
        return body.decode("ascii")
    if _NOT_MODIFIED_UTF8.search(body) is None:
        try:
            text = body.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            pass
        else:
            if b"\xed" in body:  # 0xED leads U+D000..U+DFFF, the surrogates among them
                text = text.encode("utf-16-be", "surrogatepass").decode(
                    "utf-16-be", "surrogatepass"
                )
            return text
    return _decode_per_unit(body)


def _decode_per_unit(body: bytes) -> str:
    """Decode one UTF-16 code unit at a time: 1, 2 or 3 bytes by the lead byte's high bits,
    continuation bytes taken as they are (no check), units joined as UTF-16."""
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
    return units.decode("utf-16-be", "surrogatepass")


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
