"""``harness why`` for background ``URLSession`` transfers: a session (its identifier) or one of
its tasks (``SESSION#N``, ``N`` its ``taskIdentifier``), read from the system's transfers now.

The answer follows :func:`~harness.ios._transfer_policy.why_waiting`, the rule the system starts
a task by (the phone off, the first unlock, ``earliestBeginDate``, the modelled retry delay,
connectivity, ``allowsCellularAccess``, a discretionary task's Wi-Fi and power, Low Power Mode),
then a task whose attempt is in flight, then a finished task whose events wait for the app (a
force-quit's cancellation until the user opens it, ``timeoutIntervalForResource``). Nothing here
writes a record or draws a random number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from harness._units import format_duration_ms
from harness.ios._enums import AppState, TaskKind
from harness.ios._planner import AppSlot
from harness.ios._urlsession import (
    BackgroundTaskCancelledReason,
    URLErrorCode,
    URLSessionTask,
)
from harness.ios._why_answer import LaunchWhy, WaitCause, answer, at_t

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem

#: Between a session identifier and a ``taskIdentifier`` in a task's name: ``SESSION#N``.
TASK_SEPARATOR: Final = "#"

_EARLIEST_BEGIN_SOURCE: Final = (
    "developer.apple.com/documentation/foundation/urlsessiontask/earliestbegindate"
)
_RUNNING_SOURCE: Final = (
    "developer.apple.com/documentation/foundation/urlsessionconfiguration/"
    "background(withidentifier:) (transfers continue while the app is suspended or terminated)"
)
_LOW_POWER_SOURCE: Final = (
    "docs/ios.md, a modelled policy, not Apple's (TransferPolicy.discretionary_needs_power; "
    "support.apple.com/HT205234: Low Power Mode pauses background downloads)"
)


def task_name(task: URLSessionTask) -> str:
    """How ``harness why`` names a transfer: ``SESSION#N``."""
    return f"{task.session_identifier}{TASK_SEPARATOR}{task.task_identifier}"


def explain_transfer(system: IOSSystem, slot: AppSlot, identifier: str) -> LaunchWhy | None:
    """The answer for ``identifier`` when it names one of the app's background sessions or
    transfers (else ``None``). A session's own answer is its events launch while one runs,
    else its oldest task's (each task has its own answer too)."""
    bundle = slot.app.bundle_id
    held = system.transfers.held(bundle)
    session, _, number = identifier.rpartition(TASK_SEPARATOR)
    if session in held and number.isdigit():
        task = next((t for t in held[session] if t.task_identifier == int(number)), None)
        if task is None:
            return answer(
                slot,
                identifier,
                None,
                WaitCause.NO_REQUEST,
                f"transfer {identifier!r} is not held by the system: it was delivered to the "
                "app (or never resumed)",
            )
        return _task(system, slot, task)
    if identifier not in held:
        return None
    tasks = held[identifier]
    for activity in slot.app.activities:
        if (
            activity.identifier == identifier
            and activity.kind is TaskKind.URL_SESSION
            and not activity.ended
        ):
            return answer(
                slot,
                identifier,
                TaskKind.URL_SESSION,
                WaitCause.RUNNING,
                f"running since {at_t(activity.started_ms)}: iOS launched the app for the "
                "session's events (handleEventsForBackgroundURLSession); it calls the "
                "completion handler in urlSessionDidFinishEvents, or is killed at "
                f"{at_t(activity.started_ms + system.policy.refresh_budget_ms)}",
                activity.started_ms + system.policy.refresh_budget_ms,
            )
    if not tasks:
        return answer(
            slot,
            identifier,
            None,
            WaitCause.NO_REQUEST,
            "no transfer in progress: the system holds no task of this session",
        )
    return _task(system, slot, tasks[0])  # the oldest: each task has its own answer too


