"""``harness fuzz SCENARIO --budget 10m``: swarm testing from the command line (harness/_fuzz.py).

Each distinct failure, shrunk, is written as a scenario file in ``--out`` (default ``fuzz/``)
and printed with the ``harness replay`` command that reproduces it, to the same trace digest.
A progress line while it runs (a rich line on a terminal, a plain line per 25 examples and per
failure otherwise), a summary at the end. Exit 0 when nothing was found, 1 when something was,
2 for bad usage, 128 + the signal's number after Ctrl-C or SIGTERM (with the summary so far).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from harness._exceptions import DefinitionError, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console

    from harness._fuzz import FuzzFailure, FuzzSession

_EXIT_OK: Final = 0
_EXIT_FOUND: Final = 1
_EXIT_USAGE: Final = 2
_PLAIN_EVERY: Final = 25


def add_parser(commands: Any) -> None:
    """The ``fuzz`` subcommand and its options."""
    fuzz = commands.add_parser(
        "fuzz",
        help="swarm-test a scenario: random lives, timelines and server faults around it; "
        "write each distinct failure, shrunk, as a scenario file",
    )
    fuzz.add_argument("path", metavar="SCENARIO", help="the scenario file to fuzz around")
    fuzz.add_argument(
        "--budget", default="10m", metavar="DURATION", help="real time to search (default 10m)"
    )
    fuzz.add_argument(
        "--examples", type=int, metavar="N", help="stop after N examples (shrinking included)"
    )
    fuzz.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="session seed (default 0): same seed, same examples",
    )
    fuzz.add_argument(
        "--out", default="fuzz", metavar="DIR", help="where failures go (default fuzz/)"
    )
    fuzz.add_argument(
        "--kinds",
        metavar="KINDS",
        help="comma-separated kinds the swarm may draw from (default all: device events, the "
        "scenario's app actions, fault kinds, life); e.g. 'rate_limit,error,open app'",
    )
    fuzz.add_argument(
        "--checks",
        metavar="NAMES",
        help="comma-separated checks to keep (default: those that must hold whatever the phone "
        "and server do: no_crashes, no_data_lost, no_duplicate_uploads, responses_processed, "
        "honours_retry_after, no_unmatched_requests, custom)",
    )


def run_fuzz(args: argparse.Namespace, console: Console) -> int:
    """Run ``harness fuzz``; the exit code."""
    from rich.markup import escape

    from harness._fuzz import fuzz
    from harness._units import parse_duration
    from harness.scenario import load

    try:
        budget_s = parse_duration(args.budget) / 1000
    except DefinitionError as error:
        return _usage(console, f"--budget: {error}")
    if args.examples is not None and args.examples < 1:
        return _usage(console, f"--examples {args.examples} must be at least 1")
    try:
        scenario = load(args.path)
    except ScenarioError as error:
        console.print(f"[red]✗[/red] {escape(str(error))}", highlight=False)
        return _EXIT_USAGE
    if scenario.spec.population is not None:
        return _usage(console, f"{args.path} is a fleet; fuzz a single-device scenario")
    checks = None if args.checks is None else [n.strip() for n in args.checks.split(",") if n]
    from harness.scenario import CHECK_NAMES

    unknown = sorted(set(checks or ()) - set(CHECK_NAMES))
    if unknown:
        return _usage(
            console,
            f"--checks: no check named {', '.join(unknown)}; the checks are "
            f"{', '.join(sorted(CHECK_NAMES))}",
        )
    names = {check.name for check in scenario.checks}
    kept = names & (set(checks) if checks is not None else _robust())
    if not kept:
        return _usage(
            console,
            f"{args.path}: none of its checks ({', '.join(sorted(names))}) is kept for fuzzing; "
            "add one that must hold whatever happens (no_data_lost, no_crashes, ...) or name "
            "them with --checks",
        )
    kinds = None if args.kinds is None else [k.strip() for k in args.kinds.split(",") if k]
    from harness._fuzz import swarm_kinds

    unknown = sorted(set(kinds or ()) - set(swarm_kinds(scenario)))
    if unknown:
        return _usage(
            console,
            f"--kinds: {', '.join(unknown)} cannot be drawn around {args.path}; choose from "
            f"{', '.join(swarm_kinds(scenario))}",
        )
    out = Path(args.out)
    found: list[FuzzFailure] = []
    with _progress(console, scenario.name, budget_s) as show:

        def on_failure(session: FuzzSession, failure: FuzzFailure) -> None:
            saved = _save(failure, session, out)
            found.append(saved)
            show(session, saved)

        session = fuzz(
            scenario,
            seed=args.seed,
            max_examples=args.examples,
            budget_s=budget_s,
            checks=checks,
            kinds=kinds,
            on_example=lambda session: show(session, None),
            on_failure=on_failure,
        )
    for failure in found:
        _print_failure(console, failure)
    _print_summary(console, session, found, args)
    if session.interrupt is not None:  # cli's _Interrupted carries the signal; Python's is SIGINT
        return 128 + int(getattr(session.interrupt, "signum", signal.SIGINT))
    return _EXIT_FOUND if found else _EXIT_OK


def _robust() -> set[str]:
    from harness._fuzz import ROBUST_CHECKS

    return set(ROBUST_CHECKS)


def _usage(console: Console, message: str) -> int:
    console.print(f"harness fuzz: {message}", highlight=False, markup=False)
    return _EXIT_USAGE


def _save(failure: FuzzFailure, session: FuzzSession, out: Path) -> FuzzFailure:
    """Write ``failure`` as a scenario file in ``out`` (``harness.property.save_failure``: the
    header names the failed checks and the trace digest); the failure with its path."""
    from dataclasses import replace

    from harness._fuzz import settle_ms
    from harness.property import save_failure
    from harness.scenario import load_data

    scenario = session.scenario
    data = failure.example.scenario_data(
        session.base, [event.at for event in scenario.spec.timeline], settle_ms=settle_ms(scenario)
    )
    drawn = load_data(data, file=scenario.path)
    path = save_failure(drawn, failure.example.seed, record=failure.record, directory=out)
    return replace(failure, path=path)


def _print_failure(console: Console, failure: FuzzFailure) -> None:
    console.print(f"✗ {failure.key}", highlight=False, markup=False)
    for line in failure.lines:
        console.print(f"  {line}", highlight=False, markup=False)
    console.print(
        f"  shrunk to {len(failure.example.events)} event(s), {len(failure.example.faults)} "
        f"fault(s): {failure.path}",
        highlight=False,
        markup=False,
    )
    console.print(f"  replay: {failure.replay_command()}", highlight=False, markup=False)


def _print_summary(
    console: Console, session: FuzzSession, found: list[FuzzFailure], args: argparse.Namespace
) -> None:
    why = {
        "examples": "every example run",
        "failures": "stopped at the first failures",
        "budget": f"budget of {args.budget} spent",
        "interrupted": "interrupted",
    }.get(session.stopped or "", "done")
    verdict = f"{len(found)} distinct failure(s)" if found else "no failure found"
    console.print(
        f"fuzz {session.scenario.name} · seed {args.seed} · {session.examples} examples · "
        f"{verdict} ({why})",
        highlight=False,
        markup=False,
    )
    console.print(f"checks: {', '.join(session.checks)}", highlight=False, markup=False)
    if session.skipped_checks:
        console.print(
            f"not checked (they fail by design under drawn outages; --checks to keep): "
            f"{', '.join(session.skipped_checks)}",
            highlight=False,
            markup=False,
        )


@contextmanager
def _progress(
    console: Console, name: str, budget_s: float
) -> Iterator[Callable[[FuzzSession, FuzzFailure | None], None]]:
    """A rich line on a terminal (stderr): examples, failures, time against the budget;
    otherwise a plain line per 25 examples and per failure, for CI."""
    if not sys.stderr.isatty():

        def plain(session: FuzzSession, failure: FuzzFailure | None) -> None:
            if failure is not None:
                print(f"fuzz {name}: found {failure.key} ({failure.path})", file=sys.stderr)
            elif session.examples % _PLAIN_EVERY == 0:
                print(
                    f"fuzz {name}: {session.examples} examples, {len(session.failures)} failure(s)",
                    file=sys.stderr,
                )

        yield plain
        return
    from rich.console import Console as RichConsole
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=RichConsole(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(f"fuzz {name}", total=None, status="")
        from harness.sim import real_perf_counter

        began = real_perf_counter()

        def rich(session: FuzzSession, _failure: FuzzFailure | None) -> None:
            progress.update(
                task,
                total=budget_s,
                completed=min(budget_s, real_perf_counter() - began),
                status=f"{session.examples} examples · {len(session.failures)} failure(s)",
            )

        yield rich
