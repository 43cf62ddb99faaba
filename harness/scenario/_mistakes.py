"""Checks for classic background-sync mistakes, and the probe that watches a run for them.

===================================  ============================================================
``unique_name_shared``               no unique work name held both one-time and periodic work (a
                                     one-off enqueued with KEEP under the periodic's name is
                                     dropped without a word: ``EnqueueRunnable`` finds the name
                                     ENQUEUED and does nothing)
``network_needs_constraint``         no work without a network constraint made an HTTP request
                                     (it would run, and fail, offline: ``Constraints`` default
                                     ``NetworkType.NOT_REQUIRED``)
``requests_awaited``                 no request was cut off because a Flutter background task
                                     returned before awaiting it (the engine is destroyed when
                                     the task's future completes: ``BackgroundWorker``)
``periodic_interval_allowed``        no periodic work asked for an interval under 15 min or a
                                     flex under 5 min (WorkManager clamps it with only a log
                                     line: ``WorkSpec.setPeriodic``; the run's notes say so, this
                                     check fails on it)
``max_attempts_per_work: N``         no work ran more than N attempts in a row (run attempt count)
``max_retries_per_hour: N``          no hour saw more than N requests repeating a request that
                                     had just failed (same method and URL after an error, a 5xx
                                     or a 429): an unbounded retry storm
===================================  ============================================================

The probe (:class:`MistakeProbe`) watches a run as it goes, without writing a trace record: it
subscribes to the trace, observes each WorkManager's enqueues (``enqueue_observers``) and reads
which work a request was made by (:func:`~harness.app.current_work_id`). The runner attaches it
only when a scenario names one of these checks, so other runs pay nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from harness._units import MS_PER_HOUR, format_t_ms
from harness.app import current_work_id
from harness.scenario._fold import MAX_DETAILS
from harness.scenario._record import CheckResult
from harness.sim import TraceRecord
from harness.workmanager import NetworkType, WorkRequest

if TYPE_CHECKING:
    from harness.scenario._checks import Check, RunView
    from harness.scenario._fold import RunFold
    from harness.scenario._world import World

#: The start of an HTTP error when the caller was cancelled under its request.
_CUT_PREFIX: Final = "cancelled: the caller"
#: The WorkManager warning of a clamped periodic interval or flex (``_request.py``).
_PERIODIC_CLAMP_WORDS: Final = ("periodic interval", "flex")


@dataclass(frozen=True, slots=True)
class _Work:
    worker: str
    periodic: bool
    needs_network: bool


@dataclass(slots=True)
class _Name:
    kinds: dict[str, int] = field(default_factory=dict)  # "periodic"/"one-time" -> first t_ms
    dropped: list[tuple[int, str]] = field(default_factory=list)


class MistakeProbe:
    """What the mistake checks need, gathered while the run goes (see the module docs)."""

    def __init__(self) -> None:
        self._world: World | None = None
        self._works: dict[str, _Work] = {}
        self._names: dict[str, _Name] = {}
        #: ``(t_ms, text)`` of requests made by work with no network constraint
        self.unconstrained: list[tuple[int, str]] = []
        #: ``(t_ms, text)`` of requests cut when their Flutter task returned without them
        self.unawaited: list[tuple[int, str]] = []
        self._handler_done: dict[str, int] = {}
        #: the highest run attempt count per worker class, and when it was reached
        self.attempts: dict[str, tuple[int, int]] = {}
        self.retries_per_hour: Counter[int] = Counter()
        self._last_failed: set[tuple[str, str, str]] = set()
        self._handlers: dict[str, Callable[[TraceRecord], None]] = {
            "app.process_started": self._process_started,
            "http.request": self._http_request,
            "flutter.engine_destroyed": self._engine_destroyed,
            "work.not_enqueued": self._not_enqueued,
            "work.started": self._work_started,
        }

    def attach(self, world: World) -> None:
        """Watch ``world`` from now on (before its first process starts)."""
        self._world = world
        world.sim.trace.subscribe(self._feed)

    def _feed(self, record: TraceRecord) -> None:
        handler = self._handlers.get(record.kind)
        if handler is not None:
            handler(record)

    def _process_started(self, record: TraceRecord) -> None:
        assert self._world is not None
        process = self._world.runtime.process(str(record["package"]))
        if process is not None:
            process.work_manager.enqueue_observers.append(self._enqueued)

    def _enqueued(self, name: str | None, requests: Sequence[WorkRequest]) -> None:
        assert self._world is not None
        t_ms = self._world.sim.now_ms
        for request in requests:
            spec = request.work_spec
            network = spec.constraints.required_network_type
            self._works[request.string_id] = _Work(
                spec.worker_class_name.rsplit(".", 1)[-1],
                spec.is_periodic,
                network is not NetworkType.NOT_REQUIRED
                or spec.constraints.required_network_request is not None,
            )
            if name is not None:
                kind = "periodic" if spec.is_periodic else "one-time"
                self._names.setdefault(name, _Name()).kinds.setdefault(kind, t_ms)

    def _not_enqueued(self, record: TraceRecord) -> None:
        name = record.get("unique_name")
        if isinstance(name, str):
            workers = ", ".join(str(w).rsplit(".", 1)[-1] for w in record.get("workers") or ())
            self._names.setdefault(name, _Name()).dropped.append((record.t_ms, workers))

    def _http_request(self, record: TraceRecord) -> None:
        text = f"{record['method']} {record['url']}"
        work_id = current_work_id()
        work = self._works.get(work_id) if work_id is not None else None
        if work is not None and not work.needs_network:
            self.unconstrained.append((record.t_ms, f"{text} by {work.worker}"))
        error = record.get("error")
        package = str(record.get("package"))
        if (
            isinstance(error, str)
            and error.startswith(_CUT_PREFIX)
            and self._handler_done.get(package) == record.t_ms
        ):
            self.unawaited.append((record.t_ms, text))
        key = (package, str(record["method"]), str(record["url"]))
        if key in self._last_failed:
            self.retries_per_hour[record.t_ms // MS_PER_HOUR] += 1
        status = record.get("status")
        failed = bool(error) or (isinstance(status, int) and (status >= 500 or status == 429))
        if failed:
            self._last_failed.add(key)
        else:
            self._last_failed.discard(key)

    def _engine_destroyed(self, record: TraceRecord) -> None:
        if record.get("reason") == "handler_completed" and record.get("cut_off_tasks"):
            self._handler_done[str(record["package"])] = record.t_ms

    def _work_started(self, record: TraceRecord) -> None:
        worker = str(record["worker"]).rsplit(".", 1)[-1]
        count = int(record["run_attempt_count"])
        if count > self.attempts.get(worker, (0, 0))[0]:
            self.attempts[worker] = (count, record.t_ms)

    def shared_names(self) -> list[tuple[str, int, list[tuple[int, str]]]]:
        """``(name, first time both kinds were seen, drops under it)`` of names holding both."""
        return [
            (name, max(facts.kinds.values()), facts.dropped)
            for name, facts in self._names.items()
            if len(facts.kinds) > 1
        ]


def _probe_of(run: RunView) -> MistakeProbe:
    probe = getattr(run, "probe", None)
    if not isinstance(probe, MistakeProbe):
        raise TypeError(
            "this check watches the app while the run goes: it needs a run made by harness's "
            "runner (a scenario's checks, harness.property), not a RunView of your own"
        )
    return probe


def _details(found: Sequence[tuple[int, str]]) -> list[str]:
    return [f"{text} at t={format_t_ms(t_ms)}" for t_ms, text in found[:MAX_DETAILS]]


def _unique_name_shared(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    shared = _probe_of(run).shared_names()
    if not shared:
        return check.ok("no unique name held both one-time and periodic work")
    details = []
    for name, _t_ms, dropped in shared[:MAX_DETAILS]:
        lost = f"; {len(dropped)} enqueue(s) under it dropped (KEEP)" if dropped else ""
        details.append(f"{name!r}: one-time and periodic work{lost}")
    first_name, first_ms, _ = min(shared, key=lambda item: item[1])
    return check.fail(
        f"{len(shared)} unique name(s) held both one-time and periodic work, first "
        f"{first_name!r}: with KEEP the second is dropped silently; give each its own name",
        t_ms=first_ms,
        details=details,
    )


def _network_needs_constraint(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    found = _probe_of(run).unconstrained
    if not found:
        return check.ok("every request from work had a network constraint")
    return check.fail(
        f"{len(found)} request(s) came from work with no network constraint; set "
        "Constraints(required_network_type=NetworkType.CONNECTED) so it waits for a network",
        t_ms=found[0][0],
        details=_details(found),
    )


def _requests_awaited(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    found = _probe_of(run).unawaited
    if not found:
        return check.ok("no request was cut off by its task returning")
    return check.fail(
        f"{len(found)} request(s) were cut off when their background task returned without "
        "awaiting them (the engine is destroyed then); await every request before returning",
        t_ms=found[0][0],
        details=_details(found),
    )


def _periodic_interval_allowed(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    clamped = [
        warning
        for warning in fold.enqueue_warnings
        if any(words in warning for words in _PERIODIC_CLAMP_WORDS)
    ]
    if not clamped:
        return check.ok("every periodic interval and flex was within WorkManager's limits")
    return check.fail(
        f"{len(clamped)} periodic request(s) were clamped by WorkManager: {clamped[0]}",
        details=clamped[:MAX_DETAILS],
    )


def _max_attempts_per_work(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    limit = int(check.argument)
    attempts = _probe_of(run).attempts
    over = sorted(
        (t_ms, worker, count) for worker, (count, t_ms) in attempts.items() if count > limit
    )
    most = max((count for count, _ in attempts.values()), default=0)
    if not over:
        return check.ok(f"at most {most} attempt(s) in a row")
    return check.fail(
        f"{len(over)} worker(s) ran more than {limit} attempts in a row (most: {most}); stop "
        "retrying (Result.failure()) after a bound, or back off longer",
        t_ms=over[0][0],
        details=[f"{worker}: {count} attempts" for _, worker, count in over[:MAX_DETAILS]],
    )


def _max_retries_per_hour(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    limit = int(check.argument)
    counts = _probe_of(run).retries_per_hour
    busiest = max(counts.values(), default=0)
    over = sorted(hour for hour, count in counts.items() if count > limit)
    if not over:
        return check.ok(f"at most {busiest} retried request(s) in any hour")
    return check.fail(
        f"{len(over)} hour(s) had more than {limit} retries of failed requests (busiest: "
        f"{busiest}): a retry storm; back off (and honour Retry-After) between attempts",
        t_ms=over[0] * MS_PER_HOUR,
        details=[
            f"hour from t={format_t_ms(hour * MS_PER_HOUR)}: {counts[hour]} retries"
            for hour in over[:MAX_DETAILS]
        ],
    )


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a whole number >= 0")
    return value


_Evaluate = Callable[["Check", "RunView", "RunFold"], CheckResult]
#: name -> (evaluate, argument parser or None for no argument)
MISTAKE_CHECKS: Final[dict[str, tuple[_Evaluate, Callable[[Any], Any] | None]]] = {
    "unique_name_shared": (_unique_name_shared, None),
    "network_needs_constraint": (_network_needs_constraint, None),
    "requests_awaited": (_requests_awaited, None),
    "periodic_interval_allowed": (_periodic_interval_allowed, None),
    "max_attempts_per_work": (_max_attempts_per_work, _count),
    "max_retries_per_hour": (_max_retries_per_hour, _count),
}
#: The checks that need a :class:`MistakeProbe` watching the run.
PROBED_CHECKS: Final = frozenset(MISTAKE_CHECKS) - {"periodic_interval_allowed"}
