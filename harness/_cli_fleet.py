"""``harness run`` of fleet files and ``harness replay --device``: the command line's fleet part.

A scenario with a ``population:`` section runs as a fleet: ``--devices N`` devices (default: the
file's ``population.devices``) with the fleet seed ``--seed S`` (default 0; ``--seeds N`` runs
fleets 0..N-1), on ``--executor`` (``pool`` by default, ``inprocess``, or ``dask`` with
``--scheduler`` or a LocalCluster). Each fleet's report (``fleet.json``, ``fleet.md``) goes to
``OUT/fleets/<slug>/seed-<S>/`` and is printed. Progress shows as a bar on a terminal and as a
plain line per tenth of the fleet otherwise (CI logs). Ctrl-C ends the workers and writes the
partial report of the devices that finished.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console

    from harness.report import FleetReport
    from harness.scenario import RunResult, Scenario

_EXIT_OK = 0
_EXIT_FAILED = 1
_EXIT_USAGE = 2
#: Without a terminal, a progress line each time another tenth of the fleet finished.
_PLAIN_STEPS = 10


def _usage_error(console: Console, message: str) -> int:
    from rich.markup import escape

    console.print(f"[red]✗[/red] {escape(message)}", highlight=False)
    return _EXIT_USAGE


def _fleet_seeds(args: argparse.Namespace) -> list[int] | None:
    if args.seed is not None:
        return [args.seed]
    if args.seeds is not None:
        return list(range(args.seeds)) if args.seeds >= 1 else None
    return [0]


def run_fleets(
    args: argparse.Namespace, console: Console, scenarios: Sequence[Scenario], out: Path
) -> int:
    """Run every scenario of ``scenarios`` as a fleet (each must have a population)."""
    from harness.report import FleetReport, write_fleet_report
    from harness.scenario import ExecutorKind, make_executor, run_fleet

    single = [scenario.path for scenario in scenarios if scenario.spec.population is None]
    if single:
        return _usage_error(
            console,
            f"{single[0]}: --devices and fleet files need a 'population:' section in every "
            "scenario run together; run fleet files and single-device scenarios separately "
            "(docs/fleets.md)",
        )
    if args.devices is not None and args.devices < 1:
        return _usage_error(console, f"--devices {args.devices} must be at least 1")
    if args.batch_size is not None and args.batch_size < 1:
        return _usage_error(console, f"--batch-size {args.batch_size} must be at least 1")
    if args.scheduler is not None and args.executor != "dask":
        return _usage_error(console, "--scheduler needs --executor dask")
    seeds = _fleet_seeds(args)
    if seeds is None:
        return _usage_error(console, "--seeds must be at least 1")
    try:
        executor = make_executor(
            ExecutorKind(args.executor), workers=args.workers, scheduler=args.scheduler
        )
    except DefinitionError as error:
        return _usage_error(console, str(error))
    except (OSError, TimeoutError) as error:  # a scheduler address nobody answers at
        return _usage_error(
            console,
            f"could not reach the Dask scheduler {args.scheduler}: {error}; check the address "
            "(tcp://HOST:PORT) or leave --scheduler out for a LocalCluster",
        )
    exit_code = _EXIT_OK
    with executor:
        for scenario in scenarios:
            population = scenario.spec.population
            assert population is not None
            devices = args.devices if args.devices is not None else population.devices
            for seed in seeds:
                report = FleetReport(scenario.name, scenario.path, seed, devices, population.labels)
                where = out / "fleets" / _fleet_location(scenario.path, seed)
                try:
                    with _fleet_progress(console, scenario.name, devices) as advance:

                        def done(result: object, report: FleetReport = report) -> None:
                            report.add(result)  # type: ignore[arg-type]
                            advance(report.devices, report.passed)

                        run_fleet(
                            scenario,
                            fleet_seed=seed,
                            devices=devices,
                            executor=executor,
                            on_result=done,
                            batch_size=args.batch_size,
                        )
                except KeyboardInterrupt as interrupt:  # the executor ends its workers on exit
                    # harness.cli's handler raises a KeyboardInterrupt named after the signal
                    name = str(getattr(interrupt, "name", "SIGINT"))
                    path = write_fleet_report(where, report, interrupted=name)
                    _print_report(console, report, name)
                    console.print(f"partial fleet report: {path}", markup=False)
                    raise
                path = write_fleet_report(where, report)
                _print_report(console, report, None)
                console.print(f"fleet report: {path}", markup=False)
                if report.failed:
                    exit_code = _EXIT_FAILED
    return exit_code


def _fleet_location(path: str, seed: int) -> Path:
    """``<slug>/seed-<S>``: the slug of the file's path from the working directory (of its name
    when it lies elsewhere), as ``runs/`` slugs scenario paths."""
    from harness.scenario import trace_location

    try:
        shown = Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = Path(path).name
    return Path(trace_location(shown, seed)).parent.relative_to("runs")


def _print_report(console: Console, report: FleetReport, interrupted: str | None) -> None:
    for line in report.lines(interrupted=interrupted):
        console.print(line, highlight=False, markup=False)


@contextmanager
def _fleet_progress(
    console: Console, name: str, total: int
) -> Iterator[Callable[[int, int], None]]:
    """A bar on a terminal (stderr); otherwise a plain line per tenth of the fleet, for CI."""
    if not sys.stderr.isatty():
        step = max(1, -(-total // _PLAIN_STEPS))
        printed = [0]

        def line(done: int, passed: int) -> None:
            if done - printed[0] >= step or done == total:
                printed[0] = done
                print(f"fleet {name}: {done}/{total} devices, {passed} pass", file=sys.stderr)

        yield line
        return
    with progress_bar("devices", total) as update:
        yield lambda done, _passed: update(completed=done)


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[..., None]]:
    """A transient rich bar on stderr (``harness run``'s runs, a fleet's devices); yields its
    task's ``update`` (``advance=1`` or ``completed=N``)."""
    from rich.console import Console as RichConsole
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=RichConsole(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield functools.partial(progress.update, task)


def replay_device(
    args: argparse.Namespace, console: Console, scenario: Scenario, trace_path: Path
) -> tuple[RunResult, str] | None:
    """Run device ``--device`` of the fleet with seed ``--seed`` of a fleet file; its result and
    the heading to print (None after an error was printed)."""
    from harness.scenario import device_seed, run_device

    population = scenario.spec.population
    problem = None
    if population is None:
        problem = (
            f"{scenario.path}: --device needs a fleet file (a 'population:' section); drop --device"
        )
    elif args.device is None:
        problem = (
            f"{scenario.path} is a fleet: name the device to replay, e.g. "
            f"--device 0 --seed {args.seed}"
        )
    elif args.device < 0:
        problem = f"--device {args.device} must be 0 or more"
    if problem is not None or population is None:
        _usage_error(console, problem or "")
        return None
    try:
        result, part = run_device(
            scenario, args.seed, args.device, trace_path=trace_path, keep_trace=False
        )
    except ScenarioError as error:  # pragma: no cover - the population was checked on load
        _usage_error(console, str(error))
        return None
    heading = (
        f"{scenario.name} · fleet seed {args.seed} · device {args.device} "
        f"({population.labels[part]}, run seed {device_seed(args.seed, args.device)})"
    )
    return result, heading
