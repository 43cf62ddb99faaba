"""The Dask executor: a fleet's batches as tasks on a Dask cluster (the optional ``dask`` extra).

``DaskExecutor(scheduler="tcp://HOST:PORT")`` joins an existing cluster (its workers must have
harness, the scenario files at the same paths and the app modules importable);
``DaskExecutor(workers=N)`` starts a ``LocalCluster`` of ``N`` single-threaded worker processes
on loopback for the run and closes it afterwards. Dask is imported only here, when this executor
is chosen; without it the error names the extra to install.

Each Dask worker runs the simulations in one child process of its own (spawned, kept for the
worker's life), never in its own threads: the wall-clock patch a simulation puts in force
(freezegun's, :mod:`harness.sim._wallclock`) is process-wide, and would stop the clock of the
worker's event loop, which talks to the scheduler, for as long as a run lasts.

A worker that dies loses no results: the scheduler runs its tasks again elsewhere (Dask's
``distributed.scheduler.allowed-failures``), and a task that still fails with ``KilledWorker``
is submitted again here, up to :data:`~harness.scenario._executors.MAX_ATTEMPTS` times. A task
may so run twice; the fleet counts each device once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Final, TypeVar

from harness._exceptions import DefinitionError, WorkerLostError
from harness.scenario._executors import MAX_ATTEMPTS, Executor
from harness.scenario._pool import leave_signals_to_parent

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

T = TypeVar("T")
R = TypeVar("R")

#: What to install when Dask is missing.
INSTALL_HINT: Final = "pip install 'harness[dask]'"
#: Real seconds to wait for a cluster's workers to start or for a scheduler to answer.
_CONNECT_SECONDS: Final = 60


def _distributed() -> Any:
    """``distributed``, or a clear error naming the extra that installs it."""
    try:
        import distributed
    except ImportError as error:
        raise DefinitionError(
            f"--executor dask needs Dask's distributed scheduler, which is not installed "
            f"({error.msg}); install the extra: {INSTALL_HINT}"
        ) from None
    return distributed


#: Real seconds between two looks of a simulation process at its parent.
_PARENT_CHECK_SECONDS: Final = 0.5


def _simulation_process_setup() -> None:
    """The simulation process's set-up: signals left to the parent (as a pool worker's), and a
    watchdog that ends it when its Dask worker is gone (a worker killed by its nanny, or a
    cluster closed after Ctrl-C, would otherwise leave it running: it is not a daemon)."""
    leave_signals_to_parent()
    parent = os.getppid()

    def watch() -> None:
        # Event.wait times out on the C monotonic clock, which no wall-clock patch replaces
        while not threading.Event().wait(_PARENT_CHECK_SECONDS):
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="harness-parent-watchdog", daemon=True).start()


#: The simulation process of this Dask worker (None until its first task, and after it died).
_simulation_process: ProcessPoolExecutor | None = None


def run_in_simulation_process(function: Callable[[T], R], item: T) -> R:
    """The Dask task: ``function(item)`` in this worker's simulation process (started on first
    use). When that process died, the next task starts a new one; this one's error makes the
    executor submit it again."""
    global _simulation_process
    if _simulation_process is None:
        _simulation_process = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded process
            initializer=_simulation_process_setup,
        )
    try:
        return _simulation_process.submit(function, item).result()
    except BrokenProcessPool:
        _simulation_process.shutdown(wait=False)
        _simulation_process = None
        raise


def stop_simulation_process() -> None:
    """End this worker's simulation process (run on every worker before a cluster closes)."""
    global _simulation_process
    if _simulation_process is not None:
        _simulation_process.shutdown(wait=True, cancel_futures=True)
        _simulation_process = None


class DaskExecutor(Executor):
    """Batches as tasks on a Dask cluster: ``scheduler`` (``tcp://HOST:PORT``), or a
    ``LocalCluster`` of ``workers`` processes (default: one per CPU) when none is given."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None) -> None:
        distributed = _distributed()
        self._cluster: LocalCluster | None = None
        if scheduler is None:
            count = max(1, workers if workers is not None else os.cpu_count() or 1)
            import dask

            # a worker's simulation process is its child: Dask's workers are daemonic by
            # default, and a daemonic process may not start children
            with dask.config.set({"distributed.worker.daemon": False}):
                self._cluster = distributed.LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=":0",
                    worker_dashboard_address=":0",
                    silence_logs=logging.ERROR,  # a worker ended on Ctrl-C is no warning
                )
            address = self._cluster.scheduler_address
        else:
            address = scheduler
        self._client: Client | None = distributed.Client(address, timeout=_CONNECT_SECONDS)
        if scheduler is not None:
            self._client.wait_for_workers(1, timeout=_CONNECT_SECONDS)
        threads = sum(self._client.nthreads().values())
        self.workers = max(1, threads)
        self.address = address

    def map_unordered(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        distributed = _distributed()
        client = self._client
        assert client is not None, "the executor is closed"
        source = iter(items)
        running: dict[Any, tuple[T, int]] = {}
        completed = distributed.as_completed()

        def submit(item: T, attempts: int) -> None:
            future = client.submit(run_in_simulation_process, function, item, pure=False)
            running[future] = (item, attempts + 1)
            completed.add(future)

        for item in source:
            submit(item, 0)
            if len(running) >= self.workers * 2:
                break
        for future in completed:
            item, attempts = running.pop(future)
            if future.status == "error":
                error = future.exception()
                if not isinstance(error, distributed.KilledWorker | BrokenProcessPool):
                    raise error
                if attempts >= MAX_ATTEMPTS:
                    raise WorkerLostError(
                        f"a Dask worker died {attempts} times while running {item!r}"
                    ) from error
                future.release()
                submit(item, attempts)
                continue
            result = future.result()
            future.release()  # the cluster forgets the result: memory does not grow
            yield item, result
            for item in source:
                submit(item, 0)
                if len(running) >= self.workers * 2:
                    break

    def close(self, *, interrupted: bool = False) -> None:
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            if interrupted:
                futures = list(client.futures.values())
                client.cancel(futures, force=True)  # type: ignore[no-untyped-call, unused-ignore]
            if not interrupted or cluster is None:
                client.run(stop_simulation_process)
            client.close()  # type: ignore[no-untyped-call, unused-ignore]
        if cluster is not None:
            cluster.close()
