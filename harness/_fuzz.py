"""Swarm testing around a scenario (``harness fuzz``): draw, run, shrink, save distinct failures.

Each example draws a run seed, which device event kinds and server fault kinds are enabled (swarm
testing: a run with only kills and outages finds what a run diluted by every kind of event
misses), and a timeline and faults from the enabled kinds, over the scenario's first two thirds;
at the start of the last third the phone is put back to normal (networks on, battery reset, out
of forced idle, the app opened), so every check that must hold whatever the phone and server did
(:data:`ROBUST_CHECKS`) has had its chance. The scenario's own timeline stays.

Hypothesis drives the search and does the shrinking: a failing example shrinks to fewer events,
earlier times, milder faults and seed 0. Failures are distinct by the checks that failed, and for
a crash by the exception's type and the line that raised it. The search goes in rounds, each a
fresh hypothesis run with a seed derived from the session's: a round ends at its first new
failure, shrinks it, and the next round treats that failure as known (a pass), so each distinct
failure is shrunk once. With ``--seed`` and ``--examples`` a session is reproducible: examples,
not seconds, bound it (a ``--budget`` only cuts it short).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from harness._swarm import FuzzExample, settle_ms, swarm_examples, swarm_kinds
from harness.scenario import RunRecord, RunResult, Scenario, load_data, run_scenario
from harness.sim import real_perf_counter

__all__ = [
    "ROBUST_CHECKS",
    "FuzzExample",
    "FuzzFailure",
    "FuzzSession",
    "failure_key",
    "fuzz",
    "settle_ms",
    "swarm_examples",
    "swarm_kinds",
]

#: Checks that must hold whatever the phone and the servers do, once the phone is back to normal:
#: the ones fuzzing keeps. Timing checks (``synced_within``, ``max_staleness``, per-hour limits,
#: battery, ``min_successful_runs``) fail by design under a drawn week of outages.
ROBUST_CHECKS: Final = frozenset(
    {
        "custom",
        "honours_retry_after",
        "no_crashes",
        "no_data_lost",
        "no_duplicate_uploads",
        "no_unmatched_requests",
        "responses_processed",
    }
)


class _BudgetSpent(BaseException):
    """The session's time budget ran out (a ``BaseException``, so hypothesis lets it through)."""


@dataclass(frozen=True, slots=True)
class FuzzFailure:
    """A distinct failure, shrunk: its key, the example, what failed, where it was saved."""

    key: str
    example: FuzzExample
    lines: tuple[str, ...]
    digest: str
    #: How many examples the session had run when this failure first showed.
    found_after: int = 0
    path: Path | None = None
    #: The failing run's record (its checks, error and digest).
    record: RunRecord | None = field(default=None, repr=False, compare=False)

    def replay_command(self) -> str:
        """The ``harness replay`` command that re-runs the saved file."""
        return f"harness replay {self.path} --seed {self.example.seed}"


@dataclass
class FuzzSession:
    """What a session has done so far (read by the progress line and the summary)."""

    scenario: Scenario
    #: The scenario's data the examples are drawn around (its kept checks only).
    base: Mapping[str, Any]
    checks: tuple[str, ...]
    skipped_checks: tuple[str, ...]
    examples: int = 0
    rounds: int = 0
    failures: list[FuzzFailure] = field(default_factory=list)
    #: Why the search ended: ``"examples"`` (all it was allowed), ``"failures"`` (as many as
    #: it was to find), ``"budget"`` (time) or
    #: ``"interrupted"`` (Ctrl-C or SIGTERM: the signal is in :attr:`interrupt`).
    stopped: str | None = None
    interrupt: KeyboardInterrupt | None = None


class _Found(AssertionError):
    """An example failed in a way not seen before in this session."""

    def __init__(self, key: str, example: FuzzExample, result: RunResult) -> None:
        super().__init__(key)
        self.key = key
        self.example = example
        self.result = result


