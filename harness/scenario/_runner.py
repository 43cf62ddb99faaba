"""The runner: ``run(scenario, seed) -> RunRecord``, a pure function of its inputs.

One run builds the simulated world for the scenario (device, servers, apps), schedules the
timeline, runs the simulation for the scenario's duration, evaluates the checks on the trace and
the servers, and returns a picklable :class:`RunRecord`. The same (scenario file, seed) gives the
same record and trace digest in any process, so :func:`run_many` can use a process pool and
``harness replay`` reproduces a failure exactly.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness._exceptions import HarnessError
from harness.app import fresh_imports
from harness.backends import Internet
from harness.device import load_profile
from harness.scenario._fold import RunFold
from harness.scenario._life import DrawnLife
from harness.scenario._life_plan import PanicCharger, life_for, life_schedule, written_claims
from harness.scenario._loader import Scenario, load
from harness.scenario._metrics import Metric, run_metrics, run_reasons, run_samples
from harness.scenario._pool import end_workers, leave_signals_to_parent
from harness.scenario._record import RunRecord
from harness.scenario._world import World
from harness.sim import (
    Simulation,
    Trace,
    TraceKind,
    TraceKindError,
    real_perf_counter,
    registered_trace_kinds,
)


class _View:
    """A finished run as checks see it (:class:`RunView`): the built-in checks read ``fold``
    (gathered while the run wrote its records); custom checks read the trace, streamed."""

    def __init__(
        self,
        trace: Trace,
        internet: Internet,
        duration_ms: int,
        metrics: dict[str, Metric],
        fold: RunFold,
    ) -> None:
        self._trace = trace
        self._internet = internet
        self._duration_ms = duration_ms
        self._metrics = metrics
        self.fold = fold

    @property
    def duration_ms(self) -> int:
        return self._duration_ms

    @property
    def internet(self) -> Internet:
        return self._internet

    def kind_counts(self) -> dict[str, int]:
        return dict(self._trace.kind_counts())

    def _check_known(self, kinds: Sequence[str]) -> None:
        present = self._trace.kind_counts()
        known_kinds = {*present, *registered_trace_kinds()}
        for kind in kinds:
            known = (
                any(k.startswith(kind) for k in known_kinds)
                if kind.endswith(".")
                else kind in known_kinds
            )
            if not known:
                raise TraceKindError(
                    f"no trace kind {kind!r} is registered or was recorded in this run; the run "
                    f"recorded {sorted(present)}; register your own kinds with "
                    "harness.sim.register_trace_kind (docs/trace.md)"
                )

    def iter_records(self, *kinds: Any) -> Iterator[Any]:
        if len(kinds) == 1 and isinstance(kinds[0], type) and issubclass(kinds[0], TraceKind):
            record_type = kinds[0]
            return (record_type.from_record(r) for r in self.iter_records(record_type.KIND))
        if not kinds:
            return iter(self._trace)
        self._check_known(kinds)
        exact = frozenset(kind for kind in kinds if not kind.endswith("."))
        prefixes = tuple(kind for kind in kinds if kind.endswith("."))
        return (
            record
            for record in self._trace
            if record.kind in exact or (prefixes and record.kind.startswith(prefixes))
        )

    def records(self, *kinds: Any) -> Any:
        return list(self.iter_records(*kinds))

    def metric(self, name: str) -> float | None:
        return self._metrics.get(name)


@dataclass
class RunResult:
    """A run done in this process: its record, plus the live world for assertions."""

    record: RunRecord
    world: World
    trace: Trace
    #: The life the seed drew (``None`` for a scenario without ``life:``).
    life: DrawnLife | None = None

    @property
    def passed(self) -> bool:
        """Every check held."""
        return self.record.passed

    @property
    def internet(self) -> Internet:
        """The servers after the run."""
        return self.world.internet

    @property
    def backend(self) -> _BackendView:
        """What the servers received (across all of them)."""
        return _BackendView(self.world.internet)

    @property
    def app(self) -> _AppView:
        """What the app did that the harness saw (user actions, notifications)."""
        return _AppView(self.trace, self.world)


class _BackendView:
    def __init__(self, internet: Internet) -> None:
        self._internet = internet

    def received_ids(self) -> list[str]:
        """Every item id uploads applied, repeats included, in order."""
        return [
            item_id
            for backend in self._internet.backends
            for resource in backend.resources.values()
            for item_id in resource.received_ids()
        ]

    def duplicate_ids(self) -> list[str]:
        """Item ids applied by more than one upload."""
        return sorted(
            item_id
            for backend in self._internet.backends
            for resource in backend.resources.values()
            for item_id in resource.duplicate_ids()
        )

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests the servers got (optionally by method and path)."""
        return sum(b.requests.count(method, path) for b in self._internet.backends)


