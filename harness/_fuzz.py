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
from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_MINUTE, format_duration_ms
from harness.scenario import RunRecord, RunResult, Scenario, load_data, run_scenario
from harness.sim import real_perf_counter
from harness.strategies import DEVICE_EVENTS, FAULT_KINDS, lives, server_faults, timelines

__all__ = [
    "ROBUST_CHECKS",
    "BudgetSpent",
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

#: What puts the phone back to normal after each kind of drawn event (applied, for the kinds the
#: example used, when the drawn part of the timeline ends).
_RESTORE: Final = (
    ("airplane-mode enable", "adb shell cmd connectivity airplane-mode disable"),
    ("svc wifi disable", "adb shell svc wifi enable"),
    ("svc data disable", "adb shell svc data enable"),
    ("dumpsys battery", "adb shell dumpsys battery reset"),
    ("deviceidle force-idle", "adb shell dumpsys deviceidle unforce"),
)
#: Events after which the app only runs again once the user opens it.
_NEEDS_OPEN: Final = ("force-stop", "swipe away", "kill app", "reboot", "KEYCODE_POWER")
_MAX_EVENTS: Final = 12
_MAX_FAULTS: Final = 3
_MAX_RUN_SEED: Final = 2**16 - 1


class BudgetSpent(BaseException):
    """The session's time budget ran out (a ``BaseException``, so hypothesis lets it through)."""


@dataclass(frozen=True, slots=True)
class FuzzExample:
    """One drawn example: a run seed, the drawn events and faults, and the swarm's kinds."""

    seed: int
    events: tuple[Mapping[str, Any], ...]
    faults: tuple[Mapping[str, Any], ...]
    enabled: tuple[str, ...]
    #: A drawn ``life:`` (a preset name or a preset with ranges), or ``None``.
    life: str | Mapping[str, Any] | None = None

    def scenario_data(
        self, base: Mapping[str, Any], base_times: Sequence[int | None], *, settle_ms: int
    ) -> dict[str, Any]:
        """``base`` (a scenario's data, its timeline's ``at`` times in ``base_times``) with the
        drawn events, the restore at ``settle_ms`` and the faults added; the timeline stays in
        time order, the base's events first at equal times."""
        used = " | ".join(str(event["do"]) for event in self.events)
        restore = [do for marker, do in _RESTORE if marker in used]
        if restore or any(marker in used for marker in _NEEDS_OPEN):
            restore.append("open app")
        at = format_duration_ms(settle_ms)
        added = [
            *((_minutes(str(event["at"])) * MS_PER_MINUTE, event) for event in self.events),
            *((settle_ms, {"at": at, "do": do}) for do in restore),
        ]
        timeline: list[Any] = []
        for event, t_ms in zip(base.get("timeline", ()), base_times, strict=True):
            while added and t_ms is not None and added[0][0] < t_ms:
                timeline.append(added.pop(0)[1])
            timeline.append(event)
        timeline.extend(event for _, event in added)
        data: dict[str, Any] = {**base, "timeline": timeline, "seeds": 1}
        if self.life is not None:
            data["life"] = self.life
        if self.faults:
            backend = dict(base.get("backend") or {})
            backend["faults"] = [*backend.get("faults", ()), *self.faults]
            data["backend"] = backend
        return data


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
    return run_scenario(load_data(data, file=scenario.path), example.seed)


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


def settle_ms(scenario: Scenario) -> int:
    """Where the drawn part ends: two thirds into the run, on a whole minute."""
    return scenario.spec.duration * 2 // 3 // MS_PER_MINUTE * MS_PER_MINUTE


def _app_actions(base: Mapping[str, Any]) -> tuple[str, ...]:
    """The scenario's own ``app ...`` actions, once each: the user edits the fuzzer may add."""
    seen: dict[str, None] = {}
    for event in base.get("timeline", ()):
        action = event.get("do") if isinstance(event, Mapping) else None
        if isinstance(action, str) and action.startswith("app "):
            seen.setdefault(action)
    return tuple(seen)


def swarm_kinds(scenario: Scenario) -> tuple[str, ...]:
    """What a swarm may enable around ``scenario``: device events, the scenario's own app
    actions, fault kinds and (for a scenario without one) a drawn ``life``."""
    life = ("life",) if "life" not in scenario.data and scenario.spec.population is None else ()
    return (*DEVICE_EVENTS, *_app_actions(scenario.data), *FAULT_KINDS, *life)


def swarm_examples(
    scenario: Scenario, kinds: Collection[str] | None = None
) -> st.SearchStrategy[FuzzExample]:
    """Examples around ``scenario``: the swarm's kinds (device events, the scenario's own app
    actions, fault kinds, a drawn life), then events and faults of those kinds inside the
    drawn part of the run; ``kinds`` limits the swarm to some of :func:`swarm_kinds`. All
    shrink: fewer kinds, fewer, earlier and milder events, no life."""
    actions = _app_actions(scenario.data)
    possible = swarm_kinds(scenario)
    unknown = sorted(set(kinds or ()) - set(possible))
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)}: not a kind the swarm can draw here; choose from "
            f"{', '.join(possible)}"
        )
    kinds = tuple(kind for kind in possible if kinds is None or kind in kinds)
    settle = settle_ms(scenario)
    days = max(1, -(-settle // MS_PER_DAY))
    # times are drawn over whole days and scaled into the drawn part of the run
    scale = settle / (days * MS_PER_DAY)

    @st.composite
    def draw_example(draw: st.DrawFn) -> FuzzExample:
        # a swarm of one kind has nothing to choose: that kind is on
        on = (
            [True] * len(kinds)
            if len(kinds) == 1
            else draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
        )
        enabled = tuple(kind for kind, flag in zip(kinds, on, strict=True) if flag)
        device = [kind for kind in enabled if kind in DEVICE_EVENTS]
        app = tuple(kind for kind in enabled if kind in actions)
        events: list[dict[str, Any]] = []
        if device or app:
            drawn = draw(
                timelines(days=days, max_events=_MAX_EVENTS, events=device, app_actions=app)
            )
            if drawn and drawn[0] == {"at": "0s", "do": "open app"}:
                drawn = drawn[1:]  # the walk's start: the scenario opens the app itself
            events = [{**event, "at": _scaled(event["at"], scale)} for event in drawn]
        fault_kinds = [kind for kind in FAULT_KINDS if kind in enabled]
        faults: list[dict[str, Any]] = []
        if fault_kinds:
            drawn_faults = draw(server_faults(days=days, max_faults=_MAX_FAULTS, kinds=fault_kinds))
            faults = [
                clipped
                for fault in drawn_faults
                if (clipped := _clip_fault(fault, scale, settle)) is not None
            ]
        life = draw(lives()) if "life" in enabled else None
        run_seed = draw(st.integers(min_value=0, max_value=_MAX_RUN_SEED))
        return FuzzExample(run_seed, tuple(events), tuple(faults), enabled, life)

    return draw_example()


def _clip_fault(fault: Mapping[str, Any], scale: float, settle: int) -> dict[str, Any] | None:
    """``fault`` scaled into the drawn part of the run and ended by ``settle`` (``None`` when
    nothing of it is left)."""
    start = int(_minutes(fault["at"]) * scale)
    minutes = min(max(1, int(_minutes(fault["for"]) * scale)), settle // MS_PER_MINUTE - start)
    if minutes < 1:
        return None
    at = format_duration_ms(start * MS_PER_MINUTE) if start else "0s"
    return {**fault, "at": at, "for": format_duration_ms(minutes * MS_PER_MINUTE)}


def _scaled(text: str, scale: float) -> str:
    """A drawn ``at`` time scaled by ``scale``, in whole minutes."""
    minutes = int(_minutes(text) * scale)
    return format_duration_ms(minutes * MS_PER_MINUTE) if minutes else "0s"


def _minutes(text: str) -> int:
    from harness._units import parse_duration

    return 0 if text == "0s" else parse_duration(text) // MS_PER_MINUTE


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
            raise BudgetSpent
        if session.examples >= limit:
            session.stopped = "examples"
            raise BudgetSpent
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
        except (BudgetSpent, KeyboardInterrupt) as stop:
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