_FOUND_TYPES: dict[str, type[_Found]] = {}


def _found_type(key: str) -> type[_Found]:
    """A :class:`_Found` subclass per failure key: hypothesis tells failures apart by exception
    type and place, so each distinct failure keeps its own identity while it shrinks."""
    if key not in _FOUND_TYPES:
        name = "Found_" + hashlib.sha256(key.encode()).hexdigest()[:12]
        _FOUND_TYPES[key] = type(name, (_Found,), {})
    return _FOUND_TYPES[key]


def _run_example(
    scenario: Scenario, base: Mapping[str, Any], example: FuzzExample, settle_ms: int
) -> RunResult:
    times = [event.at for event in scenario.spec.timeline]
    data = example.scenario_data(base, times, settle_ms=settle_ms)
    return run_scenario(load_data(data, file=scenario.path), example.seed, explain=False)


def failure_key(result: RunResult) -> str | None:
    """What makes a failure distinct: the failed checks, and for a crash or a run error the
    exception type and the file and line that raised it; ``None`` when the run passed."""
    record = result.record
    if record.passed and record.error is None:
        return None
    # two custom checks are two different checks: their spec names the function
    parts = [check.spec if check.name == "custom" else check.name for check in record.failed_checks]
    if record.error is not None:
        parts.append(f"error {_exception_of(record.error, '')}")
    if "no_crashes" in parts:
        for trace_record in result.trace:
            if trace_record.kind in _CRASH_KINDS:
                error = str(trace_record.fields.get("error", ""))
                traceback = str(trace_record.fields.get("traceback") or "")
                parts[parts.index("no_crashes")] = f"no_crashes {_exception_of(error, traceback)}"
                break
    return ", ".join(parts)


#: Records of app code that raised (what ``no_crashes`` counts), with the error and traceback.
_CRASH_KINDS: Final = ("app.crash", "flutter.task_error", "sim.task_error", "work.failed")
_FRAME_RE: Final = re.compile(r'File "([^"]+)", line (\d+)')


def _exception_of(error: str, traceback: str) -> str:
    """``KeyError at outbox.py:88``: the type before the message, the last frame's place."""
    kind = error.partition(":")[0].strip() or "error"
    frames = _FRAME_RE.findall(traceback)
    if not frames:
        return kind
    file, line = frames[-1]
    return f"{kind} at {Path(file).name}:{line}"


