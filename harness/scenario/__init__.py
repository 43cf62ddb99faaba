"""Scenarios: YAML files describing a device, apps, servers, a timeline and checks; the runner.

``load(path)`` validates a file before anything runs; ``run(scenario, seed)`` is a pure,
picklable function returning a :class:`RunRecord`; ``scenario.run(seed)`` returns the live
:class:`RunResult` for assertions in tests.
"""

from typing import TYPE_CHECKING, Final

from harness._lazy import lazy_names

if TYPE_CHECKING:
    from harness.scenario._actions import ACTION_HELP, ACTIONS, Action
    from harness.scenario._checks import CHECK_NAMES, Check, RunView
    from harness.scenario._executors import (
        Executor,
        ExecutorKind,
        InProcessExecutor,
        LocalPoolExecutor,
        make_executor,
    )
    from harness.scenario._fleet import (
        DeviceResult,
        FleetBatch,
        fleet_replay_command,
        run_batch,
        run_device,
        run_fleet,
    )
    from harness.scenario._life_spec import life_presets
    from harness.scenario._loader import Scenario, discover, load, load_data, loads
    from harness.scenario._population import assign_profile, device_seed
    from harness.scenario._record import (
        TIMELINE_KINDS,
        CheckResult,
        RunRecord,
        WhyEntry,
        trace_location,
    )
    from harness.scenario._result import RunResult
    from harness.scenario._runner import (
        Job,
        failed_summary,
        load_once,
        run,
        run_many,
        run_scenario,
        trace_file,
    )
    from harness.scenario._session import RunSession
    from harness.scenario._why import why_at
    from harness.scenario._why_answer import WorkWhy
    from harness.scenario._world import World

#: Each public name's private module, imported when the name is first read (module
#: ``__getattr__``, PEP 562): a run imports only the parts it uses (issue 14 (h)).
_LAZY: Final[dict[str, str]] = {
    "ACTIONS": "_actions",
    "ACTION_HELP": "_actions",
    "Action": "_actions",
    "CHECK_NAMES": "_checks",
    "Check": "_checks",
    "CheckResult": "_record",
    "DeviceResult": "_fleet",
    "Executor": "_executors",
    "ExecutorKind": "_executors",
    "FleetBatch": "_fleet",
    "InProcessExecutor": "_executors",
    "Job": "_runner",
    "LocalPoolExecutor": "_executors",
    "RunRecord": "_record",
    "RunResult": "_result",
    "RunSession": "_session",
    "RunView": "_checks",
    "Scenario": "_loader",
    "TIMELINE_KINDS": "_record",
    "WhyEntry": "_record",
    "WorkWhy": "_why_answer",
    "World": "_world",
    "assign_profile": "_population",
    "device_seed": "_population",
    "discover": "_loader",
    "failed_summary": "_runner",
    "fleet_replay_command": "_fleet",
    "life_presets": "_life_spec",
    "load": "_loader",
    "load_data": "_loader",
    "load_once": "_runner",
    "loads": "_loader",
    "make_executor": "_executors",
    "run": "_runner",
    "run_batch": "_fleet",
    "run_device": "_fleet",
    "run_fleet": "_fleet",
    "run_many": "_runner",
    "run_scenario": "_runner",
    "trace_file": "_runner",
    "trace_location": "_record",
    "why_at": "_why",
}

__all__ = [
    "ACTIONS",
    "ACTION_HELP",
    "CHECK_NAMES",
    "TIMELINE_KINDS",
    "Action",
    "Check",
    "CheckResult",
    "DeviceResult",
    "Executor",
    "ExecutorKind",
    "FleetBatch",
    "InProcessExecutor",
    "Job",
    "LocalPoolExecutor",
    "RunRecord",
    "RunResult",
    "RunSession",
    "RunView",
    "Scenario",
    "WhyEntry",
    "WorkWhy",
    "World",
    "assign_profile",
    "device_seed",
    "discover",
    "failed_summary",
    "fleet_replay_command",
    "life_presets",
    "load",
    "load_data",
    "load_once",
    "loads",
    "make_executor",
    "run",
    "run_batch",
    "run_device",
    "run_fleet",
    "run_many",
    "run_scenario",
    "trace_file",
    "trace_location",
    "why_at",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
