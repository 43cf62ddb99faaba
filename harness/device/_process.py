"""Process values: states, exit reasons, and the events :class:`~harness.device.Apps` emits."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProcessState(enum.IntEnum):
    """A process's state (``ActivityManager.PROCESS_STATE_*`` values)."""

    TOP = 2  # the app's activity is on screen (foreground)
    SERVICE = 10  # in the background, running a bound service (a job)
    CACHED_ACTIVITY = 16  # the user left the app; kept in memory, killable at any time
    CACHED_EMPTY = 19  # nothing running; kept in memory, killable at any time
    NONEXISTENT = 20  # no process


class ExitReason(enum.IntEnum):
    """Why a process died (``ApplicationExitInfo.REASON_*``)."""

    REASON_UNKNOWN = 0  # no reason recorded
    REASON_LOW_MEMORY = 3  # the low-memory killer reclaimed it
    REASON_USER_REQUESTED = 10  # am kill, force-stop, remove task, pm clear
    REASON_OTHER = 13  # anything else: too many cached processes, an OEM killer, shutdown


class StartResult(enum.Enum):
    """What :meth:`Apps.start_process` did."""

    RUNNING = "running"  # the process was already running
    STARTING = "starting"  # a cold start began; ``process_started`` fires when it is up
    REFUSED = "refused"  # the package is stopped (force-stopped) or the device is off


@dataclass(frozen=True, slots=True)
class ProcessStarted:
    """A process came up: for a user ``launch`` or a higher layer's ``reason``.

    ``for_launch`` tells the two apart as a value (AOSP's ``HostingRecord`` type "activity"):
    the start began because the user opened the app; ``reason`` is the text the trace shows.
    """

    package: str
    pid: int
    reason: str
    for_launch: bool = False


@dataclass(frozen=True, slots=True)
class ProcessDied:
    """A process died: every in-memory object of it is gone; device-owned data stays."""

    package: str
    pid: int
    reason: ExitReason
    detail: str


@dataclass(frozen=True, slots=True)
class ProcessStateChange:
    """A package's process moved to ``state``."""

    package: str
    state: ProcessState
