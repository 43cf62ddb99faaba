"""``IOSApp``: one installed iOS app, its Info.plist, its delegate and its process.

``AppInfo`` is what the Info.plist declares (``UIBackgroundModes``,
``BGTaskSchedulerPermittedIdentifiers``); ``AppDelegate`` is the app code iOS calls (did finish
launching, where launch handlers are registered; the legacy fetch; silent pushes). Launch
handlers belong to the process: a new process registers them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.ios._enums import AppState, TaskKind
from harness.ios._launches import Activity
from harness.ios._task import BGTask, FetchCompletion

#: ``UIBackgroundModes`` values that matter here.
FETCH_MODE = "fetch"  # BGAppRefreshTask and the legacy background fetch
PROCESSING_MODE = "processing"  # BGProcessingTask
REMOTE_NOTIFICATION_MODE = "remote-notification"  # silent pushes


@dataclass(frozen=True, slots=True)
class AppInfo:
    """The Info.plist keys iOS reads for background execution."""

    #: ``BGTaskSchedulerPermittedIdentifiers``: the only identifiers the app may submit.
    permitted_identifiers: tuple[str, ...] = ()
    #: ``UIBackgroundModes``: ``fetch``, ``processing``, ``remote-notification``.
    background_modes: frozenset[str] = frozenset(
        {FETCH_MODE, PROCESSING_MODE, REMOTE_NOTIFICATION_MODE}
    )
    #: The app's entitlements (e.g. background GPU access for continued-processing tasks).
    entitlements: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Launch:
    """What ``application(_:didFinishLaunchingWithOptions:)`` learns: which app, and why it was
    launched (``reason`` ``None`` for a user launch, else the kind of background launch)."""

    bundle_id: str
    reason: TaskKind | None
    t_ms: int


@dataclass(frozen=True, slots=True)
class AppDelegate:
    """The app code iOS calls; each part is optional.

    ``did_finish_launching(launch)`` runs at every process start (register launch handlers here:
    BGTaskScheduler refuses them later); ``perform_fetch(completion)`` is the legacy
    ``application(_:performFetchWithCompletionHandler:)``;
    ``did_receive_remote_notification(payload, completion)`` receives silent pushes;
    ``handle_events_for_background_url_session(identifier, completion)`` is called when iOS
    resumes or launches the app for a background ``URLSession``'s events (call ``completion()``
    once they are handled, from the session delegate's ``did_finish_events``).
    """

    did_finish_launching: Callable[[Launch], object] | None = None
    perform_fetch: Callable[[FetchCompletion], object] | None = None
    did_receive_remote_notification: (
        Callable[[Mapping[str, Any], FetchCompletion], object] | None
    ) = None
    handle_events_for_background_url_session: Callable[[str, Callable[[], None]], object] | None = (
        None
    )


@dataclass(slots=True)
class IOSApp:
    """One installed app's state on the iOS device (owned by :class:`IOSSystem`)."""

    bundle_id: str
    info: AppInfo
    delegate: AppDelegate
    state: AppState = AppState.NOT_RUNNING
    #: The user swiped the app away in the app switcher: no background launches until they open
    #: it again (developer.apple.com/forums/thread/119758).
    force_quit: bool = False
    #: The per-app Background App Refresh switch (Settings > General > Background App Refresh).
    background_app_refresh: bool = True
    #: ``setMinimumBackgroundFetchInterval``: ``None`` is
    #: ``UIApplicationBackgroundFetchIntervalNever`` (the default).
    minimum_fetch_interval_ms: int | None = None
    #: How many times its process started.
    launch_count: int = 0
    launching: bool = False
    handlers: dict[str, Callable[[BGTask], object]] = field(default_factory=dict)
    activities: list[Activity] = field(default_factory=list)
    last_fetch_ms: int | None = None
