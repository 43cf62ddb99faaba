"""Regenerate the week-long device golden trace, on purpose, after a reviewed behaviour change.

    .venv/bin/python -m tests.device.regen_golden

writes ``tests/device/golden/week.jsonl`` (every ``device.*`` record of :mod:`tests.device.week`)
and ``week-summary.json``; review the diff (``git diff tests/device/golden``) before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.device.week import simulate_week

GOLDEN = Path(__file__).resolve().parent / "golden"
TRACE = GOLDEN / "week.jsonl"
SUMMARY = GOLDEN / "week-summary.json"


def main() -> None:
    """Simulate the week and write the golden files."""
    lines, summary = simulate_week()
    GOLDEN.mkdir(exist_ok=True)
    TRACE.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    SUMMARY.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} records to {TRACE} and the summary to {SUMMARY}")


if __name__ == "__main__":
    main()
