"""An app for custom-check tests that records its own trace kinds, one of them registered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.app import current_app
from harness.sim import TraceKind, register_trace_kind

PACKAGE = "com.example.ownkinds"


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class NoteSavedRecord(TraceKind):
    """The test app saved a note with ``text``."""

    KIND: ClassVar[str] = "ownkinds.note_saved"
    text: str


def main() -> None:
    """Nothing runs in the background."""


async def save(text: str = "hello") -> None:
    """Record the registered kind."""
    current_app().sim.record("ownkinds.note_saved", text=text)


async def scribble() -> None:
    """Record a kind nobody registered."""
    current_app().sim.record("ownkinds.scribbled", strokes=3)


ACTIONS = {"save": save, "scribble": scribble}
