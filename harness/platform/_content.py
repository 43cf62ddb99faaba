"""``ContentObserverController``: jobs that run when a ``content:`` URI changes.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/controllers/
ContentObserverController.java`` with the delays of ``JobStatus``. A job with trigger URIs
(``JobInfo.Builder.addTriggerContentUri``) has the content-trigger constraint: it is not ready
until a change of one of its URIs (or, with ``FLAG_NOTIFY_FOR_DESCENDANTS``, of a URI below one)
is reported (:meth:`JobSchedulerService.notify_content_changed`, what
``ContentResolver.notifyChange`` does on a phone). After the first change the constraint is met
when no further change came for the update delay (``setTriggerContentUpdateDelay``; default
10 s, at least 0.5 s), or at the latest the maximum delay after the first change
(``setTriggerContentMaxDelay``; default 2 min, at least 1 s); with 40 changed URIs pending it is
met at once (``URIS_URGENT_THRESHOLD``). At most 50 URIs are kept (``MAX_URIS_REPORTED``), and
their authorities.

When the job starts, the pending URIs become the run's (``prepareForExecutionLocked``:
``JobParameters.getTriggeredContentUris``/``getTriggeredContentAuthorities``); changes while it
runs are collected anew. A job scheduled again under the same id takes over the changes still
pending (``maybeStopTrackingJobLocked`` with an incoming job) and is then ready at once
(``maybeStartTrackingJobLocked``: pending URIs satisfy the constraint); a job dropped without a
replacement drops them (``detachLocked``). The constraint is never lost once met, so it never
stops a running job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from harness.platform._job_info import JobInfo
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.platform._jobs import JobStatus

#: ``JobStatus.DEFAULT_TRIGGER_UPDATE_DELAY`` / ``MIN_TRIGGER_UPDATE_DELAY``.
DEFAULT_TRIGGER_UPDATE_DELAY_MS: Final = 10_000
MIN_TRIGGER_UPDATE_DELAY_MS: Final = 500
#: ``JobStatus.DEFAULT_TRIGGER_MAX_DELAY`` / ``MIN_TRIGGER_MAX_DELAY``.
DEFAULT_TRIGGER_MAX_DELAY_MS: Final = 2 * 60_000
MIN_TRIGGER_MAX_DELAY_MS: Final = 1000
#: ``ContentObserverController.MAX_URIS_REPORTED`` / ``URIS_URGENT_THRESHOLD``.
MAX_URIS_REPORTED: Final = 50
URIS_URGENT_THRESHOLD: Final = 40


def update_delay_ms(job: JobInfo) -> int:
    """``JobStatus.getTriggerContentUpdateDelay``: the default for -1, at least 500 ms."""
    delay = job.trigger_content_update_delay_ms
    return DEFAULT_TRIGGER_UPDATE_DELAY_MS if delay < 0 else max(delay, MIN_TRIGGER_UPDATE_DELAY_MS)


def max_delay_ms(job: JobInfo) -> int:
    """``JobStatus.getTriggerContentMaxDelay``: the default for -1, at least 1 s."""
    delay = job.trigger_content_max_delay_ms
    return DEFAULT_TRIGGER_MAX_DELAY_MS if delay < 0 else max(delay, MIN_TRIGGER_MAX_DELAY_MS)


def authority(uri: str) -> str:
    """``Uri.getAuthority``: ``media`` in ``content://media/external/images/1``."""
    rest = uri.split("://", 1)[1] if "://" in uri else uri
    return rest.split("/", 1)[0]


@dataclass(slots=True)
class ContentTrigger:
    """One job's content-trigger state (``JobInstance`` and ``JobStatus.changedUris``)."""

    satisfied: bool = False
    changed_uris: list[str] = field(default_factory=list)
    changed_authorities: list[str] = field(default_factory=list)
    #: The URIs and authorities handed to the current run (``prepareForExecutionLocked``).
    triggered_uris: tuple[str, ...] = ()
    triggered_authorities: tuple[str, ...] = ()
    pending: bool = False
    execute: asyncio.TimerHandle | None = None
    timeout: asyncio.TimerHandle | None = None

    def unschedule(self) -> None:
        """``unscheduleLocked``: cancel both timers."""
        for handle in (self.execute, self.timeout):
            if handle is not None:
                handle.cancel()
        self.execute = self.timeout = None
        self.pending = False


