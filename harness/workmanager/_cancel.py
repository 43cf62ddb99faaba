"""Cancelling work: ``W/impl/utils/CancelWorkRunnable.kt`` @07c97258.

To cancel one work: it and every transitive dependent not SUCCEEDED or FAILED get
``setCancelledState`` (stop reason 1 if RUNNING at that moment, else -256; a row already
CANCELLED is rewritten to -256), then the processor stops a running worker with
``STOP_REASON_CANCELLED_BY_APP`` and every scheduler forgets the work.

* by id: from the id whatever its state (a SUCCEEDED work's unfinished dependents are cancelled);
* by tag / by unique name: from the unfinished work with that tag or name, and their dependents
  whatever their tags or names;
* all: every unfinished work; records the time and does not reschedule.

All but "all" end with ``Schedulers.schedule`` to reuse freed scheduler slots. Each cancel is one
database transaction (``runInTransaction``), the scheduling after it its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.workmanager._enums import State, StopReason
from harness.workmanager._events import stop_reason_fields
from harness.workmanager._schema import KEY_LAST_CANCEL_ALL_TIME_MS

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager


def _cancel(workmanager: WorkManager, work_spec_id: str) -> None:
    work_specs = workmanager.database.work_spec_dao
    to_process = [work_spec_id]
    while to_process:  # iterativelyCancelWorkAndDependents: depth first, from the end
        current = to_process.pop()
        before = work_specs.get_work_spec(current)
        if before is not None and before.state not in (State.SUCCEEDED, State.FAILED):
            work_specs.set_cancelled_state(current)
            after = work_specs.get_work_spec(current)
            if after is not None and (after.state, after.stop_reason) != (
                before.state,
                before.stop_reason,
            ):
                cause = "cancelled_by_app" if current == work_spec_id else "prerequisite_cancelled"
                workmanager._events.emit(
                    "work.cancelled",
                    current,
                    previous_state=before.state.name,
                    cause=cause,
                    **stop_reason_fields(after.stop_reason),
                )
        to_process.extend(workmanager.database.dependency_dao.get_dependent_work_ids(current))
    workmanager.processor.stop_and_cancel_work(
        work_spec_id, StopReason.STOP_REASON_CANCELLED_BY_APP
    )
    for scheduler in workmanager.schedulers:
        scheduler.cancel(work_spec_id)


def cancel_by_id(workmanager: WorkManager, work_spec_id: str) -> None:
    """``CancelWorkRunnable.forId``."""
    with workmanager.database.transaction():
        _cancel(workmanager, work_spec_id)
    workmanager._schedule_work()


def cancel_by_tag(workmanager: WorkManager, tag: str) -> None:
    """``CancelWorkRunnable.forTag``."""
    database = workmanager.database
    with database.transaction():
        for work_spec_id in database.work_spec_dao.get_unfinished_work_with_tag(tag):
            _cancel(workmanager, work_spec_id)
    workmanager._schedule_work()


def cancel_by_name_inline(workmanager: WorkManager, name: str) -> None:
    """``CancelWorkRunnable.forNameInline``: cancel without rescheduling (REPLACE uses it)."""
    database = workmanager.database
    with database.transaction():
        for work_spec_id in database.work_spec_dao.get_unfinished_work_with_name(name):
            _cancel(workmanager, work_spec_id)


def cancel_by_name(workmanager: WorkManager, name: str) -> None:
    """``CancelWorkRunnable.forName``."""
    cancel_by_name_inline(workmanager, name)
    workmanager._schedule_work()


def cancel_all(workmanager: WorkManager) -> None:
    """``CancelWorkRunnable.forAll``: no reschedule, as everything was cancelled."""
    database = workmanager.database
    with database.transaction():
        for work_spec_id in database.work_spec_dao.get_all_unfinished_work():
            _cancel(workmanager, work_spec_id)
        database.preference_dao.insert_preference(
            KEY_LAST_CANCEL_ALL_TIME_MS, workmanager.sim.now_ms
        )
