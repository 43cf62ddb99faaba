"""The ``harness`` command line: run, validate, replay, list, report and fuzz scenario suites.

Exit codes: 0 when every check holds, 1 when a check fails (or a run errors) or, with
``--baseline OLD``, when the report is worse than the baseline (``harness._cli_report``), 2 for
a bad scenario file or bad usage, 128 + the signal's number when SIGINT (130) or SIGTERM (143)
stopped the command (``run`` then writes a partial report of the runs that finished).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, cast

from harness import __version__
from harness._exceptions import ScenarioError
from harness._signals import stop_signals_handled

# Each command imports what it needs when it runs: `harness --version` and `--help` import
# none of the simulation (its import is most of a short run's CPU time).
if TYPE_CHECKING:
    from rich.console import Console

    from harness.scenario import Job, RunRecord, Scenario
    from harness.sim import TraceRecord

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the command (raised in the main thread by the handler)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @classmethod
    def of(cls, interrupt: KeyboardInterrupt) -> _Interrupted:
        """``interrupt`` itself, or SIGINT's for a plain KeyboardInterrupt (Python's handler)."""
        return interrupt if isinstance(interrupt, _Interrupted) else cls(signal.SIGINT)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _Signals:
    """SIGINT and SIGTERM while a command runs: both end it the same way (workers ended, partial
    report, exit 130 or 143). A signal ignored when the command started (``nohup``, a background
    job of a non-interactive shell) stays ignored.

    The handler raises :class:`_Interrupted` in the main thread, wherever it is, and Python does
    not always let that exception reach :func:`main`: raised while a finalizer runs (a generator
    or coroutine closed when the last reference goes, a ``__del__``) it is printed as "Exception
    ignored in ..." and dropped, and the command goes on; raised in a descriptor's
    ``__set_name__`` while a class is built (pydantic's models, at import) Python 3.11 turns it
    into a ``RuntimeError``. So the handler also remembers the signal (:attr:`received`), the
    unraisable hook drops that printout and delivers the signal again a moment later, from
    outside the finalizer, and :func:`main` takes whatever ends a command after a signal (an
    exception, or a return) as the interruption.
    """

    #: Real seconds before a signal that a finalizer swallowed is delivered again.
    REDELIVER_AFTER_S = 0.01

    def __init__(self) -> None:
        #: The last stop signal received while the command ran, if any.
        self.received: _Interrupted | None = None
        self._redelivery: threading.Timer | None = None
        self._unraisable_hook = sys.unraisablehook

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle the stop signals (in the main thread only) while the block runs."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        with stop_signals_handled(self._handle):
            self._unraisable_hook = sys.unraisablehook
            sys.unraisablehook = self._unraisable
            try:
                yield
            finally:
                try:
                    redelivery = self._redelivery
                    if redelivery is not None:  # a signal it sent already is handled here
                        redelivery.cancel()
                        redelivery.join()
                finally:  # also when that signal raises
                    sys.unraisablehook = self._unraisable_hook

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received = _Interrupted(signum)
        raise _Interrupted(signum)

    def _unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        interrupt = unraisable.exc_value
        if not isinstance(interrupt, _Interrupted):
            self._unraisable_hook(unraisable)
            return
        # A finalizer swallowed the interrupt: send the signal again once it has returned.
        if self._redelivery is not None:
            self._redelivery.cancel()
        self._redelivery = threading.Timer(
            self.REDELIVER_AFTER_S,
            signal.pthread_kill,
            (threading.main_thread().ident, interrupt.signum),
        )
        self._redelivery.daemon = True
        self._redelivery.start()


def _console() -> Console:
    """The console the commands print to: rich's when stdout is a terminal (or rich is told to
    colour it), else :class:`_PlainConsole`, which writes what rich would without importing it."""
    environ = os.environ
    if (
        not _isatty(sys.stdout)
        and "FORCE_COLOR" not in environ
        and "TTY_COMPATIBLE" not in environ
        and (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") == "utf8"
    ):
        return cast("Console", _PlainConsole())  # its only method is print, all the commands call
    return _rich_console()


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def _rich_console() -> Console:
    """A console whose every text shows control characters (ESC, CSI, bidi overrides from
    scenario names, messages, paths) as visible pictures instead of letting the terminal act."""
    from rich.console import Console, ConsoleRenderable, RenderHook
    from rich.text import Text

    from harness.report import printable_same_length

    class ShowControls(RenderHook):
        def process_renderables(
            self, renderables: list[ConsoleRenderable]
        ) -> list[ConsoleRenderable]:
            for renderable in renderables:
                if isinstance(renderable, Text):
                    renderable.plain = printable_same_length(renderable.plain)
            return renderables

    console = Console(highlight=False, soft_wrap=True)
    console.push_render_hook(ShowControls())
    return console


#: The markup tags the commands write (rich's tag syntax, ``rich.markup.RE_TAGS``).
_TAG = re.compile(r"\[([a-z#/@][^[]*?)]")
_PLAIN_TAGS = frozenset({"red", "green", "bold", "yellow"})
#: What rich could read as an emoji code (``rich._emoji_replace``: ``:name:``).
_EMOJI_LIKE = re.compile(r":\S*?:")


def _plain_text(text: str, markup: bool) -> str | None:
    """What rich prints for ``text`` on a console that is not a terminal, where that is plainly
    ``text`` without its colour tags; ``None`` where rich's own rendering is needed (escapes,
    other tags, possible emoji codes, characters that are not printable)."""
    if "\\" in text or not text.isprintable() or _EMOJI_LIKE.search(text):
        return None
    if not markup:
        return text
    tags = _TAG.findall(text)
    opened = [tag for tag in tags if not tag.startswith("/")]
    closed = [tag[1:] for tag in tags if tag.startswith("/")]
    if not _PLAIN_TAGS.issuperset(opened) or sorted(opened) != sorted(closed):
        return None
    return _TAG.sub("", text)


class _PlainConsole:
    """Prints lines as rich's console prints them to a file that is not a terminal (no colour,
    no wrapping), for the plain lines the commands write; any other line goes to a rich console,
    made on first need (importing rich is a good part of a short run's start-up)."""

    __slots__ = ("_rich",)

    def __init__(self) -> None:
        self._rich: Console | None = None

    def print(
        self, text: str, *, highlight: bool | None = None, markup: bool | None = None
    ) -> None:
        """``rich.console.Console.print(text, highlight=..., markup=...)``."""
        plain = _plain_text(text, markup is not False)
        if plain is None:
            if self._rich is None:
                self._rich = _rich_console()
            self._rich.print(text, highlight=highlight, markup=markup)
            return
        sys.stdout.write(plain + "\n")
        sys.stdout.flush()


def _escape(text: str) -> str:
    """``rich.markup.escape`` (rich 13-15), without importing rich: ``text`` as literal text
    inside markup (a ``[`` that could open a tag gets a backslash)."""

    def escape_backslashes(match: re.Match[str]) -> str:
        backslashes, tag = match.groups()
        return f"{backslashes}{backslashes}\\{tag}"

    escaped = _ESCAPE.sub(escape_backslashes, text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        return escaped + "\\"
    return escaped


_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


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

    run = commands.add_parser("run", help="run scenario files over many seeds; write a report")
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or directories")
    seeds = run.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N", help="seeds 0..N-1 for every scenario")
    seeds.add_argument("--seed", type=int, metavar="S", help="this one seed")
    run.add_argument("--out", metavar="DIR", help="report directory (default reports/<time>)")
    run.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes to run in parallel (default: one per CPU)",
    )
    _app_option(run)
    fleet = run.add_argument_group("fleets (a scenario with a 'population:' section)")
    fleet.add_argument(
        "--devices", type=int, metavar="N", help="devices in the fleet (default: the file's)"
    )
    fleet.add_argument(
        "--executor",
        choices=["inprocess", "pool", "dask"],
        default="pool",
        help="where the devices run: here, a local process pool (default), or Dask",
    )
    fleet.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="an existing Dask scheduler (--executor dask; default: a LocalCluster)",
    )
    fleet.add_argument(
        "--batch-size", type=int, metavar="N", help="devices per task (default: by fleet size)"
    )

    validate = commands.add_parser(
        "validate",
        help="check scenario files without running them (and without running any of your code)",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument(
        "--import",
        dest="imports",
        action="store_true",
        help="also import app modules, backend factories and custom checks and build the "
        "servers, as 'run' does before running (this runs their top-level code)",
    )

    replay = commands.add_parser("replay", help="re-run one (scenario, seed) and show its timeline")
    replay.add_argument("path", metavar="PATH")
    replay.add_argument("--seed", type=int, required=True, metavar="S")
    replay.add_argument(
        "--device", type=int, metavar="I", help="device I of the fleet with seed S (fleet files)"
    )
    replay.add_argument("--out", metavar="DIR", help="also write its report here")
    replay.add_argument("--all", action="store_true", help="print every trace record")
    _app_option(replay)

    listing = commands.add_parser("list", help="list scenarios and their checks, or trace kinds")
    listing.add_argument("paths", nargs="*", metavar="PATH")
    listing.add_argument(
        "--trace-kinds", action="store_true", help="list every trace kind with its fields"
    )

    report = commands.add_parser(
        "report", help="re-render a report directory (or compare it with a baseline)"
    )
    report.add_argument("directory", metavar="DIR")
    from harness._cli_report import add_baseline_options

    add_baseline_options(report)
    add_baseline_options(run)

    from harness._cli_why import add_why_parser

    add_why_parser(commands)

    from harness._cli_fuzz import add_parser as add_fuzz_parser

    add_fuzz_parser(commands)

    demo = commands.add_parser("demo", help="simulate one device-day of a bare sync loop")
    demo.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    return parser


def _app_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--app",
        metavar="MODULE",
        help="test this app module instead of the scenario's (PACKAGE=MODULE for one of "
        "several apps); it is installed under the scenario's package",
    )


