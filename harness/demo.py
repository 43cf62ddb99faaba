"""A small bundled demo: one simulated device-day of an hourly sync loop, printed as a timeline.

It exists so the README's main command shows the simulation core working end to end (virtual
time, the wall clock inside app code, seeded randomness, the trace and its digest) before the
scenario runner takes over that role.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from harness._units import MS_PER_DAY, format_t_ms
from harness.sim import Simulation, TraceKind, real_perf_counter, register_trace_kind


# App code may record its own kinds; registering one documents its fields and lets a strict
# trace check them (docs/trace.md, "Your own kinds").
@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSyncRecord(TraceKind):
    """One 'sync' of the demo loop: when it started on the wall clock and how long it took."""

    KIND: ClassVar[str] = "demo.sync"
    wall_clock: str
    took_ms: int
    since_last_s: int | None


async def _hourly_sync(sim: Simulation) -> None:
    """An app-style loop: sleep an hour, 'sync' for a random few seconds, remember when."""
    jitter = sim.random("demo.sync")
    last_synced: datetime | None = None
    while True:
        await asyncio.sleep(3600)
        started = datetime.now()  # virtual wall clock, exactly as app code would read it
        await asyncio.sleep(jitter.uniform(0.5, 8.0))
        sim.record(
            "demo.sync",
            wall_clock=started.isoformat(timespec="milliseconds"),
            took_ms=sim.now_ms - sim.clock.from_datetime(started),
            since_last_s=None if last_synced is None else (started - last_synced).seconds,
        )
        last_synced = started


def run_demo(seed: int = 0, *, echo: bool = True) -> str:
    """Simulate one device-day with ``seed``; print the timeline; return the trace digest."""
    began = real_perf_counter()
    with Simulation(seed=seed) as sim:
        sim.create_task(_hourly_sync(sim), name="hourly-sync")
        sim.run_for(MS_PER_DAY)
        records = list(sim.trace)
        digest = sim.trace.digest()
    elapsed = real_perf_counter() - began
    if echo:
        print(f"harness demo: one device-day, seed {seed}")
        for record in records:
            print(
                f"  t={format_t_ms(record.t_ms)}  {record.kind:<10} "
                f"wall clock {record['wall_clock']}  took {record['took_ms']} ms"
            )
        print(f"{len(records)} syncs in 24 h of virtual time, {elapsed:.3f} s of real time")
        print(f"trace digest {digest}")
    return digest
