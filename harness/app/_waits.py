"""The waits of one request on the simulated network, chained on one future per leg.

A request waits in phases (connect, send, first byte, download). Each phase waits its duration
unless the network changes (a *cut*) or its httpx timeout runs out first. Awaiting every phase
from the request's task would suspend and resume the whole httpx call stack once per phase;
instead a :class:`Leg` arms each phase from the timer callback that ends the one before, and the
task awaits the leg once. What happens, and when, is what awaiting each phase would do: the task
would resume right after that timer, before anything else runs (the loop runs ready callbacks
before it fires another timer), and would then arm the next phase exactly as the callback does,
in the same order (its timers, then its hookup to the network signal).
"""

from __future__ import annotations

import asyncio
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
        "_disconnect",
        "_handles",
        "_loop",
        "_on_cut",
        "_phase",
        "_request",
        "_signal",
        "_turn_key",
        "_turn_ms",
        "_turned_phase",
        "future",
    )

    def __init__(self, signal: Signal[object], request: httpx.Request) -> None:
        loop = asyncio.get_running_loop()
        if not isinstance(loop, VirtualEventLoop):
            raise RuntimeError("a request on the simulated network runs on a simulation's loop")
        self._loop = loop
        self._signal = signal
        self._request = request
        self._handles: list[asyncio.TimerHandle] = []
        self._disconnect: Callable[[], None] | None = None
        self._phase = ""
        #: when armed two phases at once: the instant the second starts, and its name
        self._turn_ms: int | None = None
        self._turn_key = (0, 0, 0)
        self._turned_phase = ""
        self.future: asyncio.Future[None] = self._loop.create_future()
        self._on_cut: Callable[[object], None] = self._cut

    def wait(
        self,
        duration_ms: int | None,
        timeout_s: float | None,
        phase: str,
        then: Callable[[], None] | None = None,
        *,
        then_phase: tuple[int | None, float | None, str] | None = None,
    ) -> None:
        """Wait ``duration_ms`` (``None``: forever) unless the network changes or time runs out;
        with ``then_phase`` (its duration, timeout and name), that phase follows at once."""
        loop = self._loop
        self._phase = phase
        handles = self._handles
        now_ms = loop.now_ms
        timeout_ms = None if timeout_s is None else max(1, round(timeout_s * 1000))
        if then_phase is None or duration_ms is None:
            self._turn_ms = None
            # what loop.call_later(ms / 1000, ...) schedules, without the round trip through
            # seconds
            if duration_ms is not None:
                handles.append(loop.call_at_ms(now_ms + max(duration_ms, 0), self._ok, then))
            if timeout_ms is not None and (duration_ms is None or timeout_ms < duration_ms):
                handles.append(loop.call_at_ms(now_ms + timeout_ms, self._timeout, phase))
        else:
            # Both phases at once: one timer for the end of the second, each phase's timeout
            # from its own start (a timeout is per phase in httpx), and the network signal
            # watched throughout; a cut tells the phases apart by the instant it comes.
            second_ms, second_timeout_s, second_phase = then_phase
            turn_ms = self._turn_ms = now_ms + max(duration_ms, 0)
            self._turned_phase = second_phase
            if second_ms is not None:
                handles.append(loop.call_at_ms(turn_ms + max(second_ms, 0), self._ok, then))
            # where the timer ending the first phase alone would have fired: the first one
            # armed now (a change due at that very instant cuts the phase it comes in)
            self._turn_key = (turn_ms, 0, loop._timer_sequence)
            if timeout_ms is not None and timeout_ms < duration_ms:
                handles.append(loop.call_at_ms(now_ms + timeout_ms, self._timeout, phase))
            second_timeout_ms = (
                None if second_timeout_s is None else max(1, round(second_timeout_s * 1000))
            )
            if second_timeout_ms is not None and (
                second_ms is None or second_timeout_ms < second_ms
            ):
                handles.append(
                    loop.call_at_ms(turn_ms + second_timeout_ms, self._timeout, second_phase)
                )
        self._disconnect = self._signal.connect(self._on_cut)

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

    def close(self) -> None:
        """Disconnect from the network signal and cancel the armed timers."""
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()

    def _ok(self, then: Callable[[], None] | None) -> None:
        if self.future.done():
            return
        # close(), less cancelling the timer that is firing now (armed first by wait): a timer
        # that fired is out of the loop's heap, so cancelling it would change nothing
        if self._disconnect is not None:
            self._disconnect()
            self._disconnect = None
        handles = self._handles
        for handle in handles[1:]:
            handle.cancel()
        handles.clear()
        if then is None:
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
