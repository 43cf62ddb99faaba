"""The values of ``harness why`` on iOS: what holds a background task back (``WaitCause``), an
answer (``LaunchWhy``), where each rule comes from, and a refused ``submit`` in words."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from harness._units import format_t_ms
from harness.ios._enums import BGTaskSchedulerErrorCode, TaskKind
from harness.ios._planner import AppSlot

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem


class WaitCause(enum.Enum):
    """What keeps an app's background task from launching now (or that it runs)."""

    RUNNING = "running"  # launched and still within its budget
    DUE = "due"  # nothing holds it back: iOS launches it at this instant
    DEVICE_OFF = "device_off"  # the phone is off or booting
    FIRST_UNLOCK = "first_unlock"  # rebooted and not unlocked since (data protection)
    FORCE_QUIT = "force_quit"  # swiped away in the app switcher; until the user opens it
    REFRESH_OFF = "background_app_refresh_off"  # the switch is off, globally or for the app
    LOW_POWER_MODE = "low_power_mode"  # Low Power Mode turns Background App Refresh off
    LOW_BATTERY = "low_battery"  # critically low battery, not charging
    FOREGROUND = "foreground"  # the app is on screen: no background launch for it
    NO_REQUEST = "no_request"  # nothing pending for the identifier (never, refused, launched)
    EARLIEST_BEGIN = "earliest_begin"  # earliestBeginDate not reached
    IDLE = "idle"  # a processing task waits for the device to be idle
    EXTERNAL_POWER = "external_power"  # a processing task requires external power
    NETWORK = "network"  # a processing task requires network connectivity
    RATE_LIMIT = "rate_limit"  # modelled: too soon after the app's last refresh launch
    DAILY_BUDGET = "daily_budget"  # modelled: the app's launches per day are used up
    NOT_USED = "not_used"  # modelled: the user has not opened the app within the usage window
    PREDICTED_OPEN = "predicted_open"  # modelled: waiting for the next predicted app open
    PUSH_THROTTLED = "push_throttled"  # silent pushes beyond the hourly limit are dropped
    CONNECTIVITY = "connectivity"  # a background transfer waits for a network
    CELLULAR_NOT_ALLOWED = "cellular_not_allowed"  # allowsCellularAccess false, only cellular
    DISCRETIONARY = "discretionary"  # modelled: a discretionary transfer waits for Wi-Fi, power
    RETRY_DELAY = "retry_delay"  # modelled: a failed transfer attempt is tried again later
    EVENTS_WAITING = "events_waiting"  # a transfer finished; its events wait for the app
    TRANSFER_CANCELLED = "transfer_cancelled"  # a force-quit cancelled the app's transfers
    TIMED_OUT = "timed_out"  # a transfer not done within timeoutIntervalForResource
    QUEUED = "queued"  # a continued-processing request waits for a free slot (.queue)
    STALLED = "stalled"  # modelled: a continued task without progress was expired
    USER_CANCELLED = "user_cancelled"  # the user cancelled a continued task (Live Activity)
    ENDED_BY_FORCE_QUIT = "ended_by_force_quit"  # a force-quit ended a continued task silently

    @property
    def source(self) -> str:
        """Where the rule comes from (Apple's page, or docs/ios.md for a modelled policy)."""
        return SOURCES[self]


