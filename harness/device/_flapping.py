"""Scheduled coverage changes: daily outages (a commute out of Wi-Fi range) and flapping.

Times of day are wall-clock times of the simulation's epoch time zone (UTC): ``"08:00"`` on a
weekday is 08:00 UTC of that day. Windows are armed one at a time with timers (the next window
is computed when the current one ends), so a year-long run costs two timers per window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from harness._exceptions import DefinitionError
from harness._units import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.device._network import Network, Transport

_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SETS: Final = {
    "daily": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_TIME_RE: Final = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_days(days: str | Iterable[int]) -> frozenset[int]:
    """``"weekdays"``, ``"weekends"``, ``"daily"``, ``"mon,wed"``, ``"mon-fri"`` or ints 0..6."""
    if not isinstance(days, str):
        chosen = frozenset(days)
        if not chosen or not chosen <= frozenset(range(7)):
            raise DefinitionError(
                f"days {sorted(chosen)} must be weekday numbers 0 (Mon) .. 6 (Sun)"
            )
        return chosen
    text = days.strip().lower()
    if text in _DAY_SETS:
        return _DAY_SETS[text]
    chosen_days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise DefinitionError(
                f"days {days!r} is not understood; use 'daily', 'weekdays', 'weekends', "
                "'mon,wed' or 'mon-fri'"
            )
        start = _DAY_NAMES.index(first)
        stop = _DAY_NAMES.index(last) if last else start
        chosen_days.update(day % 7 for day in range(start, start + (stop - start) % 7 + 1))
    return frozenset(chosen_days)


def parse_time_of_day(value: str | int) -> int:
    """``"08:30"`` (or ms since midnight) as ms since midnight."""
    if isinstance(value, int):
        if not 0 <= value <= MS_PER_DAY:
            raise DefinitionError(
                f"time of day {value} ms is not within one day (0 .. {MS_PER_DAY})"
            )
        return value
    match = _TIME_RE.match(value.strip())
    if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise DefinitionError(f"time of day {value!r} is not HH:MM, e.g. '08:00' or '17:30'")
    return int(match.group(1)) * MS_PER_HOUR + int(match.group(2)) * MS_PER_MINUTE


class DailyWindows:
    """Daily windows ``[start, end)`` on chosen weekdays, as virtual-time intervals."""

    def __init__(self, epoch: datetime, start: str | int, end: str | int, days: frozenset[int]):
        self._epoch = epoch
        self._start = parse_time_of_day(start)
        self._end = parse_time_of_day(end)
        if self._start == self._end:
            raise DefinitionError(f"window {start!r}..{end!r} is empty; give different times")
        self._days = days
        midnight = epoch.replace(hour=0, minute=0, second=0, microsecond=0)
        self._first_midnight_ms = -int((epoch - midnight) / timedelta(milliseconds=1))

    def next_window(self, after_ms: int) -> tuple[int, int]:
        """The first window that ends after ``after_ms``: ``(start_ms, end_ms)``."""
        length = (self._end - self._start) % MS_PER_DAY
        day = (after_ms - self._first_midnight_ms) // MS_PER_DAY - 1
        while True:
            midnight_ms = self._first_midnight_ms + day * MS_PER_DAY
            weekday = (self._epoch + timedelta(milliseconds=midnight_ms)).weekday()
            start_ms = midnight_ms + self._start
            if weekday in self._days and start_ms + length > after_ms:
                return start_ms, start_ms + length
            day += 1


class CoverageSchedule:
    """One scheduled outage or flapping pattern of one transport."""

    def __init__(
        self,
        sim: Simulation,
        network: Network,
        transport: Transport,
        windows: DailyWindows,
        *,
        label: str,
        mean_up_ms: int | None = None,
        mean_down_ms: int | None = None,
    ) -> None:
        self._sim = sim
        self._network = network
        self._transport = transport
        self._windows = windows
        self._label = label
        self._mean_up_ms = mean_up_ms
        self._mean_down_ms = mean_down_ms
        self._rng = sim.random(f"device.network.flapping.{label}")
        self._down = False
        self._window = 0
        self._window_end_ms = 0
        self._arm_next(sim.now_ms)

    def _arm_next(self, after_ms: int) -> None:
        start_ms, end_ms = self._windows.next_window(after_ms)
        self._window += 1
        self._window_end_ms = end_ms
        self._sim.call_at(max(start_ms, self._sim.now_ms), self._open, self._window)

    def _open(self, window: int) -> None:
        self._sim.call_at(self._window_end_ms, self._close)
        self._go_down(window)

    def _go_down(self, window: int) -> None:
        if window != self._window or self._down:
            return
        self._down = True
        self._network.begin_outage(self._transport, f"{self._label}: out of range")
        if self._mean_down_ms is not None:
            delay = self._draw(self._mean_down_ms)
            if self._sim.now_ms + delay < self._window_end_ms:
                self._sim.call_later(delay, self._go_up, window)

    def _go_up(self, window: int) -> None:
        if window != self._window or not self._down:
            return
        self._down = False
        self._network.end_outage(self._transport, f"{self._label}: back in range")
        if self._mean_up_ms is not None:
            delay = self._draw(self._mean_up_ms)
            if self._sim.now_ms + delay < self._window_end_ms:
                self._sim.call_later(delay, self._go_down, window)

    def _close(self) -> None:
        if self._down:
            self._down = False
            self._network.end_outage(self._transport, f"{self._label}: back in range")
        self._arm_next(self._sim.now_ms)

    def _draw(self, mean_ms: int) -> int:
        return max(1, round(self._rng.expovariate(1 / mean_ms)))
