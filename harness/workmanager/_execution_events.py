"""``ExecutionEventListener``: a run's start, finish, stop and exception, told to the app (2.12).

androidx.work 2.12 added ``Configuration.Builder.setExecutionEventListener``
(``@ExperimentalEventsApi``; ``work/work-runtime/api/restricted_2.12.0-beta01.txt``). Its four
suspend callbacks each get a ``WorkInfo`` snapshot taken when ``WorkerWrapper`` has written the
step, as ``WorkerWrapperTest`` pins them:

* ``on_started(work_info)``: the worker was created and the row set RUNNING (snapshot RUNNING).
  A run that never starts its worker (not ENQUEUED, an early start of periodic or backed-off
  work, a worker that cannot be created) tells nothing at all.
* ``on_finished(result, work_info)``: the worker returned a ``Result`` and WorkerWrapper applied
  it (snapshot SUCCEEDED, FAILED, or ENQUEUED for periodic work and retries).
* ``on_stopped(stop_reason, work_info)``: the run was interrupted (snapshot ENQUEUED) with
  Android's stop reason.
* ``on_exception(throwable, work_info)``: the worker threw (snapshot FAILED; ENQUEUED for a
  periodic work, which 2.12 sends to its next period).

The callbacks run after the write, in order, one at a time, without holding the run up (they are
coroutines on WorkManager's scope); one that raises is logged (``work.failed`` with phase
``execution_event_listener``) and the next still runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from harness.sim import Simulation
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enums import StopReason
from harness.workmanager._events import WorkEvents, format_traceback
from harness.workmanager._info import WorkInfo
from harness.workmanager._worker import Result

_LOG = logging.getLogger("harness.workmanager")


class ExecutionEventListener:
    """``androidx.work.ExecutionEventListener``: override the callbacks you need (all async)."""

    async def on_started(self, work_info: WorkInfo) -> None:
        """The worker started; ``work_info`` is RUNNING."""

    async def on_finished(self, result: Result, work_info: WorkInfo) -> None:
        """The worker returned ``result`` and it was applied to the work."""

    async def on_stopped(self, stop_reason: StopReason, work_info: WorkInfo) -> None:
        """The run was stopped for ``stop_reason``; ``work_info`` is ENQUEUED again."""

    async def on_exception(self, throwable: BaseException, work_info: WorkInfo) -> None:
        """The worker threw ``throwable``; ``work_info`` is FAILED."""


class ExecutionEventDispatcher:
    """Calls one process's :class:`ExecutionEventListener` in order, after each write."""

    __slots__ = ("_database", "_events", "_listener", "_previous", "_sim")

    def __init__(
        self,
        sim: Simulation,
        listener: ExecutionEventListener,
        database: WorkDatabase,
        events: WorkEvents,
    ) -> None:
        self._sim = sim
        self._listener = listener
        self._database = database
        self._events = events
        self._previous: asyncio.Task[None] | None = None

    def notify(
        self,
        work_spec_id: str,
        call: Callable[[ExecutionEventListener, WorkInfo], Awaitable[None]],
    ) -> None:
        """Snapshot ``work_spec_id`` now and hand it to ``call`` once earlier calls are done."""
        snapshot = self._database.work_info_dao.get_work_info(work_spec_id)
        if snapshot is None:
            return
        previous = self._previous

        async def run() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            try:
                await call(self._listener, snapshot)
            except Exception as error:
                _LOG.warning("work %s: execution event listener raised %r", work_spec_id, error)
                self._events.emit(
                    "work.failed",
                    work_spec_id,
                    phase="execution_event_listener",
                    error=f"{type(error).__name__}: {error}",
                    traceback=format_traceback(error),
                )

        # a stop may come from outside the loop (a test, a scenario step): use the sim's loop
        self._previous = self._sim.loop.create_task(run(), name=f"execution event {work_spec_id}")
