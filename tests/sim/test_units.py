"""Durations and time formatting (harness/_units.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness._exceptions import DefinitionError
from harness._units import MAX_DURATION_MS
from harness.sim import format_duration_ms, format_t_ms, parse_duration, to_ms


@pytest.mark.parametrize(
    ("text", "expected_ms"),
    [
        ("15m", 900_000),
        ("2h30m", 9_000_000),
        ("3d", 259_200_000),
        ("250ms", 250),
        ("1w2d", 777_600_000),
        ("1d 2h", 93_600_000),
        ("0s", 0),
    ],
)
def test_parse_duration_sums_units(text: str, expected_ms: int) -> None:
    """Durations are written with units, largest first, and summed exactly in milliseconds."""
    assert parse_duration(text) == expected_ms


@pytest.mark.parametrize("text", ["15", "", "2x", "30m2h", "1h1h", "h", "1.5h"])
def test_parse_duration_rejects_unclear_text(text: str) -> None:
    """A duration without a unit, with an unknown unit or out of order is an error naming it."""
    with pytest.raises(ValueError, match=r"^duration "):
        parse_duration(text)


def test_to_ms_rounds_timedelta_to_nearest_millisecond() -> None:
    """A timedelta converts exactly; sub-millisecond parts round to the nearest ms."""
    assert to_ms(timedelta(days=730, milliseconds=1)) == 730 * 86_400_000 + 1
    assert to_ms(timedelta(microseconds=1_499)) == 1
    assert to_ms(timedelta(microseconds=1_500)) == 2


def test_to_ms_rejects_bool_and_float() -> None:
    """Float seconds are not a duration: time is integer milliseconds (STYLE.md rule 6)."""
    with pytest.raises(TypeError, match=r"^duration True is a bool"):
        to_ms(True)
    with pytest.raises(TypeError, match=r"^duration 1.5 has type float"):
        to_ms(1.5)  # type: ignore[arg-type]


def test_format_t_ms() -> None:
    """Virtual times print as days plus clock time with milliseconds."""
    assert format_t_ms(0) == "0d00:00:00.000"
    assert format_t_ms(2 * 86_400_000 + 8 * 3_600_000 + 14 * 60_000 + 112) == "2d08:14:00.112"


@given(st.integers(min_value=0, max_value=MAX_DURATION_MS))
def test_format_duration_round_trips(duration_ms: int) -> None:
    """Formatting a duration and parsing it back gives the same milliseconds."""
    assert parse_duration(format_duration_ms(duration_ms)) == duration_ms


@pytest.mark.parametrize("text", ["3650d1ms", "100000000w", "9" * 30 + "ms"])
def test_durations_are_limited_to_ten_years(text: str) -> None:
    """A duration string longer than 10 years is a DefinitionError naming the limit (it would
    overflow dates computed from it)."""
    with pytest.raises(DefinitionError, match=r"^duration .* is longer than the limit of 10 years"):
        parse_duration(text)
    assert parse_duration("3650d") == MAX_DURATION_MS
