"""Why work is not running at a moment of a run: ``harness why`` and a failed run's report.

A run is a pure function of its scenario and seed, so the question "why did this work not run
at 2d08:00?" is answered by running the scenario again to that instant and asking the phone, as
``World.why_not_running`` does (WorkManager's state first, then the device, then JobScheduler's
verdict, ``JobSchedulerService.explain``). :func:`why_at` serves the command line;
:func:`why_during` pauses one run at several instants and serves the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness._exceptions import HarnessError, ScenarioError, TimeExpressionError
from harness.app import fresh_imports
from harness.scenario._life_plan import life_for
from harness.scenario._loader import Scenario
from harness.scenario._record import WhyEntry
from harness.scenario._timeexpr import AT_HELP, parse_at
from harness.scenario._world import World
from harness.sim import Simulation
from harness.workmanager import State


@dataclass(frozen=True, slots=True)
class WorkWhy:
    """One work at one instant: whether it runs, the phone's reason, JobScheduler's verdict."""

    #: the virtual instant asked about
    t_ms: int
    package: str
    work: str
    label: str
    state: str
    running: bool
    finished: bool
    reason: str
    #: JobScheduler's verdict in words, when the work is handed to it (else ``None``)
    verdict: str | None
    #: the verdict's ``Blocker`` value (``"constraint"``, ``"doze"``...), or ``None``
    blocker: str | None
    #: the work's tags and unique names (what ``harness why ... WORK`` matches besides its id)
    names: tuple[str, ...]

    def entry(self, t_ms: int, at: str) -> WhyEntry:
        """The report's form of this answer."""
        return WhyEntry(
            t_ms=t_ms,
            at=at,
            package=self.package,
            work=self.work,
            label=self.label,
            state=self.state,
            reason=self.reason,
            blocker=self.blocker,
        )


def explain_works(world: World) -> list[WorkWhy]:
    """Every work of every app of ``world`` now, in enqueue order per app."""
    answers: list[WorkWhy] = []
    for package in world.runtime.packages:
        database = world.runtime.database(package)
        for spec in database.work_spec_dao.all_work_specs():
            tags = sorted(database.work_tag_dao.get_tags_for_work_spec_id(spec.id))
            unique = database.work_name_dao.get_names_for_work_spec_id(spec.id)
            worker = spec.worker_class_name.rsplit(".", 1)[-1]
            # WorkManager tags every request with its worker's class name: not worth repeating
            own_tags = [tag for tag in tags if tag != spec.worker_class_name]
            label = worker
            if unique:
                label += f" (unique {', '.join(unique)})"
            if own_tags:
                label += f" [tags {', '.join(own_tags)}]"
            running = spec.state is State.RUNNING
            verdict = blocker = None
            if spec.state is State.ENQUEUED and spec.schedule_requested_at >= 0:
                decided = world.job_scheduler.explain(package, spec.id)
                verdict = decided.reason
                blocker = decided.blocker.value if decided.blocker is not None else None
            answers.append(
                WorkWhy(
                    t_ms=world.sim.now_ms,
                    package=package,
                    work=spec.id,
                    label=label,
                    state=spec.state.name,
                    running=running,
                    finished=spec.state.is_finished,
                    reason=world.why_not_running(spec.id, package),
                    verdict=verdict,
                    blocker=blocker,
                    names=(*tags, *unique),
                )
            )
    return answers


def select_works(answers: Sequence[WorkWhy], work: str | None) -> list[WorkWhy]:
    """The answers for ``work`` (an id, an id's first 8+ characters, a tag or a unique name),
    or the unfinished works when ``work`` is None; a name that matches nothing is an error that
    lists what there is."""
    if work is None:
        return [answer for answer in answers if not answer.finished]
    chosen = [
        answer
        for answer in answers
        if answer.work == work
        or (len(work) >= 8 and answer.work.startswith(work))
        or work in answer.names
    ]
    if chosen:
        return chosen
    known = sorted({answer.work[:8] for answer in answers} | {n for a in answers for n in a.names})
    listed = ", ".join(known) if known else "none: nothing was enqueued by then"
    raise ScenarioError(
        f"no work {work!r} at that time; name a work by its id (or its first 8 characters), a "
        f"tag or a unique name: {listed}"
    )


def _paused_run(
    scenario: Scenario, seed: int, times: Sequence[int]
) -> tuple[list[tuple[int, list[WorkWhy]]], str]:
    """Run ``scenario`` with ``seed`` (no trace file), pausing at each of ``times`` (ascending)
    to ask why each work is or is not running; also the digest of its trace so far."""
    from harness.scenario._runner import build_world, user_modules

    answers: list[tuple[int, list[WorkWhy]]] = []
    with fresh_imports(user_modules(scenario)):
        sim = Simulation(seed=seed, epoch=scenario.spec.epoch, strict_tasks=False)
        with sim:
            world = build_world(sim, scenario, life_for(scenario, seed))
            for t_ms in times:
                sim.run_until(t_ms)
                answers.append((t_ms, explain_works(world)))
    return answers, sim.trace.digest()


def why_at(scenario: Scenario, seed: int, at: int | str, work: str | None = None) -> list[WorkWhy]:
    """Why each work (or ``work``: an id or its first 8 characters, a tag, a unique name) is or
    is not running at virtual time ``at`` (ms, or a timeline time such as ``"day 1 08:00"``) of
    the run of ``scenario`` with ``seed``; unfinished works only when ``work`` is None."""
    if isinstance(at, str):
        try:
            at_ms = parse_at(at)
        except TimeExpressionError:
            raise ScenarioError(
                f"time {at!r} is not a time: give {AT_HELP} (virtual time since the start, "
                "as in a scenario's timeline)"
            ) from None
    else:
        at_ms = at
    duration = scenario.spec.duration
    if at_ms > duration:
        from harness._units import format_t_ms

        raise ScenarioError(
            f"time {format_t_ms(at_ms)} is after the end of {scenario.path} "
            f"({format_t_ms(duration)}); pick a time within the run"
        )
    [(_, answers)], _digest = _paused_run(scenario, seed, [at_ms])
    return select_works(answers, work)


def why_during(
    scenario: Scenario, seed: int, moments: Sequence[tuple[int, str]], digest: str
) -> tuple[WhyEntry, ...]:
    """For a failed run: at each ``(t_ms, what)`` moment, why each unfinished work was not
    running (a work that was running is left out: it needs no explanation). The last moment
    must be the run's end: the paused run's trace must have the run's ``digest``, or nothing is
    told (a run that is not a pure function of its seed cannot be explained this way)."""
    times = sorted({t_ms for t_ms, _ in moments})
    described: dict[int, list[str]] = {}
    for t_ms, what in moments:
        described.setdefault(t_ms, []).append(what)
    entries: list[WhyEntry] = []
    try:
        paused, replayed = _paused_run(scenario, seed, times)
    except HarnessError:  # the run itself fails at that point: its error says why
        return ()
    if replayed != digest:
        return ()
    for t_ms, answers in paused:
        at = "; ".join(described[t_ms])
        entries.extend(
            answer.entry(t_ms, at)
            for answer in answers
            if not answer.finished and not answer.running
        )
    return tuple(entries)
