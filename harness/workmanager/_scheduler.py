"""The ``Scheduler`` protocol: the seam between WorkManager and whatever decides *when* work runs.

WorkManager (this package) keeps the database and applies androidx's rules; a scheduler decides
when eligible work may start, as androidx's ``W/impl/Scheduler.java`` implementations do
(``SystemJobScheduler`` over the platform's JobScheduler, ``GreedyScheduler`` in process,
work-testing's ``TestScheduler``). The contract, both ways:

WorkManager -> scheduler (``Schedulers.schedule``, ``registerRescheduling``):

* ``schedule(*work_specs)`` after an enqueue, an unblock, every run that ends (retry, periodic
  completion, stop), a cancel that freed slots, an applied update, and at start-up. Schedulers
  with ``has_limited_scheduling_slots`` get only ENQUEUED rows not yet marked scheduled, at most
  ``max_scheduler_limit`` (20) minus those already scheduled, oldest ``last_enqueue_time`` first,
  and WorkManager marks them scheduled (``schedule_requested_at = now``) before the call; the
  others get every ENQUEUED row (at most 200). The specs are snapshots: compute the due time with
  ``spec.calculate_next_run_time()``; constraints are ``spec.constraints``.
* ``cancel(work_spec_id)`` when the work is cancelled or updated, and after each run, before it is
  scheduled again ("cancel this work in the other schedulers").
* ``reconcile(scheduled_work_spec_ids)`` once at start-up (``ForceStopRunnable.cleanUp`` ->
  ``SystemJobScheduler.reconcileJobs``) with the unfinished rows marked scheduled; return ``True``
  if this scheduler no longer holds some of them (an in-process scheduler after process death, or
  jobs lost at reboot): WorkManager then marks them unscheduled and schedules again.

Scheduler -> WorkManager: through ``workmanager.processor`` (:class:`Processor`):
``start_work(work_spec_id, generation=...) -> bool``, ``stop_work(work_spec_id, stop_reason)``,
and the ``executed`` signal of ``Executed(work_spec_id, needs_reschedule)`` when a run ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from harness.workmanager._spec import WorkSpec

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager


class Scheduler(Protocol):
    """Decides when scheduled work starts (``androidx.work.impl.Scheduler``)."""

    @property
    def has_limited_scheduling_slots(self) -> bool:
        """Whether WorkManager must ration work to it (``hasLimitedSchedulingSlots``); a
        constant, read once when the WorkManager is built."""

    def schedule(self, *work_specs: WorkSpec) -> None:
        """Take over these ENQUEUED work specs; start each when it is due and allowed."""

    def cancel(self, work_spec_id: str) -> None:
        """Forget the work (and stop a run this scheduler started, with STOP_REASON_UNKNOWN)."""

    def reconcile(self, scheduled_work_spec_ids: Sequence[str]) -> bool:
        """At start-up: ``True`` if some of these ids are no longer held by this scheduler."""


#: Builds a WorkManager's schedulers; called once per WorkManager (process) with it.
SchedulerFactory = Callable[["WorkManager"], Sequence[Scheduler]]
