"""``Processor``: starts and stops runs on a scheduler's request (``W/impl/Processor.java``).

This is the half of the scheduler seam that schedulers call (the other half is
``Scheduler.schedule``/``cancel``, see :mod:`harness.workmanager._scheduler`):

* :meth:`Processor.start_work` starts a run now (a ``WorkerWrapper`` on the loop) and returns
  ``True``, or returns ``False`` when the work is already running, missing, or of another
  generation than asked (then it still reports an execution with ``needs_reschedule=False``,
  as ``runOnExecuted`` does);
* :meth:`Processor.stop_work` stops a run with a stop reason (constraint lost, timeout, quota...):
  the row returns to ENQUEUED with that reason;
* :attr:`Processor.executed` emits :class:`Executed` ``(work_spec_id, needs_reschedule)`` when a
  run ends, as ``ExecutionListener.onExecuted``; ``needs_reschedule`` is ``True`` after a retry or
  a stop (``SystemJobService`` answers ``jobFinished(params, needsReschedule)`` with it).

Runs start on the next loop step (``call_soon``), as Android posts them to an executor, and
executions are reported the same way, so callers never see re-entrant state changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from harness.sim import Signal, Simulation
from harness.workmanager._configuration import FixedThreadPool
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enums import StopReason
from harness.workmanager._events import WorkEvents
from harness.workmanager._execution_events import ExecutionEventDispatcher
from harness.workmanager._foreground import (
    AndroidManifest,
    ForegroundInfo,
    ForegroundServiceStarter,
)
from harness.workmanager._versions import DEFAULT_WORK_VERSION, WorkManagerVersion
from harness.workmanager._worker import RuntimeExtras, WorkerFactory
from harness.workmanager._wrapper import WorkerWrapper


@dataclass(frozen=True, slots=True)
class Executed:
    """A run ended (``ExecutionListener.onExecuted``)."""

    work_spec_id: str
    needs_reschedule: bool


class Processor:
    """Holds the runs of one process; schedulers start and stop work through it."""

    def __init__(
        self,
        sim: Simulation,
        database: WorkDatabase,
        events: WorkEvents,
        worker_factory: WorkerFactory | None = None,
        executor: FixedThreadPool | None = None,
        version: WorkManagerVersion = DEFAULT_WORK_VERSION,
        execution_events: ExecutionEventDispatcher | None = None,
    ) -> None:
        self._sim = sim
        self._execution_events = execution_events
        self._database = database
        self._events = events
        self._worker_factory = worker_factory
        self._executor = executor
        self._version = version
        self._wrappers: dict[str, WorkerWrapper] = {}
        #: Runs moved into the foreground service (``mForegroundWorkMap``), in order.
        self._foreground: dict[str, ForegroundInfo] = {}
        #: ``ContextCompat.startForegroundService`` for this process (set by the platform glue;
        #: ``None``: always allowed). May raise ``ForegroundServiceStartNotAllowedException``.
        self.foreground_service_starter: ForegroundServiceStarter | None = None
        #: Called when the last foreground run leaves and the service stops (set by the
        #: platform glue: a time-limited foreground service's timer ends with it).
        self.foreground_service_stopped: Callable[[], None] | None = None
        #: The app's manifest, which the foreground service's type is checked against (set from
        #: the app module's ``ANDROID_MANIFEST`` when the process starts).
        self.app_manifest = AndroidManifest()
        self._cancelled_ids: set[str] = set()
        self._alive = True
        #: Emits :class:`Executed` when a run ends (on the next loop step).
        self.executed: Signal[Executed] = Signal("workmanager.executed")

    @property
    def alive(self) -> bool:
        """Whether the process this processor belongs to is alive."""
        return self._alive

    def start_work(
        self,
        work_spec_id: str,
        *,
        generation: int | None = None,
        runtime_extras: RuntimeExtras | None = None,
    ) -> bool:
        """Start a run of ``work_spec_id`` (``Processor.startWork``); ``False`` if not started.

        With ``generation``, a work updated since the caller read it is not started;
        ``runtime_extras`` are the job's (triggered content URIs).
        """
        if not self._alive:
            return False
        spec = self._database.work_spec_dao.get_work_spec_to_run(work_spec_id)
        if spec is None:
            self._run_on_executed(work_spec_id, False)
            return False
        running = self._wrappers.get(work_spec_id)
        if running is not None:
            # Already running: the same generation is a duplicate start; another one waits for
            # the current run to end and reschedule with the new spec (Processor.java).
            if generation is not None and running.generation != generation:
                self._run_on_executed(work_spec_id, False)
            return False
        if generation is not None and spec.generation != generation:
            self._run_on_executed(work_spec_id, False)
            return False
        wrapper = WorkerWrapper(
            sim=self._sim,
            database=self._database,
            events=self._events,
            worker_factory=self._worker_factory,
            spec=spec,
            tags=self._database.work_tag_dao.get_tags_for_work_spec_id(work_spec_id),
            on_resolved=self._on_wrapper_resolved,
            executor=self._executor,
            runtime_extras=runtime_extras,
            start_foreground=self._start_foreground,
            version=self._version,
            execution_events=self._execution_events,
        )
        self._wrappers[work_spec_id] = wrapper
        self._sim.loop.call_soon(wrapper.run)
        return True

    def stop_work(self, work_spec_id: str, stop_reason: StopReason) -> bool:
        """Stop the run of ``work_spec_id`` with ``stop_reason``; ``False`` if none runs.

        A run in the foreground is not stopped (``Processor.stopWork``: "Ignored stopWork.
        WorkerWrapper ... is in foreground"): its job may end, the work goes on.
        """
        if work_spec_id in self._foreground:
            return False
        wrapper = self._wrappers.pop(work_spec_id, None)
        if wrapper is None:
            return False
        wrapper.interrupt(StopReason(stop_reason))
        return True

    def stop_and_cancel_work(self, work_spec_id: str, stop_reason: StopReason) -> bool:
        """Stop the run (in the foreground too) and remember the work as cancelled
        (``stopAndCancelWork``: ``cleanUpWorkerUnsafe`` drops it from both maps)."""
        self._cancelled_ids.add(work_spec_id)
        self._leave_foreground(work_spec_id)
        return self.stop_work(work_spec_id, stop_reason)

    def is_in_foreground(self, work_spec_id: str) -> bool:
        """Whether the run was moved into the foreground service (``isEnqueuedInForeground``)."""
        return work_spec_id in self._foreground

    def _start_foreground(self, wrapper: WorkerWrapper, foreground_info: ForegroundInfo) -> None:
        """``Processor.startForeground``: move the run to the foreground runs, then start the
        service, which may raise (the run stays in the foreground, as androidx's)."""
        work_spec_id = wrapper.work_spec_id
        if self._wrappers.get(work_spec_id) is not wrapper:
            return
        first = work_spec_id not in self._foreground
        self._foreground[work_spec_id] = foreground_info
        if first:
            self._events.emit(
                "work.foreground",
                work_spec_id,
                notification_id=foreground_info.notification_id,
                foreground_service_type=foreground_info.foreground_service_type,
            )
        if self.foreground_service_starter is not None:
            try:
                self.foreground_service_starter(work_spec_id, foreground_info)
            except Exception as refused:
                self._events.emit(
                    "work.foreground_refused",
                    work_spec_id,
                    exception=type(refused).__name__,
                    message=str(refused),
                )
                raise

    def _leave_foreground(self, work_spec_id: str) -> None:
        """The run left the foreground; the service stops with the last one
        (``stopForegroundService`` when ``mForegroundWorkMap`` is empty)."""
        left = self._foreground.pop(work_spec_id, None) is not None
        if left and not self._foreground and self.foreground_service_stopped is not None:
            self.foreground_service_stopped()

    def foreground_runs(self) -> dict[str, ForegroundInfo]:
        """The runs in the foreground service and their ``ForegroundInfo``, in start order."""
        return dict(self._foreground)

    def stop_foreground_work(self, work_spec_id: str, stop_reason: StopReason) -> bool:
        """``Processor.stopForegroundWork``: take the run out of the foreground and stop it
        (``cleanUpWorkerUnsafe`` then ``interrupt``); ``False`` if none runs."""
        self._leave_foreground(work_spec_id)
        return self.stop_work(work_spec_id, stop_reason)

    def is_enqueued(self, work_spec_id: str) -> bool:
        """Whether a run of the work is held (starting, running, or just finished)."""
        return work_spec_id in self._wrappers

    def running_generation(self, work_spec_id: str) -> int | None:
        """The generation of the run of ``work_spec_id`` held now, or ``None``."""
        wrapper = self._wrappers.get(work_spec_id)
        return None if wrapper is None else wrapper.generation

    def is_cancelled(self, work_spec_id: str) -> bool:
        """Whether the work was cancelled by the app in this process (``isCancelled``)."""
        return work_spec_id in self._cancelled_ids

    def running_work_spec_ids(self) -> list[str]:
        """Ids of the runs held now, in start order."""
        return list(self._wrappers)

    def shutdown(self) -> None:
        """Process death: drop every run without a database write; nothing starts any more."""
        self._alive = False
        wrappers = list(self._wrappers.values())
        self._wrappers.clear()
        if self._foreground and self.foreground_service_stopped is not None:
            self.foreground_service_stopped()  # the service dies with the process
        self._foreground.clear()
        for wrapper in wrappers:
            wrapper.abandon()

    def _loop(self) -> asyncio.AbstractEventLoop:
        return self._sim.loop

    def _on_wrapper_resolved(self, wrapper: WorkerWrapper, needs_reschedule: bool) -> None:
        self._sim.loop.call_soon(self._on_executed, wrapper, needs_reschedule)

    def _on_executed(self, wrapper: WorkerWrapper, needs_reschedule: bool) -> None:
        if not self._alive:
            return
        if self._wrappers.get(wrapper.work_spec_id) is wrapper:
            del self._wrappers[wrapper.work_spec_id]
            if self._foreground:
                self._leave_foreground(wrapper.work_spec_id)
        wrapper.release()
        self.executed.emit(Executed(wrapper.work_spec_id, needs_reschedule))

    def _run_on_executed(self, work_spec_id: str, needs_reschedule: bool) -> None:
        def report() -> None:
            if self._alive:
                self.executed.emit(Executed(work_spec_id, needs_reschedule))

        self._loop().call_soon(report)