class _AppView:
    def __init__(self, trace: Trace, world: World) -> None:
        self._trace = trace
        self._world = world

    def created_ids(self) -> list[str]:
        """Item ids the user created through ``app`` actions, in order."""
        return [
            str(item_id)
            for record in self._trace.of_kind("app.action")
            for item_id in record.get("created_ids") or ()
        ]

    edits_made = created_ids

    def notifications(self) -> list[str]:
        """Titles of the notifications the app showed."""
        return [n.title for n in self._world.runtime.notifications]


def run_scenario(
    scenario: Scenario,
    seed: int,
    *,
    trace_path: str | Path | None = None,
    keep_trace: bool = True,
    explain: bool = True,
) -> RunResult:
    """Run ``scenario`` with ``seed`` in this process and return the live result.

    A run whose checks fail is run once more, paused at each failed check's time and at the
    end, to record why each unfinished work was not running (the record's ``why``), unless
    ``explain`` is false.

    User modules (the apps, the backend factory, custom checks and what they import) start
    from a fresh import state, and ``os.environ``, the working directory and ``sys.path`` are
    restored afterwards, so nothing a run leaves behind reaches the next one.
    """
    with fresh_imports(user_modules(scenario)):
        result = _run_scenario(scenario, seed, trace_path=trace_path, keep_trace=keep_trace)
    if explain and not result.record.passed and result.record.error is None:
        # why each unfinished work was not running when a check failed and at the end: the
        # run again (a pure function of its seed), paused at those instants
        from harness.scenario._why import why_during

        moments = [
            (check.t_ms, f"check {check.spec} failed")
            for check in result.record.failed_checks
            if check.t_ms is not None and check.t_ms < scenario.spec.duration
        ]
        moments.append((scenario.spec.duration, "run end"))
        why = why_during(scenario, seed, moments, result.record.digest)
        result.record = replace(result.record, why=why)
    return result


def user_modules(scenario: Scenario) -> list[str]:
    """The modules ``scenario`` names: its apps, its backend factory, its custom checks."""
    named = [app.module for app in scenario.apps]
    factory = scenario.spec.backend.factory
    if factory is not None:
        named.append(factory.partition(":")[0])
    named.extend(
        check.argument.partition(":")[0]
        for check in scenario.checks
        if check.name == "custom" and isinstance(check.argument, str)
    )
    return named


def _run_scenario(
    scenario: Scenario, seed: int, *, trace_path: str | Path | None, keep_trace: bool
) -> RunResult:
    began = real_perf_counter()
    spec = scenario.spec
    sim = Simulation(
        seed=seed,
        epoch=spec.epoch,
        trace_path=trace_path,
        keep_trace=keep_trace or trace_path is None,
        strict_tasks=False,
    )
    # the checks and the metrics fold each record as it is written: nothing reads the trace back
    fold = RunFold()
    sim.trace.subscribe(fold.feed)
    error: str | None = None
    world: World | None = None
    life = life_for(scenario, seed)
    with sim:
        try:
            world = build_world(sim, scenario, life)
            sim.run_until(spec.duration)
        except HarnessError as failure:
            error = f"{type(failure).__name__}: {failure}"
            sim.record(
                "run.error", error=error, traceback="".join(traceback.format_exception(failure))
            )
    assert world is not None or error is not None
    if world is None:
        raise RuntimeError(error)
    metrics = run_metrics(fold, world, spec.duration)
    view = _View(sim.trace, world.internet, spec.duration, metrics, fold)
    checks = tuple(check.evaluate(view) for check in scenario.checks)
    record = RunRecord(
        scenario=spec.name,
        path=scenario.path,
        seed=seed,
        checks=checks,
        digest=sim.trace.digest(),
        duration_ms=spec.duration,
        real_seconds=real_perf_counter() - began,
        metrics=metrics,
        notes=(*world.notes(fold.enqueue_warnings), *_unregistered_note(sim.trace)),
        trace_path=str(trace_path) if trace_path is not None else None,
        error=error,
        versions=_versions(scenario),
        life=None if life is None else life.to_json(),
        samples=run_samples(fold, world),
        reasons=run_reasons(fold),
    )
    return RunResult(record, world, sim.trace, life)


