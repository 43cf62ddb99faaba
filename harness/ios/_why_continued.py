"""``harness why`` for continued-processing tasks (iOS 26): a request queued for a free slot, a
task running on its stall clock, read from ``IOSSystem.continued`` now (the rest of its story,
expired as stalled, cancelled by the user, ended by a force-quit, refused with code 4, is in the
trace: ``harness.scenario._why_ios``). Nothing here writes a record or draws a random number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness._units import format_duration_ms
from harness.ios._enums import TaskKind
from harness.ios._planner import AppSlot
from harness.ios._why_answer import LaunchWhy, WaitCause, answer, at_t

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem


def explain_continued(system: IOSSystem, slot: AppSlot, identifier: str) -> LaunchWhy | None:
    """The answer for ``identifier`` when it names a running or queued continued-processing
    request of the app (else ``None``)."""
    continued = system.continued
    policy = continued.policy
    bundle = slot.app.bundle_id
    kind = TaskKind.CONTINUED_PROCESSING
    slots = continued.slots()
    for owner, name, task in slots:
        if owner != bundle or name != identifier:
            continue
        if task is None:
            return answer(
                slot,
                identifier,
                kind,
                WaitCause.DUE,
                "starting now: it holds a slot and its launch handler runs at this instant",
            )
        if task.completed:
            continue
        progress = task.progress
        done = f"{progress.completed_unit_count} of {progress.total_unit_count} units"
        activity = next(
            (a for a in slot.app.activities if a.identifier == identifier and not a.ended), None
        )
        since = "" if activity is None else f" since {at_t(activity.started_ms)}"
        if policy.stall_timeout_ms == 0:
            clock = "the model expires no stalled task (stall_timeout_ms 0)"
            until = None
        else:
            until = task.last_progress_ms + policy.stall_timeout_ms
            clock = (
                f"progress last changed at {at_t(task.last_progress_ms)}: iOS expires it as "
                f"stalled at {at_t(until)} unless the progress changes before "
                f"({format_duration_ms(policy.stall_timeout_ms)} without progress, modelled)"
            )
        return LaunchWhy(
            bundle,
            identifier,
            kind,
            WaitCause.RUNNING,
            f"running{since} (BGContinuedProcessingTask, {done}, its Live Activity "
            f"{task.title!r}); {clock}",
            "BGTask.h (continued tasks must report progress; stalled ones may be expired); "
            "docs/ios.md, a modelled policy (ContinuedProcessingPolicy.stall_timeout_ms)",
            until,
        )
    queue = continued.queue()
    position = next(
        (
            i
            for i, (owner, request) in enumerate(queue)
            if (owner, request.identifier) == (bundle, identifier)
        ),
        None,
    )
    if position is None:
        return None
    holders = ", ".join(f"{name} ({owner})" for owner, name, _ in slots) or "none"
    return answer(
        slot,
        identifier,
        kind,
        WaitCause.QUEUED,
        f"queued (.queue strategy): position {position + 1} of {len(queue)}; no free slot, the "
        f"system runs at most {policy.max_running} continued-processing tasks at once "
        f"(modelled) and they run: {holders}",
    )
