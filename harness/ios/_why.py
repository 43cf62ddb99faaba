"""Why iOS has not launched an app's background task at this instant: ``harness why`` on iOS.

The answer is read from the system's state now, in the order :func:`~harness.ios._planner.plan`
decides a launch: a running task first (its budget), then the rules that stop every background
launch (``launch_blocker``: device off, before the first unlock, force-quit, Background App
Refresh off or Low Power Mode, critically low battery, the app in the foreground), then the
request's own floor (``earliestBeginDate``), then what the task kind waits for (a processing task:
idle, external power, network) and last the modelled ``LaunchPolicy`` (rate limit, daily budget,
the usage window, the next predicted app open: docs/ios.md, a model, not Apple's algorithm).
Every answer names its source. Nothing here writes a record or draws a random number, so asking
leaves the run exactly as it was (``harness why`` and the report re-run a run and compare
digests).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from harness._units import format_duration_ms, format_t_ms
from harness.ios._app import REMOTE_NOTIFICATION_MODE
from harness.ios._enums import AppState, BGTaskSchedulerErrorCode, TaskKind
from harness.ios._planner import FETCH_IDENTIFIER, AppSlot, launch_blocker
from harness.ios._requests import BGProcessingTaskRequest
from harness.ios._scheduler import PendingRequest
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE

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


def _at(t_ms: int) -> str:
    return f"t={format_t_ms(t_ms)}"


def _why(
    slot: AppSlot,
    identifier: str,
    kind: TaskKind | None,
    cause: WaitCause,
    reason: str,
    until_ms: int | None = None,
) -> LaunchWhy:
    return LaunchWhy(slot.app.bundle_id, identifier, kind, cause, reason, SOURCES[cause], until_ms)


def explain_launch(system: IOSSystem, bundle_id: str, identifier: str) -> LaunchWhy:
    """Why app ``bundle_id``'s task ``identifier`` (a ``BGTaskScheduler`` identifier,
    :data:`FETCH_IDENTIFIER`, ``PUSH_IDENTIFIER`` or :data:`BACKGROUND_TASK_IDENTIFIER` for its
    ``beginBackgroundTask`` time) is or is not launching now."""
    from harness.ios._system import PUSH_IDENTIFIER

    slot = system._slot(bundle_id)
    now = system.sim.now_ms
    for activity in slot.app.activities:
        if activity.identifier == identifier and not activity.ended:
            return _running(system, slot, identifier, activity.kind, activity.started_ms)
    if identifier == PUSH_IDENTIFIER:
        return _push(system, slot)
    if identifier == BACKGROUND_TASK_IDENTIFIER:
        return _background_time(system, slot)
    if identifier == FETCH_IDENTIFIER:
        if slot.app.minimum_fetch_interval_ms is None or slot.app.delegate.perform_fetch is None:
            return _why(
                slot,
                identifier,
                None,
                WaitCause.NO_REQUEST,
                "the legacy background fetch is off: setMinimumBackgroundFetchInterval was "
                "never called (the default is ...IntervalNever)",
            )
        blocked = _blocked(system, slot, identifier, TaskKind.BACKGROUND_FETCH)
        if blocked is not None:
            return blocked
        floor = now
        last = slot.app.last_fetch_ms
        if last is not None and last + slot.app.minimum_fetch_interval_ms > now:
            floor = last + slot.app.minimum_fetch_interval_ms
            return _why(
                slot,
                identifier,
                TaskKind.BACKGROUND_FETCH,
                WaitCause.EARLIEST_BEGIN,
                f"the minimum background fetch interval since the last fetch at {_at(last)} "
                f"has not passed: not before {_at(floor)}",
                floor,
            )
        return _refresh_policy(system, slot, identifier, TaskKind.BACKGROUND_FETCH, floor)
    pending = next(
        (p for p in slot.scheduler.pending() if p.request.identifier == identifier), None
    )
    if pending is None:
        blocked = _blocked(system, slot, identifier, TaskKind.APP_REFRESH)
        return LaunchWhy(
            bundle_id,
            identifier,
            None,
            WaitCause.NO_REQUEST,
            f"no pending request for {identifier!r}: iOS launches only submitted requests",
            SOURCES[WaitCause.NO_REQUEST],
            meanwhile=None if blocked is None else blocked.reason,
        )
    kind = pending.request.kind
    blocked = _blocked(system, slot, identifier, kind)
    if blocked is not None:
        return blocked
    if pending.floor_ms > now:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.EARLIEST_BEGIN,
            f"earliestBeginDate not reached: not before {_at(pending.floor_ms)} (a floor, "
            "not a time: iOS decides when after it)",
            pending.floor_ms,
        )
    if kind is TaskKind.PROCESSING:
        return _processing(system, slot, pending)
    return _refresh_policy(system, slot, identifier, kind, pending.floor_ms)


#: The identifier answers use for the app's ``beginBackgroundTask`` time.
BACKGROUND_TASK_IDENTIFIER: Final = "UIApplication.beginBackgroundTask"


def _background_time(system: IOSSystem, slot: AppSlot) -> LaunchWhy:
    """``beginBackgroundTask``: the app's tasks and what is left of its ~30 s."""
    background = slot.background_time
    count = background.outstanding
    if count == 0:
        return _why(
            slot,
            BACKGROUND_TASK_IDENTIFIER,
            None,
            WaitCause.NO_REQUEST,
            "no background task: the app holds none (beginBackgroundTask)",
        )
    remaining = background.remaining_ms()
    left = (
        "no limit while the app is in the foreground"
        if remaining is None
        else f"{format_duration_ms(remaining)} of about "
        f"{format_duration_ms(system.policy.background_task_budget_ms)} left in all; then every "
        "expiration handler runs and an app still holding a task "
        f"{format_duration_ms(system.policy.background_task_expiry_grace_ms)} later is killed"
    )
    return LaunchWhy(
        slot.app.bundle_id,
        BACKGROUND_TASK_IDENTIFIER,
        None,
        WaitCause.RUNNING,
        f"running: {count} background task(s) begun and not ended; {left}",
        "developer.apple.com/forums/thread/85066 (about 30 s per app, whatever the number of "
        "tasks)",
        None if remaining is None else system.sim.now_ms + remaining,
    )


