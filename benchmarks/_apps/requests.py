"""An app that, when opened, makes ``COUNT`` GETs to ``URL`` one after another (case a).

Each run imports the app afresh (runs are isolated), so the benchmark passes ``URL`` and
``COUNT`` in the environment (``HARNESS_BENCH_URL``, ``HARNESS_BENCH_COUNT``) and reads the CPU
time of the timed requests from the trace (``bench.requests``), one warm-up request first, as the
floor makes one too.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import ClassVar

from harness.app import http
from harness.sim import Simulation, TraceKind, register_trace_kind

PACKAGE = "com.example.bench.requests"


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BenchRequestsRecord(TraceKind):
    """The timed requests are done: their CPU seconds (``time.process_time``, real CPU time)."""

    KIND: ClassVar[str] = "bench.requests"
    cpu_seconds: float
    count: int


async def main() -> None:
    URL = os.environ.get("HARNESS_BENCH_URL", "https://api.example.com/status")
    COUNT = int(os.environ.get("HARNESS_BENCH_COUNT", "100"))
    response = await http.get(URL)
    if response.status_code != 200:
        raise RuntimeError(f"warm-up GET {URL} answered {response.status_code}")
    began = time.process_time()
    for _ in range(COUNT):
        response = await http.get(URL)
        if response.status_code != 200:
            raise RuntimeError(f"GET {URL} answered {response.status_code}")
    spent = time.process_time() - began
    Simulation.current().record("bench.requests", cpu_seconds=spent, count=COUNT)
