"""Run the benchmarks and print each figure against its target; exit 1 when a target is missed.

Usage: ``python -m benchmarks [CASE ...] [--quick] [--repeats N]`` (cases: a-h, ``loop`` and
``fleet``; all by default). Every case measures harness and a floor in the same run,
interleaved (harness, floor, harness, floor, ...) so machine noise hits both, in CPU time, with
several repeats; each row prints the median and the minimum, the ratio of the medians and what
that ratio compares, then the target from issue 14 with "ok" or "MISSED". ``--quick`` runs tiny
sizes and fewer repeats: a smoke run (the test suite uses it), not a measure. See
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType

from benchmarks import (
    bench_fixed_cost,
    bench_fleet,
    bench_loop,
    bench_memory,
    bench_property,
    bench_request,
    bench_scheduler,
    bench_startup,
    bench_suites,
    bench_year,
)
from benchmarks._result import Result

#: Every case, by its name on the command line, in the order they run.
CASES: dict[str, ModuleType] = {
    module.CASE: module
    for module in (
        bench_request,
        bench_year,
        bench_scheduler,
        bench_fixed_cost,
        bench_suites,
        bench_property,
        bench_memory,
        bench_startup,
        bench_loop,
        bench_fleet,
    )
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="cases: " + "; ".join(f"{name}: {module.TITLE}" for name, module in CASES.items()),
    )
    parser.add_argument("cases", nargs="*", metavar="CASE", help="cases to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats per case (default: per case)"
    )
    return parser


def run_case(
    module: ModuleType, *, quick: bool, repeats: int | None, out: Callable[[str], None] = print
) -> tuple[int, int]:
    """Run one case and print its rows; (targets met, targets missed or errors)."""
    out(f"== ({module.CASE}) {module.TITLE}")
    skip = getattr(module, "SKIP_REASON", None)
    if skip is not None:
        out(f"   {skip}")
        return 0, 0
    try:
        results: Sequence[Result] = module.run(quick=quick, repeats=repeats)
    except Exception:
        out(f"   ERROR, counted as missed:\n{traceback.format_exc()}")
        return 0, 1
    met = missed = 0
    for result in results:
        for line in result.lines():
            out(line)
        if result.met is True:
            met += 1
        elif result.met is False:
            missed += 1
    return met, missed


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases; 0 when every target is met, 1 otherwise, 2 for an unknown case."""
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.print_usage(sys.stderr)
        print(
            f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}",
            file=sys.stderr,
        )
        return 2
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    chosen = args.cases or list(CASES)
    mode = "quick smoke run (tiny sizes: not a measure)" if args.quick else "full run"
    print(f"harness benchmarks, {mode}; CPU time unless a row says otherwise", flush=True)
    met = missed = 0
    for name in chosen:
        case_met, case_missed = run_case(CASES[name], quick=args.quick, repeats=args.repeats)
        met += case_met
        missed += case_missed
        sys.stdout.flush()
    print(f"targets: {met} met, {missed} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