#: Where each rule comes from (Apple's pages; docs/ios.md for the modelled policy).
SOURCES: Final = {
    WaitCause.RUNNING: "developer.apple.com/documentation/backgroundtasks/bgtask/"
    "settaskcompleted(success:)",
    WaitCause.DUE: "docs/ios.md (LaunchPolicy)",
    WaitCause.DEVICE_OFF: "the device model",
    WaitCause.FIRST_UNLOCK: "data protection: no background launch before the first unlock "
    "after a reboot (third-party notes; docs/ios.md)",
    WaitCause.FORCE_QUIT: "developer.apple.com/forums/thread/119758 (Apple engineer)",
    WaitCause.REFRESH_OFF: "developer.apple.com/documentation/uikit/uiapplication/"
    "backgroundrefreshstatus",
    WaitCause.LOW_POWER_MODE: "developer.apple.com/documentation/uikit/uiapplication/"
    "backgroundrefreshstatus; support.apple.com/HT205234",
    WaitCause.LOW_BATTERY: "WWDC20 10063, factor 1: critically low battery",
    WaitCause.FOREGROUND: "developer.apple.com/documentation/backgroundtasks/"
    "choosing-background-strategies-for-your-app",
    WaitCause.NO_REQUEST: "developer.apple.com/documentation/backgroundtasks/bgtaskscheduler/"
    "submit(_:)",
    WaitCause.EARLIEST_BEGIN: "developer.apple.com/documentation/backgroundtasks/bgtaskrequest/"
    "earliestbegindate",
    WaitCause.IDLE: "developer.apple.com/documentation/backgroundtasks/bgprocessingtask",
    WaitCause.EXTERNAL_POWER: "developer.apple.com/documentation/backgroundtasks/"
    "bgprocessingtaskrequest/requiresexternalpower",
    WaitCause.NETWORK: "developer.apple.com/documentation/backgroundtasks/"
    "bgprocessingtaskrequest/requiresnetworkconnectivity",
    WaitCause.RATE_LIMIT: "docs/ios.md, a modelled policy, not Apple's "
    "(LaunchPolicy.min_refresh_interval_ms; WWDC20 10063, factor 7)",
    WaitCause.DAILY_BUDGET: "docs/ios.md, a modelled policy, not Apple's "
    "(LaunchPolicy.max_*_launches_per_day; WWDC20 10063, factor 6)",
    WaitCause.NOT_USED: "docs/ios.md, a modelled policy, not Apple's "
    "(LaunchPolicy.usage_window_ms; BGProcessingTask: apps used in the past week)",
    WaitCause.PREDICTED_OPEN: "docs/ios.md, a modelled policy, not Apple's "
    "(LaunchPolicy.refresh_lead_*; WWDC20 10063, factor 3)",
    WaitCause.PUSH_THROTTLED: "developer.apple.com/documentation/usernotifications/"
    "pushing-background-updates-to-your-app",
    WaitCause.CONNECTIVITY: "developer.apple.com/documentation/foundation/"
    "urlsessionconfiguration/waitsforconnectivity (background sessions always wait)",
    WaitCause.CELLULAR_NOT_ALLOWED: "developer.apple.com/documentation/foundation/"
    "urlsessionconfiguration/allowscellularaccess",
    WaitCause.DISCRETIONARY: "docs/ios.md, a modelled policy, not Apple's "
    "(TransferPolicy.discretionary_needs_*; urlsessionconfiguration/isdiscretionary)",
    WaitCause.RETRY_DELAY: "docs/ios.md, a modelled policy, not Apple's "
    "(TransferPolicy.retry_delay_ms; urlsessionconfiguration/timeoutintervalforrequest: "
    "background tasks are automatically retried)",
    WaitCause.EVENTS_WAITING: "developer.apple.com/documentation/foundation/"
    "urlsessionconfiguration/sessionsendslaunchevents",
    WaitCause.TRANSFER_CANCELLED: "developer.apple.com/documentation/foundation/"
    "urlsessionconfiguration/background(withidentifier:) (force-quit cancels the transfers; "
    "NSURLErrorCancelledReasonUserForceQuitApplication)",
    WaitCause.TIMED_OUT: "developer.apple.com/documentation/foundation/"
    "urlsessionconfiguration/timeoutintervalforresource",
    WaitCause.QUEUED: "developer.apple.com/documentation/backgroundtasks/"
    "bgcontinuedprocessingtaskrequest/submissionstrategy-swift.enum/queue; docs/ios.md, "
    "a modelled policy (ContinuedProcessingPolicy.max_running)",
    WaitCause.STALLED: "BGTask.h (tasks that appear stalled may be forcibly expired); "
    "docs/ios.md, a modelled policy (ContinuedProcessingPolicy.stall_timeout_ms)",
    WaitCause.USER_CANCELLED: "developer.apple.com/documentation/backgroundtasks/"
    "performing-long-running-tasks-on-ios-and-ipados (cancel runs the expiration handler)",
    WaitCause.ENDED_BY_FORCE_QUIT: "developer.apple.com/documentation/backgroundtasks/"
    "performing-long-running-tasks-on-ios-and-ipados (no indication of cancellation)",
}


