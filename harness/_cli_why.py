"""``harness why SCENARIO --seed N --at TIME [WORK]``: why each work is or is not running then.

The run of (SCENARIO, seed) goes to TIME (virtual; the timeline's ``at`` syntax: ``"26h"``,
``"day 1 08:00"``) and the phone is asked, work by work, by its platform's explainer: on
Android as ``World.why_not_running`` does (WorkManager's state, the device, the app, then
JobScheduler's verdict); on iOS, each app's background tasks (``harness.ios.explain_launch``:
switches, force-quit, ``earliestBeginDate``, idle and power, the modelled launch policy, or
why nothing is pending), each answer with its source. Exit codes: 0 when it
answered, 2 for a bad scenario, time or work name (the message names the value and the fix).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_USAGE = 2


def add_why_parser(commands: Any) -> None:
    """Add the ``why`` command to ``harness``'s sub-commands."""
    why = commands.add_parser(
        "why", help="run a scenario to a moment and say why each work is or is not running"
    )
    why.add_argument("path", metavar="SCENARIO")
    why.add_argument("--seed", type=int, required=True, metavar="N")
    why.add_argument(
        "--at",
        required=True,
        metavar="TIME",
        help="virtual time, as in a timeline: '26h', '2h30m', 'day 1 08:00'",
    )
    why.add_argument(
        "work",
        nargs="?",
        metavar="WORK",
        help="one work: its id (or first 8 characters), a tag or a unique name; on iOS a "
        "BGTaskScheduler identifier (default: every unfinished work, on iOS every pending "
        "or refused request)",
    )


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """``parser.parse_args(argv)``, also taking ``harness why``'s WORK after the options
    (argparse takes a sub-command's positionals only before its first option)."""
    args, extras = parser.parse_known_args(argv)
    if (
        getattr(args, "command", None) == "why"
        and args.work is None
        and len(extras) == 1
        and not extras[0].startswith("-")
    ):
        args.work = extras[0]
    elif extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def command_why(args: argparse.Namespace, console: Console) -> int:
    """Run ``harness why``; return its exit code."""
    from harness._exceptions import ScenarioError
    from harness._units import format_t_ms
    from harness.scenario import load, why_at

    def refuse(message: str) -> int:
        console.print(f"✗ {message}", highlight=False, markup=False)
        return EXIT_USAGE

    try:
        scenario = load(args.path)
    except ScenarioError as error:
        return refuse(str(error))
    if scenario.spec.population is not None:
        return refuse(
            f"{scenario.path} is a fleet: harness why runs one device of a plain scenario; "
            "replay a fleet's device with `harness replay PATH --seed S --device I`"
        )
    try:
        answers = why_at(scenario, args.seed, args.at, args.work)
    except ScenarioError as error:
        return refuse(str(error))
    moment = f"t={format_t_ms(answers[0].t_ms)}" if answers else args.at
    console.print(
        f"{scenario.name} · seed {args.seed} · at {moment}",
        highlight=False,
        markup=False,
    )
    if not answers:
        console.print("  no unfinished work at that time", highlight=False, markup=False)
    for answer in answers:
        mark = "▶" if answer.running else ("■" if answer.finished else "✗")
        console.print(
            f"{mark} {answer.package} {answer.label} {answer.short_id} ({answer.state})",
            highlight=False,
            markup=False,
        )
        head = "running" if answer.running else "why not"
        console.print(f"    {head}: {answer.reason}", highlight=False, markup=False)
        if answer.verdict is not None and answer.verdict != answer.reason:
            console.print(f"    JobScheduler: {answer.verdict}", highlight=False, markup=False)
        if answer.source is not None:
            console.print(f"    source: {answer.source}", highlight=False, markup=False)
    return EXIT_OK