def _running(
    system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind, started_ms: int
) -> LaunchWhy:
    policy = system.policy
    budget = (
        policy.processing_budget_ms if kind is TaskKind.PROCESSING else policy.refresh_budget_ms
    )
    end = started_ms + budget
    warning = (
        f"expiration handler at {_at(end - policy.expiration_warning_ms)}, "
        if kind in (TaskKind.APP_REFRESH, TaskKind.PROCESSING)
        else ""
    )
    return _why(
        slot,
        identifier,
        kind,
        WaitCause.RUNNING,
        f"running since {_at(started_ms)} ({kind.value}); its {format_duration_ms(budget)} budget: "
        f"{warning}the app is killed at {_at(end)} if it has not completed by then",
        end,
    )


def _blocked(system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind) -> LaunchWhy | None:
    """The rules that stop every background launch: ``launch_blocker``'s answer (the one the
    system plans by), in words with its source."""
    blocker = launch_blocker(system, slot, kind)
    if blocker is None:
        return None
    app = slot.app
    device = system.device
    policy = system.policy
    cause, reason = WaitCause.LOW_BATTERY, blocker
    if blocker == "device off":
        cause = WaitCause.DEVICE_OFF
        reason = (
            f"the device is {device.state.value}: nothing launches until it has booted and been "
            "unlocked"
        )
    elif blocker.startswith("not unlocked"):
        cause = WaitCause.FIRST_UNLOCK
        reason = (
            "not unlocked since the reboot: no background launch before the user unlocks the "
            "phone once"
        )
    elif blocker.startswith("force-quit"):
        cause = WaitCause.FORCE_QUIT
        reason = (
            "force-quit in the app switcher: iOS launches the app in the background no more "
            "until the user opens it again"
        )
    elif blocker == "Low Power Mode":
        cause = WaitCause.LOW_POWER_MODE
        reason = (
            "Low Power Mode is on: it turns Background App Refresh off (until the user turns "
            f"it off or the phone charges to {policy.low_power_mode_off_level} %)"
        )
    elif blocker == "Background App Refresh off":
        cause = WaitCause.REFRESH_OFF
        where = (
            "globally (Settings > General > Background App Refresh)"
            if not system.background_app_refresh
            else f"for {app.bundle_id} (Settings > General > Background App Refresh)"
        )
        reason = f"Background App Refresh is off {where}: backgroundRefreshStatus is denied"
    elif blocker == "in the foreground":
        cause = WaitCause.FOREGROUND
        reason = "the app is in the foreground: iOS launches background tasks while it is not"
    else:
        reason = (
            f"battery critically low ({device.battery.level} %, below "
            f"{policy.critical_battery_level} %) and not charging: only essential work runs"
        )
    return _why(slot, identifier, kind, cause, reason)


