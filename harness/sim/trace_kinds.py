"""The simulation core's trace kinds (``sim.*``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.sim._kinds import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class SimTaskErrorRecord(TraceKind):
    """A task failed and nobody retrieved its exception; recorded when the simulation closes."""

    KIND: ClassVar[str] = "sim.task_error"
    task: str
    failed_at_ms: int
    error: str


__all__ = [
    "SimTaskErrorRecord",
]
