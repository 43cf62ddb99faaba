"""The iOS seam: what the Flutter plugins need of iOS's ``BGTaskScheduler`` and ``UIApplication``.

The plugins' iOS sides (``workmanager``'s ``WorkmanagerPlugin.swift``, ``background_fetch``'s
``TSBackgroundFetch.m``) talk to the system through this protocol; the simulated iOS device
(``BGTaskScheduler`` with Apple's documented rules) implements it and is bound to a simulation with
:func:`bind_ios`. An app runs "on iOS" when its simulation has an iOS port bound.
"""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from harness.sim import Simulation


class BGTaskKind(enum.Enum):
    """Which ``BGTaskRequest`` subclass."""

    APP_REFRESH = "refresh"  # BGAppRefreshTaskRequest: about 30 s, timed to app usage
    PROCESSING = "processing"  # BGProcessingTaskRequest: minutes, while the phone is idle


class BackgroundRefreshStatus(enum.IntEnum):
    """``UIBackgroundRefreshStatus``."""

    RESTRICTED = 0  # parental controls and the like
    DENIED = 1  # the user turned Background App Refresh off (or Low Power Mode is on)
    AVAILABLE = 2  # background launches may happen


@dataclass(frozen=True, slots=True)
class BGTaskRequest:
    """A submitted request; ``earliest_begin_ms`` is a floor in virtual ms (``None``: no delay)."""

    identifier: str
    kind: BGTaskKind
    earliest_begin_ms: int | None = None
    requires_network_connectivity: bool = False
    requires_external_power: bool = False


class BGTaskSchedulerError(Exception):
    """``BGTaskScheduler.Error``: unavailable 1, tooManyPendingTaskRequests 2, notPermitted 3,
    immediateRunIneligible 4."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(f"BGTaskSchedulerErrorDomain error {code}: {message}")


class BGTaskHandle(Protocol):
    """A launched ``BGTask``: set ``expiration_handler``, then call ``set_task_completed``."""

    identifier: str
    expiration_handler: Callable[[], None] | None

    def set_task_completed(self, success: bool) -> None:
        """``setTaskCompleted(success:)``."""
        ...


LaunchHandler = Callable[[BGTaskHandle], None]


class IOSPort(Protocol):
    """What an app's plugins see of iOS."""

    def background_refresh_status(self, package: str) -> BackgroundRefreshStatus:
        """``UIApplication.backgroundRefreshStatus``."""
        ...

    def register(self, package: str, identifier: str, handler: LaunchHandler) -> bool:
        """``register(forTaskWithIdentifier:using:launchHandler:)``; ``False`` if the id is not
        in ``BGTaskSchedulerPermittedIdentifiers``."""
        ...

    def submit(self, package: str, request: BGTaskRequest) -> None:
        """``submit(_:)``; raises :class:`BGTaskSchedulerError`."""
        ...

    def cancel(self, package: str, identifier: str) -> None:
        """``cancel(taskRequestWithIdentifier:)``."""
        ...

    def cancel_all(self, package: str) -> None:
        """``cancelAllTaskRequests()``."""
        ...

    def pending(self, package: str) -> list[BGTaskRequest]:
        """``getPendingTaskRequests``."""
        ...


_PORTS: weakref.WeakKeyDictionary[Simulation, IOSPort] = weakref.WeakKeyDictionary()


def bind_ios(sim: Simulation, port: IOSPort) -> None:
    """Apps of ``sim`` run on iOS, through ``port``."""
    _PORTS[sim] = port


def ios_port(sim: Simulation) -> IOSPort | None:
    """The iOS port of ``sim``, or ``None`` when its apps run on Android."""
    return _PORTS.get(sim)
