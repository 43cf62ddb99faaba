"""The ``harness`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from harness import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description=(
            "A deterministic simulated phone for testing Android WorkManager and Flutter "
            "workmanager background-sync code under virtual time."
        ),
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="simulate one device-day and print what happened")
    demo.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harness`` console command; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from harness.demo import run_demo

        run_demo(args.seed)
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
