"""``WorkContinuation``: chains of one-time work (``W/impl/WorkContinuationImpl.java``).

``workmanager.begin_with(a).then(b).then([c, d]).enqueue()`` makes b depend on a, and c and d on
b. ``WorkContinuation.combine([x, y])`` adds, as androidx does, a hidden
:class:`CombineContinuationsWorker` that depends on the leaves of x and y and passes their merged
outputs on (its input merger is ``ArrayCreatingInputMerger``). A continuation started with
``begin_unique_work`` carries its unique name down the chain, so every work in it is recorded
under the name; the existing-work policy applies to the head only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness._exceptions import InvalidRequestError
from harness.workmanager._enums import ExistingWorkPolicy
from harness.workmanager._info import WorkInfo
from harness.workmanager._merger import ArrayCreatingInputMerger
from harness.workmanager._request import OneTimeWorkRequest, WorkRequest
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._worker import Result, Worker

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager

_LOG = logging.getLogger("harness.workmanager")


class CombineContinuationsWorker(Worker):
    """Passes its merged input on as output (``impl/workers/CombineContinuationsWorker``)."""

    def do_work(self) -> Result:
        """``Result.success(inputData)``."""
        return Result.success(self.input_data)


def one_time_requests(
    work: OneTimeWorkRequest | Sequence[OneTimeWorkRequest], what: str
) -> list[OneTimeWorkRequest]:
    """``work`` as a list, checked to hold only one-time requests (chains take no periodic work)."""
    requests = [work] if isinstance(work, WorkRequest) else list(work)
    for request in requests:
        if not isinstance(request, OneTimeWorkRequest):
            raise InvalidRequestError(
                f"{what} takes OneTimeWorkRequests; got {type(request).__name__} — periodic "
                "work cannot be part of a chain (enqueue it on its own)"
            )
    return requests


class WorkContinuation:
    """A node of a chain: some work, the continuations it follows, and an optional name."""

    def __init__(
        self,
        workmanager: WorkManager,
        name: str | None,
        existing_work_policy: ExistingWorkPolicy,
        work: Sequence[WorkRequest],
        parents: Sequence[WorkContinuation] | None = None,
    ) -> None:
        self._workmanager = workmanager
        self._name = name
        self._policy = ExistingWorkPolicy(existing_work_policy)
        self._work = tuple(work)
        self._parents = None if parents is None else tuple(parents)
        self._enqueued = False
        all_ids: list[str] = []
        for parent in self._parents or ():
            all_ids.extend(parent.all_ids)
        for request in self._work:
            # WorkContinuationImpl: REPLACE would give a new WorkSpec every time, so the minimum
            # period between overridden runs could not be enforced.
            if (
                self._policy is ExistingWorkPolicy.REPLACE
                and request.work_spec.next_schedule_time_override != LONG_MAX_VALUE
            ):
                raise InvalidRequestError(
                    "Next Schedule Time Override must be used with ExistingPeriodicWorkPolicy "
                    "UPDATE (preferably) or KEEP, not REPLACE or CANCEL_AND_REENQUEUE"
                )
        self._ids = tuple(request.string_id for request in self._work)
        all_ids.extend(self._ids)
        self._all_ids = tuple(all_ids)

    @property
    def workmanager(self) -> WorkManager:
        """The WorkManager this continuation enqueues into."""
        return self._workmanager

    @property
    def name(self) -> str | None:
        """The unique work name, if any."""
        return self._name

    @property
    def existing_work_policy(self) -> ExistingWorkPolicy:
        """The policy applied when this continuation is the head of a named chain."""
        return self._policy

    @property
    def work(self) -> tuple[WorkRequest, ...]:
        """The requests of this node."""
        return self._work

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of this node's requests."""
        return self._ids

    @property
    def all_ids(self) -> tuple[str, ...]:
        """The ids of this node's requests and of every ancestor's."""
        return self._all_ids

    @property
    def parents(self) -> tuple[WorkContinuation, ...] | None:
        """The continuations this one follows."""
        return self._parents

    @property
    def is_enqueued(self) -> bool:
        """Whether this node was enqueued already."""
        return self._enqueued

    def mark_enqueued(self) -> None:
        """Remember that this node was enqueued (``markEnqueued``)."""
        self._enqueued = True

    def then(self, work: OneTimeWorkRequest | Sequence[OneTimeWorkRequest]) -> WorkContinuation:
        """A continuation whose work runs after all of this one's has succeeded."""
        requests = one_time_requests(work, "then()")
        if not requests:
            return self
        return WorkContinuation(
            self._workmanager, self._name, ExistingWorkPolicy.KEEP, requests, [self]
        )

    def enqueue(self) -> None:
        """Enqueue this continuation and every ancestor not enqueued yet (parents first)."""
        if self._enqueued:
            _LOG.warning("Already enqueued work ids (%s)", ", ".join(self._ids))
            return
        self._workmanager._enqueue_continuation(self)

    def get_work_infos(self) -> list[WorkInfo]:
        """The ``WorkInfo`` of every work in this continuation and its ancestors."""
        work_infos = self._workmanager.database.work_info_dao
        infos = (work_infos.get_work_info(work_id) for work_id in self._all_ids)
        return [info for info in infos if info is not None]

    @staticmethod
    def combine(continuations: Sequence[WorkContinuation]) -> WorkContinuation:
        """A continuation that runs after all of ``continuations`` (``combine``)."""
        parents = list(continuations)
        if not parents:
            raise InvalidRequestError("combine() needs at least one WorkContinuation")
        combined = (
            OneTimeWorkRequest.builder(CombineContinuationsWorker)
            .set_input_merger(ArrayCreatingInputMerger)
            .build()
        )
        return WorkContinuation(
            parents[0]._workmanager, None, ExistingWorkPolicy.KEEP, [combined], parents
        )

    def has_cycles(self) -> bool:
        """Whether a work depends on itself through the chain (``hasCycles``)."""
        return _has_cycles(self, set())

    @staticmethod
    def prerequisites_for(continuation: WorkContinuation) -> list[str]:
        """The ids of the parents' own requests (``prerequisitesFor``), in order."""
        ids: dict[str, None] = {}
        for parent in continuation.parents or ():
            ids.update(dict.fromkeys(parent.ids))
        return list(ids)


def _has_cycles(continuation: WorkContinuation, visited: set[str]) -> bool:
    visited.update(continuation.ids)
    prerequisites = set(WorkContinuation.prerequisites_for(continuation))
    if visited & prerequisites:
        return True
    for parent in continuation.parents or ():
        if _has_cycles(parent, visited):
            return True
    visited.difference_update(continuation.ids)
    return False
