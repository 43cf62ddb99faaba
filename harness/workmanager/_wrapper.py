"""``WorkerWrapper``: one run of one work, with androidx's database writes at every step.

Ported from ``W/impl/WorkerWrapper.kt`` @aa889ef7 (the future-based Kotlin form, whose logic
equals the 2.9 Java shipped in apps):

1. Start (``runWorker``): a snapshot not ENQUEUED resolves without running; periodic or backed-off
   work started before its next run time goes back to ENQUEUED with stop reason -256, n and the
   last enqueue time unchanged ("work.deferred"); inputs are merged; the worker is created;
   ``trySetRunning`` sets RUNNING, increments the run attempt count and resets the stop reason.
   The worker gets the count from the snapshot, before the increment.
2. Completion (``onWorkFinished``): progress is deleted; if the row is still RUNNING the result is
   applied: one-time success -> SUCCEEDED with output and unblocked dependents; failure (or a
   raising worker, or a non-``Result``) -> FAILED with every transitive dependent not CANCELLED;
   retry -> ENQUEUED with last enqueue time = now, n kept; periodic success or failure -> next
   period: last enqueue time = now, n = 0, period count + 1, no output. A row found ENQUEUED or
   BLOCKED is rescheduled with stop reason -512.
3. Stop (``interrupt``): the row goes back to ENQUEUED with the stop reason, n, last enqueue time,
   override and progress unchanged, unless it already finished (a cancel); the worker's coroutine
   is cancelled and ``stop(reason)`` calls ``on_stopped()``; its later result is ignored.

With ``setBackoffForSystemInterruptions`` (2.11, ``WorkSpec.backoff_on_system_interruptions``) a
stop, the early-start deferral of step 1 and a snapshot found not ENQUEUED are
``reschedule(reason)`` instead: the last enqueue time becomes now, so the next run waits the
backoff (``resetWorkerStatus``). Only an app pinned to 2.11 can set it
(:func:`~harness.workmanager._versions.check_request_api`).

With 2.12's ``Configuration.set_execution_event_listener`` the listener hears each started run's
start, finish, stop or exception after the step's write
(:mod:`harness.workmanager._execution_events`).

Every database step is one transaction, as androidx's ``runInTransaction``; nested steps join.

The release matters in these places (:mod:`harness.workmanager._versions`): the 2.11 request API
above; with 2.10's (and 2.11's) coroutine ``WorkerWrapper`` (@07c97258) a worker that throws or
cancels itself resolves as ``Resolution.Failed`` (``setFailed``: FAILED even for periodic work),
where 2.9 applies the default ``Result.failure()`` through ``handleResult`` (periodic work goes on
to its next period); 2.12's ``onWorkFailed`` (@a9b06aaf) sends a periodic work whose worker
threw, cancelled itself or could not be created to its next period, and fails one-time work.

Deviations, all about Python rather than Android: a worker task cancelled by something other
than WorkManager (the simulation shutting down) is treated as process death (no write); an input
merger that raises fails the work, as the newer coroutine ``WorkerWrapper`` does.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any, cast

from harness._exceptions import HarnessRuntimeError
from harness.sim import Simulation
from harness.workmanager._configuration import FixedThreadPool
from harness.workmanager._data import Data
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enums import State, StopReason
from harness.workmanager._events import (
    WorkEvents,
    format_traceback,
    raising_frame,
    stop_reason_fields,
)
from harness.workmanager._execution_events import ExecutionEventDispatcher
from harness.workmanager._foreground import ForegroundInfo
from harness.workmanager._merger import InputMerger, OverwritingInputMerger
from harness.workmanager._spec import WorkSpec, work_uuid
from harness.workmanager._versions import DEFAULT_WORK_VERSION, WorkManagerVersion
from harness.workmanager._worker import (
    DefaultWorkerFactory,
    FailureResult,
    ListenableWorker,
    Result,
    RetryResult,
    RuntimeExtras,
    SuccessResult,
    WorkerFactory,
    WorkerParameters,
    resolve_class,
)

_LOG = logging.getLogger("harness.workmanager")
_NOT_STOPPED = StopReason.STOP_REASON_NOT_STOPPED


class WorkerWrapper:
    """Runs the worker for one ``WorkSpec`` snapshot and writes the outcome."""

    def __init__(
        self,
        *,
        sim: Simulation,
        database: WorkDatabase,
        events: WorkEvents,
        worker_factory: WorkerFactory | None,
        spec: WorkSpec,
        tags: frozenset[str],
        on_resolved: Callable[[WorkerWrapper, bool], None],
        executor: FixedThreadPool | None = None,
        runtime_extras: RuntimeExtras | None = None,
        start_foreground: Callable[[WorkerWrapper, ForegroundInfo], None] | None = None,
        version: WorkManagerVersion = DEFAULT_WORK_VERSION,
        execution_events: ExecutionEventDispatcher | None = None,
    ) -> None:
        self._sim = sim
        self._execution_events = execution_events
        self._told_started = False
        self._worker_error: BaseException | None = None
        self._executor = executor
        self._runtime_extras = runtime_extras or RuntimeExtras()
        self._start_foreground = start_foreground
        self._version = version
        self._worker_threw = False
        self._db = database
        self._work_specs = database.work_spec_dao
        self._events = events
        self._worker_factory = worker_factory
        self.spec = spec
        self.work_spec_id = spec.id
        self.generation = spec.generation
        self._tags = tags
        self._on_resolved = on_resolved
        self._interrupted = _NOT_STOPPED
        self._interrupt_resolved = False
        self._future_set = False
        self._abandoned = False
        self._worker: ListenableWorker | None = None
        self._task: asyncio.Task[None] | None = None
        self._result: Result = Result.failure()

    # --- start ------------------------------------------------------------------------------

    def run(self) -> None:
        """``WorkerWrapper.runWorker``: check, merge inputs, create the worker, set RUNNING."""
        if self._abandoned or self._try_check_for_interruption_and_resolve():
            return
        spec = self.spec
        if spec.state is not State.ENQUEUED:
            if spec.backoff_on_system_interruptions:
                # 2.11: "not in ENQUEUED state" is ResetWorkerStatus() too, and resetWorkerStatus
                # reschedules before any state check: the row goes back to ENQUEUED (even one
                # that is CANCELLED or SUCCEEDED) with L = now (W/impl/WorkerWrapper.kt 2.11).
                self._reschedule_for_backoff()
                return
            self._resolve_incorrect_status()
            return
        # Only periodic or backed-off work is guarded against an early start (WorkerWrapper.kt).
        if spec.is_periodic or spec.is_backed_off:
            due_ms = spec.calculate_next_run_time()
            if self._sim.now_ms < due_ms:
                if spec.backoff_on_system_interruptions:
                    # 2.11: this ResetWorkerStatus() is reschedule(-256) too: L = now
                    self._reschedule_for_backoff()
                    stored = self._work_specs.get_work_spec(self.work_spec_id)
                    due_ms = stored.calculate_next_run_time() if stored is not None else due_ms
                else:
                    self._resolve(True)
                self._events.emit("work.deferred", self.work_spec_id, due_ms=due_ms)
                return
        input_data = self._merged_input()
        if input_data is None:
            return
        params = WorkerParameters(
            id=work_uuid(self.work_spec_id),
            input_data=input_data,
            tags=self._tags,
            run_attempt_count=spec.run_attempt_count,  # the snapshot's: before the increment
            generation=spec.generation,
            progress_updater=self,
            background_executor=self._executor,
            triggered_content_uris=self._runtime_extras.triggered_content_uris,
            triggered_content_authorities=self._runtime_extras.triggered_content_authorities,
            foreground_updater=self,
        )
        worker = self._create_worker(params)
        if worker is None:
            return
        worker._mark_used()
        if not self._try_set_running():
            self._resolve_incorrect_status()
            return
        if self._try_check_for_interruption_and_resolve():
            return
        self._worker = worker
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run_worker(worker), name=f"work {self.work_spec_id}")
        if self._execution_events is not None:
            self._told_started = True
            self._execution_events.notify(self.work_spec_id, lambda lis, info: lis.on_started(info))

    def _merged_input(self) -> Data | None:
        spec = self.spec
        if spec.is_periodic:
            return spec.input  # periodic work never merges
        try:
            merger_class = resolve_class(spec.input_merger_class_name, InputMerger, "input merger")
            merger = cast(InputMerger, merger_class())
            parents = self._work_specs.get_inputs_from_prerequisites(self.work_spec_id)
            if not parents and merger_class is OverwritingInputMerger:
                return spec.input  # what overwriting one immutable Data with nothing gives
            inputs = [spec.input, *parents]
            return merger.merge(inputs)
        except Exception as error:
            self._record_failure(error, "merge_inputs")
            self._set_failed_and_resolve(Data.EMPTY)
            return None

    def _create_worker(self, params: WorkerParameters) -> ListenableWorker | None:
        name = self.spec.worker_class_name
        try:
            worker = None
            if self._worker_factory is not None:
                worker = self._worker_factory.create_worker(name, params)
            if worker is None:
                worker = DefaultWorkerFactory().create_worker(name, params)
            if worker.is_used:
                raise RuntimeError(
                    f"Received an already-used Worker {name}; Worker Factory should return new "
                    "instances"
                )
        except Exception as error:
            self._record_failure(error, "create_worker")
            if self.spec.is_periodic and self._version.failed_run_resets_periodic:
                # 2.12 WorkerWrapper.kt @a9b06aaf: Resolution.Failed -> onWorkFailed ->
                # resetPeriodic(): the periodic work waits for its next period
                with self._db.transaction():
                    self._reset_periodic_and_resolve("failure")
            else:
                self._set_failed_and_resolve(Data.EMPTY)
            return None
        return worker

    def _try_set_running(self) -> bool:
        work_specs = self._work_specs
        with self._db.transaction():
            if work_specs.get_state(self.work_spec_id) is not State.ENQUEUED:
                return False
            # setState(RUNNING), incrementWorkSpecRunAttemptCount, setStopReason(NOT_STOPPED),
            # as one DAO call (the same UPDATE)
            work_specs.set_running(self.work_spec_id)
            self._events.emit("work.started", self.work_spec_id)
        return True

    async def _run_worker(self, worker: ListenableWorker) -> None:
        result: object = None
        try:
            result = cast(object, await worker.start_work())  # app code may return anything
        except asyncio.CancelledError:
            if self._abandoned or self._interrupted != _NOT_STOPPED:
                return  # stopped or process death: already resolved, the result is ignored
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the simulation is shutting down: like process death, no write
            result = None  # the worker's own future was cancelled: androidx treats it as failure
            self._worker_threw = True
            self._worker_error = asyncio.CancelledError("the worker cancelled its own future")
        except Exception as error:
            self._record_failure(error, "do_work")
            result = None
            self._worker_threw = True
            self._worker_error = error
        if self._abandoned:
            return
        if result is not None and not isinstance(result, Result):
            not_a_result = TypeError(
                f"do_work returned {result!r}, not a Result; treated as failure"
            )
            self._record_failure(not_a_result, "do_work")
            self._worker_threw = True  # a TypeError in Python: the throwing worker's path
            self._worker_error = not_a_result
        elif isinstance(result, Result):
            self._result = result
        self._on_work_finished()

    # --- completion -------------------------------------------------------------------------

    def _on_work_finished(self) -> None:
        if self._try_check_for_interruption_and_resolve():
            return
        with self._db.transaction():
            state = self._work_specs.get_state(self.work_spec_id)
            if (
                state is not None
                and not state.is_finished
                and self._worker_threw
                and self._version.worker_exception_fails_periodic
            ):
                # 2.10 WorkerWrapper.kt launch(): Resolution.Failed -> setFailed() whatever the
                # work's kind (no handleResult, so periodic work ends too; no onWorkFinished);
                # 2.12 (@a9b06aaf) onWorkFailed: periodic -> resetPeriodic(), one-time setFailed
                if self.spec.is_periodic and self._version.failed_run_resets_periodic:
                    self._reset_periodic_and_resolve("failure")
                else:
                    self._set_failed(Data.EMPTY)
                self._tell_end(exception=self._worker_error or RuntimeError("worker failed"))
                return
            self._db.work_progress_dao.delete(self.work_spec_id)  # progress is deleted only here
            if state is None:
                self._resolve(False)  # e.g. deleted by REPLACE
            elif state is State.RUNNING:
                self._handle_result(self._result)
                self._tell_end(result=self._result)
            elif not state.is_finished:
                self._interrupted = StopReason.STOP_REASON_UNKNOWN
                self._reschedule_and_resolve(
                    "work.stopped", **stop_reason_fields(self._interrupted)
                )
            else:
                self._resolve(False)

    def _handle_result(self, result: Result) -> None:
        periodic = self.spec.is_periodic
        if isinstance(result, SuccessResult):
            if periodic:
                self._reset_periodic_and_resolve("success")
            else:
                self._set_succeeded_and_resolve(result.output_data)
        elif isinstance(result, RetryResult):
            self._reschedule_and_resolve("work.retry")
        elif periodic:
            self._reset_periodic_and_resolve("failure")
        else:
            output = result.output_data if isinstance(result, FailureResult) else Data.EMPTY
            self._set_failed_and_resolve(output)

    # androidx commits each ...AndResolve block, then resolve() in a second transaction; here
    # both join _on_work_finished's (set_failed also runs alone: it opens its own).

    def _set_succeeded_and_resolve(self, output: Data) -> None:
        work_id = self.work_spec_id
        work_specs = self._work_specs
        dependencies = self._db.dependency_dao
        # setState(SUCCEEDED), setOutput(output)
        work_specs.set_state_and_output(work_id, State.SUCCEEDED, output)
        now = self._sim.now_ms
        unblocked = []
        for dependent in dependencies.get_dependent_work_ids(work_id):
            if work_specs.get_state(
                dependent
            ) is State.BLOCKED and dependencies.has_completed_all_prerequisites(dependent):
                work_specs.set_state(dependent, State.ENQUEUED)
                work_specs.set_last_enqueue_time(dependent, now)
                unblocked.append(dependent)
        self._events.emit("work.finished", work_id, result="success", output=output.to_json())
        for dependent in unblocked:
            self._events.emit("work.unblocked", dependent, prerequisite=work_id)
        self._resolve(False)

    def _set_failed_and_resolve(self, output: Data) -> None:
        with self._db.transaction():
            self._set_failed(output)

    def _set_failed(self, output: Data) -> None:
        work_id = self.work_spec_id
        work_specs = self._work_specs
        failed = []
        to_process = [work_id]
        while to_process:  # iterativelyFailWorkAndDependents: depth first, from the end
            current = to_process.pop()
            state = work_specs.get_state(current)
            if state is not State.CANCELLED:
                work_specs.set_state(current, State.FAILED)
                if state is not State.FAILED:
                    failed.append(current)
            to_process.extend(self._db.dependency_dao.get_dependent_work_ids(current))
        work_specs.reset_next_schedule_time_override(
            work_id, self.spec.next_schedule_time_override_generation
        )
        work_specs.set_output(work_id, output)
        for current in failed:
            if current == work_id:
                self._events.emit(
                    "work.finished", current, result="failure", output=output.to_json()
                )
            else:
                self._events.emit(
                    "work.finished",
                    current,
                    result=None,
                    cause="prerequisite_failed",
                    failed=work_id,
                )
        self._resolve(False)

    def _reschedule_and_resolve(self, kind: str, **fields: Any) -> None:
        work_id = self.work_spec_id
        work_specs = self._work_specs
        work_specs.set_state(work_id, State.ENQUEUED)
        work_specs.set_last_enqueue_time(work_id, self._sim.now_ms)
        work_specs.reset_next_schedule_time_override(
            work_id, self.spec.next_schedule_time_override_generation
        )
        work_specs.mark_scheduled(work_id, -1)
        self._resolve(True)
        self._events.emit(kind, work_id, **fields)

    def _reset_periodic_and_resolve(self, result: str) -> None:
        work_id = self.work_spec_id
        work_specs = self._work_specs
        # The next period counts from now, the end of this run (WorkerWrapper.resetPeriodic):
        # setLastEnqueueTime(now), setState(ENQUEUED), resetWorkSpecRunAttemptCount,
        # resetWorkSpecNextScheduleTimeOverride, incrementPeriodCount, markWorkSpecScheduled(-1),
        # as one DAO call (the same UPDATE). The lines of this file keep their numbers: the
        # traceback of a worker's exception, recorded in the trace (work.failed), names some of
        # them, so moving them would change trace digests.
        work_specs.reset_periodic(
            work_id, self._sim.now_ms, self.spec.next_schedule_time_override_generation
        )
        self._events.emit("work.finished", work_id, result=result, output={})
        self._resolve(False)

    # --- stop -------------------------------------------------------------------------------

    def interrupt(self, stop_reason: StopReason) -> None:
        """``WorkerWrapper.interrupt``: resolve now, cancel the worker, tell it it was stopped."""
        self._interrupted = stop_reason
        self._try_check_for_interruption_and_resolve()
        task = self._task
        cancelled = task is None or not task.done()
        if task is not None and not task.done():
            task.cancel()
        worker = self._worker
        if worker is not None and cancelled:
            self._tell_end(stop_reason=stop_reason)
            try:
                worker.stop(stop_reason)
            except Exception as error:
                self._record_failure(error, "on_stopped")

    def _tell_end(
        self,
        *,
        result: Result | None = None,
        exception: BaseException | None = None,
        stop_reason: StopReason | None = None,
    ) -> None:
        """Tell 2.12's execution event listener how a started run ended (once)."""
        events = self._execution_events
        if events is None or not self._told_started:
            return
        self._told_started = False
        if result is not None:
            events.notify(self.work_spec_id, lambda lis, info: lis.on_finished(result, info))
        elif exception is not None:
            events.notify(self.work_spec_id, lambda lis, info: lis.on_exception(exception, info))
        elif stop_reason is not None:
            events.notify(self.work_spec_id, lambda lis, info: lis.on_stopped(stop_reason, info))

    def abandon(self) -> None:
        """Process death: drop the run without touching the database."""
        self._abandoned = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self._worker is not None:
            self._worker._abandon()

    def _try_check_for_interruption_and_resolve(self) -> bool:
        if self._interrupted == _NOT_STOPPED:
            return False
        if self._interrupt_resolved:
            return True  # already resolved by the interruption; nothing left to write
        self._interrupt_resolved = True
        if self.spec.backoff_on_system_interruptions:
            self._back_off_after_interruption()
            return True
        state = self._work_specs.get_state(self.work_spec_id)
        if state is None or state.is_finished:
            self._resolve(False)
        else:
            self._resolve(True)
            self._events.emit(
                "work.stopped", self.work_spec_id, **stop_reason_fields(self._interrupted)
            )
        return True

    def _back_off_after_interruption(self) -> None:
        """``resetWorkerStatus`` with ``backOffOnSystemInterruptions`` (2.11): ``reschedule``.

        ENQUEUED with the last enqueue time = now, the override reset, unscheduled, the stop
        reason kept; the run attempt count (already incremented) makes it backed off, so its next
        run waits the backoff delay. androidx checks neither the reason nor the row's state here:
        a run the app cancels (its row already CANCELLED) is put back ENQUEUED too
        (``W/impl/WorkerWrapper.kt`` 2.11: ``if (workSpec.backOffOnSystemInterruptions == true)
        { reschedule(reason); return true }`` before the state check). The early-start check of
        :meth:`run` resolves the same way (``ResetWorkerStatus()``), and so does a snapshot found
        not ENQUEUED at start (a stale job for a cancelled or finished work puts it back).
        """
        self._reschedule_for_backoff()
        self._events.emit(
            "work.stopped", self.work_spec_id, **stop_reason_fields(self._interrupted)
        )

    def _reschedule_for_backoff(self) -> None:
        """``WorkerWrapper.reschedule(reason)`` and resolve with a reschedule."""
        work_id = self.work_spec_id
        work_specs = self._work_specs
        with self._db.transaction():
            work_specs.set_state(work_id, State.ENQUEUED)
            work_specs.set_last_enqueue_time(work_id, self._sim.now_ms)
            work_specs.reset_next_schedule_time_override(
                work_id, self.spec.next_schedule_time_override_generation
            )
            work_specs.mark_scheduled(work_id, -1)
            work_specs.set_stop_reason(work_id, self._interrupted)
        if not self._future_set:
            self._future_set = True
            self._on_resolved(self, True)

    def _resolve_incorrect_status(self) -> None:
        if self._work_specs.get_state(self.work_spec_id) is State.RUNNING:
            self._resolve(True)
            self._events.emit(
                "work.stopped", self.work_spec_id, **stop_reason_fields(self._interrupted)
            )
        else:
            self._resolve(False)

    def _resolve(self, needs_reschedule: bool) -> None:
        if needs_reschedule:
            # Back to ENQUEUED, keeping the enqueue time and override (WorkerWrapper.resolve).
            work_specs = self._work_specs
            with self._db.transaction():
                work_specs.set_state(self.work_spec_id, State.ENQUEUED)
                work_specs.set_stop_reason(self.work_spec_id, self._interrupted)
                work_specs.mark_scheduled(self.work_spec_id, -1)
        if not self._future_set:
            self._future_set = True
            self._on_resolved(self, needs_reschedule)

    # --- progress and failures ----------------------------------------------------------

    def update_progress(self, work_spec_id: uuid.UUID, data: Data) -> None:
        """``WorkProgressUpdater``: store progress only while the row is RUNNING."""
        if self._abandoned:
            return
        key = str(work_spec_id)
        with self._db.transaction():  # WorkProgressUpdater: read the state and write together
            state = self._work_specs.get_state(key)
            if state is None:
                raise HarnessRuntimeError(
                    "Calls to set_progress_async() must complete before a ListenableWorker "
                    f"signals completion of work by returning a Result (work {key} no longer "
                    "exists)",
                    t_ms=self._sim.now_ms,
                )
            if state is not State.RUNNING:
                _LOG.info("Ignoring set_progress_async(...): work %s is not RUNNING", key)
                return
            self._db.work_progress_dao.insert(key, data)
            self._events.emit("work.progress", key, progress=data.to_json())

    def set_foreground(self, work_spec_id: uuid.UUID, foreground_info: ForegroundInfo) -> None:
        """``WorkForegroundUpdater.setForegroundAsync``: only while the work is unfinished; then
        ``Processor.startForeground`` (which may raise the service start's exception)."""
        state = self._work_specs.get_state(str(work_spec_id))
        if state is None or state.is_finished:
            raise HarnessRuntimeError(
                "Calls to setForegroundAsync() must complete before a ListenableWorker signals "
                f"completion of work by returning an instance of Result (work {work_spec_id} "
                f"is {state.name if state is not None else 'gone'})",
                t_ms=self._sim.now_ms,
            )
        if self._start_foreground is not None and not self._abandoned:
            self._start_foreground(self, foreground_info)

    def _record_failure(self, error: BaseException, phase: str) -> None:
        _LOG.warning("work %s: %s raised %r", self.work_spec_id, phase, error)
        frame = raising_frame(error)
        where = {} if frame is None else {"file": frame[0], "line": frame[1]}
        self._events.emit(
            "work.failed",
            self.work_spec_id,
            phase=phase,
            error=f"{type(error).__name__}: {error}",
            traceback=format_traceback(error),
            **where,
        )

    # --- after the run ----------------------------------------------------------------------

    def release(self) -> None:
        """Drop the worker once its run has ended: the processor no longer holds the run.

        The worker's parameters refer back to this wrapper (its progress and foreground
        updater), so the two form a cycle that only the cyclic garbage collector would free,
        together with the run's task and everything they hold (about a dozen objects a run).
        Dropped here, they are freed at once. A run whose task has not ended (a stopped worker
        still unwinding, or a blocking ``do_work`` still in its thread) keeps its worker, which
        :meth:`abandon` may still need.
        """
        task = self._task
        if task is not None and task.done():
            self._worker = None
