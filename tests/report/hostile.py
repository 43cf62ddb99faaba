"""Hostile strings for the escaping tests, and a custom check that fails with them."""

from __future__ import annotations

from typing import Final

from harness.scenario import RunView

#: Each thing an output must show as text: terminal escapes, control characters XML forbids,
#: script and event-handler HTML, a javascript: link, a CDATA end, Markdown link syntax.
HOSTILE: Final = (
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 nul\x00 vt\x0b csi\x9b2J "
    '<script>alert(1)</script> "><img src=x onerror=alert(1)> '
    "javascript:alert(1) [click](javascript:alert(1)) ]]> | `tick` *bold* \u202eevil"
)


def raise_hostile(run: RunView) -> None:
    """A custom check whose exception message is hostile (the report shows it as the message)."""
    raise ValueError(HOSTILE)