def build_world(sim: Simulation, scenario: Scenario, life: DrawnLife | None) -> World:
    """The world of one run, its timeline (and drawn life) on the clock, before it runs."""
    world = World(sim, scenario, vendor=None if life is None else life.vendor)
    world.schedule(scenario.schedule)
    if life is not None:  # after the written actions: they run first at one instant
        world.schedule(life_schedule(life, scenario))
        PanicCharger(world, life, written_claims(scenario))
    return world


def _unregistered_note(trace: Trace) -> list[str]:
    """A note listing recorded kinds that no declaration covers (kept in the trace as recorded)."""
    kinds = trace.unregistered_kinds()
    if not kinds:
        return []
    return [
        f"trace kinds not registered (kept as recorded, unchecked): {', '.join(kinds)}; "
        "declare them with harness.sim.register_trace_kind (docs/trace.md)"
    ]


def run(
    scenario: str | Path | Scenario, seed: int, *, trace_path: str | Path | None = None
) -> RunRecord:
    """Run one (scenario, seed) and return its picklable :class:`RunRecord`.

    A scenario given as a path is loaded in the calling process (so it works in a pool worker).
    A harness error while loading is not caught here: the CLI validates files before running.
    """
    loaded = load(scenario) if isinstance(scenario, str | Path) else scenario
    return run_scenario(loaded, seed, trace_path=trace_path, keep_trace=False).record


@dataclass(frozen=True, slots=True)
class Job:
    """One unit of work for :func:`run_many`."""

    path: str
    seed: int
    trace_path: str | None


@functools.lru_cache(maxsize=64)
def _load_once(path: str) -> Scenario:
    """A process runs many seeds of few files: read and check each file once per process (a
    loaded scenario is only read by its runs)."""
    return load(path)


def _run_job(job: Job) -> RunRecord:
    return run(_load_once(job.path), job.seed, trace_path=job.trace_path)


def run_many(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    on_done: Callable[[RunRecord], None] | None = None,
) -> list[RunRecord]:
    """Run every job; ``workers`` > 1 uses a local process pool. Records come back in job order.

    The records equal those of running the jobs one by one (each run is a pure function of
    its scenario file and seed). ``on_done`` gets each record as its run finishes. When an
    exception (a ``KeyboardInterrupt`` from Ctrl-C, or one the caller's signal handler raises)
    interrupts the wait, the workers are ended before it propagates: no worker outlives the
    call, and the caller still has every record ``on_done`` was given.
    """
    count = workers if workers is not None else min(len(jobs), os.cpu_count() or 1)
    results: list[RunRecord | None] = [None] * len(jobs)
    if count <= 1 or len(jobs) <= 1:
        for position, job in enumerate(jobs):
            results[position] = _run_job(job)
            if on_done is not None:
                on_done(results[position])  # type: ignore[arg-type]
    else:
        pool = ProcessPoolExecutor(max_workers=count, initializer=leave_signals_to_parent)
        try:
            futures = {pool.submit(_run_job, job): position for position, job in enumerate(jobs)}
            for future in as_completed(futures):
                record = future.result()
                results[futures[future]] = record
                if on_done is not None:
                    on_done(record)
            pool.shutdown()
        except BaseException:
            end_workers(pool)
            raise
    return [record for record in results if record is not None]


def failed_summary(record: RunRecord) -> list[str]:
    """Lines describing how a run failed (for the CLI and the pytest plugin)."""
    lines: list[str] = []
    if record.error is not None:
        lines.append(f"run error: {record.error}")
    for check in record.failed_checks:
        lines.append(f"{check.spec} ✗ {check.message}")
        lines.extend(f"  {detail}" for detail in check.details)
    return lines


def _versions(scenario: Scenario) -> dict[str, str]:
    """What the run modelled, for the report and the replay header: the library versions, the
    device's Android release (``platform: ios`` instead on an iOS profile), the profile, and the
    app module(s), by which the report sets one app's runs on each platform side by side."""
    spec = scenario.spec
    try:
        profile = load_profile(spec.device.profile, spec.device.overrides or None)
        android, platform = str(profile.android_version), profile.platform
    except HarnessError:  # a bad profile is the run's error, reported on its own
        android, platform = "?", "android"
    app = ", ".join(app.module for app in scenario.apps)
    if platform == "ios":
        return {
            **spec.versions.model_dump(),
            "platform": "ios",
            "device": spec.device.profile,
            "app": app,
        }
    return {
        **spec.versions.model_dump(),
        "android": android,
        "device": spec.device.profile,
        "app": app,
    }
