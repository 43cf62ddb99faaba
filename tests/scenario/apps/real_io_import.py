"""An app whose top-level code starts a real thread (refused during a run), for the guard
tests; at load time, outside a simulation, the thread starts (and ends) as usual."""

from __future__ import annotations

import threading

from tests.scenario.apps.real_io import ACTIONS

PACKAGE = "com.example.realio.import"
__all__ = ["ACTIONS", "PACKAGE", "main"]

threading.Thread(target=lambda: None).start()


def main() -> None:
    """Never reached in a run: importing the module already failed."""
