"""Checks: invariants a run must satisfy, evaluated on its trace and its servers.

Built-in checks (scenario ``checks:`` entries; ``name`` or ``name: argument``):

========================  =====================================================================
``responses_processed``   no HTTP request was cut off before its response reached the app (a
                          worker stopped, or a Flutter engine destroyed, under it); a request
                          cut because the app's process died (kill, reboot), or because the
                          network it used went away at that instant, does not count
``honours_retry_after``   after a 429, the app never came back before its ``Retry-After``
``max_staleness: T``      the app never went longer than T without a successful fetch (GET
                          answered 2xx or 304), counted from the start of the run to its end
``synced_within: T``      every item the user created reached a server within T, and every
                          server-side change was followed by a successful fetch within T
``no_data_lost``          every item the user created (``app`` actions) reached a server
``no_duplicate_uploads``  no item was applied by two uploads (idempotency keys prevent it)
``max_requests_per_hour: N``  no virtual hour saw more than N requests at the servers
``max_wakeups_per_hour: N``   no hour saw more than N wake-ups of the app (job starts, alarms)
``max_battery_per_sync: X``   battery drawn per successful run of work, in mAh, at most X
``min_successful_runs: N``    work succeeded at least N times
``no_crashes``            no app code raised: ``main()``, workers, Flutter handlers
``custom: module:func``   ``func(run) -> CheckResult | bool | None``; raising fails the check
========================  =====================================================================

Checks for classic mistakes (``unique_name_shared``, ``network_needs_constraint``,
``requests_awaited``, ``periodic_interval_allowed``, ``max_attempts_per_work: N``,
``max_retries_per_hour: N``) are in :mod:`._mistakes`.

A custom check sees every record of the run: ``run.records("work.finished", "app.")`` (kinds, and
prefixes ending in ``.``), ``run.records()`` (all), or typed, ``run.records(WorkFinishedRecord)``
(``harness.workmanager.trace_kinds``; your own registered kinds too). A kind that is neither
registered nor recorded in the run raises :class:`~harness.TraceKindError` listing the kinds the
run recorded, so a misspelt kind fails the check instead of reading as "no records".
``run.records(...)`` returns a list (each call reads the run's streamed trace once);
``run.iter_records(...)`` takes the same arguments and streams, holding one record at a time.

The built-in checks never read the trace back: the runner feeds every record to a
:class:`~harness.scenario._fold.RunFold` as it is written, and they read its facts.

Strict routing is always on: a request no server route matched fails the run
(``no_unmatched_requests``, added to every scenario).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar, overload

from harness._exceptions import CheckDefinitionError, DefinitionError
from harness._units import MS_PER_HOUR, format_duration_ms, format_t_ms, parse_duration
from harness.app import AppStorage, import_user_module, read_module
from harness.backends import Backend, Internet
from harness.scenario._fold import MAX_DETAILS, RunFold
from harness.scenario._mistakes import MISTAKE_CHECKS
from harness.scenario._record import CheckResult
from harness.sim import TraceKind, TraceRecord

_K = TypeVar("_K", bound=TraceKind)


class RunView(Protocol):
    """What a check can look at: the trace, the servers, and the run's metrics."""

    @property
    def duration_ms(self) -> int:
        """How long the run was (virtual ms)."""
        ...

    @property
    def internet(self) -> Internet:
        """The servers, with their request logs and resources."""
        ...

    @overload
    def records(self, kind: type[_K], /) -> list[_K]: ...

    @overload
    def records(self, *kinds: str) -> list[TraceRecord]: ...

    def records(self, *kinds: Any) -> Any:
        """Records of these kinds (prefixes ending in ``.`` select families; none: every record),
        in time order; given a :class:`TraceKind` class, its records typed. An unknown kind raises
        :class:`~harness.TraceKindError` naming the kinds the run recorded."""
        ...

    @overload
    def iter_records(self, kind: type[_K], /) -> Iterator[_K]: ...

    @overload
    def iter_records(self, *kinds: str) -> Iterator[TraceRecord]: ...

    def iter_records(self, *kinds: Any) -> Iterator[Any]:
        """The records :meth:`records` selects, one at a time: a streamed trace is read from
        its file as you iterate, so a check over a device-year holds one record, not a list."""
        ...

    def kind_counts(self) -> Mapping[str, int]:
        """How many records of each kind the run recorded."""
        ...

    def storage(self, package: str | None = None) -> AppStorage:
        """The storage of ``package`` (default: the scenario's only app) as it is on the device:
        ``preferences()``, ``box(name)``, ``query(database, sql)``
        (:class:`~harness.app.AppStorage`)."""
        ...

    def server(self, origin: str) -> Backend:
        """The fake server at ``origin``: its ``resources`` (items, uploads) and ``requests``."""
        ...

    def metric(self, name: str) -> float | None:
        """A run metric (e.g. ``battery_mah_used``), or ``None`` if not measured."""
        ...


