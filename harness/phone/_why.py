"""Why a work is not running now: the question every user asks, answered as a phone decides it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.platform import Blocker
from harness.workmanager import State

if TYPE_CHECKING:
    from harness.phone._binding import DeviceBinding


def why_not_running(binding: DeviceBinding, package: str, work_spec_id: str) -> str:
    """Why ``package``'s work ``work_spec_id`` is not running now, in the order a phone
    decides it: WorkManager's own state (finished, blocked by prerequisites), the device
    being off, the app force-stopped, the work not handed to JobScheduler, then JobScheduler's
    verdict (constraints, doze, battery saver, standby quota, batching, delay or backoff)."""
    database = binding.runtime.database(package)
    spec = database.work_spec_dao.get_work_spec(work_spec_id)
    if spec is None:
        return f"{package} has no work {work_spec_id} (never enqueued, or pruned)"
    if spec.state is State.RUNNING:
        return "running"
    if spec.state.is_finished:
        return f"finished: {spec.state.name}"
    if spec.state is State.BLOCKED:
        waiting = ", ".join(
            f"{prerequisite} ({state.name})"
            for prerequisite, state in database.dependency_dao.get_prerequisite_states(work_spec_id)
        )
        return f"blocked: waiting for its prerequisite work to succeed: {waiting}"
    if not binding.device.is_on:
        return f"the device is {binding.device.state.value}: nothing runs until it has booted"
    if binding.device.apps.is_stopped(package):
        return (
            "the app is force-stopped: nothing runs until the user opens it "
            "(then ForceStopRunnable reschedules its work)"
        )
    if spec.schedule_requested_at < 0:  # SCHEDULE_NOT_REQUESTED_YET
        return (
            "not handed to JobScheduler yet: WorkManager keeps at most maxSchedulerLimit (20) "
            "jobs scheduled at a time (Schedulers.schedule)"
        )
    verdict = binding.service.explain(package, work_spec_id)
    if verdict.blocker is Blocker.NOT_SCHEDULED:
        return (
            "WorkManager marked it scheduled but JobScheduler holds no job for it (an "
            "expedited request refused for lack of quota with DROP_WORK_REQUEST, or jobs "
            "lost at a reboot until the app's RescheduleReceiver runs)"
        )
    if verdict.blocker is Blocker.DELAY and spec.run_attempt_count > 0:
        attempts = spec.run_attempt_count
        return f"backoff after {attempts} attempt{'s' if attempts > 1 else ''}: {verdict.reason}"
    return verdict.reason
