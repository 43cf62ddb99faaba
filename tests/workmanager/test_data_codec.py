"""Data's V1 bytes: Java's modified UTF-8, in bulk (workmanager/_data_codec.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.workmanager._data_codec import (
    _decode_modified_utf8,
    _decode_per_unit,
    _modified_utf8,
    _read_utf,
    _write_utf,
)

#: Every code point, surrogates included (a Java String may hold lone surrogates).
_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=60)


def _per_unit_reference(text: str) -> bytes:
    """DataOutputStream.writeUTF, one UTF-16 code unit at a time, as the JDK writes it."""
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


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("", b""),
        ("abc", b"abc"),
        ("a\x00b", b"a\xc0\x80b"),
        ("\x00", b"\xc0\x80"),
        ("é", b"\xc3\xa9"),
        ("€", b"\xe2\x82\xac"),
        ("\U0001f600", b"\xed\xa0\xbd\xed\xb8\x80"),
        ("\ud800", b"\xed\xa0\x80"),
        ("x\udc00\ud800y", b"x\xed\xb0\x80\xed\xa0\x80y"),
        ("\U0010ffff\x00é", b"\xed\xaf\xbf\xed\xbf\xbf\xc0\x80\xc3\xa9"),
    ],
)
def test_modified_utf8_is_javas(text: str, encoded: bytes) -> None:
    """writeUTF: NUL is C0 80, U+10000 and up is a surrogate pair of 3-byte sequences (CESU-8),
    lone surrogates are 3 bytes; readUTF reads the same text back (DataInputStream.readUTF)."""
    assert _modified_utf8(text) == encoded
    assert _read_utf(_write_utf(text), 0) == (text, 2 + len(encoded))


@given(_ANY_TEXT)
def test_bulk_encoding_equals_per_unit_encoding(text: str) -> None:
    """The bulk encoder writes exactly the bytes of writeUTF's per-code-unit loop."""
    assert _modified_utf8(text) == _per_unit_reference(text)


@given(_ANY_TEXT)
def test_text_round_trips_as_java_strings_do(text: str) -> None:
    """readUTF(writeUTF(s)) is s as UTF-16 units: a high+low surrogate pair reads back joined."""
    as_units = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    body = _modified_utf8(text)
    assert _decode_modified_utf8(body) == as_units == _decode_per_unit(body)


@given(
    st.binary(max_size=40)
    | st.lists(
        st.sampled_from(
            [
                b"\xc0\x80",
                b"\xed\xa0\xbd",
                b"\xed\xb8\x80",
                b"\xc3",
                b"\xa9",
                b"a",
                b"\xe2\x82",
                b"\xf0\x9f\x98\x80",
                b"\xc0",
                b"\x80",
            ]
        ),
        max_size=12,
    ).map(b"".join)
)
def test_bulk_decoding_equals_per_unit_decoding_on_any_bytes(body: bytes) -> None:
    """On any bytes, malformed ones included, the bulk decoder gives the per-unit decoder's text
    (or raises as it does): overlong, 4-byte and truncated sequences go the per-unit way."""
    try:
        expected: str | type[BaseException] = _decode_per_unit(body)
    except (IndexError, UnicodeDecodeError) as error:
        expected = type(error)
    try:
        actual: str | type[BaseException] = _decode_modified_utf8(body)
    except (IndexError, UnicodeDecodeError) as error:
        actual = type(error)
    assert actual == expected
