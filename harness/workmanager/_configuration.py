"""``Configuration``: how an app sets WorkManager up (``W/Configuration.kt``).

On a phone WorkManager initialises itself when the process starts (``WorkManagerInitializer``
through androidx.startup), with the app's ``Configuration.Provider`` if its ``Application``
implements one, else the defaults; ``WorkManager.getInstance(context)`` then returns that one
instance. The harness does the same: every app process gets its WorkManager at start-up, built with
the ``Configuration`` the app module provides (a module-level ``work_manager_configuration()``
function, the harness's ``Configuration.Provider``), and ``WorkManager.get_instance(context)``
returns it.

What a ``Configuration`` changes here:

* ``max_scheduler_limit``: how many works WorkManager keeps scheduled in JobScheduler at once
  (``setMaxSchedulerLimit``: at least 20, at most 50, default 20);
* ``min_job_scheduler_id``/``max_job_scheduler_id``: the range WorkManager's job ids are taken
  from (``setJobSchedulerJobIdRange``: at least 1,000 ids wide, default 0 .. ``Integer.MAX_VALUE``;
  ``IdGenerator.nextJobSchedulerIdWithRange`` starts again at the minimum when the next id falls
  outside it);
* ``worker_factory``: creates workers before the default factory (``setWorkerFactory``);
* ``executor``: the threads ``Worker.do_work`` runs on (``setExecutor``). androidx's default is
  a fixed pool of ``max(2, min(processors - 1, 4))`` threads (``createDefaultExecutor``); the
  simulated device has no processor count, so the harness's default runs every ``Worker`` at
  once, and a :class:`FixedThreadPool` gives the queueing of a real pool: a ``Worker`` whose
  thread is not free yet waits (``CoroutineWorker`` runs on ``Dispatchers.Default``, never on the
  executor);
* 2.12 only (``restricted_2.12.0-beta01.txt``; an app pinned before 2.12 that calls them is
  refused, as its build would fail): ``execution_event_listener``
  (``setExecutionEventListener``: :class:`~harness.workmanager.ExecutionEventListener`) and
  ``greedy_scheduler_enabled`` (``setGreedySchedulerEnabled(false)``: no in-process
  ``GreedyScheduler``; only JobScheduler starts work). ``None`` means not set (the greedy
  scheduler runs, as before 2.12).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from harness._exceptions import InvalidRequestError

if TYPE_CHECKING:
    from harness.workmanager._execution_events import ExecutionEventListener
    from harness.workmanager._worker import WorkerFactory

#: ``Configuration.MIN_SCHEDULER_LIMIT`` (the default) and ``Scheduler.MAX_SCHEDULER_LIMIT``.
MIN_SCHEDULER_LIMIT: Final = 20
MAX_SCHEDULER_LIMIT: Final = 50
#: ``Integer.MAX_VALUE``: the default top of the job id range.
INTEGER_MAX_VALUE: Final = 2**31 - 1
#: ``setJobSchedulerJobIdRange`` needs at least this many ids.
MIN_JOB_ID_RANGE: Final = 1000


class FixedThreadPool:
    """``Executors.newFixedThreadPool(threads)``: at most ``threads`` ``Worker`` runs at once.

    One pool belongs to one process: a :class:`Configuration` holding it is used by one
    WorkManager (build a new one per process, as ``work_manager_configuration()`` does).
    """

    __slots__ = ("_semaphore", "threads")

    def __init__(self, threads: int) -> None:
        if threads < 1:
            raise InvalidRequestError(
                f"a thread pool needs at least 1 thread, not {threads} "
                "(Executors.newFixedThreadPool throws IllegalArgumentException)"
            )
        self.threads = threads
        self._semaphore: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def thread(self) -> AsyncIterator[None]:
        """Hold one of the pool's threads (FIFO: first come, first run)."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.threads)
        async with self._semaphore:
            yield

    def __repr__(self) -> str:
        return f"FixedThreadPool({self.threads})"


@dataclass(frozen=True, slots=True)
class Configuration:
    """WorkManager's ``Configuration``; build one with :meth:`builder`."""

    max_scheduler_limit: int = MIN_SCHEDULER_LIMIT
    min_job_scheduler_id: int = 0
    max_job_scheduler_id: int = INTEGER_MAX_VALUE
    worker_factory: WorkerFactory | None = None
    executor: FixedThreadPool | None = None
    execution_event_listener: ExecutionEventListener | None = None
    greedy_scheduler_enabled: bool | None = None

    @property
    def runs_greedy_scheduler(self) -> bool:
        """Whether the in-process ``GreedyScheduler`` runs (unless turned off, 2.12)."""
        return self.greedy_scheduler_enabled is not False

    @staticmethod
    def builder() -> ConfigurationBuilder:
        """A ``Configuration.Builder``."""
        return ConfigurationBuilder()


class ConfigurationBuilder:
    """``Configuration.Builder``: the checks and clamps of ``W/Configuration.kt``."""

    __slots__ = ("_configuration",)

    def __init__(self) -> None:
        self._configuration = Configuration()

    def set_max_scheduler_limit(self, max_scheduler_limit: int) -> ConfigurationBuilder:
        """At most this many works scheduled in JobScheduler (20 .. 50; above 50 is lowered)."""
        if max_scheduler_limit < MIN_SCHEDULER_LIMIT:
            raise InvalidRequestError(
                f"max scheduler limit {max_scheduler_limit} is below {MIN_SCHEDULER_LIMIT}: "
                "WorkManager needs to be able to schedule at least 20 jobs in JobScheduler"
            )
        self._configuration = replace(
            self._configuration,
            max_scheduler_limit=min(max_scheduler_limit, MAX_SCHEDULER_LIMIT),
        )
        return self

    def set_job_scheduler_job_id_range(
        self, min_job_scheduler_id: int, max_job_scheduler_id: int
    ) -> ConfigurationBuilder:
        """Take WorkManager's job ids from ``min .. max`` (inclusive, at least 1,000 wide)."""
        if max_job_scheduler_id - min_job_scheduler_id < MIN_JOB_ID_RANGE:
            raise InvalidRequestError(
                f"job id range {min_job_scheduler_id} .. {max_job_scheduler_id} is too small: "
                "WorkManager needs a range of at least 1000 job ids"
            )
        self._configuration = replace(
            self._configuration,
            min_job_scheduler_id=min_job_scheduler_id,
            max_job_scheduler_id=max_job_scheduler_id,
        )
        return self

    def set_worker_factory(self, worker_factory: WorkerFactory) -> ConfigurationBuilder:
        """Create workers with this factory first (``None`` from it falls back to the default)."""
        self._configuration = replace(self._configuration, worker_factory=worker_factory)
        return self

    def set_executor(self, executor: FixedThreadPool) -> ConfigurationBuilder:
        """Run ``Worker.do_work`` on this pool's threads."""
        self._configuration = replace(self._configuration, executor=executor)
        return self

    def set_execution_event_listener(
        self, listener: ExecutionEventListener
    ) -> ConfigurationBuilder:
        """Tell ``listener`` each run's start, finish, stop and exception (2.12, experimental)."""
        self._configuration = replace(self._configuration, execution_event_listener=listener)
        return self

    def set_greedy_scheduler_enabled(self, enabled: bool) -> ConfigurationBuilder:
        """Run (``True``) or not the in-process ``GreedyScheduler`` (2.12, experimental)."""
        self._configuration = replace(self._configuration, greedy_scheduler_enabled=enabled)
        return self

    def build(self) -> Configuration:
        """The ``Configuration``."""
        return self._configuration
