"""The report's rows for what iOS runs by its own rules, not as launches: background
``URLSession`` transfers (``ios.transfer``, a row per task ``BUNDLE/SESSION#N``) and
continued-processing tasks (``ios.continued``, their ``BGTaskScheduler`` row). Their waits are
worded as ``harness why`` answers (``harness.ios._why_transfer``, ``_why_continued``), so the
picture colours them by the same reasons: connectivity, a discretionary task's Wi-Fi and power,
Low Power Mode, ``earliestBeginDate``, the modelled retry delay, a force-quit's cancellation
(until the user opens the app), a continued request queued for a free slot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from harness.report._workfold import text_of
from harness.sim import TraceRecord

if TYPE_CHECKING:
    from harness.report._iosfold import IOSFolding

#: ``_Task.kind`` of a transfer row.
TRANSFER: Final = "transfer"
#: ``_Task.kind`` of a continued-processing row.
CONTINUED: Final = "continued_processing"
#: Rows whose wait is what their own records said (``_Task.wait``), not a launch's rules.
OWN_RULES: Final = frozenset({TRANSFER, CONTINUED})

#: ``why_waiting``'s words (harness/ios/_transfer_policy.py) as the picture shows them; the
#: prefixes are the report's reason classes (harness/report/_reasons.py).
_TRANSFER_WAITS: Final = {
    "the phone is off": "device off: no transfer starts until it has booted",
    "the phone was not unlocked since it booted": "not unlocked since the reboot: no transfer",
    "earliest begin date": "earliestBeginDate not reached (the task's floor)",
    "retry delay": "waiting until the retry delay has passed (modelled)",
    "waiting for connectivity": "waiting for connectivity: no network",
    "cellular access not allowed": "cellular access not allowed: waiting for Wi-Fi",
    "discretionary: waiting for Wi-Fi": "discretionary: waiting for Wi-Fi (modelled)",
    "discretionary: waiting for power": "discretionary: waiting for external power (modelled)",
}
_FORCE_QUIT_CANCEL: Final = (
    "force-quit: transfer cancelled; the app hears of it when the user opens it"
)
_QUEUED: Final = "queued: no free slot, waits for a running continued-processing task to end"


def on_transfer(fold: IOSFolding, record: TraceRecord) -> None:
    """An ``ios.transfer`` record: the task's row waits, runs or ends."""
    bundle = text_of(record.get("bundle_id"))
    name = f"{text_of(record.get('session'))}#{record.get('task_id')}"
    task = fold._task(bundle, name, TRANSFER)
    story = task.story
    event = text_of(record.get("event"))
    reason = text_of(record.get("reason"))
    t_ms = record.t_ms
    if event == "resumed":
        story.worker = f"URLSession {text_of(record.get('transfer_kind'))}"
        story.title = f"{story.worker} {name}"
        task.pending, task.wait = True, "resumed: the system starts it when it can"
        story.state = "PENDING"
        story.note(t_ms, "resumed", reason or "by the app")
    elif event == "waiting":
        words = _TRANSFER_WAITS.get(reason, reason)
        if reason == "discretionary: waiting for power" and fold._ios.low_power:
            words = "Low Power Mode: a discretionary transfer waits until it is off (modelled)"
        task.pending, task.wait = True, words
    elif event == "started":
        task.pending, task.running = False, True
        story.attempts += 1
        story.state = "RUNNING"
        story.note(t_ms, "started", f"attempt {record.get('attempt')}")
    elif event == "interrupted":
        task.pending, task.running = True, False
        task.wait = "interrupted: waiting to start again"
        story.state = "PENDING"
        story.note(t_ms, "interrupted", reason)
    elif event in ("completed", "failed", "cancelled"):
        task.running = False
        force_quit = event == "cancelled" and "force-quit" in reason
        task.pending, task.wait = force_quit, _FORCE_QUIT_CANCEL if force_quit else None
        status = record.get("status")
        story.note(t_ms, event, reason or f"HTTP {status}")
        story.state = "PENDING" if force_quit else "NOT_PENDING"
    elif event == "delivered":
        task.pending, task.running, task.wait = False, False, None
        story.state = "NOT_PENDING"
        story.note(t_ms, "delivered", "the app's delegate heard of it")


def on_continued(fold: IOSFolding, record: TraceRecord) -> None:
    """An ``ios.continued`` record: queued, expired as stalled, cancelled by the user, ended by
    a force-quit, dropped from the queue."""
    bundle = text_of(record.get("bundle_id"))
    task = fold._task(bundle, text_of(record.get("identifier")), CONTINUED)
    event = text_of(record.get("event"))
    reason = text_of(record.get("reason"))
    if event == "queued":
        task.pending, task.wait = True, _QUEUED
    elif event == "dropped":
        task.pending, task.wait = False, None
        task.story.state = "NOT_PENDING"
        task.story.note(record.t_ms, "dropped from the queue", reason)
    elif event in ("stalled", "user_cancelled", "ended"):
        what = {
            "stalled": "expired as stalled",
            "user_cancelled": "cancelled by the user",
            "ended": "ended with the app",
        }[event]
        units = f"{record.get('completed_units')} of {record.get('total_units')} units"
        task.story.note(record.t_ms, what, f"{reason} ({units})")
