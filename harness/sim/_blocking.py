"""Synchronous code on virtual time: a lockstep thread that can wait on the event loop.

androidx's ``Worker.doWork()`` is synchronous and blocks (a sync HTTP call, ``Thread.sleep``).
To run such code faithfully, :func:`run_blocking` runs it in a helper thread **in lockstep** with
the loop: while the thread runs, the loop thread waits for it; when the thread needs virtual time
to pass (:func:`wait_on_loop`, e.g. from the sync HTTP client or ``time.sleep``), it hands an
awaitable to the loop and waits while the loop runs. Exactly one of the two threads runs at any
moment, so the result is as deterministic as single-threaded code and costs no real time.

If the task awaiting :func:`run_blocking` is cancelled (a worker stopped), the thread is told:
its current and every later :func:`wait_on_loop` raises ``asyncio.CancelledError``, and the task
waits for the thread to finish before it re-raises the cancellation.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

_T = TypeVar("_T")

_local = threading.local()


class _Lockstep:
    __slots__ = ("cancelled", "outcome", "reply", "request", "to_loop", "to_thread")

    def __init__(self) -> None:
        self.to_loop = threading.Semaphore(0)
        self.to_thread = threading.Semaphore(0)
        self.request: Awaitable[Any] | None = None
        self.reply: tuple[bool, Any] = (True, None)
        self.outcome: tuple[bool, Any] | None = None
        self.cancelled = False

    def thread_main(
        self, context: contextvars.Context, function: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        _local.lockstep = self
        try:
            self.outcome = (True, context.run(function, *args))
        except BaseException as error:  # handed to the awaiting task, re-raised there
            self.outcome = (False, error)
        finally:
            _local.lockstep = None
            self.to_loop.release()

    def wait(self, awaitable: Awaitable[_T]) -> _T:
        if self.cancelled:
            _close(awaitable)
            raise asyncio.CancelledError("the blocking work was stopped")
        self.request = awaitable
        self.to_loop.release()
        self.to_thread.acquire()
        ok, value = self.reply
        if ok:
            result: _T = value
            return result
        raise value


def _close(awaitable: Awaitable[Any]) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


def in_blocking_thread() -> bool:
    """Whether the caller runs inside :func:`run_blocking` (and may call :func:`wait_on_loop`)."""
    return getattr(_local, "lockstep", None) is not None


def wait_on_loop(awaitable: Awaitable[_T]) -> _T:
    """From blocking code, wait (in virtual time) for ``awaitable`` to complete on the loop."""
    lockstep: _Lockstep | None = getattr(_local, "lockstep", None)
    if lockstep is None:
        _close(awaitable)
        raise RuntimeError(
            "wait_on_loop() called outside run_blocking(); blocking code that waits on virtual "
            "time must run in a Worker (or harness.sim.run_blocking)"
        )
    return lockstep.wait(awaitable)


async def run_blocking(function: Callable[..., _T], *args: Any) -> _T:
    """Run ``function(*args)`` in a lockstep thread; return its result or raise its exception.

    The function runs with a copy of the caller's context variables.
    """
    lockstep = _Lockstep()
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=lockstep.thread_main,
        args=(context, function, args),
        daemon=True,
        name=f"harness-blocking-{getattr(function, '__qualname__', 'call')}",
    )
    thread.start()
    cancelled: asyncio.CancelledError | None = None
    while True:
        lockstep.to_loop.acquire()
        if lockstep.outcome is not None:
            break
        request = lockstep.request
        lockstep.request = None
        assert request is not None
        if cancelled is not None:
            _close(request)
            lockstep.reply = (False, asyncio.CancelledError("the blocking work was stopped"))
        else:
            try:
                lockstep.reply = (True, await request)
            except asyncio.CancelledError as error:
                cancelled = error
                lockstep.cancelled = True
                lockstep.reply = (False, asyncio.CancelledError("the blocking work was stopped"))
            except BaseException as error:  # delivered into the blocking code
                lockstep.reply = (False, error)
        lockstep.to_thread.release()
    thread.join()
    if cancelled is not None:
        raise cancelled
    ok, value = lockstep.outcome
    if ok:
        result: _T = value
        return result
    raise value
