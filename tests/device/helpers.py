"""Shared helpers for the device-model tests."""

from __future__ import annotations

from typing import Any

from harness.sim import Simulation, TraceRecord

#: A battery that drains at a constant 100 mA whatever the doze state: 1 % every 6 minutes.
FLAT_DRAIN: dict[str, Any] = {
    "battery.capacity_mah": 1000,
    "power.suspended_ua": 100_000,
    "power.light_idle_ua": 100_000,
    "power.deep_idle_ua": 100_000,
}


def records(sim: Simulation, kind: str, **match: Any) -> list[TraceRecord]:
    """Trace records of ``kind`` whose fields equal ``match``."""
    return [
        record
        for record in sim.trace.of_kind(kind)
        if all(record.get(key) == value for key, value in match.items())
    ]


def first(sim: Simulation, kind: str, **match: Any) -> TraceRecord:
    """The first matching record (fails the test when there is none)."""
    found = records(sim, kind, **match)
    assert found, f"no {kind} record with {match}"
    return found[0]