def _budget_floor(launches: list[int], per_day: int, now_ms: int) -> int | None:
    recent = [t for t in launches if t > now_ms - MS_PER_DAY]
    if not per_day or len(recent) < per_day:
        return None
    return recent[-per_day] + MS_PER_DAY


def _refresh_policy(
    system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind, floor_ms: int
) -> LaunchWhy:
    """The modelled policy's answer for a refresh-type launch (``refresh_due``, read-only)."""
    policy = system.policy
    now = system.sim.now_ms
    if policy.max_refresh_launches_per_day == 0:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            "the launch policy allows no refresh launches (max_refresh_launches_per_day = 0)",
        )
    floor_ms = max(floor_ms, now)
    rate_until = (
        slot.refresh_launches[-1] + policy.min_refresh_interval_ms
        if slot.refresh_launches
        else None
    )
    budget_until = _budget_floor(slot.refresh_launches, policy.max_refresh_launches_per_day, now)
    # refresh_due takes the later of the two floors: the later one is what holds it back
    if budget_until is not None and budget_until > floor_ms and budget_until >= (rate_until or 0):
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            f"daily budget spent: {policy.max_refresh_launches_per_day} refresh launches in "
            f"the last 24 hours (the modelled energy budget); not before {_at(budget_until)}",
            budget_until,
        )
    if rate_until is not None and rate_until > floor_ms:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.RATE_LIMIT,
            f"rate limit: the app's last refresh launch was at "
            f"{_at(slot.refresh_launches[-1])}; the modelled policy waits "
            f"{format_duration_ms(policy.min_refresh_interval_ms)} between two, so not before "
            f"{_at(rate_until)}",
            rate_until,
        )
    return _predicted(system, slot, identifier, kind, floor_ms)


def _predicted(
    system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind, floor_ms: int
) -> LaunchWhy:
    policy = system.policy
    now = system.sim.now_ms
    usage = slot.usage
    last_open = usage.last_open_ms()
    if not usage.used_within(now):
        opened = "never" if last_open is None else f"last at {_at(last_open)}"
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.NOT_USED,
            f"the user has not opened the app within {format_duration_ms(policy.usage_window_ms)} "
            f"(opened {opened}): the modelled policy refreshes only apps in use",
        )
    peek = usage.peek_refresh(now, floor_ms)
    slots = ", ".join(_clock(s) for s in usage.predicted_slots_ms(now))
    if peek is None:  # pragma: no cover - an app used lately has a predicted open
        return _why(slot, identifier, kind, WaitCause.NOT_USED, "no predicted app open")
    predicted, launch = peek
    if launch is not None and launch <= now:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.DUE,
            f"due now: the modelled policy launches it {format_duration_ms(predicted - launch)} "
            f"before the predicted app open at {_at(predicted)}",
            launch,
        )
    when = (
        f"the refresh comes at {_at(launch)}"
        if launch is not None
        else f"the refresh comes {format_duration_ms(policy.refresh_lead_min_ms)}-"
        f"{format_duration_ms(policy.refresh_lead_max_ms)} before it"
    )
    return _why(
        slot,
        identifier,
        kind,
        WaitCause.PREDICTED_OPEN,
        f"waiting for the launch policy: the next predicted app open is {_at(predicted)} "
        f"(the user opened the app around {slots} in the last "
        f"{format_duration_ms(policy.usage_window_ms)}); {when}",
        launch if launch is not None else predicted - policy.refresh_lead_max_ms,
    )


