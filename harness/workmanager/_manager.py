"""``WorkManager``: the app-facing API, and one process's WorkManager runtime.

A ``WorkManager`` instance stands for WorkManager inside one app *process*; the
:class:`WorkDatabase` it works on belongs to the device and outlives it. :meth:`WorkManager.kill`
is process death: running workers are dropped with no database write (their rows stay RUNNING),
timers and listeners die. A new ``WorkManager(sim, database)`` is the next process start: the
database is opened (old finished work is pruned: ``WorkDatabase.CleanupCallback``) and
``ForceStopRunnable`` runs (``W/impl/utils/ForceStopRunnable.java`` @a9b06aaf): schedulers
reconcile what they still hold, RUNNING rows go back to ENQUEUED with ``STOP_REASON_UNKNOWN`` (run
attempt count and last enqueue time kept), progress is wiped, and everything is scheduled again
after a detected force stop (``force_stopped=True``) or when the database asks for it; otherwise
only if the clean-up changed something.

Scheduling follows ``W/impl/Schedulers.java``: after an enqueue, a cancel, an update and every run
that ends (``registerRescheduling``), eligible rows go to the schedulers (see
:mod:`harness.workmanager._scheduler` for the seam).

Each step writes in one database transaction, as androidx's: the pruning on open, the clean-up
of ``ForceStopRunnable`` (reconciliation, RUNNING rows, progress), each preference write, and
the marking in ``Schedulers.schedule`` (the schedulers hear of the work after the commit).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import ClassVar

from harness._exceptions import InvalidRequestError
from harness.sim import Simulation
from harness.workmanager._cancel import cancel_all, cancel_by_id, cancel_by_name, cancel_by_tag
from harness.workmanager._configuration import (
    MAX_SCHEDULER_LIMIT,
    MIN_SCHEDULER_LIMIT,
    Configuration,
)
from harness.workmanager._continuation import WorkContinuation, one_time_requests
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enqueue import enqueue_continuation
from harness.workmanager._enums import (
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    State,
    StopReason,
    UpdateResult,
)
from harness.workmanager._events import WorkEvents, stop_reason_fields
from harness.workmanager._execution_events import ExecutionEventDispatcher
from harness.workmanager._flows import distinct_flow
from harness.workmanager._info import WorkInfo, WorkQuery
from harness.workmanager._processor import Executed, Processor
from harness.workmanager._request import OneTimeWorkRequest, PeriodicWorkRequest, WorkRequest
from harness.workmanager._scheduler import Scheduler, SchedulerFactory
from harness.workmanager._schema import (
    KEY_LAST_CANCEL_ALL_TIME_MS,
    KEY_LAST_FORCE_STOP_MS,
    KEY_RESCHEDULE_NEEDED,
)
from harness.workmanager._test_scheduler import TestScheduler
from harness.workmanager._updater import enqueue_uniquely_named_periodic, update_work_impl
from harness.workmanager._versions import (
    DEFAULT_WORK_VERSION,
    WorkManagerVersion,
    check_configuration_api,
)
from harness.workmanager._worker import WorkerFactory

_LOG = logging.getLogger("harness.workmanager")

#: ``Scheduler.MAX_GREEDY_SCHEDULER_LIMIT``: what unlimited schedulers see at most.
MAX_GREEDY_SCHEDULER_LIMIT = 200


_UpdateResult = UpdateResult


def _id(work_id: uuid.UUID | str) -> str:
    return str(work_id)


class WorkManager:
    """androidx's ``WorkManager`` for one app process, on a device-owned :class:`WorkDatabase`.

    ``schedulers`` builds the process's schedulers (default: one time-based
    :class:`TestScheduler` with every constraint met); ``worker_factory`` creates workers
    (default: import by class name); ``version`` is the androidx.work release modelled
    (:class:`WorkManagerVersion`, default the newest stable line, 2.12).
    """

    UpdateResult: ClassVar[type[_UpdateResult]] = _UpdateResult

    def __init__(
        self,
        sim: Simulation,
        database: WorkDatabase | None = None,
        *,
        schedulers: SchedulerFactory | None = None,
        worker_factory: WorkerFactory | None = None,
        max_scheduler_limit: int = MIN_SCHEDULER_LIMIT,
        force_stopped: bool = False,
        configuration: Configuration | None = None,
        version: WorkManagerVersion | str = DEFAULT_WORK_VERSION,
    ) -> None:
        # The app's Configuration (Configuration.Provider), if any, sets the scheduler limit,
        # the job id range, the worker factory and the executor; an explicit worker_factory (the
        # app runtime's, which runs the configured one as app code) takes its place.
        if configuration is not None:
            max_scheduler_limit = configuration.max_scheduler_limit
            if worker_factory is None:
                worker_factory = configuration.worker_factory
        self.configuration = (
            configuration
            if configuration is not None
            else Configuration(max_scheduler_limit=min(max_scheduler_limit, MAX_SCHEDULER_LIMIT))
        )
        # Configuration.Builder.setMaxSchedulerLimit: below 20 throws, above 50 is clamped.
        if max_scheduler_limit < MIN_SCHEDULER_LIMIT:
            raise InvalidRequestError(
                f"max_scheduler_limit {max_scheduler_limit} is below {MIN_SCHEDULER_LIMIT}: "
                "WorkManager needs to be able to schedule at least 20 jobs in JobScheduler"
            )
        #: The androidx.work release this process runs (``WorkManagerVersion``).
        self.version = WorkManagerVersion.parse(version, "version")
        self.sim = sim
        self.database = database if database is not None else WorkDatabase()
        self.max_scheduler_limit = min(max_scheduler_limit, MAX_SCHEDULER_LIMIT)
        self._alive = True
        #: Called with ``(unique_name, requests)`` for every enqueue, before its policy applies
        #: (a test harness's observers: nothing of WorkManager's reads them).
        self.enqueue_observers: list[Callable[[str | None, Sequence[WorkRequest]], None]] = []
        self._events = WorkEvents(sim, self.database)
        check_configuration_api(self.version, self.configuration)
        listener = self.configuration.execution_event_listener
        self.processor = Processor(
            sim,
            self.database,
            self._events,
            worker_factory,
            self.configuration.executor,
            version=self.version,
            execution_events=(
                ExecutionEventDispatcher(sim, listener, self.database, self._events)
                if listener is not None
                else None
            ),
        )
        factory = schedulers if schedulers is not None else TestScheduler.factory()
        self.schedulers: tuple[Scheduler, ...] = tuple(factory(self))
        # Schedulers.schedule asks each scheduler on every call; every implementation answers
        # a constant (SystemJobScheduler and TestScheduler true, GreedyScheduler false).
        self._limited_schedulers = tuple(
            s for s in self.schedulers if s.has_limited_scheduling_slots
        )
        self._greedy_schedulers = tuple(
            s for s in self.schedulers if not s.has_limited_scheduling_slots
        )
        self.processor.executed.connect(self._on_executed)
        self._start_up(force_stopped)

    # --- getInstance / initialize (W/WorkManager.kt) ------------------------------------------

    @staticmethod
    def get_instance(context: object) -> WorkManager:
        """``WorkManager.getInstance(context)``: the WorkManager of the app process ``context``
        belongs to (``harness.app.current_app()`` inside app code).

        Every app process initialises its WorkManager when it starts, as
        ``WorkManagerInitializer`` does; a context without one raises, as androidx's
        ``IllegalStateException`` for an uninitialised WorkManager."""
        work_manager = getattr(context, "work_manager", None)
        if not isinstance(work_manager, WorkManager):
            raise InvalidRequestError(
                f"WorkManager is not initialized properly for {context!r}: pass the app's "
                "context (harness.app.current_app() inside app code), whose process initialised "
                "WorkManager when it started"
            )
        return work_manager

    @staticmethod
    def initialize(context: object, configuration: Configuration) -> None:
        """``WorkManager.initialize``: always too late here, as on a phone with the default
        initializer: the process initialised WorkManager when it started. Provide the
        configuration instead (a ``work_manager_configuration()`` function in the app module,
        the harness's ``Configuration.Provider``)."""
        if getattr(context, "work_manager", None) is not None:
            raise InvalidRequestError(
                "WorkManager is already initialized. Did you try to initialize it manually "
                "without disabling WorkManagerInitializer? Define work_manager_configuration() "
                "in the app module (Configuration.Provider) to configure it"
            )
        raise InvalidRequestError(
            f"cannot initialize WorkManager for {context!r}: WorkManager is initialised when "
            "the app's process starts; define work_manager_configuration() in the app module"
        )

    # --- process life cycle -------------------------------------------------------------------

    @property
    def is_alive(self) -> bool:
        """Whether this process is alive (``False`` after :meth:`kill`)."""
        return self._alive

    def kill(self) -> None:
        """Process death: running workers are dropped, rows stay RUNNING, nothing else runs."""
        if not self._alive:
            return
        self._alive = False
        self._events.alive = False
        self.processor.shutdown()

    def _start_up(self, force_stopped: bool) -> None:
        database = self.database
        work_specs = database.work_spec_dao
        now = self.sim.now_ms
        # WorkDatabase.CleanupCallback.onOpen: finished work older than a day (plus its
        # retention) with no unfinished dependents is deleted when the database opens.
        self._prune(work_specs.prunable_on_open(now), "on_open")
        # ForceStopRunnable.cleanUp: reconcile with the schedulers, reset RUNNING rows, wipe
        # progress; one transaction (reconcileJobs's own marking transaction joins it).
        with database.transaction():
            scheduled = work_specs.get_scheduled_unfinished_ids()
            needs_reconciling = False
            for scheduler in self.schedulers:
                needs_reconciling = scheduler.reconcile(scheduled) or needs_reconciling
            if needs_reconciling:
                for work_id in scheduled:
                    work_specs.mark_scheduled(work_id, -1)
            running = work_specs.get_running_work()
            for spec in running:
                work_specs.set_state(spec.id, State.ENQUEUED)
                work_specs.set_stop_reason(spec.id, StopReason.STOP_REASON_UNKNOWN)
                work_specs.mark_scheduled(spec.id, -1)
                self._events.emit(
                    "work.stopped",
                    spec.id,
                    cause="process_restart",
                    **stop_reason_fields(StopReason.STOP_REASON_UNKNOWN),
                )
            database.work_progress_dao.delete_all()
        preferences = database.preference_dao
        if preferences.get_long_value(KEY_RESCHEDULE_NEEDED) == 1:
            self._reschedule_eligible_work()
            with database.transaction():
                preferences.insert_preference(KEY_RESCHEDULE_NEEDED, 0)
        elif force_stopped:
            self._reschedule_eligible_work()
            with database.transaction():
                preferences.insert_preference(KEY_LAST_FORCE_STOP_MS, now)
        elif needs_reconciling or running:
            self._schedule_work()

    def _reschedule_eligible_work(self) -> None:
        """``WorkManagerImpl.rescheduleEligibleWork``: drop every job, schedule all afresh."""
        work_specs = self.database.work_spec_dao
        for work_id in work_specs.get_scheduled_unfinished_ids():
            for scheduler in self.schedulers:
                scheduler.cancel(work_id)
        with self.database.transaction():
            work_specs.reset_scheduled_state()
        self._schedule_work()

    # --- scheduling (Schedulers.java) ---------------------------------------------------------

    def _schedule_work(self) -> None:
        """``Schedulers.schedule``: mark the slot-limited batch scheduled, hand out both lists."""
        if not self._alive or not self.schedulers:
            return
        work_specs = self.database.work_spec_dao
        greedy_schedulers = self._greedy_schedulers
        # One transaction reads both lists and marks the limited batch; the schedulers hear of
        # the work after the commit (Schedulers.schedule).
        with self.database.transaction():
            limited = work_specs.get_eligible_work_for_scheduling(self.max_scheduler_limit)
            # Schedulers.schedule reads getAllEligibleWorkSpecsForScheduling(200) on every call,
            # but only scheduleWorkSpecs(..., forLimitedSlots=false) uses the list (and a debug
            # log): with no scheduler without limited slots the read is unobservable, and it
            # decoded up to 200 rows after every run (W/impl/Schedulers.java @051c4525).
            # The row cache's scheduling index answers it: the same rows in the same order,
            # without the 200-row scan.
            everything = (
                work_specs.get_all_eligible_work_specs_for_scheduling_cached(
                    MAX_GREEDY_SCHEDULER_LIMIT
                )
                if greedy_schedulers
                else []
            )
            now = self.sim.now_ms
            for spec in limited:
                work_specs.mark_scheduled(spec.id, now)
        if limited:
            for scheduler in self._limited_schedulers:
                scheduler.schedule(*limited)
        if everything:
            for scheduler in greedy_schedulers:
                scheduler.schedule(*everything)

    def _on_executed(self, executed: Executed) -> None:
        """``Schedulers.registerRescheduling``: after a run, reschedule unless already done."""
        if not self._alive or self.database.work_spec_dao.is_work_spec_scheduled(
            executed.work_spec_id
        ):
            return
        for scheduler in self.schedulers:
            scheduler.cancel(executed.work_spec_id)
        self._schedule_work()

    def _enqueue_continuation(self, continuation: WorkContinuation) -> None:
        self._check_alive()
        enqueue_continuation(continuation)

    def _check_alive(self) -> None:
        if not self._alive:
            raise InvalidRequestError(
                "this WorkManager's process was killed; create a new WorkManager(sim, database) "
                "for the next process"
            )

    def _prune(self, work_ids: Sequence[str], reason: str) -> None:
        database = self.database
        with database.transaction():
            for work_id in work_ids:
                spec = database.work_spec_dao.get_work_spec(work_id)
                info = database.work_info_dao.get_work_info(work_id)
                if spec is not None and info is not None:
                    self._events.emit_snapshot("work.pruned", spec, info, reason=reason)
            database.work_spec_dao.delete_work_specs(work_ids)

    # --- enqueueing ---------------------------------------------------------------------------

    def enqueue(self, requests: WorkRequest | Sequence[WorkRequest]) -> None:
        """Enqueue independent work (one-time or periodic)."""
        work = [requests] if isinstance(requests, WorkRequest) else list(requests)
        if not work:
            raise InvalidRequestError("enqueue needs at least one WorkRequest.")
        WorkContinuation(self, None, ExistingWorkPolicy.KEEP, work).enqueue()

    def begin_with(
        self, work: OneTimeWorkRequest | Sequence[OneTimeWorkRequest]
    ) -> WorkContinuation:
        """Start a chain; add steps with ``.then(...)``, then ``.enqueue()``."""
        requests = one_time_requests(work, "begin_with()")
        if not requests:
            raise InvalidRequestError("beginWith needs at least one OneTimeWorkRequest.")
        return WorkContinuation(self, None, ExistingWorkPolicy.KEEP, requests)

    def begin_unique_work(
        self,
        unique_work_name: str,
        existing_work_policy: ExistingWorkPolicy,
        work: OneTimeWorkRequest | Sequence[OneTimeWorkRequest],
    ) -> WorkContinuation:
        """Start a chain under a unique name; the policy applies when it is enqueued."""
        requests = one_time_requests(work, "begin_unique_work()")
        if not requests:
            raise InvalidRequestError("beginUniqueWork needs at least one OneTimeWorkRequest.")
        return WorkContinuation(self, unique_work_name, existing_work_policy, requests)

    def enqueue_unique_work(
        self,
        unique_work_name: str,
        existing_work_policy: ExistingWorkPolicy,
        work: OneTimeWorkRequest | Sequence[OneTimeWorkRequest],
    ) -> None:
        """Enqueue one-time work under a unique name (REPLACE, KEEP, APPEND, APPEND_OR_REPLACE)."""
        self.begin_unique_work(unique_work_name, existing_work_policy, work).enqueue()

    def enqueue_unique_periodic_work(
        self,
        unique_work_name: str,
        existing_periodic_work_policy: ExistingPeriodicWorkPolicy,
        periodic_work: PeriodicWorkRequest,
    ) -> None:
        """Enqueue periodic work under a unique name (KEEP, UPDATE, CANCEL_AND_REENQUEUE)."""
        self._check_alive()
        if not isinstance(periodic_work, PeriodicWorkRequest):
            raise InvalidRequestError(
                f"enqueue_unique_periodic_work takes a PeriodicWorkRequest, not "
                f"{type(periodic_work).__name__}; use enqueue_unique_work for one-time work"
            )
        policy = ExistingPeriodicWorkPolicy(existing_periodic_work_policy)
        if policy is ExistingPeriodicWorkPolicy.UPDATE:
            for observer in self.enqueue_observers:
                observer(unique_work_name, [periodic_work])
            enqueue_uniquely_named_periodic(self, unique_work_name, periodic_work)
            return
        # WorkManagerImpl: KEEP stays KEEP; REPLACE and CANCEL_AND_REENQUEUE become REPLACE.
        mapped = (
            ExistingWorkPolicy.KEEP
            if policy is ExistingPeriodicWorkPolicy.KEEP
            else ExistingWorkPolicy.REPLACE
        )
        WorkContinuation(self, unique_work_name, mapped, [periodic_work]).enqueue()

    def update_work(self, request: WorkRequest) -> _UpdateResult:
        """Update the enqueued work with ``request.id`` in place (2.8+, ``WorkerUpdater``)."""
        self._check_alive()
        return update_work_impl(self, request.work_spec, request.tags)

    # --- cancelling and pruning -----------------------------------------------------------

    def cancel_work_by_id(self, work_id: uuid.UUID | str) -> None:
        """Cancel the work and its unfinished dependents."""
        self._check_alive()
        cancel_by_id(self, _id(work_id))

    def cancel_all_work_by_tag(self, tag: str) -> None:
        """Cancel every unfinished work with ``tag``, and their dependents."""
        self._check_alive()
        cancel_by_tag(self, tag)

    def cancel_unique_work(self, unique_work_name: str) -> None:
        """Cancel the unfinished work under the unique name, and their dependents."""
        self._check_alive()
        cancel_by_name(self, unique_work_name)

    def cancel_all_work(self) -> None:
        """Cancel every unfinished work."""
        self._check_alive()
        cancel_all(self)

    def get_last_cancel_all_time_millis(self) -> int:
        """When :meth:`cancel_all_work` last ran (virtual ms), or 0."""
        return self.database.preference_dao.get_long_value(KEY_LAST_CANCEL_ALL_TIME_MS) or 0

    def prune_work(self) -> None:
        """Delete finished work with no unfinished dependents now, ignoring retention."""
        self._check_alive()
        self._prune(self.database.work_spec_dao.prunable(), "prune_work")

    # --- observing ----------------------------------------------------------------------------

    def get_work_info_by_id(self, work_id: uuid.UUID | str) -> WorkInfo | None:
        """The work's ``WorkInfo``, or ``None`` if there is no such work."""
        return self.database.work_info_dao.get_work_info(_id(work_id))

    def get_work_infos_by_tag(self, tag: str) -> list[WorkInfo]:
        """Every work with ``tag``."""
        return self.database.work_info_dao.get_work_infos_for_tag(tag)

    def get_work_infos_for_unique_work(self, unique_work_name: str) -> list[WorkInfo]:
        """Every work recorded under the unique name."""
        return self.database.work_info_dao.get_work_infos_for_name(unique_work_name)

    def get_work_infos(self, work_query: WorkQuery) -> list[WorkInfo]:
        """Every work matching the query."""
        return self.database.work_info_dao.get_work_infos_for_query(work_query)

    # Flows (androidx 2.9+ WorkManagerImpl.get*Flow): see _flows.py.

    def get_work_info_by_id_flow(self, work_id: uuid.UUID | str) -> AsyncIterator[WorkInfo | None]:
        """``getWorkInfoByIdFlow``: the work's ``WorkInfo`` now and after each change of it."""
        key = _id(work_id)
        return distinct_flow(
            self._events.invalidated, lambda: self.database.work_info_dao.get_work_info(key)
        )

    def get_work_infos_by_tag_flow(self, tag: str) -> AsyncIterator[list[WorkInfo]]:
        """``getWorkInfosByTagFlow``: every work with ``tag``, now and after each change."""
        return distinct_flow(self._events.invalidated, lambda: self.get_work_infos_by_tag(tag))

    def get_work_infos_for_unique_work_flow(
        self, unique_work_name: str
    ) -> AsyncIterator[list[WorkInfo]]:
        """``getWorkInfosForUniqueWorkFlow``: the unique work's infos, now and after changes."""
        return distinct_flow(
            self._events.invalidated,
            lambda: self.get_work_infos_for_unique_work(unique_work_name),
        )

    def get_work_infos_flow(self, work_query: WorkQuery) -> AsyncIterator[list[WorkInfo]]:
        """``getWorkInfosFlow``: the work matching the query, now and after each change."""
        return distinct_flow(self._events.invalidated, lambda: self.get_work_infos(work_query))

    def add_listener(self, listener: Callable[[WorkInfo], None]) -> Callable[[], None]:
        """Call ``listener(info)`` after every change of any work, in order; returns a remover.

        Listeners live in the process: they die with :meth:`kill`.
        """
        return self._events.add_listener(listener)
