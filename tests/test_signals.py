"""harness._signals: a block that SIGINT and SIGTERM must not cut short."""

from __future__ import annotations

import os
import signal

import pytest

from harness._signals import signals_held, stop_signals_handled


def test_a_signal_is_held_until_the_block_ends_then_delivered() -> None:
    """A real SIGINT during the block (the ending of a pool's workers, orjson's loading) is
    held, then delivered after it, to the handler that was in place."""
    steps: list[str] = []

    def held_block() -> None:
        with signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("block ran to its end")
        steps.append("after the block")  # not reached: the held signal is delivered first

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            held_block()
        assert steps == ["block ran to its end"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_ignored_signal_stays_ignored() -> None:
    """A signal ignored before the block (``nohup``) is neither noted nor delivered after it."""
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with signals_held():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_previous_handlers_come_back_when_the_block_raises() -> None:
    """``stop_signals_handled`` puts SIGINT's and SIGTERM's handlers back on the way out of a
    block that raised, as on a normal exit."""
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, _frame: object) -> None:
        del signum

    seen: list[object] = []

    def failing_block() -> None:
        with stop_signals_handled(handler):
            seen.extend(signal.getsignal(signum) for signum in before)
            raise ValueError("the block failed")

    with pytest.raises(ValueError, match="the block failed"):
        failing_block()
    assert seen == [handler, handler]
    assert {signum: signal.getsignal(signum) for signum in before} == before
