"""One run, stepped: :class:`RunSession` builds a scenario's world, advances virtual time in
steps, carries out actions between them, shows the live world to invariants, and finishes with the
checks and the :class:`RunRecord`.

:func:`~harness.scenario.run_scenario` is one session advanced to the scenario's end in one step;
a state machine (``harness.property.DeviceMachine``) advances it rule by rule. Advancing in steps
fires the same callbacks in the same order as one step: the virtual loop rests between steps and
nothing runs while it rests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from harness._exceptions import HarnessError, UnobservedTaskError
from harness._tracebacks import format_exception
from harness.app import AppStorage, fresh_imports
from harness.backends import Backend, Internet
from harness.device import load_profile
from harness.scenario._actions import Action, parse_action
from harness.scenario._fold import RunFold
from harness.scenario._life import DrawnLife
from harness.scenario._life_plan import PanicCharger, life_for, life_schedule, written_claims
from harness.scenario._loader import Scenario
from harness.scenario._metrics import Metric, run_metrics, run_reasons, run_samples
from harness.scenario._mistakes import PROBED_CHECKS, MistakeProbe
from harness.scenario._record import RunRecord
from harness.scenario._result import RunResult
from harness.scenario._world import ACTION_PRIORITY, World
from harness.sim import (
    Simulation,
    Trace,
    TraceKind,
    TraceKindError,
    TraceRecord,
    real_perf_counter,
    registered_trace_kinds,
    trace_kind_spec,
)


def _is_registered(kind: str) -> bool:
    try:
        trace_kind_spec(kind)  # imports only the module that declares it
    except TraceKindError:
        return False
    return True


class _View:
    """A finished run as checks see it (:class:`RunView`): the built-in checks read ``fold``
    (gathered while the run wrote its records); custom checks read the trace, streamed."""

    def __init__(
        self,
        trace: Trace,
        world: World,
        duration_ms: int,
        metrics: dict[str, Metric],
        fold: RunFold,
        probe: MistakeProbe | None = None,
    ) -> None:
        self._trace = trace
        self.probe = probe
        self._world = world
        self._internet = world.internet
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

    def storage(self, package: str | None = None) -> AppStorage:
        return self._world.storage(package)

    def server(self, origin: str) -> Backend:
        return self._world.server(origin)

    def _check_known(self, kinds: Sequence[str]) -> None:
        present = self._trace.kind_counts()
        for kind in kinds:
            # the recorded kinds first: the whole registry imports every layer's trace_kinds
            if kind.endswith("."):
                known = any(k.startswith(kind) for k in present) or any(
                    k.startswith(kind) for k in registered_trace_kinds()
                )
            else:
                known = kind in present or _is_registered(kind)
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


class RunSession:
    """One run of ``scenario`` with ``seed``, advanced in steps (see the module docs).

    The world is built at once (a harness error while building is the run's error, as in
    :func:`~harness.scenario.run_scenario`); :meth:`advance_to` and :meth:`perform` step it;
    :meth:`view` shows the live run as checks see a finished one; :meth:`finish` ends it and
    returns its :class:`RunResult`. After a harness error the session stops stepping (the run
    failed with ``run.error``, as a whole run would). With ``isolate`` the scenario's user
    modules start from a fresh import state until the session ends
    (:func:`~harness.app.fresh_imports`). With ``observe`` (or when a check of the scenario
    needs it) a :class:`~harness.scenario._mistakes.MistakeProbe` watches the run. With
    ``rest_unpatched`` the simulation's global patches (wall clock, ``random``) are lifted
    between steps (:meth:`~harness.sim.Simulation.pause`): code that runs between them, a
    state machine's engine and invariants, sees the real clock. With ``stop_when`` the step in
    progress stops right after the callback that wrote a record it answers ``True`` for.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        *,
        trace_path: str | Path | None = None,
        keep_trace: bool = True,
        isolate: bool = False,
        observe: bool = False,
        rest_unpatched: bool = False,
        stop_when: Callable[[TraceRecord], bool] | None = None,
    ) -> None:
        self.began = real_perf_counter()
        self.scenario = scenario
        self.seed = seed
        spec = scenario.spec
        self._trace_path = trace_path
        self._exits = contextlib.ExitStack()
        if isolate:
            self._exits.enter_context(fresh_imports(user_modules(scenario)))
        self.sim = Simulation(
            seed=seed,
            epoch=spec.epoch,
            trace_path=trace_path,
            keep_trace=keep_trace or trace_path is None,
            strict_tasks=False,
        )
        # the checks and the metrics fold each record as it is written: nothing reads the
        # trace back
        self.fold = RunFold()
        self.sim.trace.subscribe(self.fold.feed)
        if stop_when is not None:
            sim = self.sim

            def stop_if(record: TraceRecord) -> None:
                if stop_when(record):
                    sim.loop.stop()  # the step in progress ends after the callback that wrote it

            self.sim.trace.subscribe(stop_if)
        #: The harness error that stopped the run, if one did.
        self.error: str | None = None
        self._world: World | None = None
        self.life = life_for(scenario, seed)
        needed = any(check.name in PROBED_CHECKS for check in scenario.checks)
        self.probe = MistakeProbe() if observe or needed else None
        #: lift the simulation's global patches while the session rests between steps
        self._rest_unpatched = rest_unpatched
        self.sim.start()
        self._step(self._build)
        if rest_unpatched:
            self.sim.pause()

    def _build(self) -> None:
        self._world = build_world(self.sim, self.scenario, self.life, self.probe)

    def _step(self, body: Callable[[], None]) -> None:
        """Run ``body`` on the simulation; a harness error ends the run as ``run.error``."""
        if self.error is not None:
            return
        try:
            self._resumed(body)
        except HarnessError as failure:
            self.error = f"{type(failure).__name__}: {failure}"
            self.sim.record(
                "run.error",
                error=self.error,
                traceback=format_exception(failure),
            )
        except BaseException:
            with contextlib.suppress(UnobservedTaskError):
                self.sim.stop()  # the exception in flight is the one to report
            self._exits.close()
            raise

    def _resumed(self, body: Callable[[], None]) -> None:
        if not self._rest_unpatched:
            body()
            return
        self.sim.resume()
        try:
            body()
        finally:
            self.sim.pause()

    @property
    def world(self) -> World:
        """The live world (a :class:`RuntimeError` with the run's error if it was never built)."""
        if self._world is None:
            raise RuntimeError(self.error)
        return self._world

    @property
    def now_ms(self) -> int:
        """Virtual time now."""
        return self.sim.now_ms

    @property
    def stopped(self) -> bool:
        """Whether a harness error ended the run (:attr:`error` says which)."""
        return self.error is not None

    def advance_to(self, t_ms: int) -> None:
        """Fire everything due at or before ``t_ms`` (virtual ms); the clock rests there."""
        self._step(lambda: self.sim.run_until(t_ms))

    def written_instants(self) -> frozenset[int]:
        """The times of the scenario's written actions and of its drawn life's actions."""
        busy = {item.t_ms for item in self.scenario.schedule}
        if self.life is not None:
            busy.update(item.t_ms for item in life_schedule(self.life, self.scenario))
        return frozenset(busy)

    def perform(self, action: Action | str, t_ms: int) -> None:
        """Carry out ``action`` (an action or its timeline text) at ``t_ms`` (at or after now)
        as a timeline action would be (first among what is due then), and advance to ``t_ms``.
        A timeline action at the same instant goes first; a replay agrees only if the action
        is written after it in the timeline."""
        if isinstance(action, str):
            action = parse_action(action)

        def act() -> None:
            self.sim.call_at(t_ms, self.world.execute, action, priority=ACTION_PRIORITY)
            self.sim.run_until(t_ms)

        self._step(act)

    def view(self) -> _View:
        """The run so far as checks see a finished run (:class:`~harness.scenario.RunView`),
        ``duration_ms`` being now: for invariants between steps."""
        world = self.world
        return _View(
            self.sim.trace,
            world,
            self.sim.now_ms,
            run_metrics(self.fold, world, self.sim.now_ms),
            self.fold,
            self.probe,
        )

    def finish(self, duration_ms: int | None = None) -> RunResult:
        """End the run where it is; evaluate the checks (over ``duration_ms``, default the
        scenario's duration) and return the result."""
        try:
            self.sim.resume()  # tasks cut at the end run app code: patched, as in one run
            self.sim.stop()
            if self._world is None:
                raise RuntimeError(self.error)
            world = self._world
            spec = self.scenario.spec
            duration = spec.duration if duration_ms is None else duration_ms
            metrics = run_metrics(self.fold, world, self.sim.now_ms)
            view = _View(self.sim.trace, world, duration, metrics, self.fold, self.probe)
            checks = tuple(check.evaluate(view) for check in self.scenario.checks)
            trace_path = self._trace_path
            record = RunRecord(
                scenario=spec.name,
                path=self.scenario.path,
                seed=self.seed,
                checks=checks,
                digest=self.sim.trace.digest(),
                duration_ms=duration,
                real_seconds=real_perf_counter() - self.began,
                metrics=metrics,
                notes=(
                    *world.notes(self.fold.enqueue_warnings),
                    *_unregistered_note(self.sim.trace),
                ),
                trace_path=str(trace_path) if trace_path is not None else None,
                error=self.error,
                versions=_versions(self.scenario),
                life=None if self.life is None else self.life.to_json(),
                samples=run_samples(self.fold, world),
                reasons=run_reasons(self.fold),
            )
            return RunResult(record, world, self.sim.trace, self.life)
        finally:
            self._exits.close()

    def close(self) -> None:
        """End the run without evaluating anything (safe to call twice)."""
        try:
            with contextlib.suppress(UnobservedTaskError):
                self.sim.stop()
        finally:
            self._exits.close()


def build_world(
    sim: Simulation,
    scenario: Scenario,
    life: DrawnLife | None,
    probe: MistakeProbe | None = None,
) -> World:
    """The world of one run, its timeline (and drawn life) on the clock, before it runs (and
    ``probe`` watching it from the start)."""
    world = World(sim, scenario, vendor=None if life is None else life.vendor)
    if probe is not None:
        probe.attach(world)
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
