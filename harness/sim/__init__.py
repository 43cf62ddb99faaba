"""The simulation core: virtual clock, event loop, seeded RNG streams and the trace."""

from harness._exceptions import RealIOError, TraceKindError
from harness._units import (
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    MS_PER_SECOND,
    Duration,
    format_duration_ms,
    format_t_ms,
    parse_duration,
    to_ms,
)
from harness.sim import trace_kinds as trace_kinds  # registers the sim layer's trace kinds
from harness.sim._blocking import in_blocking_thread, run_blocking, wait_on_loop
from harness.sim._clock import DEFAULT_EPOCH, VirtualClock
from harness.sim._freeze import FreezeGroup, current_group
from harness.sim._kinds import (
    TraceField,
    TraceKind,
    TraceKindSpec,
    check_record,
    register_trace_kind,
    registered_trace_kinds,
    trace_kind_spec,
)
from harness.sim._loop import TaskFailure, VirtualEventLoop
from harness.sim._rng import RngStreams, derive_seed
from harness.sim._signal import Signal
from harness.sim._simulation import Simulation
from harness.sim._trace import Trace, TraceRecord, canonical_json
from harness.sim._wallclock import real_perf_counter

__all__ = [
    "DEFAULT_EPOCH",
    "MS_PER_DAY",
    "MS_PER_HOUR",
    "MS_PER_MINUTE",
    "MS_PER_SECOND",
    "Duration",
    "FreezeGroup",
    "RealIOError",
    "RngStreams",
    "Signal",
    "Simulation",
    "TaskFailure",
    "Trace",
    "TraceField",
    "TraceKind",
    "TraceKindError",
    "TraceKindSpec",
    "TraceRecord",
    "VirtualClock",
    "VirtualEventLoop",
    "canonical_json",
    "check_record",
    "current_group",
    "derive_seed",
    "format_duration_ms",
    "format_t_ms",
    "in_blocking_thread",
    "parse_duration",
    "real_perf_counter",
    "register_trace_kind",
    "registered_trace_kinds",
    "run_blocking",
    "to_ms",
    "trace_kind_spec",
    "wait_on_loop",
]
