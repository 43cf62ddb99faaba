"""Run every benchmark and print ratios against baselines measured in the same run.

Usage: ``.venv/bin/python -m benchmarks [--quick]``. Speed is measured here, never asserted in
unit tests; each line is ``name  harness-rate  baseline-rate  ratio``, where the ratio is how many
times slower harness is than the baseline (1.00 = as fast; the target is stated per benchmark).
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import bench_loop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer hops, for a smoke run")
    args = parser.parse_args(argv)
    results = bench_loop.run(hops=20_000 if args.quick else 200_000)
    print(f"{'benchmark':<34}{'harness':>14}{'baseline':>14}{'ratio':>8}  target")
    failed = False
    for result in results:
        print(result.line())
        failed |= not result.met
    print("all targets met" if not failed else "some targets missed (see ratios above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
