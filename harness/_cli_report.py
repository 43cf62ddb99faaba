"""Comparison with a baseline report: ``harness report --baseline OLD NEW`` and
``harness run ... --baseline OLD``.

Both write the comparison into the new report (``summary.json``'s ``comparison``, a section at
the top of ``summary.md``, fit for a pull-request comment), print the verdict, and exit 1 when
the new report is *worse* than the baseline (the rules: ``harness.report._compare``), so CI can
fail the build on it; 0 when it is better or the same; 2 when a report cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_WORSE = 1
EXIT_USAGE = 2


def _tolerance(text: str) -> float:
    value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    if not 0 <= value < 10:
        raise argparse.ArgumentTypeError(f"tolerance {text!r} must be like 0.1 or 10%")
    return value


def add_baseline_options(parser: argparse.ArgumentParser) -> None:
    """``--baseline OLD`` and ``--tolerance`` on ``run`` and ``report``."""
    parser.add_argument(
        "--baseline",
        metavar="OLD_DIR",
        help="compare with this earlier report directory; exit 1 when the new one is worse",
    )
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        default=None,
        metavar="T",
        help="how far a figure without an interval may move before it counts (default 10%%)",
    )


def compare_into(out: Path, baseline: str, tolerance: float | None, console: Console) -> int:
    """Compare the report in ``out`` with ``baseline``, re-render ``out`` with the comparison,
    print the verdict; return 1 when worse, 0 when not, 2 when a report cannot be read."""
    from harness.report import compare_reports, read_records, rerender

    try:
        old, _ = read_records(baseline)
        new, _ = read_records(out)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"✗ {error}", highlight=False, markup=False)
        return EXIT_USAGE
    comparison = compare_reports(old, new, baseline_label=str(baseline), tolerance=tolerance)
    index = rerender(out, comparison=comparison)
    for scope in comparison["scopes"]:
        if scope["scope"] != "overall" and scope["verdict"] == "same":
            continue
        worse = [c["label"] for c in scope["changes"] if c["verdict"] == "worse"]
        detail = f": worse {', '.join(worse)}" if worse else ""
        notes = "".join(f"; {note}" for note in scope["notes"])
        console.print(
            f"  {scope['verdict']:<6} {scope['name']}{detail}{notes}", highlight=False, markup=False
        )
    console.print(
        f"compared with {baseline}: {comparison['verdict']} · report: {index}",
        highlight=False,
        markup=False,
    )
    return EXIT_WORSE if comparison["verdict"] == "worse" else EXIT_OK


def command_report_baseline(args: argparse.Namespace, console: Console) -> int:
    """``harness report --baseline OLD NEW``."""
    return compare_into(Path(args.directory), args.baseline, args.tolerance, console)
