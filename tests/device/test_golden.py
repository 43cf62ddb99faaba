"""The week-long device timeline is a checked-in golden trace (STYLE.md rule 14).

Regenerate on purpose with ``.venv/bin/python -m tests.device.regen_golden`` and review the diff.
"""

from __future__ import annotations

import json

from tests.device.regen_golden import SUMMARY, TRACE
from tests.device.week import simulate_week

REGEN = "regenerate with `.venv/bin/python -m tests.device.regen_golden` if the change is intended"


def test_week_matches_the_golden_trace_record_by_record() -> None:
    """A week of commutes, overnight charging and doze reproduces tests/device/golden/week.jsonl."""
    lines, summary = simulate_week()
    golden = TRACE.read_text(encoding="utf-8").splitlines()
    for index, (got, want) in enumerate(zip(lines, golden, strict=False)):
        assert got == want, f"record {index} differs:\n  got  {got}\n  want {want}\n{REGEN}"
    assert len(lines) == len(golden), f"{len(lines)} records, golden has {len(golden)}; {REGEN}"
    assert summary == json.loads(SUMMARY.read_text(encoding="utf-8")), REGEN


def test_same_seed_same_trace_other_seed_other_trace() -> None:
    """Determinism: the same seed gives the same records; the flapping stream follows the seed."""
    first, _ = simulate_week(seed=5, days=2)
    again, _ = simulate_week(seed=5, days=2)
    other, _ = simulate_week(seed=6, days=2)
    assert first == again
    assert first != other


def test_golden_week_covers_the_story() -> None:
    """The golden week has the commute, the charger, deep doze overnight and the syncs."""
    kinds = [json.loads(line) for line in TRACE.read_text(encoding="utf-8").splitlines()]
    transports = {r["transport"] for r in kinds if r["kind"] == "device.network"}
    assert {"WIFI", "CELLULAR", "NONE"} <= transports
    assert any(r["kind"] == "device.power" and r.get("plugged") == "AC" for r in kinds)
    assert any(r["kind"] == "device.doze" and r["state"] == "IDLE" for r in kinds)
    assert any(r["kind"] == "device.wakeup" and r["reason"] == "sync" for r in kinds)
    assert TRACE.stat().st_size < 1_000_000
