"""The virtual clock: an integer count of milliseconds since a fixed UTC epoch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Final

from harness._exceptions import DefinitionError, TimeTravelError

#: The default scenario epoch: Monday 2026-01-05 00:00 UTC (a Monday, so "weekday" rules line up).
DEFAULT_EPOCH: Final = datetime(2026, 1, 5, tzinfo=UTC)


def normalize_epoch(epoch: datetime) -> datetime:
    """Return ``epoch`` as an aware UTC datetime with whole milliseconds.

    A naive datetime is read as UTC. Sub-millisecond parts are rejected, because virtual time has
    millisecond resolution and an epoch that is not on a millisecond would make every wall-clock
    reading inexact.
    """
    aware = epoch.replace(tzinfo=UTC) if epoch.tzinfo is None else epoch.astimezone(UTC)
    if aware.microsecond % 1000:
        raise DefinitionError(
            f"epoch {epoch.isoformat()} has sub-millisecond precision; virtual time counts whole "
            "milliseconds, so round the epoch to a millisecond"
        )
    return aware


class VirtualClock:
    """Virtual time in whole milliseconds since ``epoch``; it only moves forwards.

    Listeners registered with :meth:`on_advance` are called with the new time after every move
    (the wall-clock patch uses this to keep ``datetime.now()`` in step).
    """

    __slots__ = ("_epoch", "_listeners", "_now_ms")

    def __init__(self, epoch: datetime = DEFAULT_EPOCH) -> None:
        self._epoch = normalize_epoch(epoch)
        self._now_ms = 0
        self._listeners: list[Callable[[int], None]] = []

    @property
    def epoch(self) -> datetime:
        """The UTC datetime that virtual time 0 stands for."""
        return self._epoch

    if TYPE_CHECKING:

        @property
        def now_ms(self) -> int:
            """Milliseconds since the epoch."""
            return self._now_ms

    else:
        # read on every timer, record and device computation (about 100 times per work run):
        # a property whose getter is C code costs no Python frame
        now_ms = property(attrgetter("_now_ms"), doc="Milliseconds since the epoch.")

    def now(self) -> datetime:
        """The current virtual time as an aware UTC datetime."""
        return self.to_datetime(self._now_ms)

    def to_datetime(self, t_ms: int) -> datetime:
        """The aware UTC datetime of virtual time ``t_ms``."""
        return self._epoch + timedelta(milliseconds=t_ms)

    def from_datetime(self, moment: datetime) -> int:
        """Virtual milliseconds of an aware (or UTC-naive) datetime; must be on a millisecond."""
        delta = normalize_epoch(moment) - self._epoch
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000

    def on_advance(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(now_ms)`` after each forward move of the clock."""
        self._listeners.append(listener)

    def advance_to(self, t_ms: int) -> None:
        """Move to ``t_ms``; a no-op if already there; :class:`TimeTravelError` if in the past."""
        if t_ms == self._now_ms:
            return
        if t_ms < self._now_ms:
            raise TimeTravelError(
                f"cannot move the clock back to {t_ms} ms; virtual time never goes backwards",
                t_ms=self._now_ms,
            )
        self._now_ms = t_ms
        for listener in self._listeners:
            listener(t_ms)
