"""An app with module-level state for isolation tests: each launch counts, and the count goes
into the trace, so state carried over from an earlier run would change the digest."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.backends import Internet
from harness.sim import Simulation, TraceKind, register_trace_kind

PACKAGE = "com.example.counter"


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class CounterRecord(TraceKind):
    """main() ran: how many launches this copy of the module has seen."""

    KIND: ClassVar[str] = "app.counter"
    launches: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class CounterFactoryRecord(TraceKind):
    """The backend factory ran: how many times this copy of the module has built servers."""

    KIND: ClassVar[str] = "app.counter_factory"
    calls: int


#: Launches of this module's copy; a fresh import starts it at 0 (as a new process on a phone).
LAUNCHES = 0
#: Backend factory calls and custom check calls of this module's copy.
FACTORY_CALLS = 0
CHECK_CALLS = 0


def main() -> None:
    global LAUNCHES
    LAUNCHES += 1
    Simulation.current().record("app.counter", launches=LAUNCHES)
    # process-wide changes a run must not leave behind
    os.environ["HARNESS_COUNTER_APP"] = str(LAUNCHES)
    sys.path.append(f"/nonexistent/counter-app-{LAUNCHES}")
    os.chdir(os.path.dirname(os.path.abspath(__file__)))


def servers(internet: Internet, sim: Simulation) -> None:
    """Backend factory: records how often this module's copy built servers."""
    global FACTORY_CALLS
    FACTORY_CALLS += 1
    sim.record("app.counter_factory", calls=FACTORY_CALLS)


def check(run: Any) -> bool:
    """Custom check: holds when it runs on a fresh copy and sees this run's launches only."""
    global CHECK_CALLS
    CHECK_CALLS += 1
    return CHECK_CALLS == 1 and LAUNCHES == 2