def _load_all(
    paths: Sequence[str], console: Console, *, imports: bool = True, app: str | None = None
) -> list[Scenario] | None:
    """Every scenario file under ``paths``, or ``None`` after reporting every bad one (a bad
    file never hides the errors of the others)."""
    from harness.scenario import discover, load, load_once

    files = discover(paths)
    if not files:
        console.print(f"[red]no scenario files found in {_escape(', '.join(paths))}[/red]")
        return None
    scenarios: list[Scenario] = []
    bad = False
    for file in files:
        try:
            if imports:  # as the runs load it: a run in this process does not load it again
                scenarios.append(load_once(str(file), app))
            else:
                loaded = load(file, imports=False)
                scenarios.append(loaded if app is None else loaded.with_app(app))
        except ScenarioError as error:
            console.print(f"[red]✗[/red] {_escape(str(error))}", highlight=False)
            bad = True
        except (Exception, SystemExit) as error:  # a harness bug: still check the other files
            message = f"{type(error).__name__}: {error}"[:500]
            console.print(
                f"[red]✗[/red] {_escape(str(file))}: internal error of harness while checking "
                f"this file ({_escape(message)}); please report it",
                highlight=False,
            )
            bad = True
    return None if bad else scenarios


def _default_out() -> Path:
    return Path("reports") / datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")


