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

from typing import TYPE_CHECKING, Final

from harness._units import format_duration_ms
from harness.ios._app import REMOTE_NOTIFICATION_MODE
from harness.ios._enums import AppState, TaskKind
from harness.ios._planner import FETCH_IDENTIFIER, AppSlot, launch_blocker
from harness.ios._why_answer import SOURCES, LaunchWhy, WaitCause, answer, at_t
from harness.ios._why_continued import explain_continued
from harness.ios._why_policy import processing, refresh_policy
from harness.ios._why_transfer import explain_transfer
from harness.sim import MS_PER_HOUR

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem


def explain_launch(system: IOSSystem, bundle_id: str, identifier: str) -> LaunchWhy:
    """Why app ``bundle_id``'s task ``identifier`` (a ``BGTaskScheduler`` identifier,
    :data:`FETCH_IDENTIFIER`, ``PUSH_IDENTIFIER`` or :data:`BACKGROUND_TASK_IDENTIFIER` for its
    ``beginBackgroundTask`` time) is or is not launching now."""
    from harness.ios._system import PUSH_IDENTIFIER

    slot = system._slot(bundle_id)
    now = system.sim.now_ms
    # the system's own queues first: a background URLSession (or a transfer, SESSION#N) and a
    # continued-processing request have their own rules, not a launch's
    own = explain_transfer(system, slot, identifier) or explain_continued(system, slot, identifier)
    if own is not None:
        return own
    for activity in slot.app.activities:
        if activity.identifier == identifier and not activity.ended:
            return _running(system, slot, identifier, activity.kind, activity.started_ms)
    if identifier == PUSH_IDENTIFIER:
        return _push(system, slot)
    if identifier == BACKGROUND_TASK_IDENTIFIER:
        return _background_time(system, slot)
    if identifier == FETCH_IDENTIFIER:
        if slot.app.minimum_fetch_interval_ms is None or slot.app.delegate.perform_fetch is None:
            return answer(
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
            return answer(
                slot,
                identifier,
                TaskKind.BACKGROUND_FETCH,
                WaitCause.EARLIEST_BEGIN,
                f"the minimum background fetch interval since the last fetch at {at_t(last)} "
                f"has not passed: not before {at_t(floor)}",
                floor,
            )
        return refresh_policy(system, slot, identifier, TaskKind.BACKGROUND_FETCH, floor)
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
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.EARLIEST_BEGIN,
            f"earliestBeginDate not reached: not before {at_t(pending.floor_ms)} (a floor, "
            "not a time: iOS decides when after it)",
            pending.floor_ms,
        )
    if kind is TaskKind.PROCESSING:
        return processing(system, slot, pending)
    return refresh_policy(system, slot, identifier, kind, pending.floor_ms)


#: The identifier answers use for the app's ``beginBackgroundTask`` time.
BACKGROUND_TASK_IDENTIFIER: Final = "UIApplication.beginBackgroundTask"


def _background_time(system: IOSSystem, slot: AppSlot) -> LaunchWhy:
    """``beginBackgroundTask``: the app's tasks and what is left of its ~30 s."""
    background = slot.background_time
    count = background.outstanding
    if count == 0:
        return answer(
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
        f"expiration handler at {at_t(end - policy.expiration_warning_ms)}, "
        if kind in (TaskKind.APP_REFRESH, TaskKind.PROCESSING)
        else ""
    )
    return answer(
        slot,
        identifier,
        kind,
        WaitCause.RUNNING,
        f"running since {at_t(started_ms)} ({kind.value}); its {format_duration_ms(budget)} "
        f"budget: {warning}the app is killed at {at_t(end)} if it has not completed by then",
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
    return answer(slot, identifier, kind, cause, reason)


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
        return answer(
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
        return answer(
            slot,
            PUSH_IDENTIFIER,
            TaskKind.SILENT_PUSH,
            WaitCause.PUSH_THROTTLED,
            f"silent pushes throttled: {len(recent)} delivered in the last hour (more than "
            f"{per_hour} an hour are dropped); the next is delivered from {at_t(until)}",
            until,
        )
    return answer(
        slot,
        PUSH_IDENTIFIER,
        TaskKind.SILENT_PUSH,
        WaitCause.DUE,
        f"a silent push now would be delivered ({len(recent)} in the last hour, "
        f"{per_hour} allowed)",
    )
