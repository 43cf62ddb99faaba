"""Time expressions in scenario files: when a timeline event happens.

Two forms, both resolved to integer milliseconds since the scenario epoch:

* ``at``: a duration from the start (``"0s"``, ``"15m"``, ``"2h30m"``, ``"3d"``) or a clock time
  on a day, ``"day N HH:MM[:SS]"``. Days count from 0 like the timestamps harness prints
  (``t=2d08:14:00.000`` is ``day 2 08:14``); day 0 is the epoch's date. Clock times are UTC wall
  clock (the scenario epoch is UTC).
* ``every``: a repeating rule, expanded over ``[0, duration)``:
  ``"day HH:MM"`` (daily), ``"weekday HH:MM"``, ``"weekend HH:MM"``, a weekday name
  (``"monday 08:00"``), or an interval ``"2h"`` (first at the interval, or ``"2h from 30m"``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

from harness._exceptions import TimeExpressionError
from harness._units import (
    MAX_DURATION_MS,
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    MS_PER_SECOND,
    parse_duration,
)

_CLOCK_RE: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DAY_AT_RE: Final = re.compile(r"^day\s+(\d+)\s+(\S+)$")
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_SETS: Final[dict[str, frozenset[int]]] = {
    "day": frozenset(range(7)),
    "weekday": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
    **{name: frozenset({index}) for index, name in enumerate(_WEEKDAYS)},
}

AT_HELP: Final = "a duration like '15m' or '2h30m', or a clock time like 'day 2 08:00'"
EVERY_HELP: Final = (
    "'day HH:MM', 'weekday HH:MM', 'weekend HH:MM', '<weekday name> HH:MM', or an interval "
    "like '2h' / '2h from 30m'"
)


def parse_clock(text: str) -> int:
    """``"08:00"`` / ``"23:59:30"`` -> milliseconds after midnight."""
    match = _CLOCK_RE.match(text.strip())
    if not match:
        raise TimeExpressionError(f"clock time {text!r} is not HH:MM or HH:MM:SS")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise TimeExpressionError(f"clock time {text!r} is out of range (00:00..23:59:59)")
    return hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds * MS_PER_SECOND


def parse_at(text: str) -> int:
    """Resolve an ``at`` expression to virtual milliseconds (see module docs)."""
    stripped = str(text).strip()
    day_match = _DAY_AT_RE.match(stripped)
    if day_match:
        if len(day_match[1]) > 5 or int(day_match[1]) * MS_PER_DAY > MAX_DURATION_MS:
            raise TimeExpressionError(
                f"time {text!r}: day {day_match[1][:8]} is past the limit of 10 years "
                "(day 3650); pick an earlier day"
            )
        return int(day_match[1]) * MS_PER_DAY + parse_clock(day_match[2])
    try:
        return parse_duration(stripped)
    except ValueError:
        raise TimeExpressionError(f"time {text!r} is not {AT_HELP}") from None


def count_every(text: str, *, duration_ms: int) -> int:
    """At most how many times an ``every`` rule fires in ``[0, duration_ms)``, found without
    listing them (so a limit can be checked before :func:`expand_every` builds the list)."""
    stripped = " ".join(str(text).split())
    parts = stripped.split(" ")
    if len(parts) == 2 and parts[0].lower() in _DAY_SETS:
        return -(-duration_ms // MS_PER_DAY)
    interval_text, _, start_text = stripped.partition(" from ")
    interval_ms = parse_duration(interval_text)
    first_ms = parse_at(start_text) if start_text else interval_ms
    if interval_ms <= 0 or first_ms >= duration_ms:
        return 0
    return -(-(duration_ms - first_ms) // interval_ms)


def expand_every(text: str, *, epoch: datetime, duration_ms: int) -> list[int]:
    """All virtual times in ``[0, duration_ms)`` at which an ``every`` rule fires, ascending."""
    stripped = " ".join(str(text).split())
    parts = stripped.split(" ")
    if len(parts) == 2 and parts[0].lower() in _DAY_SETS:
        days = _DAY_SETS[parts[0].lower()]
        try:
            clock_ms = parse_clock(parts[1])
        except TimeExpressionError as error:
            raise TimeExpressionError(f"every {text!r}: {error}") from None
        times = []
        day = 0
        while day * MS_PER_DAY + clock_ms < duration_ms:
            weekday = (epoch + timedelta(days=day)).weekday()
            if weekday in days:
                times.append(day * MS_PER_DAY + clock_ms)
            day += 1
        return times
    interval_text, _, start_text = stripped.partition(" from ")
    try:
        interval_ms = parse_duration(interval_text)
        first_ms = parse_at(start_text) if start_text else interval_ms
    except ValueError:
        raise TimeExpressionError(f"every {text!r} is not one of {EVERY_HELP}") from None
    if interval_ms <= 0:
        raise TimeExpressionError(f"every {text!r}: the interval must be positive")
    return list(range(first_ms, duration_ms, interval_ms))
