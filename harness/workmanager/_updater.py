"""Updating work in place: ``W/impl/WorkerUpdater.kt`` @31adf48a.

``update_work(request)`` rewrites the row of ``request.id`` with the new request's fields but keeps
state, run attempt count, last enqueue time, period count and the schedule override (unless the
new request sets or clears one), adds 1 to ``generation``, replaces the tags and resets the stop
reason (it comes from the new request). A finished work is NOT_APPLIED. If the processor holds a
run of the work, that run finishes with its old snapshot and the update governs the next run
(APPLIED_FOR_NEXT_RUN); otherwise the schedulers forget the work, its progress is deleted and it
is scheduled afresh (APPLIED_IMMEDIATELY).

``ExistingPeriodicWorkPolicy.UPDATE`` (``enqueueUniquelyNamedPeriodic``): no record -> enqueue;
more than one record, or a one-time record, under the name -> error; a CANCELLED record -> delete
it and enqueue the new request (with the *new* id); otherwise update the record, keeping its id.

The row, tag and progress writes of an update are one database transaction (``runInTransaction``
in ``updateWorkImpl``); scheduling follows in its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harness._exceptions import InvalidRequestError
from harness.workmanager._continuation import WorkContinuation
from harness.workmanager._enqueue import enqueue_continuation
from harness.workmanager._enums import ExistingWorkPolicy, State, UpdateResult
from harness.workmanager._request import WorkRequest
from harness.workmanager._spec import WorkSpec
from harness.workmanager._versions import check_request_api

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager


def _kind(spec: WorkSpec) -> str:
    return "Periodic" if spec.is_periodic else "OneTime"


def update_work_impl(
    workmanager: WorkManager, new_spec: WorkSpec, tags: frozenset[str]
) -> UpdateResult:
    """``updateWorkImpl``."""
    check_request_api(workmanager.version, new_spec)
    database = workmanager.database
    work_id = new_spec.id
    old = database.work_spec_dao.get_work_spec(work_id)
    if old is None:
        raise InvalidRequestError(
            f"Worker with {work_id} doesn't exist; update_work() needs the id of enqueued work "
            "(build the new request with .set_id(old_request.id))"
        )
    if old.state.is_finished:
        workmanager._events.emit("work.updated", work_id, result=UpdateResult.NOT_APPLIED.name)
        return UpdateResult.NOT_APPLIED
    if old.is_periodic != new_spec.is_periodic:
        raise InvalidRequestError(
            f"Can't update {_kind(old)} Worker to {_kind(new_spec)} Worker. Update operation "
            "must preserve worker's type."
        )
    is_enqueued = workmanager.processor.is_enqueued(work_id)
    if not is_enqueued:
        for scheduler in workmanager.schedulers:
            scheduler.cancel(work_id)
    # Keep state (BLOCKED keeps the chain, RUNNING the run), attempt count (for backoff),
    # enqueue time and override; count one more generation (WorkerUpdater.kt).
    updated = replace(
        new_spec,
        state=old.state,
        run_attempt_count=old.run_attempt_count,
        last_enqueue_time=old.last_enqueue_time,
        generation=old.generation + 1,
        period_count=old.period_count,
        next_schedule_time_override=old.next_schedule_time_override,
        next_schedule_time_override_generation=old.next_schedule_time_override_generation,
    )
    if new_spec.next_schedule_time_override_generation == 1:  # the request set or cleared one
        updated = replace(
            updated,
            next_schedule_time_override=new_spec.next_schedule_time_override,
            next_schedule_time_override_generation=updated.next_schedule_time_override_generation
            + 1,
        )
    result = UpdateResult.APPLIED_FOR_NEXT_RUN if is_enqueued else UpdateResult.APPLIED_IMMEDIATELY
    with database.transaction():
        database.work_spec_dao.update_work_spec(updated)
        database.work_tag_dao.delete_by_work_spec_id(work_id)
        database.work_tag_dao.insert_tags(work_id, tags)
        if not is_enqueued:
            database.work_spec_dao.mark_scheduled(work_id, -1)
            database.work_progress_dao.delete(work_id)
        workmanager._events.emit("work.updated", work_id, result=result.name)
    if not is_enqueued:
        workmanager._schedule_work()
    return result


def enqueue_uniquely_named_periodic(
    workmanager: WorkManager, name: str, request: WorkRequest
) -> None:
    """``WorkManagerImpl.enqueueUniquelyNamedPeriodic`` (``ExistingPeriodicWorkPolicy.UPDATE``)."""
    work_specs = workmanager.database.work_spec_dao

    def enqueue_new() -> None:
        enqueue_continuation(
            WorkContinuation(workmanager, name, ExistingWorkPolicy.KEEP, [request])
        )

    existing = work_specs.get_work_spec_id_and_states_for_name(name)
    if len(existing) > 1:
        raise InvalidRequestError(
            f"Can't apply UPDATE policy to the chains of work: unique work {name!r} has "
            f"{len(existing)} records; use CANCEL_AND_REENQUEUE or another name"
        )
    if not existing:
        enqueue_new()
        return
    current_id, current_state = existing[0]
    spec = work_specs.get_work_spec(current_id)
    if spec is None:  # pragma: no cover - the name row cascades with its work spec
        raise InvalidRequestError(
            f"WorkSpec with {current_id}, that matches a name {name!r}, wasn't found"
        )
    if not spec.is_periodic:
        raise InvalidRequestError(
            f"Can't update OneTimeWorker to Periodic Worker. Update operation must preserve "
            f"worker's type (unique work {name!r} is one-time work)."
        )
    if current_state is State.CANCELLED:
        # Two operations, as in androidx: the delete, then the enqueue (its own transaction).
        with workmanager.database.transaction():
            info = workmanager.database.work_info_dao.get_work_info(current_id)
            if info is not None:
                workmanager._events.emit_snapshot("work.deleted", spec, info, reason="UPDATE")
            work_specs.delete_work_spec(current_id)
        enqueue_new()
        return
    update_work_impl(workmanager, replace(request.work_spec, id=current_id), request.tags)
