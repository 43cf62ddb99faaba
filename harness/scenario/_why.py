"""Why work is not running at a moment of a run: ``harness why`` and a failed run's report.

A run is a pure function of its scenario and seed, so the question "why did this work not run
at 2d08:00?" is answered by running the scenario again to that instant and asking the phone
through its platform's explainer (:data:`EXPLAINERS`): on Android as ``World.why_not_running``
does (WorkManager's state first, then the device, then JobScheduler's verdict,
``JobSchedulerService.explain``); on iOS each app's background tasks (``_why_ios.py``).
:func:`why_at` serves the command line; :func:`why_during` pauses one run at several instants
and serves the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from harness._exceptions import HarnessError, ScenarioError, TimeExpressionError
from harness.app import fresh_imports
from harness.scenario._life_plan import life_for
from harness.scenario._loader import Scenario
from harness.scenario._record import WhyEntry
from harness.scenario._timeexpr import AT_HELP, parse_at
from harness.scenario._why_android import explain_android
from harness.scenario._why_answer import WorkWhy
from harness.scenario._why_ios import explain_ios
from harness.scenario._world import World
from harness.sim import Simulation

#: The explainer of each platform: every work (Android) or background task (iOS) of every app
#: of a world, now.
EXPLAINERS: Final[dict[str, Callable[[World], list[WorkWhy]]]] = {
    "android": explain_android,
    "ios": explain_ios,
}


def explain_works(world: World) -> list[WorkWhy]:
    """Every work or background task of every app of ``world`` now, as its platform's
    explainer answers."""
    return EXPLAINERS[world.platform](world)


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
    known = sorted({answer.short_id for answer in answers} | {n for a in answers for n in a.names})
    listed = ", ".join(known) if known else "none: nothing was enqueued by then"
    if any(answer.platform == "ios" for answer in answers):
        raise ScenarioError(
            f"no task {work!r} at that time; name an iOS background task by its "
            f"BGTaskScheduler identifier (or a plugin's task id): {listed}"
        )
    raise ScenarioError(
        f"no work {work!r} at that time; name a work by its id (or its first 8 characters), a "
        f"tag or a unique name: {listed}"
    )


def _paused_run(
    scenario: Scenario, seed: int, times: Sequence[int]
) -> tuple[list[tuple[int, list[WorkWhy]]], str]:
    """Run ``scenario`` with ``seed`` (no trace file), pausing at each of ``times`` (ascending)
    to ask why each work is or is not running; also the digest of its trace so far."""
    from harness.scenario._session import build_world, user_modules

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
