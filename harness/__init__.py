"""harness: a deterministic simulated phone for testing background-sync code.

Layers (each a subpackage; imports only point down): ``harness.sim`` (virtual clock, loop, RNG,
trace) is the base. See ``docs/architecture.md``. The whole exception tree (rooted at
:class:`HarnessError`) is exported here.
"""

import logging

from harness._exceptions import (
    ActionError,
    CallbackError,
    CheckDefinitionError,
    DeadlockError,
    DefinitionError,
    DefinitionTypeError,
    HarnessError,
    HarnessRuntimeError,
    InvalidDataError,
    InvalidRequestError,
    JobShellError,
    NoAppRunningError,
    NotDataV1Error,
    ProfileError,
    RealIOError,
    ScenarioError,
    ShellCommandError,
    ShellStateError,
    SimulationStateError,
    TimeExpressionError,
    TimeTravelError,
    TraceKindError,
    UnobservedTaskError,
    WorkerLostError,
)

__version__ = "0.1.0"

# A library logs, the application decides where logs go: no "No handler" noise on stderr.
logging.getLogger("harness").addHandler(logging.NullHandler())

__all__ = [
    "ActionError",
    "CallbackError",
    "CheckDefinitionError",
    "DeadlockError",
    "DefinitionError",
    "DefinitionTypeError",
    "HarnessError",
    "HarnessRuntimeError",
    "InvalidDataError",
    "InvalidRequestError",
    "JobShellError",
    "NoAppRunningError",
    "NotDataV1Error",
    "ProfileError",
    "RealIOError",
    "ScenarioError",
    "ShellCommandError",
    "ShellStateError",
    "SimulationStateError",
    "TimeExpressionError",
    "TimeTravelError",
    "TraceKindError",
    "UnobservedTaskError",
    "WorkerLostError",
    "__version__",
]
