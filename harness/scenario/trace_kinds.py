"""The scenario runner's trace kinds (``scenario.*``, ``run.error``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class RunErrorRecord(TraceKind):
    """The run stopped early with a harness error; the run fails."""

    KIND: ClassVar[str] = "run.error"
    error: str
    traceback: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioActionRecord(TraceKind):
    """A timeline action ran (``action`` as the scenario file wrote it)."""

    KIND: ClassVar[str] = "scenario.action"
    action: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioActionRefusedRecord(TraceKind):
    """A timeline action could not apply (for example to a device that is off)."""

    KIND: ClassVar[str] = "scenario.action_refused"
    action: str
    reason: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioShellOutputRecord(TraceKind):
    """What a timeline ``shell`` action printed (at most 2000 characters)."""

    KIND: ClassVar[str] = "scenario.shell_output"
    command: str
    output: str


__all__ = [
    "RunErrorRecord",
    "ScenarioActionRecord",
    "ScenarioActionRefusedRecord",
    "ScenarioShellOutputRecord",
]
