"""``Simulation``: the virtual clock, the event loop, RNG streams and the trace of one run."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from harness._exceptions import (
    DeadlockError,
    DefinitionError,
    SimulationStateError,
    TimeTravelError,
    UnobservedTaskError,
)
from harness._units import Duration, format_t_ms, to_ms
from harness.sim._clock import DEFAULT_EPOCH, VirtualClock
from harness.sim._loop import VirtualEventLoop
from harness.sim._rng import RngStreams
from harness.sim._trace import Trace, TraceRecord
from harness.sim._wallclock import WallClockPatch

_T = TypeVar("_T")


class Simulation:
    """One deterministic run: virtual time, one event loop, seeded randomness, one trace.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`)::

        with Simulation(seed=3) as sim:
            sim.call_at(5_000, print, "five seconds in")
            sim.run_for("1h")

    While it is started, ``datetime.now()`` and ``time.time()`` read virtual time, ``random`` and
    ``uuid.uuid4`` are seeded from the run seed, and ``asyncio`` code runs on the virtual loop.
    Only one simulation may be started at a time in a process.
    """

    _active: ClassVar[Simulation | None] = None

    def __init__(
        self,
        *,
        seed: int = 0,
        epoch: datetime = DEFAULT_EPOCH,
        trace: Trace | None = None,
        trace_path: str | Path | None = None,
        keep_trace: bool = True,
        patch_wall_clock: bool = True,
        strict_tasks: bool = True,
    ) -> None:
        if trace is not None and trace_path is not None:
            raise DefinitionError("pass either trace= or trace_path=, not both")
        self.clock = VirtualClock(epoch)
        self.rng = RngStreams(seed)
        self.trace = trace if trace is not None else Trace(trace_path, keep=keep_trace)
        self._loop: VirtualEventLoop | None = None
        self._wall_clock = WallClockPatch(self.clock) if patch_wall_clock else None
        self._strict_tasks = strict_tasks
        self._started = False
        self._closed = False
        self._running = False

    # --- life cycle -------------------------------------------------------------------------

    @classmethod
    def current(cls) -> Simulation:
        """The simulation started in this process; :class:`SimulationStateError` if none is."""
        if cls._active is None:
            raise SimulationStateError(
                "no simulation is running; start one with `with Simulation(...) as sim:`", t_ms=0
            )
        return cls._active

    @classmethod
    def active(cls) -> Simulation | None:
        """The simulation started in this process, or ``None`` when none is."""
        return cls._active

    @property
    def loop(self) -> VirtualEventLoop:
        """The virtual event loop (it exists from :meth:`start` on)."""
        if self._loop is None:
            raise SimulationStateError(
                "the simulation is not started; use `with Simulation(...) as sim:` or call "
                "sim.start() first",
                t_ms=self.now_ms,
            )
        return self._loop

    @property
    def started(self) -> bool:
        """Whether :meth:`start` ran and :meth:`stop` has not."""
        return self._started

    def start(self) -> Simulation:
        """Patch the wall clock, ``random`` and ``uuid4``; then the simulation can run."""
        if self._closed:
            raise SimulationStateError(
                "this simulation is closed; create a new one", t_ms=self.now_ms
            )
        if self._started:
            return self
        if Simulation._active is not None:
            raise SimulationStateError(
                "another simulation is already running in this process; stop it first "
                "(simulations patch the global wall clock, so only one runs at a time)",
                t_ms=Simulation._active.now_ms,
            )
        self._loop = VirtualEventLoop(self.clock)
        if self._wall_clock is not None:
            self._wall_clock.start(self.rng.stream("app.random"), self.rng.stream("app.uuid"))
        Simulation._active = self
        self._started = True
        return self

    def pause(self) -> None:
        """Lift the global patches (wall clock, ``random``, ``uuid4``, ``time.sleep``) while a run
        driven from outside rests between steps (a state machine's rules and invariants run
        then, on real time); :meth:`resume` puts them back exactly as they were, so the app sees
        one uninterrupted run. Nothing without a started wall-clock patch."""
        if self._started and self._wall_clock is not None:
            self._wall_clock.pause()

    def resume(self) -> None:
        """Put back the patches :meth:`pause` lifted, at the current virtual time."""
        if self._started and self._wall_clock is not None and not self._wall_clock.active:
            self._wall_clock.resume()

    @contextlib.contextmanager
    def building(self) -> Iterator[Simulation]:
        """Use this simulation only to *build* things on (timers are accepted, never run), then
        close it: the scenario loader's preflight builds a run's world this way to check it.
        Nothing global is patched, so it works while another simulation runs."""
        if self._started or self._loop is not None or self._closed:
            raise SimulationStateError(
                "building() needs a fresh simulation that was never started", t_ms=self.now_ms
            )
        self._loop = VirtualEventLoop(self.clock)
        try:
            yield self
        finally:
            self._closed = True
            self._loop.close()

    def stop(self) -> None:
        """Cancel leftover tasks, restore the real clock and close; safe after an exception.

        Raises :class:`UnobservedTaskError` when tasks failed and nobody retrieved their
        exception (each is also in the trace as ``sim.task_error``), unless
        ``strict_tasks=False``.
        """
        if self._closed:
            return
        self._closed = True
        unobserved = []
        try:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.shutdown_tasks()
                unobserved = self._loop.unobserved_task_failures()
                for failure in unobserved:
                    self.trace.emit(
                        self.now_ms,
                        "sim.task_error",
                        task=failure.task.get_name(),
                        failed_at_ms=failure.t_ms,
                        error=f"{type(failure.exception).__name__}: {failure.exception}",
                    )
                self._loop.close()
        finally:
            if self._wall_clock is not None:
                self._wall_clock.stop()
            if Simulation._active is self:
                Simulation._active = None
            self._started = False
            self.trace.close()
        if unobserved and self._strict_tasks:
            first = unobserved[0]
            error = UnobservedTaskError(
                f"{len(unobserved)} task(s) failed and nobody awaited them; the first, "
                f"{first.task.get_name()!r}, failed at t={format_t_ms(first.t_ms)}: "
                f"{type(first.exception).__name__}: {first.exception}",
                t_ms=first.t_ms,
            )
            raise error from first.exception

    def __enter__(self) -> Simulation:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
            return
        with contextlib.suppress(UnobservedTaskError):
            self.stop()  # the exception already in flight is the one to report

    # --- time -------------------------------------------------------------------------------

    if TYPE_CHECKING:

        @property
        def now_ms(self) -> int:
            """Virtual milliseconds since the epoch."""
            return self.clock.now_ms

    else:
        # read everywhere in the layers above (about 90 times per work run of a device-year): a
        # property whose getter is C code costs no Python frame
        now_ms = property(attrgetter("clock._now_ms"), doc="Virtual milliseconds since the epoch.")

    @property
    def now(self) -> datetime:
        """The current virtual time as an aware UTC datetime."""
        return self.clock.now()

    @property
    def epoch(self) -> datetime:
        """The UTC datetime of virtual time 0."""
        return self.clock.epoch

    @property
    def seed(self) -> int:
        """The run seed all RNG streams derive from."""
        return self.rng.seed

    def random(self, stream: str) -> random.Random:
        """The named RNG stream (see :class:`RngStreams`)."""
        return self.rng.stream(stream)

    # --- scheduling -------------------------------------------------------------------------

    def call_at(
        self, t_ms: int, callback: Callable[..., object], *args: Any, priority: int = 0
    ) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` at virtual ``t_ms``; ties go by ``(priority, order added)``.

        An exception from the callback stops the run with :class:`CallbackError` naming the
        virtual time.
        """
        loop = self._loop
        if loop is None:
            return self.loop.call_at_ms(t_ms, callback, *args, priority=priority)  # raises
        return loop.call_at_ms(t_ms, callback, *args, priority=priority)

    def call_later(
        self, delay: Duration, callback: Callable[..., object], *args: Any, priority: int = 0
    ) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` after ``delay`` (int ms, ``timedelta`` or ``"15m"``)."""
        delay_ms = delay if type(delay) is int else to_ms(delay)
        if delay_ms < 0:
            raise DefinitionError(f"delay {delay!r} is negative; delays are >= 0")
        return self.call_at(self.clock._now_ms + delay_ms, callback, *args, priority=priority)

    def call_next(self, callback: Callable[..., object], *args: Any) -> asyncio.Handle:
        """Run ``callback(*args)`` at this instant, right after the callback now running and
        before every other callback ready to run (coalescing a burst of requests into one)."""
        return self.loop.call_next(callback, *args)

    def create_task(
        self, coro: Coroutine[Any, Any, _T], *, name: str | None = None
    ) -> asyncio.Task[_T]:
        """Start ``coro`` as a task on the virtual loop (it runs when the simulation runs)."""
        return self.loop.create_task(coro, name=name)

    # --- running ----------------------------------------------------------------------------

    def _check_can_run(self) -> None:
        if self._closed:
            raise SimulationStateError(
                "this simulation is closed; create a new one", t_ms=self.now_ms
            )
        if not self._started:
            raise SimulationStateError(
                "the simulation is not started; use `with Simulation(...) as sim:` or call "
                "sim.start() first",
                t_ms=self.now_ms,
            )
        if self._running:
            raise SimulationStateError(
                "run_until/run_for/run was called from inside the simulation; schedule a "
                "callback or await asyncio.sleep instead",
                t_ms=self.now_ms,
            )

    def run_until(self, t: int | datetime) -> None:
        """Fire everything due at or before ``t`` (ms or aware datetime); rest the clock there."""
        t_ms = self.clock.from_datetime(t) if isinstance(t, datetime) else t
        self._check_can_run()
        if t_ms < self.now_ms:
            raise TimeTravelError(
                f"run_until({t_ms}) is in the past; virtual time never goes backwards "
                "(use run_for for a relative duration)",
                t_ms=self.now_ms,
            )
        self._running = True
        try:
            self.loop.run_forever_until(t_ms)
        finally:
            self._running = False

    def run_for(self, duration: Duration) -> None:
        """Advance exactly ``duration`` (int ms, ``timedelta`` or ``"2h30m"``) from now."""
        duration_ms = to_ms(duration)
        if duration_ms < 0:
            raise TimeTravelError(
                f"run_for({duration!r}) is negative; virtual time never goes backwards",
                t_ms=self.now_ms,
            )
        self.run_until(self.now_ms + duration_ms)

    def run(self, awaitable: Awaitable[_T], *, limit: Duration | None = None) -> _T:
        """Run until ``awaitable`` completes and return its result (or raise its exception).

        Time advances only as far as needed. With ``limit``, give up after that much virtual
        time with :class:`DeadlockError`; without it, give up when nothing is scheduled that
        could ever complete it.
        """
        self._check_can_run()
        future = asyncio.ensure_future(awaitable, loop=self.loop)
        stop_at = None if limit is None else self.now_ms + to_ms(limit)

        def stop_loop(_: asyncio.Future[_T]) -> None:
            self.loop.stop()

        future.add_done_callback(stop_loop)
        self._running = True
        try:
            went_idle = self.loop.run_forever_until(stop_at)
        finally:
            self._running = False
            future.remove_done_callback(stop_loop)
        if not future.done():
            reason = (
                "nothing left is scheduled that could complete it"
                if went_idle
                else f"it did not complete within {to_ms(limit or 0)} ms"
            )
            future.cancel()
            raise DeadlockError(f"awaited {future!r} never completed: {reason}", t_ms=self.now_ms)
        return future.result()

    # --- trace ------------------------------------------------------------------------------

    def record(self, kind: str, /, **fields: Any) -> TraceRecord:
        """Append a trace record of ``kind`` at the current virtual time."""
        return self.trace.emit(self.now_ms, kind, **fields)
