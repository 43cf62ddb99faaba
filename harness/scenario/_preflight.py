"""Preflight: build a scenario's world without running it, so a bad file fails before it runs.

The schema catches wrong types and unknown fields; some mistakes only show when the pieces are
put together: a device profile or override that does not exist, a backend factory that does not
import, a resource the servers cannot serve, an adb command the device does not have, an app
action the app module does not define, a ``server add`` to a URL with no resource. Each is
reported with the timeline entry (or section) it comes from, as the loader reports schema errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError
from harness.scenario._servers import resource_at
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
            add((_section_of(error),), str(error))
            return
        _check_actions(scenario, world, add)


def _check_actions(scenario: Scenario, world: World, add: Callable[[Loc, str], None]) -> None:
    seen: set[tuple[int, str]] = set()
    for item in scenario.schedule:
        key = (item.entry, item.action.text)
        if key in seen:  # a repeating event: check its text once
            continue
        seen.add(key)
        problem = _action_problem(world, item.action.kind, item.action)
        if problem is not None:
            event = scenario.spec.timeline[item.entry]
            said = " ".join(str(event.do).split())
            add(("timeline", item.entry, "do" if said == item.action.text else "then"), problem)


def _section_of(error: DefinitionError) -> str:
    """Which section of the file a world-building error belongs to."""
    name = type(error).__name__
    return "device" if name == "ProfileError" else "backend"


def _action_problem(world: World, kind: str, action: object) -> str | None:
    from harness.scenario._actions import Action

    assert isinstance(action, Action)
    try:
        if kind == "shell" and action.command is not None:
            if not world.device.shell_commands.handles(action.command):
                supported = "; ".join(world.device.shell_commands.supported())
                return (
                    f"action {action.text!r}: the simulated device has no adb shell command "
                    f"{action.command!r}; supported: {supported}"
                )
        elif kind == "app":
            return _app_action_problem(world, action)
        elif kind in ("server_add", "server_update") and action.url is not None:
            resource_at(world.internet, action.url)
    except DefinitionError as error:
        return f"action {action.text!r}: {error}"
    return None


def _app_action_problem(world: World, action: object) -> str | None:
    from harness.scenario._actions import Action

    assert isinstance(action, Action)
    apps = world.scenario.apps
    if len(apps) != 1:
        return (
            f"action {action.text!r} needs one app: the scenario has {len(apps)} "
            f"({', '.join(app.package for app in apps)})"
        )
    (app,) = apps
    actions = getattr(app.load(), "ACTIONS", {})
    if not isinstance(actions, dict) or action.name not in actions:
        known = ", ".join(sorted(actions)) if isinstance(actions, dict) and actions else "none"
        return (
            f"action {action.text!r}: app module {app.module} has no ACTIONS[{action.name!r}] "
            f"(its actions: {known}); define ACTIONS = {{'{action.name}': function}} in it"
        )
    return None