@dataclass(frozen=True, slots=True)
class Check:
    """A configured check: its name, argument, and the spec text shown in reports."""

    name: str
    spec: str
    argument: Any = None
    function: Callable[[RunView], Any] | None = field(default=None, compare=False)

    @staticmethod
    def parse(entry: str | Mapping[str, Any]) -> Check:
        """A ``checks:`` entry (``"no_crashes"``, ``{"synced_within": "2h"}``) as a check;
        :class:`~harness.CheckDefinitionError` naming the checks for a bad one."""
        return parse_check(entry)

    def evaluate(self, run: RunView) -> CheckResult:
        """Run the check on ``run``."""
        try:
            function = self.function
            if self.name == "custom" and isinstance(self.argument, str):
                # this run's own copy of the module: runs import user code afresh
                function = _import_function(self.argument, imports=True)
            if function is not None:
                return _custom_result(self, function(run))
            return _BUILTINS[self.name][0](self, run, _fold_of(run))
        except Exception as error:  # a broken check is a failed check, with why
            return self.fail(f"the check raised {type(error).__name__}: {error}")

    def ok(self, message: str) -> CheckResult:
        """A passing verdict."""
        return CheckResult(self.name, self.spec, True, message)

    def fail(
        self, message: str, *, t_ms: int | None = None, details: Sequence[str] = ()
    ) -> CheckResult:
        """A failing verdict."""
        return CheckResult(self.name, self.spec, False, message, t_ms, tuple(details))


def _custom_result(check: Check, outcome: Any) -> CheckResult:
    if isinstance(outcome, CheckResult):
        return outcome
    if outcome is None or outcome is True:
        return check.ok("held")
    if outcome is False:
        return check.fail("returned False")
    raise TypeError(f"returned {outcome!r}; return a CheckResult, a bool or None")


def _fold_of(run: RunView) -> RunFold:
    """The facts the runner folded while the run's records were written; for another
    :class:`RunView`, a fold of its records."""
    fold = getattr(run, "fold", None)
    if isinstance(fold, RunFold):
        return fold
    return RunFold.of(run.records(*RunFold.KINDS))


def _at(t_ms: int) -> str:
    return format_t_ms(t_ms)


