"""Custom checks for the fuzzing tests: each fails on one kind of server answer."""

from __future__ import annotations

from harness.scenario import RunView


def no_server_errors(run: RunView) -> bool:
    """Fails once the server answered a 5xx (an ``error`` fault was drawn and hit)."""
    return not any(entry.status and entry.status >= 500 for entry in run.internet.requests())


def no_resets(run: RunView) -> bool:
    """Fails once the server reset a connection (a ``reset`` fault was drawn and hit)."""
    return not any(entry.fault == "reset" for entry in run.internet.requests())
