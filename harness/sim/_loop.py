"""An asyncio event loop that runs on the virtual clock.

App coroutines (``await asyncio.sleep(...)``, ``asyncio.wait_for(...)``, ``asyncio.timeout(...)``,
``httpx.AsyncClient`` over a harness transport) run on it unchanged; waiting costs no real time,
because the loop never polls for I/O: when nothing is ready it jumps the clock to the next timer.

Exactness: asyncio hands the loop float seconds (``loop.time() + delay``). They are converted back
to integer milliseconds by rounding to the nearest millisecond, never truncating, and timers live in
an integer heap ordered by ``(due_ms, priority, sequence)``, so equal due times fire in a fixed
order and a timer two years out fires at exactly its millisecond. A positive delay shorter than
half a millisecond still waits one millisecond, so a retry loop with a tiny sleep cannot spin
without time moving.

Callbacks can be frozen by group (:mod:`harness.sim._freeze`: an app process's tasks, timers and
futures' callbacks): while their group is frozen the loop holds them back, and releases them in
order when it thaws. The harness's own ``call_at_ms`` and ``call_next`` schedule system callbacks,
which belong to no group.

The loop has no real I/O: socket, DNS, pipe and subprocess calls raise :class:`RealIOError`, and
``run_in_executor`` (and so ``asyncio.to_thread``) runs the function inline, at the current
virtual instant, so it is deterministic.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
from collections.abc import Callable, Coroutine, Generator
from contextvars import Context
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar, TypeVarTuple

from harness._exceptions import CallbackError, DefinitionError, RealIOError
from harness.sim._clock import VirtualClock
from harness.sim._freeze import GROUP, FreezeGroup, system_context

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

#: Rebuild the timer heap when more than this share of it is cancelled (as asyncio does).
_CANCELLED_SHARE_TO_COMPACT: Final = 0.5
_MIN_HEAP_SIZE_TO_COMPACT: Final = 100
#: Above any timer's priority and sequence: "every timer of this instant fired".
_PAST: Final = 1 << 62


class _Timer(asyncio.TimerHandle):
    """A timer on the virtual loop: asyncio's handle plus the sequence of its live heap entry
    (an entry whose sequence is not its handle's is stale: the timer was re-armed since)."""

    __slots__ = ("_sequence",)


#: Makes a timer or a handle without running asyncio's constructors (``_push_timer`` and
#: ``call_soon`` set every attribute).
_new_timer: Final = object.__new__
_new_handle: Final = object.__new__


class TaskFailure:
    """A task on the virtual loop that finished with an exception, and when."""

    __slots__ = ("exception", "t_ms", "task")

    def __init__(self, task: asyncio.Task[Any], exception: BaseException, t_ms: int) -> None:
        self.task = task
        self.exception = exception
        self.t_ms = t_ms


class VirtualEventLoop(asyncio.BaseEventLoop):
    """asyncio loop whose ``time()`` is the virtual clock and whose timers are integer ms."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock
        self._timers: list[tuple[int, int, int, Any]] = []
        self._timer_sequence = 0
        #: ``(due_ms, priority, sequence)`` of the timer fired last; once the loop stopped at
        #: its target with every timer due by then fired, that instant with nothing after it
        self._fired_key: tuple[int, int, int] = (0, 0, 0)
        #: Heap entries that will never fire: cancelled timers' and re-armed timers' old ones.
        self._dead_timer_count = 0
        self._target_ms: int | None = 0
        self._went_idle = False
        self._callback_errors: list[tuple[int, dict[str, Any]]] = []
        self._task_failures: list[TaskFailure] = []
        self._shutting_down = False
        self._task_observers: list[Callable[[asyncio.Task[Any]], None]] = []
        #: Whether any FreezeGroup was made on this loop (until then, no context is looked at).
        self._has_groups = False
        #: The groups frozen now, in the order they froze (empty: the hot path skips holding).
        self._frozen_groups: list[FreezeGroup] = []
        #: An empty context for the loop's own callbacks (they read no context variable).
        self._bookkeeping_context = contextvars.Context()
        self.set_task_factory(self._make_task)

    # --- time -----------------------------------------------------------------------------

    def time(self) -> float:
        """Virtual seconds since the epoch (float, as asyncio wants; exact to the millisecond)."""
        return self._clock.now_ms / 1000

    if TYPE_CHECKING:

        @property
        def now_ms(self) -> int:
            """Virtual milliseconds since the epoch."""
            return self._clock.now_ms

    else:
        # a property whose getter is C code costs no Python frame (device timers read it)
        now_ms = property(attrgetter("_clock._now_ms"), doc="Virtual milliseconds since the epoch.")

    def call_later(
        self,
        delay: float,
        callback: Callable[[*_Ts], object],
        *args: *_Ts,
        context: Context | None = None,
    ) -> asyncio.TimerHandle:
        """asyncio's ``call_later``: ``delay`` seconds, rounded to the nearest millisecond."""
        delay_ms = round(delay * 1000)
        if delay > 0 and delay_ms == 0:
            delay_ms = 1  # a positive sub-millisecond wait still waits one millisecond
        return self._push_timer(self._clock.now_ms + max(delay_ms, 0), callback, args, 0, context)

    def call_at(
        self,
        when: float,
        callback: Callable[[*_Ts], object],
        *args: *_Ts,
        context: Context | None = None,
    ) -> asyncio.TimerHandle:
        """asyncio's ``call_at``: absolute loop time in seconds, rounded to the nearest ms."""
        now_ms = self._clock.now_ms
        due_ms = round(when * 1000)
        if due_ms <= now_ms and when > now_ms / 1000:
            due_ms = now_ms + 1
        return self._push_timer(max(due_ms, now_ms), callback, args, 0, context)

    def call_at_ms(
        self,
        due_ms: int,
        callback: Callable[[*_Ts], object],
        *args: *_Ts,
        priority: int = 0,
        context: Context | None = None,
    ) -> asyncio.TimerHandle:
        """Schedule ``callback(*args)`` at virtual ``due_ms``; lower ``priority`` fires first.

        Ties are broken by ``(due_ms, priority, insertion sequence)``. A due time in the past is
        an error: nothing can happen before now. Without ``context`` this is a system callback:
        it belongs to no :class:`~harness.sim.FreezeGroup`, even when app code scheduled it.
        """
        if context is None and self._has_groups and GROUP.get() is not None:
            context = contextvars.copy_context()  # system_context(), inlined
            context.run(GROUP.set, None)
        return self._push_timer(due_ms, callback, args, priority, context)

    def rearm_at_ms(
        self, handle: asyncio.TimerHandle, due_ms: int, *, priority: int = 0
    ) -> asyncio.TimerHandle:
        """Move the system timer ``handle`` (from :meth:`call_at_ms` without a ``context``,
        pending or fired, not cancelled) to ``due_ms``; returns ``handle``.

        Exactly ``handle.cancel()`` then ``call_at_ms(due_ms, <its callback>, *<its args>,
        priority=priority)``: the timer takes a new place in the insertion sequence, its context
        is taken anew as ``call_at_ms`` takes it, and it fires once, at ``due_ms``. Only cheaper:
        the handle is kept and its old heap entry is left behind as stale (device parts re-arm
        their timers on every change, about nine times per work run of a device-year).
        """
        if handle._cancelled:
            raise DefinitionError(
                f"cannot re-arm the cancelled timer {handle!r}; schedule a new one with call_at_ms"
            )
        if self._closed:  # type: ignore[attr-defined]
            raise RuntimeError("Event loop is closed")
        if due_ms < self._clock._now_ms:
            raise DefinitionError(
                f"cannot schedule at {due_ms} ms: it is already {self._clock.now_ms} ms; "
                "schedule at or after now"
            )
        timer: Any = handle
        if timer._scheduled:
            self._dead_timer_count += 1  # its heap entry goes stale
        context = contextvars.copy_context()
        if self._has_groups and context.get(GROUP) is not None:
            context.run(GROUP.set, None)
        timer._context = context
        timer._when = due_ms / 1000
        timer._scheduled = True
        self._timer_sequence = sequence = self._timer_sequence + 1
        timer._sequence = sequence
        heapq.heappush(self._timers, (due_ms, priority, sequence, timer))
        return handle

    def _push_timer(
        self,
        due_ms: int,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        priority: int,
        context: Context | None,
    ) -> asyncio.TimerHandle:
        if self._closed:  # type: ignore[attr-defined]
            raise RuntimeError("Event loop is closed")
        if due_ms < self._clock._now_ms:  # the loop reads its own clock on every timer
            raise DefinitionError(
                f"cannot schedule at {due_ms} ms: it is already {self._clock.now_ms} ms; "
                "schedule at or after now"
            )
        handle: Any
        if self._debug:  # type: ignore[attr-defined]
            handle = _Timer(due_ms / 1000, callback, args, self, context)
        else:
            # asyncio.TimerHandle(...) without its two constructors' frames and get_debug()
            handle = _new_timer(_Timer)
            handle._context = contextvars.copy_context() if context is None else context
            handle._loop = self
            handle._callback = callback
            handle._args = args
            handle._cancelled = False
            handle._repr = None
            handle._source_traceback = None
            handle._when = due_ms / 1000
        handle._scheduled = True
        self._timer_sequence = sequence = self._timer_sequence + 1
        handle._sequence = sequence
        heapq.heappush(self._timers, (due_ms, priority, sequence, handle))
        result: asyncio.TimerHandle = handle
        return result

    def call_soon(  # type: ignore[override]
        self, callback: Callable[..., object], *args: Any, context: Context | None = None
    ) -> asyncio.Handle:
        """asyncio's ``call_soon`` (tasks' steps and wake-ups, futures' done callbacks): the same
        handle at the end of the ready queue, made without asyncio's four frames (``call_soon``,
        ``_call_soon``, ``Handle.__init__`` and its ``get_debug()``) outside debug mode."""
        if self._debug:  # type: ignore[attr-defined]
            return super().call_soon(callback, *args, context=context)
        if self._closed:  # type: ignore[attr-defined]
            raise RuntimeError("Event loop is closed")
        handle: Any = _new_handle(asyncio.Handle)
        handle._context = contextvars.copy_context() if context is None else context
        handle._loop = self
        handle._callback = callback
        handle._args = args
        handle._cancelled = False
        handle._repr = None
        handle._source_traceback = None
        self._ready.append(handle)  # type: ignore[attr-defined]
        result: asyncio.Handle = handle
        return result

    def call_next(self, callback: Callable[[*_Ts], object], *args: *_Ts) -> asyncio.Handle:
        """Run ``callback(*args)`` right after the callback now running, before every other
        ready callback (a message posted to the front of a handler's queue); a system callback,
        in no :class:`~harness.sim.FreezeGroup`."""
        context = None
        if self._has_groups and GROUP.get() is not None:
            context = system_context()
        handle = self.call_soon(callback, *args, context=context)
        ready = self._ready  # type: ignore[attr-defined]
        ready.remove(handle)
        ready.appendleft(handle)
        return handle

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        if handle._scheduled:  # type: ignore[attr-defined]
            self._dead_timer_count += 1

    if TYPE_CHECKING:

        @property
        def fired_key(self) -> tuple[int, int, int]:
            """``(due_ms, priority, sequence)`` of the timer fired last (once the loop stopped at
            its target, every timer due by then fired: that instant, after any timer's key)."""
            return self._fired_key

    else:
        # read twice per request by the network: a getter in C costs no Python frame
        fired_key = property(
            attrgetter("_fired_key"),
            doc="``(due_ms, priority, sequence)`` of the timer fired last (once the loop stopped "
            "at its target, every timer due by then fired: that instant, after any timer's key).",
        )

    def fired_past(self, due_ms: int, priority: int, sequence: int) -> bool:
        """Whether the loop has gone past where a timer keyed ``(due_ms, priority, sequence)``
        would fire (its place among the timers of that instant), at this instant or before."""
        return self._fired_key > (due_ms, priority, sequence)

    def next_due_ms(self) -> int | None:
        """When the next live timer is due, or ``None`` when no timer is pending."""
        self._drop_dead_head()
        return self._timers[0][0] if self._timers else None

    def _drop_dead_head(self) -> None:
        """Pop the heap's dead entries (a cancelled timer's, a re-armed timer's old one) off its
        head, so that the head is the next live timer (or the heap is empty)."""
        timers = self._timers
        while timers:
            _, _, sequence, handle = timers[0]
            if handle._sequence != sequence:  # re-armed since: a stale entry
                heapq.heappop(timers)
            elif handle._cancelled:
                heapq.heappop(timers)
                handle._scheduled = False
            else:
                return
            self._dead_timer_count -= 1

    def _compact(self) -> None:
        """Rebuild the heap without its dead entries (when they are most of it, as asyncio)."""
        live = []
        for entry in self._timers:
            handle = entry[3]
            if handle._sequence != entry[2]:
                continue
            if handle._cancelled:
                handle._scheduled = False
            else:
                live.append(entry)
        heapq.heapify(live)
        self._timers = live
        self._dead_timer_count = 0

    # --- running --------------------------------------------------------------------------

    def run_forever_until(self, target_ms: int | None) -> bool:
        """Run until ``target_ms`` (inclusive) or, with ``None``, until stopped or idle.

        Every timer due at or before ``target_ms`` fires, in order; the clock then rests at
        ``target_ms``. Returns ``True`` when the loop went idle (nothing ready, no timer left),
        which only happens with ``target_ms=None``.
        """
        self._target_ms = target_ms
        self._went_idle = False
        self.run_forever()
        return self._went_idle

    def _run_once(self) -> None:
        """One step: run the ready callbacks, else fire the next due timer, else stop."""
        ready = self._ready  # type: ignore[attr-defined]
        if ready:
            for _ in range(len(ready)):
                handle = ready.popleft()
                if not handle._cancelled and not (self._frozen_groups and self._held(handle)):
                    handle._run()
            if self._callback_errors:
                self._raise_callback_errors()
            return
        timers = self._timers
        if self._dead_timer_count:
            size = len(timers)
            if (
                size > _MIN_HEAP_SIZE_TO_COMPACT
                and self._dead_timer_count / size > _CANCELLED_SHARE_TO_COMPACT
            ):
                self._compact()
                timers = self._timers
            while timers:  # _drop_dead_head(), inlined: most steps have a stale entry to skip
                _, _, sequence, handle = timers[0]
                if handle._sequence != sequence:
                    heapq.heappop(timers)
                elif handle._cancelled:
                    heapq.heappop(timers)
                    handle._scheduled = False
                else:
                    break
                self._dead_timer_count -= 1
        target_ms = self._target_ms
        if timers and (target_ms is None or timers[0][0] <= target_ms):
            key = heapq.heappop(timers)
            due_ms, priority, sequence, handle = key
            handle._scheduled = False
            self._fired_key = (due_ms, priority, sequence)
            if self._frozen_groups and self._held(handle):
                return  # fell due while its group is frozen: it fires at the thaw
            clock = self._clock
            if due_ms != clock._now_ms:
                if clock._listeners:
                    clock.advance_to(due_ms)
                else:  # advance_to(), inlined: a timer is never due before now
                    clock._now_ms = due_ms
            handle._run()
            if self._callback_errors:
                self._raise_callback_errors()
            return
        if target_ms is None:
            self._went_idle = True
        else:
            self._clock.advance_to(target_ms)
            self._fired_key = (target_ms, _PAST, _PAST)
        self._stopping = True

    # --- freezing groups (harness.sim._freeze) ---------------------------------------------

    def _note_group(self) -> None:
        self._has_groups = True

    def _held(self, handle: asyncio.Handle) -> bool:
        """Hold ``handle`` back if its group is frozen; whether it was held."""
        group = handle._context.get(GROUP)  # type: ignore[attr-defined]
        if group is None or group._frozen_at_ms is None:
            return False
        group._hold(handle)
        return True

    def _release(self, held: list[asyncio.Handle]) -> None:
        """A group thawed: its held callbacks run next, after those ready now, in order."""
        self._ready.extend(held)  # type: ignore[attr-defined]

    def frozen_groups(self) -> list[FreezeGroup]:
        """The groups frozen now, in the order they froze."""
        return list(self._frozen_groups)

    # --- errors ---------------------------------------------------------------------------

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        """Collect errors so the simulation can surface them with their virtual time.

        A callback that raised is surfaced right after it ran. A task or future that is
        garbage-collected with an unretrieved exception is ignored here: the task factory already
        recorded the failure deterministically when the task finished (see :meth:`task_failures`).
        """
        if "task" in context or "future" in context:
            return
        if self._shutting_down and "exception" not in context:
            return
        self._callback_errors.append((self._clock.now_ms, context))

    def _raise_callback_errors(self) -> None:
        if not self._callback_errors:
            return
        t_ms, context = self._callback_errors[0]
        self._callback_errors.clear()
        exception = context.get("exception")
        message = context.get("message", "error in a scheduled callback")
        handle = context.get("handle")
        what = f"{message} ({handle!r})" if handle is not None else message
        if exception is not None:
            what = f"{what}: {type(exception).__name__}: {exception}"
        error = CallbackError(what, t_ms=t_ms)
        if isinstance(exception, BaseException):
            raise error from exception
        raise error

    def _make_task(
        self,
        loop: asyncio.AbstractEventLoop,
        coro: Generator[Any, None, _T] | Coroutine[Any, Any, _T],
        **kwargs: Any,
    ) -> asyncio.Task[_T]:
        task: asyncio.Task[_T] = asyncio.Task(coro, loop=loop, **kwargs)
        # the loop's own bookkeeping runs in no freeze group: a task that ends as its process
        # freezes is recorded as done at once
        task.add_done_callback(self._note_task_done, context=self._bookkeeping_context)
        if self._has_groups:
            group = GROUP.get()
            if group is not None:
                group._add_task(task)
        for observer in self._task_observers:
            observer(task)
        return task

    def add_task_observer(self, observer: Callable[[asyncio.Task[Any]], None]) -> None:
        """Call ``observer(task)`` for every task created from now on, in the creator's context.

        The app runtime uses this to know which tasks an app instance started, so that a
        destroyed Flutter engine can take its unfinished tasks down with it.
        """
        self._task_observers.append(observer)

    def _note_task_done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        exception = task._exception  # reading the attribute does not mark it retrieved
        if exception is not None:
            self._task_failures.append(TaskFailure(task, exception, self._clock.now_ms))

    def unobserved_task_failures(self) -> list[TaskFailure]:
        """Failed tasks whose exception nobody retrieved, in the order they failed.

        Marks them observed, so asyncio's garbage-collection-time warning (which would come at a
        nondeterministic moment) never fires for them.
        """
        unobserved = [failure for failure in self._task_failures if failure.task._log_traceback]
        for failure in unobserved:
            failure.task._log_traceback = False
        self._task_failures = []
        return unobserved

    def shutdown_tasks(self) -> None:
        """Cancel every pending task and let them unwind at the current virtual instant."""
        self._shutting_down = True
        for group in list(self._frozen_groups):
            group.thaw()  # the run is over: what a frozen group held unwinds with the rest
        pending = [task for task in asyncio.all_tasks(self) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            self.run_forever_until(self._clock.now_ms)
        for task in pending:
            if not task.done():
                task._log_destroy_pending = False  # type: ignore[attr-defined]

    # --- no real I/O ------------------------------------------------------------------------

    def run_in_executor(  # type: ignore[override]
        self, executor: object, func: Callable[..., _T], *args: Any
    ) -> asyncio.Future[_T]:
        """Run ``func(*args)`` inline at the current virtual instant (no threads, no real time)."""
        future: asyncio.Future[_T] = self.create_future()
        try:
            future.set_result(func(*args))
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def _no_real_io(self, what: str) -> NoReturn:
        raise RealIOError(
            f"{what} would do real I/O, which the simulated device never does; send HTTP through "
            "the app's device-bound client (harness.app.http) and keep state in app storage",
            t_ms=self._clock.now_ms,
        )

    async def getaddrinfo(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("getaddrinfo (DNS)")

    async def getnameinfo(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("getnameinfo (DNS)")

    async def create_connection(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("create_connection (a socket)")

    async def create_server(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("create_server (a socket)")

    async def create_datagram_endpoint(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("create_datagram_endpoint (a socket)")

    async def create_unix_connection(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("create_unix_connection (a socket)")

    async def create_unix_server(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("create_unix_server (a socket)")

    async def subprocess_exec(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("subprocess_exec")

    async def subprocess_shell(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._no_real_io("subprocess_shell")

    def _write_to_self(self) -> None:
        """No self-pipe: the loop never blocks, so there is nothing to wake."""

    def _process_events(self, event_list: list[Any]) -> None:
        """No I/O events: the virtual loop has no selector."""
