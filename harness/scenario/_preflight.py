"""Preflight: build a scenario's world without running it, so a bad file fails before it runs.

The schema catches wrong types and unknown fields; some mistakes only show when the pieces are
put together: a device profile or override that does not exist, a backend factory that does not
import, a resource the servers cannot serve, and whatever each timeline action's
:meth:`~harness.scenario.Action.problem` finds (an app that is not installed, an adb command the
device does not have or refuses, an app action the app module does not define, a server or
resource the backend does not have). Checks that need only an action's text ran when it was
parsed; these need the built world. Each is
reported with the timeline entry (or section) it comes from, as the loader reports schema errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError, ProfileError
from harness.scenario._actions import Action, platform_problem
from harness.scenario._yaml import Loc
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.scenario._loader import Scenario
    from harness.scenario._world import World


def preflight(scenario: Scenario, add: Callable[[Loc, str], None]) -> None:
    """Build ``scenario``'s world on a simulation that never starts and check every action."""
    from harness.scenario._world import World  # the world needs the loader's types

    sim = Simulation(seed=0, epoch=scenario.spec.epoch, patch_wall_clock=False)
    with sim.building():
        try:
            world = World(sim, scenario)
        except DefinitionError as error:
            add(("device" if isinstance(error, ProfileError) else "backend",), str(error))
            return
        _check_actions(scenario, world, add)


def preflight_population(scenario: Scenario, add: Callable[[Loc, str], None]) -> None:
    """:func:`preflight` once per part of the scenario's ``population:`` (its profile and
    overrides as the device): a bad profile or override is reported at the part that names it,
    a timeline problem once however many parts share it."""
    from harness.scenario._fleet import device_scenarios

    population = scenario.spec.population
    assert population is not None
    seen: set[tuple[Loc, str]] = set()
    for position, variant in enumerate(device_scenarios(scenario)):
        part = population.profiles[position]
        where: Loc = (
            "population",
            "profiles",
            position,
            "overrides" if part.overrides else "profile",
        )

        def add_once(loc: Loc, message: str, where: Loc = where) -> None:
            loc = where if loc == ("device",) else loc
            if (loc, message) not in seen:
                seen.add((loc, message))
                add(loc, message)

        preflight(variant, add_once)


def _check_actions(scenario: Scenario, world: World, add: Callable[[Loc, str], None]) -> None:
    seen: set[tuple[int, str]] = set()
    for item in scenario.schedule:
        key = (item.entry, item.action.text)
        if key in seen:  # a repeating event: check its text once
            continue
        seen.add(key)
        problem = _action_problem(world, item.action)
        if problem is not None:
            event = scenario.spec.timeline[item.entry]
            said = " ".join(str(event.do).split())
            add(("timeline", item.entry, "do" if said == item.action.text else "then"), problem)


def _action_problem(world: World, action: Action) -> str | None:
    """What would go wrong when ``action`` runs in ``world``: each action class knows its own
    hazards (an app not installed, an adb command the device refuses, an unknown server or
    resource, an app action the module lacks); its text was checked when it was parsed."""
    problem = platform_problem(action, world.platform)
    if problem is not None:
        return problem
    try:
        problem = action.problem(world)
    except DefinitionError as error:
        problem = str(error)
    if problem is None:
        return None
    return problem if problem.startswith("action ") else f"action {action.text!r}: {problem}"
