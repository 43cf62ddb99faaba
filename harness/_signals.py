"""Holding SIGINT and SIGTERM back while code that must not be cut short runs.

A stop signal's handler raises an exception wherever the main thread is (the command line's,
``harness.cli``; Python's KeyboardInterrupt under pytest or in a user's script). A few blocks
must not see it mid-way: the ending of a process pool (a second Ctrl-C would leave a worker
behind, ``harness.scenario._pool``) and the loading of orjson (``harness.sim._trace``: its
module set-up crashes the interpreter when an exception comes while it imports the standard
modules it needs, ijl/orjson#310). :func:`signals_held` runs such a block and delivers
the first signal that came once it has ended. :func:`stop_signals_handled` is the swap of the
two handlers it, and the command line's own handler, make.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

#: The signals that stop a command (exit 128 + the number: 130, 143), and that a held block
#: holds back.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_signals_handled(handler: Callable[[int, FrameType | None], object]) -> Iterator[None]:
    """``handler`` handles SIGINT and SIGTERM while the block runs, then the previous handlers
    come back (also when the block raises). Only in the main thread: elsewhere Python delivers
    no signals and cannot set handlers, and the block runs as it is. A signal that was ignored
    (``nohup``, a background job of a non-interactive shell) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        signum: signal.signal(signum, handler)
        for signum in STOP_SIGNALS
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier if earlier is not None else signal.SIG_DFL)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the block, then deliver the first that came.

    Blocking with ``pthread_sigmask`` is not enough: other threads (a pool's) do not block them,
    and Python runs a handler in the main thread whichever thread received the signal. So the
    Python-level handlers are swapped for one that only notes the signal
    (:func:`stop_signals_handled`).
    """
    arrived: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        arrived.append(signum)

    try:
        with stop_signals_handled(note):
            yield
    finally:
        if arrived:
            signal.raise_signal(arrived[0])
