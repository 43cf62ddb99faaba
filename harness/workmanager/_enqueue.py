"""Enqueueing continuations and unique work: ``W/impl/utils/EnqueueRunnable.kt`` @4653c8bb.

For each continuation, parents first:

* every prerequisite must exist, else nothing is enqueued (silently on Android; a
  ``work.not_enqueued`` record here);
* a unique-work policy applies only to a named continuation without prerequisites (a chain's
  head): REPLACE cancels the name's unfinished work and deletes every record under it; KEEP does
  nothing if a record is ENQUEUED or RUNNING (BLOCKED ones do not count) and otherwise replaces;
  APPEND makes the new work depend on the name's leaves (records with no dependents at all);
  APPEND_OR_REPLACE does the same unless a leaf FAILED or was CANCELLED, in which case it deletes
  every record under the name, *without* cancelling them, and starts a fresh chain;
* each new work starts FAILED if a prerequisite failed, else CANCELLED if one was cancelled, else
  BLOCKED if one is unfinished, else ENQUEUED with ``last_enqueue_time = now``;
* if any new row is ENQUEUED (or something was replaced), ``Schedulers.schedule`` runs.

All of it but the scheduling is one database transaction (``addToDatabase``), so a process killed
half-way leaves the old rows or the new ones, never a work without its name, tags or
dependencies; ``Schedulers.schedule`` runs after the commit, in its own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness._exceptions import InvalidRequestError
from harness.workmanager._cancel import cancel_by_name_inline
from harness.workmanager._continuation import WorkContinuation
from harness.workmanager._enums import ExistingWorkPolicy, State
from harness.workmanager._request import WorkRequest
from harness.workmanager._row_cache import with_fields
from harness.workmanager._versions import check_request_api

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager

_LOG = logging.getLogger("harness.workmanager")


def enqueue_continuation(continuation: WorkContinuation) -> None:
    """``EnqueueRunnable.enqueue``: write the chain to the database, then schedule."""
    if continuation.has_cycles():
        raise InvalidRequestError(
            f"WorkContinuation has cycles (work ids {list(continuation.ids)}); a request cannot "
            "depend on itself"
        )
    workmanager = continuation.workmanager
    _check_requests(continuation)
    # addToDatabase: beginTransaction ... setTransactionSuccessful (EnqueueRunnable.kt).
    with workmanager.database.transaction():
        needs_scheduling = _process_continuation(continuation)
    if needs_scheduling:
        workmanager._schedule_work()


def _check_requests(continuation: WorkContinuation) -> None:
    # A builder method newer than the pinned androidx.work release does not exist there.
    for parent in continuation.parents or ():
        _check_requests(parent)
    for request in continuation.work:
        check_request_api(continuation.workmanager.version, request.work_spec)


def _process_continuation(continuation: WorkContinuation) -> bool:
    needs_scheduling = False
    for parent in continuation.parents or ():
        if not parent.is_enqueued:
            needs_scheduling |= _process_continuation(parent)
        else:
            _LOG.warning("Already enqueued work ids (%s)", ", ".join(parent.ids))
    needs_scheduling |= enqueue_work_with_prerequisites(
        continuation.workmanager,
        continuation.work,
        WorkContinuation.prerequisites_for(continuation),
        continuation.name,
        continuation.existing_work_policy,
    )
    continuation.mark_enqueued()
    return needs_scheduling


def _not_enqueued(
    workmanager: WorkManager, work_list: Sequence[WorkRequest], reason: str, **fields: Any
) -> bool:
    _LOG.info("not enqueuing %s: %s", [request.string_id for request in work_list], reason)
    workmanager.sim.record(
        "work.not_enqueued",
        ids=[request.string_id for request in work_list],
        workers=[request.work_spec.worker_class_name for request in work_list],
        reason=reason,
        **fields,
    )
    return False


def enqueue_work_with_prerequisites(
    workmanager: WorkManager,
    work_list: Sequence[WorkRequest],
    prerequisite_ids: Sequence[str],
    name: str | None,
    policy: ExistingWorkPolicy,
) -> bool:
    """``enqueueWorkWithPrerequisites``; ``True`` if anything needs scheduling."""
    for observer in workmanager.enqueue_observers:
        observer(name, work_list)
    work_specs = workmanager.database.work_spec_dao
    dependencies = workmanager.database.dependency_dao
    events = workmanager._events
    now = workmanager.sim.now_ms
    prerequisites = list(prerequisite_ids)
    needs_scheduling = False
    has_prerequisite = bool(prerequisites)
    all_succeeded = True
    any_failed = False
    any_cancelled = False

    for prerequisite_id in prerequisites:
        prerequisite_state = work_specs.get_state(prerequisite_id)
        if prerequisite_state is None:
            return _not_enqueued(
                workmanager,
                work_list,
                f"prerequisite {prerequisite_id} doesn't exist",
                unique_name=name,
            )
        all_succeeded &= prerequisite_state is State.SUCCEEDED
        any_failed |= prerequisite_state is State.FAILED
        any_cancelled |= prerequisite_state is State.CANCELLED

    if name and not has_prerequisite:  # policies apply only to the head of a named chain
        existing = work_specs.get_work_spec_id_and_states_for_name(name)
        if existing:
            if policy in (ExistingWorkPolicy.APPEND, ExistingWorkPolicy.APPEND_OR_REPLACE):
                leaves = []
                for work_id, state in existing:
                    if not dependencies.has_dependents(work_id):
                        all_succeeded &= state is State.SUCCEEDED
                        if state is State.FAILED:
                            any_failed = True
                        elif state is State.CANCELLED:
                            any_cancelled = True
                        leaves.append(work_id)
                if policy is ExistingWorkPolicy.APPEND_OR_REPLACE and (any_failed or any_cancelled):
                    # Delete every record under the name without cancelling: a new chain.
                    _delete(workmanager, [work_id for work_id, _ in existing], policy)
                    leaves = []
                    any_failed = any_cancelled = False
                prerequisites = leaves
                has_prerequisite = bool(prerequisites)
            else:
                if policy is ExistingWorkPolicy.KEEP:
                    active = [
                        work_id
                        for work_id, state in existing
                        if state in (State.ENQUEUED, State.RUNNING)
                    ]
                    if active:
                        return _not_enqueued(
                            workmanager,
                            work_list,
                            f"ExistingWorkPolicy.KEEP: unique work {name!r} is already enqueued "
                            "or running",
                            unique_name=name,
                            existing=active,
                        )
                cancel_by_name_inline(workmanager, name)
                needs_scheduling = True
                _delete(workmanager, [work_id for work_id, _ in existing], policy)

    inserted: list[tuple[WorkRequest, str, State]] = []
    tags: list[tuple[str, frozenset[str]]] = []
    for request in work_list:
        spec = request.work_spec
        if has_prerequisite and not all_succeeded:
            if any_failed:
                state = State.FAILED
            elif any_cancelled:
                state = State.CANCELLED
            else:
                state = State.BLOCKED
            spec = with_fields(spec, {"state": state})
        else:
            spec = with_fields(spec, {"last_enqueue_time": now})  # only work that starts ENQUEUED
        if spec.state is State.ENQUEUED:
            needs_scheduling = True
        # OnConflictStrategy.IGNORE: an id already in the database keeps its row, but its
        # dependencies, tags and name are still inserted, as in androidx.
        was_inserted = work_specs.insert_work_spec(spec)
        work_id = request.string_id
        for prerequisite_id in prerequisites if has_prerequisite else ():
            dependencies.insert_dependency(work_id, prerequisite_id)
        tags.append((work_id, request.tags))
        if name:
            workmanager.database.work_name_dao.insert(name, work_id)
        if was_inserted:
            inserted.append((request, work_id, spec.state))
    # every work's tags in one statement: the rows insert_tags would write, in the same order
    # (its own table: the other tables' rows are the same)
    workmanager.database.work_tag_dao.insert_tags_of(tags)

    for request, work_id, state in inserted:
        events.emit(
            "work.blocked" if state is State.BLOCKED else "work.enqueued",
            work_id,
            unique_name=name,
            policy=policy.name if name else None,
            prerequisites=list(prerequisites) if has_prerequisite else [],
            warnings=list(request.warnings),
        )
    return needs_scheduling


def _delete(workmanager: WorkManager, work_ids: Sequence[str], policy: ExistingWorkPolicy) -> None:
    database = workmanager.database
    for work_id in work_ids:
        spec = database.work_spec_dao.get_work_spec(work_id)
        info = database.work_info_dao.get_work_info(work_id)
        if spec is not None and info is not None:
            workmanager._events.emit_snapshot("work.deleted", spec, info, reason=policy.name)
    database.work_spec_dao.delete_work_specs(list(work_ids))
