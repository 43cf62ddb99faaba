"""The waits of one request on the simulated network, chained on one future per leg.

A request waits in phases (connect, send, first byte, download). Each phase waits its duration
unless the network changes (a *cut*) or its httpx timeout runs out first. Awaiting every phase
from the request's task would suspend and resume the whole httpx call stack once per phase;
instead a :class:`Leg` arms the phases from timer callbacks, and the task awaits the leg once.
Two phases with nothing to do between them (connecting then sending; the first byte then the
body) are armed at once and ended by one timer: the instant the second starts is known, so a
cut or a timeout tells them apart without a timer of its own. One change of the network cuts
the requests in flight in the order each began the phase it is in (:class:`Watch`), as when
each phase subscribed to the change on its own.
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections.abc import Callable
from typing import Final

import httpx

from harness.sim import Signal, VirtualEventLoop


class _Cut(Exception):
    """The network changed under an in-flight request."""


#: How httpx reports a phase's timeout (``httpx/_exceptions.py``); other phases read.
_TIMEOUTS: Final[dict[str, type[httpx.TimeoutException]]] = {
    "connect": httpx.ConnectTimeout,
    "write": httpx.WriteTimeout,
}


#: Orders phases that began at one place in the loop's order (one callback arms several).
_STARTS: Final = itertools.count()

#: A phase's place in the loop's order: the key of the timer that began it (or would have, for
#: a phase armed in advance), and the order it began in that timer's callbacks.
_Place = tuple[tuple[int, int, int], int]


class Watch:
    """The requests in flight on one app's network signal, cut in the order each began the
    phase it is in (what one subscription per phase, connected as it began, would give)."""

    __slots__ = ("_legs", "signal")

    def __init__(self, signal: Signal[object]) -> None:
        # no reference to the loop: a watch is the value of the loop's weak key in _WATCHES
        self.signal = signal
        self._legs: dict[Leg, None] = {}
        signal.connect(self._cut)

    def _cut(self, change: object) -> None:
        if self._legs:
            for leg in sorted(self._legs, key=Leg.place):
                leg._cut(change)


#: Per simulation loop, the watch of each network signal its requests wait on.
_WATCHES: weakref.WeakKeyDictionary[VirtualEventLoop, dict[Signal[object], Watch]] = (
    weakref.WeakKeyDictionary()
)


def watch(signal: Signal[object]) -> tuple[VirtualEventLoop, Watch]:
    """The running simulation loop and its watch of ``signal`` (one per loop and signal; a
    caller may keep the watch while the same loop runs and ``signal`` is the one it waits
    on)."""
    loop = asyncio.get_running_loop()
    if not isinstance(loop, VirtualEventLoop):
        raise RuntimeError("a request on the simulated network runs on a simulation's loop")
    watches = _WATCHES.get(loop)
    if watches is None:
        watches = _WATCHES[loop] = {}
    found = watches.get(signal)
    if found is None:
        found = watches[signal] = Watch(signal)
    return loop, found


class Leg:
    """Consecutive phases of one request, awaited once through :attr:`future`.

    :meth:`wait` arms a phase, or two back to back (``then_phase``: the second starts when the
    first ends, with nothing to do in between, so one timer ends both); ``then`` (if given)
    runs when the phase ends in time and may arm the next one; the future resolves when a phase
    ends with no ``then``, and fails with :class:`_Cut` or the phase's httpx timeout error.
    :meth:`close` drops whatever is armed (the task calls it when the await ends any other way,
    e.g. cancelled).
    """

    __slots__ = (
        "__weakref__",
        "_handles",
        "_loop",
        "_phase",
        "_request",
        "_start",
        "_turn_key",
        "_turn_ms",
        "_turned_phase",
        "_watch",
        "_watching",
        "future",
    )

    def __init__(self, loop: VirtualEventLoop, watching: Watch, request: httpx.Request) -> None:
        """A leg of ``request`` on ``loop`` (the running one), cut by changes ``watching`` sees
        (the loop's :func:`watch` of the app's network signal)."""
        self._loop = loop
        self._watch = watching
        self._watching = False
        self._request = request
        self._handles: list[asyncio.TimerHandle] = []
        self._phase = ""
        self._start: _Place = ((0, 0, 0), 0)
        #: when armed two phases at once: the instant the second starts, and its name
        self._turn_ms: int | None = None
        self._turn_key = (0, 0, 0)
        self._turned_phase = ""
        self.future: asyncio.Future[None] = self._loop.create_future()

    def wait(
        self,
        duration_ms: int | None,
        timeout_s: float | None,
        phase: str,
        then: Callable[[], None] | None = None,
        *,
        then_phase: tuple[int, float | None, str] | None = None,
    ) -> None:
        """Wait ``duration_ms`` (``None``: forever) unless the network changes or time runs out;
        with ``then_phase`` (its duration, timeout and name), that phase follows at once."""
        loop = self._loop
        self._phase = phase
        self._start = (loop.fired_key, next(_STARTS))
        handles = self._handles
        now_ms = loop.now_ms
        timeout_ms = None if timeout_s is None else max(1, round(timeout_s * 1000))
        # what loop.call_later(ms / 1000, ...) schedules, without the round trip through seconds
        if then_phase is None or duration_ms is None:
            self._turn_ms = None
            if duration_ms is not None:
                handles.append(loop.call_at_ms(now_ms + max(duration_ms, 0), self._ok, then))
            if timeout_ms is not None and (duration_ms is None or timeout_ms < duration_ms):
                handles.append(loop.call_at_ms(now_ms + timeout_ms, self._timeout, phase))
        else:
            # Both phases at once: one timer for the end of the second, each phase's timeout
            # from its own start (a timeout is per phase in httpx); a cut tells the phases
            # apart by the instant it comes (turned()).
            second_ms, second_timeout_s, second_phase = then_phase
            turn_ms = self._turn_ms = now_ms + max(duration_ms, 0)
            self._turned_phase = second_phase
            handles.append(loop.call_at_ms(turn_ms + max(second_ms, 0), self._ok, then))
            # where the timer ending the first phase alone would have fired: the first one
            # armed now (a change due at that very instant cuts the phase it comes in)
            self._turn_key = (turn_ms, 0, loop._timer_sequence)
            if timeout_ms is not None and timeout_ms < duration_ms:
                handles.append(loop.call_at_ms(now_ms + timeout_ms, self._timeout, phase))
            if second_timeout_s is not None:
                second_timeout_ms = max(1, round(second_timeout_s * 1000))
                if second_timeout_ms < second_ms:
                    handles.append(
                        loop.call_at_ms(turn_ms + second_timeout_ms, self._timeout, second_phase)
                    )
        if not self._watching:
            self._watching = True
            self._watch._legs[self] = None

    def place(self) -> _Place:
        """Where the phase under way began in the loop's order (see :class:`Watch`)."""
        if self.turned():
            return (self._turn_key, -1)
        return self._start

    def phase_now(self) -> str:
        """The phase under way now (of two armed at once: the second from its start on)."""
        return self._turned_phase if self.turned() else self._phase

    def turned(self) -> bool:
        """Whether the second of two phases armed at once has started: its start is past, or
        is now and the loop went past where the timer ending the first alone would fire."""
        turn_ms = self._turn_ms
        if turn_ms is None:
            return False
        now_ms = self._loop.now_ms
        return now_ms > turn_ms or (now_ms == turn_ms and self._loop.fired_past(*self._turn_key))

    def _unwatch(self) -> None:
        if self._watching:
            self._watching = False
            del self._watch._legs[self]

    def close(self) -> None:
        """Stop watching the network and cancel the armed timers."""
        self._unwatch()
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()

    def _ok(self, then: Callable[[], None] | None) -> None:
        if self.future.done():
            return
        # close(), less cancelling the timer that is firing now (armed first by wait): a timer
        # that fired is out of the loop's heap, so cancelling it would change nothing; the
        # network stays watched while ``then`` arms the next phase
        handles = self._handles
        for handle in handles[1:]:
            handle.cancel()
        handles.clear()
        if then is None:
            self._unwatch()
            self.future.set_result(None)
            return
        try:
            then()
        except BaseException as error:  # handed to the awaiting task
            self.close()
            self.future.set_exception(error)

    def _timeout(self, phase: str) -> None:
        if self.future.done():
            return
        self.close()
        error_type = _TIMEOUTS.get(phase, httpx.ReadTimeout)
        self.future.set_exception(error_type(f"timed out ({phase})", request=self._request))

    def _cut(self, _change: object) -> None:
        if self.future.done():
            return
        self.close()
        self.future.set_exception(_Cut(self.phase_now()))