def _responses_processed(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    # A request cut because the process died (a kill, a reboot, a force-stop) is not a response
    # the app dropped: it never had the chance; no_data_lost and no_duplicate_uploads judge what
    # follows from it. Nor is one cut as its network went away (the fold tells them apart).
    cut = fold.cut_requests
    if not cut.count:
        return check.ok(f"all {fold.requests} requests reached the app")
    details = [f"{v.text} cut off at t={_at(v.t_ms)}" for v in cut.first]
    destroyed = fold.engines_destroyed
    returned_early = [t_ms for t_ms, reason in destroyed if reason == "handler_completed"]
    if returned_early:
        reason = (
            "the task returned before its request finished, and the background engine was torn "
            f"down at t={_at(returned_early[0])}"
        )
    elif destroyed:
        reason = f"the work was {destroyed[0][1]} while its request was in flight"
    else:
        reason = "the worker was stopped before the response arrived"
    return check.fail(
        f"{cut.count:,} responses never handled: {reason}", t_ms=cut.first[0].t_ms, details=details
    )


def _honours_retry_after(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    early = run.internet.too_early_after_429()
    limited = run.internet.statuses()[429]
    if not early:
        return check.ok(f"{limited} 429 answer(s), never retried early")
    details = [f"{e.method} {e.url} at t={_at(e.t_ms)}" for e in early[:MAX_DETAILS]]
    return check.fail(
        f"{len(early)} request(s) came back before the Retry-After of a 429",
        t_ms=early[0].t_ms,
        details=details,
    )


def _max_staleness(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    limit = int(check.argument)
    marks = [0, *fold.successful_fetch_ms, run.duration_ms]
    worst_start, worst_gap = 0, -1
    first_violation: int | None = None
    for start, end in itertools.pairwise(marks):
        gap = end - start
        if gap > worst_gap:
            worst_start, worst_gap = start, gap
        if gap > limit and first_violation is None:
            first_violation = start + limit
    if first_violation is None:
        return check.ok(f"never stale longer than {format_duration_ms(worst_gap)}")
    return check.fail(
        f"data went {format_duration_ms(worst_gap)} without a successful fetch (from "
        f"t={_at(worst_start)}), over the {format_duration_ms(limit)} allowed",
        t_ms=first_violation,
    )


def _first_received(run: RunView) -> dict[str, int]:
    received: dict[str, int] = {}
    for backend in run.internet.backends:
        for resource in backend.resources.values():
            for upload in resource.uploads:
                for item_id in upload.item_ids:
                    received.setdefault(item_id, upload.t_ms)
    return received


def _no_data_lost(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    created = fold.created_items
    received = _first_received(run)
    lost = [(t, item_id) for t, item_id in created if item_id not in received]
    if not lost:
        return check.ok(f"all {len(created)} created item(s) reached the server")
    details = [f"{item_id} created at t={_at(t)}" for t, item_id in lost[:MAX_DETAILS]]
    return check.fail(
        f"{len(lost)} of {len(created)} created item(s) never reached the server",
        t_ms=lost[0][0],
        details=details,
    )


def _no_duplicate_uploads(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    duplicates = [
        (resource.path, item_id)
        for backend in run.internet.backends
        for resource in backend.resources.values()
        for item_id in resource.duplicate_ids()
    ]
    if not duplicates:
        return check.ok("no item was applied twice")
    details = [f"{item_id} in {path}" for path, item_id in duplicates[:MAX_DETAILS]]
    return check.fail(f"{len(duplicates)} item(s) were uploaded more than once", details=details)


def _synced_within(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    limit = int(check.argument)
    received = _first_received(run)
    late: list[tuple[int, str]] = []
    for t_ms, item_id in fold.created_items:
        arrived = received.get(item_id)
        if (arrived is None and t_ms + limit <= run.duration_ms) or (
            arrived is not None and arrived - t_ms > limit
        ):
            late.append((t_ms + limit, f"{item_id} created at t={_at(t_ms)}"))
    fetches = fold.successful_fetch_ms
    for changed_ms, path in fold.server_changes:
        # the first successful fetch at or after the change (fetch times are in order)
        position = bisect.bisect_left(fetches, changed_ms)
        following = fetches[position] if position < len(fetches) else None
        due = changed_ms + limit
        if (following is None and due <= run.duration_ms) or (
            following is not None and following > due
        ):
            late.append((due, f"server change at t={_at(changed_ms)} in {path}"))
    if not late:
        return check.ok(f"everything synced within {format_duration_ms(limit)}")
    late.sort()
    return check.fail(
        f"{len(late)} change(s) took longer than {format_duration_ms(limit)} to sync",
        t_ms=late[0][0],
        details=[text for _, text in late[:MAX_DETAILS]],
    )


def _max_requests_per_hour(check: Check, run: RunView, _fold: RunFold) -> CheckResult:
    counts = run.internet.requests_per_hour()
    return _max_per_hour(check, counts, "requests")


def _max_wakeups_per_hour(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    return _max_per_hour(check, fold.wakeups_per_hour, "wake-ups")


def _max_per_hour(check: Check, counts: Mapping[int, int], what: str) -> CheckResult:
    limit = int(check.argument)
    busiest = max(counts.values(), default=0)
    over = sorted(hour for hour, count in counts.items() if count > limit)
    if not over:
        return check.ok(f"at most {busiest} {what} in any hour")
    details = [f"hour from t={_at(h * MS_PER_HOUR)}: {counts[h]} {what}" for h in over[:5]]
    return check.fail(
        f"{len(over)} hour(s) had more than {limit} {what} (busiest: {busiest})",
        t_ms=over[0] * MS_PER_HOUR,
        details=details,
    )


def _max_battery_per_sync(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    limit = float(check.argument)
    used = run.metric("battery_mah_used_by_work")
    syncs = fold.successful_runs
    if used is None:
        return check.fail("this run measured no battery use (no device in the run)")
    if syncs == 0:
        return check.fail(f"no successful sync to divide {used:.3f} mAh by")
    per_sync = used / syncs
    if per_sync <= limit:
        return check.ok(f"{per_sync:.3f} mAh per sync over {syncs} syncs")
    return check.fail(f"{per_sync:.3f} mAh per sync over {syncs} syncs, above {limit} mAh")


def _min_successful_runs(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    wanted = int(check.argument)
    count = fold.successful_runs
    if count >= wanted:
        return check.ok(f"{count} successful runs")
    return check.fail(f"only {count} successful runs, fewer than {wanted}")


def _no_crashes(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    if not fold.crashes:
        return check.ok("no app code raised")
    # stable: failures of one instant keep their trace order
    crashes = sorted(fold.crashes, key=lambda crash: crash.failed_at_ms)
    details = [
        f"{crash.kind} at t={_at(crash.failed_at_ms)}: {crash.error}"
        for crash in crashes[:MAX_DETAILS]
    ]
    return check.fail(
        f"app code raised {len(crashes)} time(s)", t_ms=crashes[0].failed_at_ms, details=details
    )


def _no_unmatched_requests(check: Check, run: RunView, fold: RunFold) -> CheckResult:
    unmatched = fold.unmatched
    if not unmatched.count:
        return check.ok("every request matched a server route")
    details = [f"{v.text} at t={_at(v.t_ms)}" for v in unmatched.first]
    return check.fail(
        f"{unmatched.count} request(s) matched no server route (strict routing); add a route "
        "or a resource for them",
        t_ms=unmatched.first[0].t_ms,
        details=details,
    )


def _duration_argument(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration like '2h'")
    return parse_duration(value)


def _count_argument(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a whole number >= 0")
    return value


def _number_argument(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{value!r} is not a number >= 0")
    return float(value)


_Evaluate = Callable[[Check, RunView, RunFold], CheckResult]
#: name -> (evaluate, argument parser or None for no argument)
_BUILTINS: Final[dict[str, tuple[_Evaluate, Callable[[Any], Any] | None]]] = {
    "responses_processed": (_responses_processed, None),
    "honours_retry_after": (_honours_retry_after, None),
    "max_staleness": (_max_staleness, _duration_argument),
    "synced_within": (_synced_within, _duration_argument),
    "no_data_lost": (_no_data_lost, None),
    "no_duplicate_uploads": (_no_duplicate_uploads, None),
    "max_requests_per_hour": (_max_requests_per_hour, _count_argument),
    "max_wakeups_per_hour": (_max_wakeups_per_hour, _count_argument),
    "max_battery_per_sync": (_max_battery_per_sync, _number_argument),
    "min_successful_runs": (_min_successful_runs, _count_argument),
    "no_crashes": (_no_crashes, None),
    "no_unmatched_requests": (_no_unmatched_requests, None),
    **MISTAKE_CHECKS,
}
CHECK_NAMES: Final = tuple(sorted([*_BUILTINS, "custom"]))


def _import_function(path: str, imports: bool) -> Callable[[RunView], Any] | None:
    module_name, _, function_name = path.partition(":")
    if not all(part.isidentifier() for part in module_name.split(".")) or not (
        function_name.isidentifier()
    ):
        raise CheckDefinitionError(
            f"custom check {path[:80]!r} must be 'module:function', e.g. "
            "'checks.outbox:exactly_once'"
        )
    what = f"custom check {path!r}"
    try:
        if not imports:
            if not read_module(module_name, what).defines(function_name):
                raise CheckDefinitionError(f"{what}: {module_name} has no {function_name}")
            return None
        module = import_user_module(module_name, what)
    except DefinitionError as error:
        raise CheckDefinitionError(str(error)) from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise CheckDefinitionError(f"custom check {path!r}: {module_name} has no {function_name}")
    return function  # type: ignore[no-any-return]


def parse_check(entry: str | Mapping[str, Any], *, imports: bool = True) -> Check:
    """Turn a ``checks:`` entry into a :class:`Check`; :class:`CheckDefinitionError` if bad.

    With ``imports=False`` a custom check's module is read, not imported (nothing runs), and the
    check has no function: such a check is for validation only.
    """
    if isinstance(entry, str):
        name, argument, spec = entry.strip(), None, entry.strip()
        has_argument = False
    elif isinstance(entry, Mapping) and len(entry) == 1:
        name, argument = next(iter(entry.items()))
        spec = f"{name}: {argument}"
        has_argument = True
    else:
        raise CheckDefinitionError(
            f"check {entry!r} must be a name or a one-key mapping 'name: argument'"
        )
    if name == "custom":
        if not isinstance(argument, str):
            raise CheckDefinitionError("custom check needs 'custom: module:function'")
        return Check("custom", spec, argument, _import_function(argument, imports))
    if name not in _BUILTINS:
        raise CheckDefinitionError(
            f"unknown check {name!r}; the checks are: {', '.join(CHECK_NAMES)}"
        )
    _, parse_argument = _BUILTINS[name]
    if parse_argument is None:
        if has_argument:
            raise CheckDefinitionError(f"check {name!r} takes no argument; write just '{name}'")
        return Check(name, spec)
    if not has_argument:
        raise CheckDefinitionError(f"check {name!r} needs an argument: '{name}: VALUE'")
    try:
        return Check(name, spec, parse_argument(argument))
    except ValueError as error:
        raise CheckDefinitionError(f"check {name!r}: {error}") from None


DEFAULT_CHECKS: Final = (Check("no_unmatched_requests", "no_unmatched_requests"),)
