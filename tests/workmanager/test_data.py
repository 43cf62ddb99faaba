"""Data: Android's types only, exact V1 size, 10 240-byte limit (workmanager/_data.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness._exceptions import InvalidDataError
from harness.workmanager import Data

LIMIT = Data.MAX_DATA_BYTES


def size(data: Data) -> int:
    return len(data.to_byte_array())


def test_sizes_follow_the_v1_layout() -> None:
    """EMPTY is 8 bytes; {"key":"value"} 21; {"a": 1} 16 (Data.toByteArrayInternalV1)."""
    assert size(Data.EMPTY) == 8
    assert size(Data({"key": "value"})) == 21
    assert size(Data({"a": 1})) == 16
    assert Data.EMPTY.to_byte_array()[:4] == bytes.fromhex("abef0001")


def test_the_limit_is_inclusive() -> None:
    """check(size <= MAX_DATA_BYTES): exactly 10 240 bytes is allowed (Data_.kt)."""
    longest = "x" * 10_226  # 8 + 1 + 2 + 10226 + 2 + 1 = 10 240
    assert size(Data({"k": longest})) == LIMIT
    with pytest.raises(InvalidDataError, match=r"^Data cannot occupy more than 10240 bytes"):
        Data({"k": longest + "x"})
    with pytest.raises(InvalidDataError, match=r"takes 10241 bytes"):
        Data.builder().put_string("k", longest + "x").build()


def test_modified_utf8_counts_java_bytes() -> None:
    """writeUTF: U+0000 and U+0080..U+07FF take 2 bytes, BMP 3, a non-BMP character 6 (Data_.kt)."""
    assert size(Data({"k": "\x00"})) == 14 + 2
    assert size(Data({"k": "é"})) == 14 + 2
    assert size(Data({"k": "€"})) == 14 + 3
    assert size(Data({"k": "😀"})) == 14 + 6


def test_a_string_over_65535_utf_bytes_serialises_to_nothing() -> None:
    """writeUTF throws, toByteArray catches the IOException and returns ByteArray(0) (Data_.kt)."""
    data = Data.builder().put_string("k", "€" * 30_000).build()  # 90 000 UTF bytes
    assert data.to_byte_array() == b""
    assert Data.from_byte_array(data.to_byte_array()) == Data.EMPTY


@pytest.mark.parametrize("bad", [object(), {"nested": 1}, 1 + 2j, {1, 2}, [1, "a"], []])
def test_only_android_types_are_accepted(bad: object) -> None:
    """Builder.put throws IllegalArgumentException 'Key $key has invalid type' (Data_.kt)."""
    with pytest.raises(InvalidDataError, match=r"Key k has invalid type|empty list"):
        Data({"k": bad})


def test_python_values_get_kotlins_types() -> None:
    """bool -> Boolean, small int -> Int, big int -> Long, float -> Double, lists -> arrays."""
    data = Data(
        {"b": True, "i": 7, "l": 2**40, "d": 1.5, "s": "x", "n": None, "a": [1, 2], "y": b"\xff"}
    )
    assert data.get_boolean("b", False) is True
    assert data.get_int("i", 0) == 7
    assert data.get_long("l", 0) == 2**40
    assert data.get_double("d", 0.0) == 1.5
    assert data.get_string("s") == "x"
    assert data.get_string("n") is None
    assert data.get_int_array("a") == [1, 2]
    assert data.get_byte_array("y") == b"\xff"


def test_getters_return_the_default_on_another_type() -> None:
    """getInt on a Long key returns the default; getString on a number returns null (Data_.kt)."""
    data = Data.builder().put_long("n", 5).put_int("i", 5).build()
    assert data.get_int("n", -1) == -1
    assert data.get_long("i", -1) == -1
    assert data.get_string("n") is None
    assert data.get_int_array("i") is None


def test_typed_putters_check_ranges() -> None:
    """Byte is -128..127, Int 32-bit, Long 64-bit; Float is rounded to single precision."""
    with pytest.raises(InvalidDataError, match=r"outside Byte's range"):
        Data.builder().put_byte("b", 128)
    with pytest.raises(InvalidDataError, match=r"outside Int's range"):
        Data.builder().put_int("i", 2**31)
    with pytest.raises(InvalidDataError, match=r"outside Long's range"):
        Data({"l": 2**63})
    assert Data.builder().put_float("f", 0.1).build().get_float("f", 0.0) != 0.1


def test_round_trip_through_the_database_format() -> None:
    """fromByteArray(toByteArrayInternalV1(data)) == data, string-array nulls included."""
    data = (
        Data.builder()
        .put_boolean_array("b", [True, False])
        .put_byte_array("y", [-1, 2])
        .put_long_array("l", [2**62])
        .put_float_array("f", [0.5])
        .put_double_array("d", [math.pi])
        .put_string_array("s", ["a", None])
        .put_string("n", None)
        .build()
    )
    assert Data.from_byte_array(data.to_byte_array()) == data
    assert data.get_string_array("s") == ["a", None]


def test_equality_is_typed_and_nan_equals_nan() -> None:
    """Data.equals compares boxed values: Int 1 != Long 1; Double.NaN equals NaN (Java equals)."""
    assert Data.builder().put_int("x", 1).build() != Data.builder().put_long("x", 1).build()
    assert Data({"x": math.nan}) == Data({"x": math.nan})
    assert len({Data({"a": 1}), Data({"a": 1})}) == 1


def test_trace_json_is_plain() -> None:
    """Data.to_json gives JSON-safe values (NaN as text, bytes as signed ints)."""
    assert Data({"x": math.nan, "y": b"\xff"}).to_json() == {"x": "nan", "y": [-1]}


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=40),
)


@given(st.dictionaries(st.text(max_size=20), _SCALARS, max_size=20))
def test_size_is_the_v1_formula(values: dict[str, object]) -> None:
    """size = 8 + sum(1 + value + 2 + mutf8(key)) for every Data under the limit (Data_.kt)."""
    data = Data(values)
    expected = 8
    for key, value in values.items():
        expected += 1 + 2 + len(_mutf8(key))
        if isinstance(value, bool):
            expected += 1
        elif isinstance(value, int):
            expected += 4 if -(2**31) <= value < 2**31 else 8
        elif isinstance(value, float):
            expected += 8
        elif isinstance(value, str):
            expected += 2 + len(_mutf8(value))
    assert size(data) == expected
    assert Data.from_byte_array(data.to_byte_array()) == data


def _mutf8(text: str) -> bytes:
    units = text.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    for index in range(0, len(units), 2):
        unit = int.from_bytes(units[index : index + 2], "big")
        out += b"x" * (1 if 1 <= unit <= 0x7F else 2 if unit <= 0x7FF else 3)
    return bytes(out)


@given(st.integers(0, 12_000))
def test_the_limit_holds_for_any_length(length: int) -> None:
    """A Data is built iff it serialises to at most 10 240 bytes (Builder.build, Data_.kt)."""
    builder = Data.builder().put_string("k", "x" * length)
    if 14 + length <= LIMIT:
        assert size(builder.build()) == 14 + length
    else:
        with pytest.raises(InvalidDataError):
            builder.build()


def test_every_typed_getter() -> None:
    """Each getter reads its own type (Data_.kt getOrDefault / getTypedArray)."""
    data = (
        Data.builder()
        .put_boolean("bool", True)
        .put_byte("byte", -3)
        .put_float("float", 0.5)
        .put_double_array("doubles", [0.25])
        .put_float_array("floats", [0.5])
        .put_boolean_array("bools", [True])
        .put_long_array("longs", [1])
        .put_all({"text": "t"})
        .put_all(Data({"more": 1}))
        .put("any", [True, False])
        .build()
    )
    assert data.get_byte("byte", 0) == -3
    assert data.get_float("float", 0.0) == 0.5
    assert data.get_double_array("doubles") == [0.25]
    assert data.get_float_array("floats") == [0.5]
    assert data.get_boolean_array("bools") == [True]
    assert data.get_long_array("longs") == [1]
    assert data.get_boolean_array("any") == [True, False]
    assert data.get_int("more", 0) == 1
    assert data.get_boolean("missing", True) is True
    assert data.get_byte_array("missing") is None
    assert data.has_key_with_value_of_type("text", str)
    assert not data.has_key_with_value_of_type("missing", str)
    assert len(data) == 10
    assert repr(Data({"a": 1})) == "Data({'a': 1})"
    assert Data(Data({"a": 1})) == Data({"a": 1})


def test_bad_bytes_and_bad_keys_are_refused() -> None:
    """fromByteArray checks the size and the header; keys are strings."""
    with pytest.raises(InvalidDataError, match=r"cannot occupy more than 10240 bytes"):
        Data.from_byte_array(b"\x00" * (LIMIT + 1))
    with pytest.raises(InvalidDataError, match=r"not androidx Data V1"):
        Data.from_byte_array(b"\xac\xed\x00\x05\x00\x00\x00\x00")
    with pytest.raises(InvalidDataError, match=r"keys are str"):
        Data({1: "x"})  # type: ignore[dict-item]
    with pytest.raises(InvalidDataError, match=r"is not a bool"):
        Data.builder().put_boolean("b", 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidDataError, match=r"is not a number"):
        Data.builder().put_double("d", "1")  # type: ignore[arg-type]
    with pytest.raises(InvalidDataError, match=r"is not a str"):
        Data.builder().put_string("s", 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidDataError, match=r"takes a sequence"):
        Data.builder().put_int_array("a", 5)  # type: ignore[arg-type]
