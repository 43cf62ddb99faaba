"""An app whose main() starts a real thread (refused), for the guard tests."""

from __future__ import annotations

import threading

from tests.scenario.apps.real_io import ACTIONS

PACKAGE = "com.example.realio.main"
__all__ = ["ACTIONS", "PACKAGE", "main"]


def main() -> None:
    threading.Thread(target=lambda: None).start()