def _print_result(
    console: Console, scenario: Scenario, records: Sequence[RunRecord], app: str | None = None
) -> None:
    from harness.scenario import failed_summary

    failed = [record for record in records if not record.passed]
    if not failed:
        console.print(
            f"[green]✓[/green] {_escape(scenario.name)}  {len(records)}/{len(records)} seeds pass",
            highlight=False,
        )
        return
    console.print(
        f"[red]✗[/red] {_escape(scenario.name)}  {len(failed)}/{len(records)} seeds fail",
        highlight=False,
    )
    for note in failed[0].notes:
        console.print(f"  {note}", highlight=False, markup=False)
    for line in failed_summary(failed[0]):
        console.print(f"  {line}", highlight=False, markup=False)
    again = failed[0].replay_command() + (f" --app {app}" if app is not None else "")
    console.print(f"  replay: {again}", highlight=False, markup=False)


@contextmanager
def _start_up_imports() -> Iterator[None]:
    """The first import of the simulation's modules, with the cyclic garbage collector paused
    and what they built frozen afterwards (``gc.freeze``): modules, classes and functions live
    as long as the process, so the collections their ~100,000 objects would trigger while they
    load, and every later full collection's walk over them (the interpreter's collections at
    exit were about a fifth of a one-hour run's CPU time), find nothing to free. Once per
    process (a later command in the same process, as in tests, imports nothing new and freezes
    nothing); a collector the caller disabled stays disabled."""
    if "harness.scenario._runner" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _command_run(args: argparse.Namespace, console: Console) -> int:
    with _start_up_imports():
        # imported now, not after Ctrl-C: the partial report must be written at once
        from harness.report import Timelines, write_report
        from harness.scenario import Job, run_many, trace_location
        from harness.sim import real_perf_counter

    scenarios = _load_all(args.paths, console, app=args.app)
    if scenarios is None:
        return EXIT_USAGE
    out = Path(args.out) if args.out else _default_out()
    fleets = [scenario for scenario in scenarios if scenario.spec.population is not None]
    if (fleets or args.devices is not None) and args.app is not None:
        console.print("[red]--app does not apply to fleets (a 'population:' section)[/red]")
        return EXIT_USAGE
    if fleets or args.devices is not None:
        from harness._cli_fleet import run_fleets

        if args.baseline is not None:
            console.print("--baseline compares scenario reports; fleets are not compared yet")
            return EXIT_USAGE
        return run_fleets(args, console, scenarios, out)
    jobs: list[Job] = []
    #: each file's lowest seed: the report shows its run when it passes (others only if they fail)
    first_seeds: dict[str, int] = {}
    for scenario in scenarios:
        if args.seed is not None:
            seeds = [args.seed]
        elif args.seeds is not None:
            if args.seeds < 1:
                console.print("[red]--seeds must be at least 1[/red]")
                return EXIT_USAGE
            seeds = list(range(args.seeds))
        else:
            seeds = list(range(scenario.spec.seeds))
        for seed in seeds:
            trace = out / trace_location(scenario.path, seed)
            jobs.append(Job(scenario.path, seed, str(trace), app=args.app))
        first_seeds[scenario.path] = min(seeds)
    began = real_perf_counter()
    finished: list[RunRecord] = []
    records: list[RunRecord] = []
    stopped: _Interrupted | None = None
    # index.html's timelines, drawn as runs finish: with a pool, while the workers run the
    # others rather than after the last run (the report would otherwise draw them all then)
    drawn = Timelines(out)
    with _progress(len(jobs)) as advance:

        def done(record: RunRecord) -> None:
            finished.append(record)
            advance()
            if not record.passed or record.seed == first_seeds.get(record.path):
                drawn.draw(_relative_trace(record, out))

        try:
            records = run_many(jobs, workers=args.workers, on_done=done)
        except KeyboardInterrupt as interrupt:  # the workers are gone (run_many ended them)
            stopped = _Interrupted.of(interrupt)
    if stopped is not None:
        return _report_interrupted(console, out, jobs, finished, stopped)
    relative = [_relative_trace(record, out) for record in records]
    index = write_report(
        out, relative, created_at=datetime.now(UTC).isoformat(timespec="seconds"), drawn=drawn
    )
    for scenario in scenarios:
        _print_result(console, scenario, [r for r in relative if r.path == scenario.path], args.app)
    elapsed = real_perf_counter() - began
    console.print(f"{len(records)} runs in {elapsed:.1f} s · report: {index}", highlight=False)
    code = EXIT_OK if all(record.passed for record in records) else EXIT_FAILED
    if args.baseline is not None:
        from harness._cli_report import compare_into

        compared = compare_into(out, args.baseline, args.tolerance, console)
        code = EXIT_USAGE if compared == EXIT_USAGE else max(code, compared)
    return code


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr while ``total`` runs go (none for a single run); yields the
    function that counts one run done."""
    if total < 2:
        yield lambda: None
        return
    from harness._cli_fleet import progress_bar

    with progress_bar("running scenarios", total) as update:
        yield lambda: update(advance=1)


def _report_interrupted(
    console: Console,
    out: Path,
    jobs: Sequence[Job],
    finished: Sequence[RunRecord],
    stopped: _Interrupted,
) -> int:
    """After SIGINT/SIGTERM: drop the traces of runs that did not finish, write the partial
    report of those that did, print one line, and return 128 + the signal number."""
    from harness.report import Interruption, write_report

    done = {(record.path, record.seed) for record in finished}
    for job in jobs:
        if (job.path, job.seed) not in done and job.trace_path is not None:
            Path(job.trace_path).unlink(missing_ok=True)
    interruption = Interruption(stopped.name, len(finished), len(jobs))
    records = sorted(finished, key=lambda record: (record.path, record.seed))
    relative = [_relative_trace(record, out) for record in records]
    try:
        index = write_report(
            out,
            relative,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            interrupted=interruption,
            timelines=False,  # drawing them reads traces for seconds; `harness report` can
        )
    except KeyboardInterrupt:
        console.print(f"{interruption.describe()}; interrupted again: no report", markup=False)
        return stopped.exit_code
    console.print(f"{interruption.describe()} · partial report: {index}", markup=False)
    return stopped.exit_code


def _relative_trace(record: RunRecord, out: Path) -> RunRecord:
    from dataclasses import replace

    if record.trace_path is None:
        return record
    path = Path(record.trace_path)
    try:
        return replace(record, trace_path=path.relative_to(out).as_posix())
    except ValueError:
        return record


def _describe(record: TraceRecord) -> str:
    fields = {k: v for k, v in record.fields.items() if k not in ("traceback", "tags")}
    if record.kind == "http.request":
        outcome = fields.get("status") or fields.get("error")
        took = fields.get("duration_ms")
        return f"{fields.get('method')} {fields.get('url')} -> {outcome} ({took} ms)"
    if record.kind.startswith("work."):
        worker = str(fields.get("worker", "")).rsplit(".", 1)[-1]
        extra = fields.get("stop_reason") or fields.get("result") or fields.get("state") or ""
        return f"{worker} {str(fields.get('id', ''))[:8]} {extra}".strip()
    return ", ".join(f"{k}={v}" for k, v in fields.items())


def _command_replay(args: argparse.Namespace, console: Console) -> int:
    from harness.scenario import load, trace_file

    try:
        scenario = load(args.path)
        if args.app is not None:
            scenario = scenario.with_app(args.app)
    except ScenarioError as error:
        console.print(f"[red]✗[/red] {_escape(str(error))}", highlight=False)
        return EXIT_USAGE
    out = Path(args.out) if args.out else None
    # The trace streams to a file, not into memory (a replayed device-year peaks where a month
    # does): --out's, or a temporary one, read back to print the timeline.
    with trace_file(out / "trace.jsonl" if out else None) as trace_path:
        return _replay(args, console, scenario, out, trace_path)


def _replay(
    args: argparse.Namespace,
    console: Console,
    scenario: Scenario,
    out: Path | None,
    trace_path: Path,
) -> int:
    from harness._units import format_t_ms
    from harness.scenario import TIMELINE_KINDS, run_scenario

    heading = f"{scenario.name} · seed {args.seed}"
    if args.device is not None or scenario.spec.population is not None:
        from harness._cli_fleet import replay_device

        replayed = replay_device(args, console, scenario, trace_path)
        if replayed is None:
            return EXIT_USAGE
        result, heading = replayed
    else:
        result = run_scenario(scenario, args.seed, trace_path=trace_path, keep_trace=False)
    record = result.record
    header = heading
    if record.versions:
        header += f" · {record.describe_versions()}"
    console.print(header, highlight=False, markup=False)
    for line in () if result.life is None else result.life.summary_lines():
        console.print(f"  {line}", highlight=False, markup=False)
    shown = 0
    for trace_record in result.trace:
        if not args.all and not trace_record.kind.startswith(TIMELINE_KINDS):
            continue
        console.print(
            f"  t={format_t_ms(trace_record.t_ms)}  {trace_record.kind:<24} "
            f"{_describe(trace_record)}",
            highlight=False,
            markup=False,
        )
        shown += 1
    for check in record.checks:
        mark = "[green]✓[/green]" if check.passed else "[red]✗[/red]"
        at = f" (t={format_t_ms(check.t_ms)})" if check.t_ms is not None else ""
        console.print(
            f"{mark} {_escape(check.spec)}: {_escape(check.message)}{_escape(at)}", highlight=False
        )
    if record.error:
        console.print(f"[red]run error:[/red] {_escape(record.error)}", highlight=False)
    console.print(f"digest {record.digest}", highlight=False)
    if out is not None:
        from harness.report import write_report

        relative = _relative_trace(record, out)
        write_report(out, [relative], created_at=datetime.now(UTC).isoformat(timespec="seconds"))
    return EXIT_OK if record.passed else EXIT_FAILED


def _command_validate(args: argparse.Namespace, console: Console) -> int:
    scenarios = _load_all(args.paths, console, imports=args.imports)
    if scenarios is None:
        return EXIT_USAGE
    for scenario in scenarios:
        console.print(
            f"[green]✓[/green] {_escape(scenario.path)}: {_escape(scenario.name)} "
            f"({len(scenario.schedule)} "
            f"timeline actions, {len(scenario.checks)} checks)",
            highlight=False,
        )
    return EXIT_OK


def _list_trace_kinds(console: Console) -> int:
    import harness.demo
    import harness.flutter  # imported by the apps that use it; its kinds are listed anyway
    import harness.report  # registered_trace_kinds() imports every layer's declared kinds
    from harness.sim import registered_trace_kinds

    _ = (harness.demo, harness.flutter, harness.report)  # imported for their registrations
    for spec in registered_trace_kinds().values():
        meaning = _escape(spec.meaning.replace("``", ""))
        console.print(f"[bold]{spec.kind}[/bold]  {meaning}", highlight=False)
        for item in spec.fields:
            optional = "" if item.required else "  (optional)"
            console.print(f"    {item.name}: {item.type_text}{optional}", markup=False)
    console.print("fields, types and meanings: docs/trace.md", highlight=False)
    return EXIT_OK


def _command_list(args: argparse.Namespace, console: Console) -> int:
    from harness._units import format_t_ms

    if args.trace_kinds:
        return _list_trace_kinds(console)
    if not args.paths:
        console.print("harness list: give scenario PATHs, or --trace-kinds", highlight=False)
        return EXIT_USAGE
    scenarios = _load_all(args.paths, console)
    if scenarios is None:
        return EXIT_USAGE
    for scenario in scenarios:
        apps = ", ".join(app.package for app in scenario.apps)
        console.print(
            f"{_escape(scenario.path)}: [bold]{_escape(scenario.name)}[/bold] ({_escape(apps)}; "
            f"{format_t_ms(scenario.spec.duration)}; {scenario.spec.seeds} seeds)",
            highlight=False,
        )
        for check in scenario.checks:
            console.print(f"  - {check.spec}", highlight=False, markup=False)
    return EXIT_OK


def _command_report(args: argparse.Namespace, console: Console) -> int:
    if args.baseline is not None:
        from harness._cli_report import command_report_baseline

        return command_report_baseline(args, console)
    from harness.report import rerender

    try:
        index = rerender(args.directory)
    except (FileNotFoundError, ValueError) as error:  # ValueError: not a summary.json we wrote
        console.print(f"[red]{_escape(str(error))}[/red]", highlight=False)
        return EXIT_USAGE
    console.print(f"report: {index}", highlight=False)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``harness`` console command; returns the process exit code."""
    from harness._cli_why import parse_args

    parser = _build_parser()
    args = parse_args(parser, argv)
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # scenario files name app modules of the project
    console = _console()
    signals = _Signals()
    try:
        with signals.installed():
            code = _dispatch(parser, args, console)
    except BaseException as error:
        # a signal received ends the command whatever Python made of it (see _Signals)
        stopped = signals.received
        if stopped is None:
            if not isinstance(error, KeyboardInterrupt):
                raise
            stopped = _Interrupted.of(error)
    else:
        stopped = signals.received
        if stopped is None or code == stopped.exit_code:  # none, or the command reported it
            return code
    console.print(f"interrupted ({stopped.name})", markup=False)
    return stopped.exit_code


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, console: Console) -> int:
    if args.command == "run":
        return _command_run(args, console)
    if args.command == "validate":
        return _command_validate(args, console)
    if args.command == "replay":
        return _command_replay(args, console)
    if args.command == "list":
        return _command_list(args, console)
    if args.command == "report":
        return _command_report(args, console)
    if args.command == "why":
        from harness._cli_why import command_why

        return command_why(args, console)
    if args.command == "fuzz":
        from harness._cli_fuzz import run_fuzz

        return run_fuzz(args, console)
    if args.command == "demo":
        from harness.demo import run_demo

        run_demo(args.seed)
        return EXIT_OK
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
