"""The one exception tree of harness.

Two branches, because they call for different reactions:

* :class:`DefinitionError`: something the user wrote is wrong (a request, a scenario, a device
  profile, an adb command). Raised at once, before anything runs, naming the thing, the bad value
  and the way out.
* :class:`HarnessRuntimeError`: the simulation itself hit a problem at virtual time ``t_ms`` (a
  harness callback raised, awaited work can never finish, time was asked to go backwards).

A crash in *app* code is neither: it is recorded as the failure of that task and the run goes on.
"""

from __future__ import annotations


def _format_t_ms(t_ms: int) -> str:
    """``_units.format_t_ms`` (``"2d08:14:00.000"``); this leaf module imports nothing, and a test
    pins the two to the same output."""
    sign = "-" if t_ms < 0 else ""
    seconds, millis = divmod(abs(t_ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


class HarnessError(Exception):
    """Root of every error harness raises on purpose."""


# --- definition errors: bad input, raised before anything runs -------------------------------


class DefinitionError(HarnessError, ValueError):
    """Something the user defined is invalid; the message names the field, the value and the fix."""


class DefinitionTypeError(DefinitionError, TypeError):
    """A value of the wrong type (also a ``TypeError``); the message names it and the type."""


class InvalidRequestError(DefinitionError):
    """A work request that WorkManager itself would reject (an androidx ``build()`` exception)."""


class InvalidDataError(DefinitionError):
    """Input or output ``Data`` that androidx would reject (wrong type, over 10 240 bytes)."""


class NotDataV1Error(InvalidDataError):
    """Bytes given as serialized ``Data`` do not start with androidx's V1 header."""


class ProfileError(DefinitionError):
    """A device profile file or override has a bad value."""


class ShellCommandError(DefinitionError):
    """An adb shell command string that the simulated device does not support or cannot parse."""


class ShellStateError(ShellCommandError):
    """A well-formed adb shell command that the device refuses in its current state (deep idle
    not enabled, the device off); the same command may succeed at another moment."""


class JobShellError(ShellCommandError):
    """A ``cmd jobscheduler`` invocation that fails (the text is what the shell prints)."""


class TraceKindError(DefinitionError):
    """A trace record whose kind is not registered, or whose fields do not fit its kind."""


class TimeExpressionError(DefinitionError):
    """A scenario time expression that does not parse; the message says what forms are allowed."""


class ActionError(DefinitionError):
    """A scenario timeline action that is not one of the allowed forms, or cannot be carried out."""


class CheckDefinitionError(DefinitionError):
    """A scenario check entry that names no known check or has a bad argument."""


class ScenarioError(DefinitionError):
    """A scenario file is invalid. Carries where: file, line, field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        where = ""
        if file is not None:
            where = file if line is None else f"{file}:{line}"
            where += ": "
        if field is not None:
            where += f"{field}: "
        super().__init__(where + message)


# --- runtime errors: the simulation broke at a virtual time ---------------------------------


class HarnessRuntimeError(HarnessError, RuntimeError):
    """The simulation could not go on at virtual time ``t_ms``."""

    def __init__(self, message: str, *, t_ms: int) -> None:
        self.t_ms = t_ms
        super().__init__(f"at t={_format_t_ms(t_ms)} ({t_ms} ms): {message}")


class CallbackError(HarnessRuntimeError):
    """A callback scheduled on the virtual clock raised; ``__cause__`` is the original exception."""


class DeadlockError(HarnessRuntimeError):
    """Something is awaited that nothing scheduled can ever complete."""


class TimeTravelError(HarnessRuntimeError):
    """Asked to move virtual time backwards; time in harness never goes backwards."""


class SimulationStateError(HarnessRuntimeError):
    """The simulation was used in a state that does not allow it (not started, already closed)."""


class UnobservedTaskError(HarnessRuntimeError):
    """Tasks on the virtual loop failed and nobody retrieved their exceptions."""


class RealIOError(HarnessRuntimeError):
    """App code tried real I/O (a socket, DNS, a subprocess, a thread, a file write): the loop
    refuses its own I/O calls, and harness.app's guard refuses the rest while app code runs."""


class NoAppRunningError(HarnessRuntimeError):
    """An ambient accessor was used outside app code (no app instance is running)."""


# --- fleets: where runs go, not what they simulate ----------------------------------------------


class WorkerLostError(HarnessError, RuntimeError):
    """A fleet's batch killed its worker process on every attempt (out of memory, a crash in
    native code): the executor gave up on it rather than retry forever."""
