"""harness: a deterministic simulated phone for testing background-sync code.

Layers (each a subpackage; imports only point down): ``harness.sim`` (virtual clock, loop, RNG,
trace) is the base. See ``docs/architecture.md``.
"""

import logging

from harness._exceptions import (
    CallbackError,
    DeadlockError,
    DefinitionError,
    DefinitionTypeError,
    HarnessError,
    HarnessRuntimeError,
    TraceKindError,
)

__version__ = "0.1.0"

# A library logs, the application decides where logs go: no "No handler" noise on stderr.
logging.getLogger("harness").addHandler(logging.NullHandler())

__all__ = [
    "CallbackError",
    "DeadlockError",
    "DefinitionError",
    "DefinitionTypeError",
    "HarnessError",
    "HarnessRuntimeError",
    "TraceKindError",
    "__version__",
]