@dataclass(frozen=True, slots=True)
class LaunchWhy:
    """Why one background task of one app is or is not launching now.

    ``identifier`` is the request's (``FETCH_IDENTIFIER`` for the legacy fetch,
    ``PUSH_IDENTIFIER`` for silent pushes); ``kind`` ``None`` when nothing is pending or running
    for it; ``until_ms`` the earliest instant the answer can change by itself (``None``: it
    waits for the user or the device)."""

    bundle_id: str
    identifier: str
    kind: TaskKind | None
    cause: WaitCause
    reason: str
    source: str
    until_ms: int | None = None
    #: with nothing pending (``NO_REQUEST``): what would hold a request back if it were
    #: submitted now (Background App Refresh off, force-quit...), or ``None``
    meanwhile: str | None = None

    @property
    def running(self) -> bool:
        """Whether the task runs now."""
        return self.cause is WaitCause.RUNNING

    @property
    def pending(self) -> bool:
        """Whether a request is pending (or, for the legacy fetch, enabled)."""
        return self.kind is not None and not self.running


def at_t(t_ms: int) -> str:
    """A virtual instant as answers write it: ``t=1d09:00:00.000``."""
    return f"t={format_t_ms(t_ms)}"


def answer(
    slot: AppSlot,
    identifier: str,
    kind: TaskKind | None,
    cause: WaitCause,
    reason: str,
    until_ms: int | None = None,
) -> LaunchWhy:
    """An answer for ``slot``\'s app with the source of ``cause``."""
    return LaunchWhy(slot.app.bundle_id, identifier, kind, cause, reason, SOURCES[cause], until_ms)


#: Apple's page for each ``BGTaskSchedulerErrorCode``.
ERROR_SOURCES: Final = {
    BGTaskSchedulerErrorCode.UNAVAILABLE: "developer.apple.com/documentation/backgroundtasks/"
    "bgtaskscheduler/error/code/unavailable",
    BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS: "developer.apple.com/documentation/"
    "backgroundtasks/bgtaskscheduler/submit(_:)",
    BGTaskSchedulerErrorCode.NOT_PERMITTED: "developer.apple.com/documentation/backgroundtasks/"
    "bgtaskscheduler/error/code/notpermitted",
    BGTaskSchedulerErrorCode.IMMEDIATE_RUN_INELIGIBLE: "developer.apple.com/documentation/"
    "backgroundtasks/bgtaskscheduler/error/code/immediaterunineligible",
}


def refused_submit(
    system: IOSSystem,
    bundle_id: str,
    identifier: str,
    kind: TaskKind,
    code: BGTaskSchedulerErrorCode,
) -> tuple[str, str]:
    """Why ``submit`` refused ``identifier`` with ``code``, in words, and the rule's source:
    ``NOT_PERMITTED`` names what the app's Info.plist lacks (read now)."""
    info = system.app(bundle_id).info
    mode = _MODE.get(kind, "fetch")
    name = f"BGTaskSchedulerErrorCode {_CODE_NAMES[code]} ({code.value})"
    if code is BGTaskSchedulerErrorCode.NOT_PERMITTED:
        lacks = []
        if identifier not in info.permitted_identifiers:
            listed = ", ".join(info.permitted_identifiers) or "none"
            lacks.append(
                f"{identifier!r} is not in the Info.plist's BGTaskSchedulerPermittedIdentifiers "
                f"({listed})"
            )
        if mode not in info.background_modes:
            lacks.append(f"UIBackgroundModes lacks {mode!r}")
        why = "; ".join(lacks) or "the identifier or the background mode was not permitted"
    elif code is BGTaskSchedulerErrorCode.UNAVAILABLE:
        why = "Background App Refresh was off for the app, or Low Power Mode was on"
    elif code is BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS:
        why = (
            "1 refresh or 10 processing requests were already pending under other identifiers "
            "(cancel one, or resubmit its identifier to replace it)"
        )
    else:
        # error/code/immediaterunineligible: a .fail request "isn't able to begin right away"
        running = system.continued.policy.max_running
        why = (
            f"the request's strategy was .fail and {running} continued-processing task(s) "
            "already ran, the most the system runs at once (ContinuedProcessingPolicy."
            "max_running, modelled); with .queue it would have waited for a free slot"
        )
    return f"{name}: {why}", ERROR_SOURCES[code]


_MODE: Final = {TaskKind.APP_REFRESH: "fetch", TaskKind.PROCESSING: "processing"}
_CODE_NAMES: Final = {
    BGTaskSchedulerErrorCode.UNAVAILABLE: "unavailable",
    BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS: "tooManyPendingTaskRequests",
    BGTaskSchedulerErrorCode.NOT_PERMITTED: "notPermitted",
    BGTaskSchedulerErrorCode.IMMEDIATE_RUN_INELIGIBLE: "immediateRunIneligible",
}
