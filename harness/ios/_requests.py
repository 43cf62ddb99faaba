"""``BGTaskRequest`` values: what an app submits to ``BGTaskScheduler``."""

from __future__ import annotations

from dataclasses import dataclass

from harness.ios._enums import TaskKind


@dataclass(frozen=True, slots=True)
class BGTaskRequest:
    """A request to launch the app in the background (``BGTaskRequest``).

    ``earliest_begin_ms`` (``earliestBeginDate``) is virtual ms since the epoch: a floor, never a
    time; ``None`` means no delay (developer.apple.com/documentation/backgroundtasks/
    bgtaskrequest/earliestbegindate).
    """

    identifier: str
    earliest_begin_ms: int | None = None

    @property
    def kind(self) -> TaskKind:
        """The kind of task this request launches."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BGAppRefreshTaskRequest(BGTaskRequest):
    """``BGAppRefreshTaskRequest``: a short refresh (about 30 s), timed by the system."""

    @property
    def kind(self) -> TaskKind:
        """Always :attr:`TaskKind.APP_REFRESH`."""
        return TaskKind.APP_REFRESH


@dataclass(frozen=True, slots=True)
class BGProcessingTaskRequest(BGTaskRequest):
    """``BGProcessingTaskRequest``: minutes of work while the device is idle.

    Both flags default to NO (``requiresNetworkConnectivity``, ``requiresExternalPower``).
    """

    requires_network_connectivity: bool = False
    requires_external_power: bool = False

    @property
    def kind(self) -> TaskKind:
        """Always :attr:`TaskKind.PROCESSING`."""
        return TaskKind.PROCESSING