def _task(system: IOSSystem, slot: AppSlot, task: URLSessionTask) -> LaunchWhy:
    name = task_name(task)
    kind = TaskKind.URL_SESSION
    transfers = system.transfers
    config = transfers.configuration(task.bundle_id, task.session_identifier)
    resource_ms = 0 if config is None else config.timeout_interval_for_resource_ms
    if task.error is not None or task.response is not None:
        return _finished(slot, task, name)
    in_flight, attempts = transfers.attempt_of(task)
    deadline = (task.resumed_ms or 0) + resource_ms
    if in_flight:
        return LaunchWhy(
            slot.app.bundle_id,
            name,
            kind,
            WaitCause.RUNNING,
            f"running: the system transfers it ({task.kind.value} {task.method} {task.url}, "
            f"attempt {attempts}), whether or not the app runs; it fails with "
            f"NSURLErrorTimedOut at {at_t(deadline)} (timeoutIntervalForResource, "
            f"{format_duration_ms(resource_ms)} after resume) if not done by then",
            _RUNNING_SOURCE,
            deadline,
        )
    reason, until = transfers.why_waiting(task)
    if reason is None:
        return answer(slot, name, kind, WaitCause.DUE, "due now: nothing holds it back")
    if reason == "the phone is off":
        return answer(slot, name, kind, WaitCause.DEVICE_OFF, "the phone is off")
    if reason.startswith("the phone was not unlocked"):
        return answer(
            slot,
            name,
            kind,
            WaitCause.FIRST_UNLOCK,
            "not unlocked since the reboot: the system starts no transfer before the first "
            "unlock (modelled, as other background work)",
        )
    if reason == "earliest begin date":
        return LaunchWhy(
            slot.app.bundle_id,
            name,
            kind,
            WaitCause.EARLIEST_BEGIN,
            "earliestBeginDate not reached: the system starts it no sooner than "
            f"{at_t(until or 0)}",
            _EARLIEST_BEGIN_SOURCE,
            until,
        )
    if reason == "retry delay":
        return answer(
            slot,
            name,
            kind,
            WaitCause.RETRY_DELAY,
            f"retry delay: attempt {attempts} failed at the transport level; the system tries "
            f"again {format_duration_ms(transfers.policy.retry_delay_ms)} later (modelled), at "
            f"{at_t(until or 0)}",
            until,
        )
    if reason == "waiting for connectivity":
        return answer(
            slot,
            name,
            kind,
            WaitCause.CONNECTIVITY,
            "waiting for connectivity: no network; a background session waits for one (it "
            f"fails only at {at_t(deadline)}, timeoutIntervalForResource)",
        )
    if reason == "cellular access not allowed":
        return answer(
            slot,
            name,
            kind,
            WaitCause.CELLULAR_NOT_ALLOWED,
            "cellular not allowed: the session sets allowsCellularAccess false and the only "
            "network is cellular; it waits for Wi-Fi",
        )
    why = (
        "isDiscretionary is set"
        if config is not None and config.is_discretionary
        else "resumed while the app was in the background, so the system treats it as discretionary"
    )
    if reason.endswith("Wi-Fi"):
        return answer(
            slot,
            name,
            kind,
            WaitCause.DISCRETIONARY,
            f"discretionary: waiting for Wi-Fi ({why}; the modelled policy starts a "
            "discretionary transfer on an unmetered network only)",
        )
    if system.low_power_mode:
        return LaunchWhy(
            slot.app.bundle_id,
            name,
            kind,
            WaitCause.LOW_POWER_MODE,
            f"Low Power Mode is on: a discretionary transfer waits until it is off ({why})",
            _LOW_POWER_SOURCE,
        )
    return answer(
        slot,
        name,
        kind,
        WaitCause.DISCRETIONARY,
        f"discretionary: waiting for external power ({why}; the modelled policy starts a "
        "discretionary transfer while the phone charges)",
    )


def _finished(slot: AppSlot, task: URLSessionTask, name: str) -> LaunchWhy:
    """A finished task the system still holds: its events wait for the app."""
    app = slot.app
    error = task.error
    if error is None:
        status = "" if task.response is None else f" (HTTP {task.response.status_code})"
        outcome = f"transferred{status}"
    elif error.reason is BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION:
        outcome = (
            "cancelled by a force-quit (NSURLErrorCancelled, "
            "NSURLErrorCancelledReasonUserForceQuitApplication)"
        )
    elif error.code is URLErrorCode.TIMED_OUT:
        outcome = f"timed out: {error.message} (NSURLErrorTimedOut)"
    else:
        outcome = f"cancelled: {error.message} (NSURLErrorCancelled)"
    force_quit = (
        error is not None
        and error.reason is BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION
    )
    if force_quit or (app.force_quit and app.state is AppState.NOT_RUNNING):
        # background(withidentifier:): the system "does not automatically relaunch apps that
        # were force quit by the user"; the events reach the app once the user opens it
        return answer(
            slot,
            name,
            TaskKind.URL_SESSION,
            WaitCause.TRANSFER_CANCELLED if force_quit else WaitCause.FORCE_QUIT,
            f"{outcome}: iOS relaunches nothing for a force-quit app; the app hears of it "
            "(didCompleteWithError) when the user opens it and it creates the session again",
        )
    timed_out = error is not None and error.code is URLErrorCode.TIMED_OUT
    return answer(
        slot,
        name,
        TaskKind.URL_SESSION,
        WaitCause.TIMED_OUT if timed_out else WaitCause.EVENTS_WAITING,
        f"{outcome}; its events wait for the app: iOS delivers them when the app runs and "
        "creates the session (or launches it for them if sessionSendsLaunchEvents)",
    )
