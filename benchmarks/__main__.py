"""Run every benchmark and print ratios against baselines measured in the same run.

Usage: ``.venv/bin/python -m benchmarks [--quick]``. Speed is measured here, never asserted in
unit tests; each line is ``name  harness  baseline  ratio``, where the ratio is how many times
slower (or, for memory, bigger) harness is than the baseline measured in the same run (1.00 = the
same; the target is stated per benchmark). ``bench_loop``: virtual-time overhead against plain
asyncio; ``bench_year``: a device-year against a quarter of it (the cost of a day stays flat).
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import bench_loop, bench_year


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer hops and shorter runs, for a smoke run"
    )
    args = parser.parse_args(argv)
    results = bench_loop.run(hops=20_000 if args.quick else 200_000)
    results += bench_year.run(days=120 if args.quick else 360)
    print(f"{'benchmark':<40}{'harness':>15}{'baseline':>15}{'ratio':>8}  target")
    failed = False
    for result in results:
        print(result.line())
        failed |= not result.met
    print("all targets met" if not failed else "some targets missed (see ratios above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