class ContentObserverController:
    """Tracks the content-trigger jobs of one device's JobScheduler."""

    def __init__(
        self,
        sim: Simulation,
        state_changed: Callable[[], None],
        holds: Callable[[JobStatus], bool],
    ) -> None:
        self._sim = sim
        self._state_changed = state_changed
        self._holds = holds  # whether JobScheduler still holds the job (not cancelled, finished)

    def track(self, status: JobStatus, previous: JobStatus | None) -> None:
        """``maybeStartTrackingJobLocked``: give a new job its state, with the changes still
        pending for the job it replaces; pending changes satisfy the constraint at once."""
        if previous is not None:
            self.stop_tracking(previous)
        if not status.job.trigger_content_uris:
            return
        trigger = ContentTrigger()
        old = previous.content_trigger if previous is not None else None
        if old is not None and old.changed_authorities:
            trigger.changed_uris, old.changed_uris = old.changed_uris, []
            trigger.changed_authorities, old.changed_authorities = old.changed_authorities, []
        trigger.satisfied = bool(trigger.changed_authorities)
        status.content_trigger = trigger

    def stop_tracking(self, status: JobStatus) -> None:
        """``maybeStopTrackingJobLocked``: the job is gone; its timers with it."""
        if status.content_trigger is not None:
            status.content_trigger.unschedule()

    def prepare(self, status: JobStatus) -> None:
        """``prepareForExecutionLocked``: the pending changes become the starting run's."""
        trigger = status.content_trigger
        if trigger is None:
            return
        trigger.triggered_uris = tuple(trigger.changed_uris)
        trigger.triggered_authorities = tuple(trigger.changed_authorities)
        trigger.changed_uris = []
        trigger.changed_authorities = []

    def notify_change(self, uri: str, statuses: Iterable[JobStatus]) -> None:
        """``ObserverInstance.onChange`` for every job observing ``uri``."""
        for status in statuses:
            trigger = status.content_trigger
            if trigger is None or not any(t.matches(uri) for t in status.job.trigger_content_uris):
                continue
            if len(trigger.changed_uris) < MAX_URIS_REPORTED and uri not in trigger.changed_uris:
                trigger.changed_uris.append(uri)
            if authority(uri) not in trigger.changed_authorities:
                trigger.changed_authorities.append(authority(uri))
            self._schedule(status, trigger)

    def _schedule(self, status: JobStatus, trigger: ContentTrigger) -> None:
        """``JobInstance.scheduleLocked``: the max-delay timer from the first change, the
        update-delay timer from the latest (now, with 40 URIs pending)."""
        if not trigger.pending:
            trigger.pending = True
            trigger.timeout = self._sim.call_later(
                max_delay_ms(status.job), self._trigger, status, trigger
            )
        if trigger.execute is not None:
            trigger.execute.cancel()
        delay = (
            0 if len(trigger.changed_uris) >= URIS_URGENT_THRESHOLD else update_delay_ms(status.job)
        )
        trigger.execute = self._sim.call_later(delay, self._trigger, status, trigger)

    def _trigger(self, status: JobStatus, trigger: ContentTrigger) -> None:
        """``JobInstance.trigger``: the constraint is met; JobScheduler re-evaluates."""
        if not trigger.pending:
            return
        if not self._holds(status):  # cancelled or finished meanwhile: detachLocked
            trigger.unschedule()
            return
        changed = not trigger.satisfied
        trigger.satisfied = True
        trigger.unschedule()
        self._sim.record(
            "job.content_triggered",
            package=status.job.package,
            job_id=status.job.job_id,
            work_id=status.job.work_spec_id,
            uris=list(trigger.changed_uris),
        )
        if changed:
            self._state_changed()
