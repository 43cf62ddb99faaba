"""``Timer``: one pending callback on the virtual clock that a part re-arms as its state changes.

Device parts never poll: each computes when its next event is due (the next whole battery
percent, the end of a doze state, a radio tail) and arms a ``Timer`` for that instant; arming it
again replaces the pending call, and cancelling it is always safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from harness.sim import Simulation


class Timer:
    """At most one pending ``callback()`` on ``sim``'s clock."""

    __slots__ = ("_callback", "_due_ms", "_handle", "_priority", "_sim")

    def __init__(self, sim: Simulation, callback: Callable[[], None], *, priority: int = 0) -> None:
        self._sim = sim
        self._callback = callback
        self._priority = priority
        self._handle: asyncio.TimerHandle | None = None
        self._due_ms: int | None = None

    @property
    def due_ms(self) -> int | None:
        """When the pending call is due (virtual ms), or ``None`` when nothing is pending."""
        return self._due_ms

    def set_at(self, t_ms: int) -> None:
        """Call back at virtual ``t_ms`` (not before now), replacing any pending call."""
        loop = self._sim.loop
        due_ms = max(t_ms, loop.now_ms)
        handle = self._handle
        if handle is None:
            # what Simulation.call_at does, one call shorter (device parts re-arm on every change)
            self._handle = loop.call_at_ms(due_ms, self._fire, priority=self._priority)
        else:
            # the pending (or fired) call moved: a cancel and a new call, without a new handle
            loop.rearm_at_ms(handle, due_ms, priority=self._priority)
        self._due_ms = due_ms

    def set_after(self, delay_ms: int) -> None:
        """Call back ``delay_ms`` from now, replacing any pending call."""
        self.set_at(self._sim.now_ms + delay_ms)

    def cancel(self) -> None:
        """Drop the pending call, if any."""
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self._due_ms = None

    def _fire(self) -> None:
        # the fired handle is kept: set_at re-arms it
        self._due_ms = None
        self._callback()
