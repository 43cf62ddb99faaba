"""Integer-millisecond time units, duration parsing and formatting.

Virtual time everywhere in harness is an ``int`` count of milliseconds since the scenario epoch.
This leaf module converts at the edges (``timedelta``, strings like ``"2h30m"``) and formats times
for people (``"1d08:00:00.000"``). It imports only the exception tree from the rest of the
package.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from harness._exceptions import DefinitionError, DefinitionTypeError

MS_PER_SECOND: Final = 1_000
MS_PER_MINUTE: Final = 60 * MS_PER_SECOND
MS_PER_HOUR: Final = 60 * MS_PER_MINUTE
MS_PER_DAY: Final = 24 * MS_PER_HOUR

_UNIT_MS: Final[dict[str, int]] = {
    "ms": 1,
    "s": MS_PER_SECOND,
    "m": MS_PER_MINUTE,
    "h": MS_PER_HOUR,
    "d": MS_PER_DAY,
    "w": 7 * MS_PER_DAY,
}
_DURATION_RE: Final = re.compile(r"(\d+)(ms|s|m|h|d|w)")
#: The longest duration a string may give: 10 years (3650 days). Longer virtual runs are never
#: meant, and a bound keeps every date computed from a duration inside ``datetime``'s range.
MAX_DURATION_MS: Final = 3650 * MS_PER_DAY

#: What a duration may be given as: int milliseconds, a ``timedelta``, or a string like ``"2h30m"``.
Duration = int | timedelta | str


def parse_duration(text: str) -> int:
    """Parse ``"15m"``, ``"2h30m"``, ``"3d"``, ``"250ms"`` or ``"1w2d"`` into whole milliseconds.

    Units are ``ms``, ``s``, ``m`` (minutes), ``h``, ``d`` and ``w``; parts are summed and must
    appear largest first, each at most once. A bare integer is *not* accepted: a unit is required,
    because ``"15"`` is ambiguous. At most :data:`MAX_DURATION_MS` (10 years).
    """
    stripped = text.strip().replace(" ", "")
    if len(stripped) > 64:
        raise DefinitionError(
            f"duration {text[:40]!r}... is {len(text)} characters long; write it with units, "
            "e.g. '15m', '2h30m', '3d' (at most 10 years, '3650d')"
        )
    if not stripped:
        raise DefinitionError(
            f"duration {text!r} is empty; write it with units, e.g. '15m', '2h30m', '3d', '250ms'"
        )
    position = 0
    total = 0
    last_unit_ms: int | None = None
    for match in _DURATION_RE.finditer(stripped):
        if match.start() != position:
            break
        unit_ms = _UNIT_MS[match.group(2)]
        if last_unit_ms is not None and unit_ms >= last_unit_ms:
            raise DefinitionError(
                f"duration {text!r} repeats or reorders units; write the largest unit first, "
                "each once, e.g. '1d2h30m'"
            )
        last_unit_ms = unit_ms
        total += int(match.group(1)) * unit_ms
        position = match.end()
        if total > MAX_DURATION_MS:
            raise DefinitionError(
                f"duration {text!r} is longer than the limit of 10 years ('3650d'); "
                "write a shorter one"
            )
    if position != len(stripped) or last_unit_ms is None:
        raise DefinitionError(
            f"duration {text!r} is not a duration; write it with units ms, s, m, h, d, w, "
            "e.g. '15m', '2h30m', '3d', '250ms'"
        )
    return total


def to_ms(duration: Duration) -> int:
    """Convert a duration (int ms, ``timedelta`` or string) to whole milliseconds.

    A ``timedelta`` is rounded to the nearest millisecond (its microseconds are exact integers,
    so this never drifts); strings go through :func:`parse_duration`.
    """
    if isinstance(duration, bool):
        raise DefinitionTypeError(
            f"duration {duration!r} is a bool; give int milliseconds or a timedelta"
        )
    if isinstance(duration, int):
        return duration
    if isinstance(duration, timedelta):
        micros = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
        return (micros + 500) // 1000
    if isinstance(duration, str):
        return parse_duration(duration)
    raise DefinitionTypeError(
        f"duration {duration!r} has type {type(duration).__name__}; "
        "give int milliseconds, a timedelta or a string like '15m'"
    )


def format_t_ms(t_ms: int) -> str:
    """Format virtual time as ``"<days>d<hh>:<mm>:<ss>.<mmm>"``, e.g. ``"2d08:14:00.000"``."""
    sign = "-" if t_ms < 0 else ""
    days, rest = divmod(abs(t_ms), MS_PER_DAY)
    hours, rest = divmod(rest, MS_PER_HOUR)
    minutes, rest = divmod(rest, MS_PER_MINUTE)
    seconds, millis = divmod(rest, MS_PER_SECOND)
    return f"{sign}{days}d{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def format_duration_ms(duration_ms: int) -> str:
    """Format a duration compactly, largest units first: ``5400000`` -> ``"1h30m"``."""
    if duration_ms == 0:
        return "0s"
    sign = "-" if duration_ms < 0 else ""
    rest = abs(duration_ms)
    parts: list[str] = []
    for unit in ("d", "h", "m", "s", "ms"):
        count, rest = divmod(rest, _UNIT_MS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)
