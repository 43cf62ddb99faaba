"""Scenario time expressions (harness/scenario/_timeexpr.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness._exceptions import TimeExpressionError
from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.scenario._timeexpr import expand_every, parse_at, parse_clock

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0s", 0),
        ("15m", 900_000),
        ("2h30m", 9_000_000),
        ("3d", 3 * MS_PER_DAY),
        ("day 0 00:00", 0),
        ("day 2 08:00", 2 * MS_PER_DAY + 8 * MS_PER_HOUR),
        ("day 1 23:59:30", MS_PER_DAY + 23 * MS_PER_HOUR + 59 * 60_000 + 30_000),
    ],
)
def test_at_durations_and_clock_times(text: str, expected: int) -> None:
    """'at' takes a duration from the start or 'day N HH:MM' with days counted from 0."""
    assert parse_at(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "day two 08:00", "day 1 25:00", "8", "day 1"])
def test_at_rejects_other_text(text: str) -> None:
    """An unparseable time names the allowed forms."""
    with pytest.raises(TimeExpressionError, match=r"is not|out of range"):
        parse_at(text)


def test_clock_range() -> None:
    """Clock times run 00:00..23:59:59."""
    assert parse_clock("23:59:59") == MS_PER_DAY - 1000
    with pytest.raises(TimeExpressionError, match=r"out of range"):
        parse_clock("12:60")


def test_every_weekday_skips_the_weekend() -> None:
    """'every weekday 08:00' over two weeks from a Monday fires ten times, Monday to Friday."""
    times = expand_every("weekday 08:00", epoch=MONDAY, duration_ms=14 * MS_PER_DAY)
    assert [t // MS_PER_DAY for t in times] == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]
    assert all(t % MS_PER_DAY == 8 * MS_PER_HOUR for t in times)


def test_every_day_weekend_and_named_days() -> None:
    """Daily, weekend and single-weekday rules follow the epoch's calendar."""
    week = 7 * MS_PER_DAY
    assert len(expand_every("day 23:00", epoch=MONDAY, duration_ms=week)) == 7
    assert [
        t // MS_PER_DAY for t in expand_every("weekend 10:00", epoch=MONDAY, duration_ms=week)
    ] == [5, 6]
    assert [
        t // MS_PER_DAY for t in expand_every("Wednesday 12:00", epoch=MONDAY, duration_ms=week)
    ] == [2]


def test_every_interval_with_and_without_start() -> None:
    """'every 6h' fires at 6 h, 12 h, ...; 'every 6h from 30m' starts at 30 min."""
    assert expand_every("6h", epoch=MONDAY, duration_ms=MS_PER_DAY) == [
        6 * MS_PER_HOUR,
        12 * MS_PER_HOUR,
        18 * MS_PER_HOUR,
    ]
    assert expand_every("6h from 30m", epoch=MONDAY, duration_ms=7 * MS_PER_HOUR) == [
        1_800_000,
        1_800_000 + 6 * MS_PER_HOUR,
    ]


def test_every_rejects_nonsense() -> None:
    """An unknown rule lists the allowed forms."""
    with pytest.raises(TimeExpressionError, match=r"weekday HH:MM"):
        expand_every("fortnightly", epoch=MONDAY, duration_ms=MS_PER_DAY)


@given(st.integers(60_000, 10_000_000), st.integers(1, 30 * MS_PER_DAY))
def test_every_interval_stays_inside_the_run(interval_ms: int, duration_ms: int) -> None:
    """Expanded times are ascending, spaced by the interval, and inside [0, duration)."""
    times = expand_every(f"{interval_ms}ms", epoch=MONDAY, duration_ms=duration_ms)
    assert times == sorted(times)
    assert all(0 <= t < duration_ms for t in times)
    assert all(b - a == interval_ms for a, b in itertools.pairwise(times))