def _clock(time_of_day_ms: int) -> str:
    minutes = time_of_day_ms // MS_PER_MINUTE
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _processing(system: IOSSystem, slot: AppSlot, pending: PendingRequest) -> LaunchWhy:
    """``processing_due``'s conditions, read-only, in its order."""
    request = pending.request
    assert isinstance(request, BGProcessingTaskRequest)
    identifier = request.identifier
    kind = TaskKind.PROCESSING
    policy = system.policy
    device = system.device
    now = system.sim.now_ms
    off_since = system.screen_off_since_ms
    if off_since is None:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.IDLE,
            "waiting for the device to be idle: processing tasks run only with the screen off "
            f"(modelled: off for {format_duration_ms(policy.processing_idle_ms)})",
        )
    if request.requires_external_power and not device.battery.state.powered:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.EXTERNAL_POWER,
            "waiting for external power: the request sets requiresExternalPower",
        )
    if request.requires_network_connectivity and not device.network.state.is_connected:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.NETWORK,
            "waiting for a network: the request sets requiresNetworkConnectivity",
        )
    if not slot.usage.used_within(now):
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.NOT_USED,
            "the user has not opened the app within "
            f"{format_duration_ms(policy.usage_window_ms)}: processing runs for apps used in "
            "the past week",
        )
    if policy.max_processing_launches_per_day == 0:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            "the launch policy allows no processing launches (max_processing_launches_per_day = 0)",
        )
    idle_at = off_since + policy.processing_idle_ms
    if idle_at > now:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.IDLE,
            f"waiting for the device to be idle: the screen is off since {_at(off_since)}; "
            "the modelled policy starts processing after "
            f"{format_duration_ms(policy.processing_idle_ms)}, at {_at(idle_at)}",
            idle_at,
        )
    budget = _budget_floor(slot.processing_launches, policy.max_processing_launches_per_day, now)
    if budget is not None and budget > now:
        return _why(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            f"daily budget spent: {policy.max_processing_launches_per_day} processing launches "
            f"in the last 24 hours (modelled); not before {_at(budget)}",
            budget,
        )
    return _why(slot, identifier, kind, WaitCause.DUE, "due now: idle, and nothing holds it back")


def _push(system: IOSSystem, slot: AppSlot) -> LaunchWhy:
    """Silent pushes: delivered or not at this instant (the hourly throttle)."""
    from harness.ios._system import PUSH_IDENTIFIER

    blocked = _blocked(system, slot, PUSH_IDENTIFIER, TaskKind.SILENT_PUSH)
    if blocked is not None:
        return blocked
    app = slot.app
    if (
        app.delegate.did_receive_remote_notification is None
        or REMOTE_NOTIFICATION_MODE not in app.info.background_modes
    ):
        # push_outcome's "not handled" (developer.apple.com/documentation/uikit/
        # uiapplicationdelegate/application(_:didreceiveremotenotification:fetchcompletionhandler:))
        return _why(
            slot,
            PUSH_IDENTIFIER,
            None,
            WaitCause.NO_REQUEST,
            "silent pushes are not handled: the app has no remote-notification background "
            "mode or no didReceiveRemoteNotification handler",
        )
    now = system.sim.now_ms
    per_hour = system.policy.silent_pushes_per_hour
    recent = [t for t in slot.push_times if t > now - MS_PER_HOUR]
    if len(recent) >= per_hour and slot.app.state is not AppState.FOREGROUND:
        until = recent[-per_hour] + MS_PER_HOUR
        return _why(
            slot,
            PUSH_IDENTIFIER,
            TaskKind.SILENT_PUSH,
            WaitCause.PUSH_THROTTLED,
            f"silent pushes throttled: {len(recent)} delivered in the last hour (more than "
            f"{per_hour} an hour are dropped); the next is delivered from {_at(until)}",
            until,
        )
    return _why(
        slot,
        PUSH_IDENTIFIER,
        TaskKind.SILENT_PUSH,
        WaitCause.DUE,
        f"a silent push now would be delivered ({len(recent)} in the last hour, "
        f"{per_hour} allowed)",
    )


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
        why = "a continued-processing request could not start at once"
    return f"{name}: {why}", ERROR_SOURCES[code]


_MODE: Final = {TaskKind.APP_REFRESH: "fetch", TaskKind.PROCESSING: "processing"}
_CODE_NAMES: Final = {
    BGTaskSchedulerErrorCode.UNAVAILABLE: "unavailable",
    BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS: "tooManyPendingTaskRequests",
    BGTaskSchedulerErrorCode.NOT_PERMITTED: "notPermitted",
    BGTaskSchedulerErrorCode.IMMEDIATE_RUN_INELIGIBLE: "immediateRunIneligible",
}
