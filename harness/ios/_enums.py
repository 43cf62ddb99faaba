"""The closed sets of iOS's background execution, with Apple's names and raw values."""

from __future__ import annotations

import enum


class BGTaskSchedulerErrorCode(enum.IntEnum):
    """``BGTaskSchedulerErrorCode`` (``BGTaskScheduler.Error.Code``), Apple's raw values.

    developer.apple.com/documentation/backgroundtasks/bgtaskscheduler/error/code; the raw values
    as the .NET binding prints them (learn.microsoft.com/en-us/dotnet/api/
    backgroundtasks.bgtaskschedulererrorcode).
    """

    UNAVAILABLE = 1  # Background App Refresh off (or Low Power Mode), or the Simulator
    TOO_MANY_PENDING_TASK_REQUESTS = 2  # already 1 refresh / 10 processing requests pending
    NOT_PERMITTED = 3  # UIBackgroundModes lacks the mode, or the id is not permitted
    IMMEDIATE_RUN_INELIGIBLE = 4  # a continued-processing request under .fail could not start now


class BackgroundRefreshStatus(enum.IntEnum):
    """``UIBackgroundRefreshStatus``: whether the app may run in the background."""

    RESTRICTED = 0  # parental controls or a profile forbid it; the user cannot turn it on
    DENIED = 1  # the user turned Background App Refresh off (globally or for the app), or LPM
    AVAILABLE = 2  # background launches may happen


class TaskKind(enum.Enum):
    """What the system launches the app in the background for."""

    APP_REFRESH = "app_refresh"  # BGAppRefreshTask: about 30 s, timed to the user's app use
    PROCESSING = "processing"  # BGProcessingTask: minutes, only while the device is idle
    BACKGROUND_FETCH = "background_fetch"  # legacy performFetchWithCompletionHandler: 30 s
    SILENT_PUSH = "silent_push"  # didReceiveRemoteNotification:fetchCompletionHandler: 30 s
    CONTINUED_PROCESSING = (
        "continued_processing"  # BGContinuedProcessingTask (iOS 26): user-started
    )
    URL_SESSION = "url_session"  # handleEventsForBackgroundURLSession: a session's events, 30 s


class AppState(enum.Enum):
    """``UIApplication.State`` plus the process: where an app is in its life cycle."""

    NOT_RUNNING = "not_running"  # no process (never launched, terminated, force-quit)
    FOREGROUND = "foreground"  # on screen: the user is using it
    BACKGROUND = "background"  # running off screen (a background launch, a background task)
    SUSPENDED = "suspended"  # in memory, not running; resumed for the next background launch


class FetchResult(enum.IntEnum):
    """``UIBackgroundFetchResult``: what a fetch or a silent push handler reports."""

    NEW_DATA = 0  # new data was downloaded
    NO_DATA = 1  # nothing new
    FAILED = 2  # the fetch failed