def fuzz(
    scenario: Scenario,
    *,
    seed: int = 0,
    max_examples: int | None = None,
    budget_s: float | None = None,
    checks: Sequence[str] | None = None,
    kinds: Collection[str] | None = None,
    max_failures: int | None = None,
    invariants: Mapping[str, Callable[[RunResult], str | None]] | None = None,
    on_example: Callable[[FuzzSession], None] | None = None,
    on_failure: Callable[[FuzzSession, FuzzFailure], None] | None = None,
    clock: Callable[[], float] = real_perf_counter,
) -> FuzzSession:
    """Search for distinct failures of ``scenario``'s checks under drawn lives; shrink each.

    ``max_failures`` ends the search once that many distinct failures are found.
    ``kinds`` limits what the swarm draws (:func:`swarm_kinds`; default: all of it).
    ``checks`` names the checks kept (default: the scenario's :data:`ROBUST_CHECKS`);
    ``invariants`` are more, in Python, over the live result (e.g. the app's storage against the
    server's state): each returns what is wrong, or ``None``. The search
    ends after ``max_examples`` examples in all (shrinking included), when ``budget_s`` real
    seconds have passed, or on Ctrl-C (a ``KeyboardInterrupt``, kept in the session's
    ``interrupt``; a failure being shrunk is kept as shrunk so far). ``on_failure`` is called as
    each failure is shrunk.
    """
    wanted = set(checks) if checks is not None else ROBUST_CHECKS
    kept = [entry for entry in scenario.data.get("checks") or () if _check_name(entry) in wanted]
    base = {**scenario.data, "checks": kept}
    session = FuzzSession(
        scenario,
        base,
        tuple(check.spec for check in scenario.checks if check.name in wanted),
        tuple(check.spec for check in scenario.checks if check.name not in wanted),
    )
    settle = settle_ms(scenario)
    known: set[str] = set()
    started = clock()
    limit = max_examples if max_examples is not None else 10**9

    pending: list[tuple[str, FuzzExample, RunResult]] = []  # this round's smallest new failure
    first_seen: list[int] = []  # when this round first failed

    def record(key: str, example: FuzzExample, result: RunResult) -> None:
        known.add(key)
        failure = FuzzFailure(
            key,
            example,
            _failure_lines(result),
            result.record.digest,
            first_seen[0],
            record=result.record,
        )
        session.failures.append(failure)
        if on_failure is not None:
            on_failure(session, failure)

    def run_one(example: FuzzExample) -> None:
        if budget_s is not None and clock() - started > budget_s:
            session.stopped = "budget"
            raise _BudgetSpent
        if session.examples >= limit:
            session.stopped = "examples"
            raise _BudgetSpent
        result = _run_example(scenario, base, example, settle)
        session.examples += 1
        if on_example is not None:
            on_example(session)
        key = failure_key(result)
        broken = [
            (name, problem)
            for name, invariant in (invariants or {}).items()
            if (problem := invariant(result)) is not None
        ]
        if broken:
            key = ", ".join([*([key] if key else []), *(f"invariant {name}" for name, _ in broken)])
            result = _with_problems(result, broken)
        if key is not None and key not in known:
            # the shrinker only tries smaller examples: the last new failure is its best so far
            pending[:] = [(key, example, result)]
            first_seen[:] = first_seen or [session.examples]
            raise _found_type(key)(key, example, result)

    strategy = swarm_examples(scenario, kinds)
    while session.stopped is None:
        session.rounds += 1
        pending.clear()
        first_seen.clear()
        round_seed = int.from_bytes(
            hashlib.sha256(f"{seed}:{session.rounds}".encode()).digest()[:8], "big"
        )
        test = settings(
            max_examples=max(1, limit - session.examples),
            deadline=None,
            database=None,
            derandomize=False,
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )(hypothesis_seed(round_seed)(given(strategy)(run_one)))
        try:
            test()
        except (_BudgetSpent, KeyboardInterrupt) as stop:
            if pending:  # cut short while shrinking: keep the smallest example so far
                record(*pending[0])
            if isinstance(stop, KeyboardInterrupt):
                session.stopped, session.interrupt = "interrupted", stop
            break
        except _Found as found:
            record(found.key, found.example, found.result)
            if max_failures is not None and len(session.failures) >= max_failures:
                session.stopped = "failures"
        else:
            session.stopped = "examples"  # hypothesis ran every example it was allowed
    return session


def _with_problems(result: RunResult, broken: Sequence[tuple[str, str]]) -> RunResult:
    """``result`` whose record also fails a check per broken invariant."""
    from dataclasses import replace

    from harness.scenario import CheckResult

    extra = tuple(
        CheckResult(f"invariant {name}", f"invariant {name}", False, problem)
        for name, problem in broken
    )
    record = replace(result.record, checks=(*result.record.checks, *extra))
    return replace(result, record=record)


def _check_name(entry: Any) -> str:
    """The name of a ``checks:`` entry (``no_crashes`` or ``{synced_within: 2h}``)."""
    return str(entry) if not isinstance(entry, Mapping) else str(next(iter(entry), ""))


def _failure_lines(result: RunResult) -> tuple[str, ...]:
    record = result.record
    lines = [f"{check.spec}: {check.message}" for check in record.failed_checks]
    lines.extend(detail for check in record.failed_checks for detail in check.details[:3])
    if record.error is not None:
        lines.append(f"run error: {record.error}")
    return tuple(lines)
