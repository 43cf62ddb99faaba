"""Executors: where a fleet's batches run, behind one interface.

* :class:`InProcessExecutor` runs each batch here, one after the other (``--executor inprocess``).
* :class:`LocalPoolExecutor` runs them in a local process pool (``--executor pool``, the
  default); a worker that dies (killed, out of memory) breaks the pool: a new pool is started and
  the batches that had not come back are run again. Ctrl-C ends the workers at once
  (:func:`~harness.scenario._pool.end_workers`).
* :class:`~harness.scenario._dask.DaskExecutor` runs them on a Dask cluster
  (``--executor dask``; the optional ``dask`` extra).

``map_unordered(function, items)`` yields ``(item, function(item))`` as results come back,
keeping a bounded number of items in flight (items are drawn lazily, so a fleet of a million
devices is never listed). An item may run more than once (a retry after its worker died, or a
cluster that reruns a task whose result was lost); the caller deduplicates
(:func:`~harness.scenario._fleet.run_fleet` does, by device). Use an executor as a context
manager: leaving it ends its workers, at once when an exception (Ctrl-C) is leaving.
"""

from __future__ import annotations

import abc
import enum
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Final, Self, TypeVar

from harness._exceptions import WorkerLostError
from harness.scenario._pool import end_workers, leave_signals_to_parent

T = TypeVar("T")
R = TypeVar("R")

#: How often one item may be started before its worker's death is taken as its own fault.
MAX_ATTEMPTS: Final = 3


class ExecutorKind(enum.Enum):
    """The executors ``harness run --executor`` offers."""

    #: every batch in the calling process, one after the other
    INPROCESS = "inprocess"
    #: a local process pool (the default)
    POOL = "pool"
    #: a Dask cluster: an existing scheduler, or a LocalCluster started for the run
    DASK = "dask"


class Executor(abc.ABC):
    """Runs a function over items somewhere, yielding results as they come back."""

    #: how many items run at the same time
    workers: int

    @abc.abstractmethod
    def map_unordered(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        """``(item, function(item))`` for every item, in the order they finish."""

    def close(self, *, interrupted: bool = False) -> None:  # noqa: B027 - nothing to end here
        """End the workers (at once when ``interrupted``)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(interrupted=error is not None)


class InProcessExecutor(Executor):
    """Each item runs in this process, in order."""

    def __init__(self) -> None:
        self.workers = 1

    def map_unordered(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        for item in items:
            yield item, function(item)


class LocalPoolExecutor(Executor):
    """A local process pool of ``workers`` processes that replaces itself when one dies."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        #: pools started so far (1 + the times a dead worker broke one)
        self.pools_started = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        self.pools_started += 1
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=leave_signals_to_parent
        )
        return self._pool

    def map_unordered(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        pool = self._pool or self._new_pool()
        source = iter(items)
        retry: deque[tuple[T, int]] = deque()
        running: dict[Future[R], tuple[T, int]] = {}
        exhausted = False
        while True:
            while len(running) < self.workers * 2 and (retry or not exhausted):
                if retry:
                    item, attempts = retry.popleft()
                else:
                    try:
                        item, attempts = next(source), 0
                    except StopIteration:
                        exhausted = True
                        continue
                running[pool.submit(function, item)] = (item, attempts + 1)
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                item, attempts = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    retry.append((item, attempts))
                    continue
                yield item, result
            if broken:
                pool = self._replace_broken_pool(running, retry)

    def _replace_broken_pool(
        self, running: dict[Future[R], tuple[T, int]], retry: deque[tuple[T, int]]
    ) -> ProcessPoolExecutor:
        """A worker died: every item still out is lost with the pool; run them again on a new one
        (an item whose worker died :data:`MAX_ATTEMPTS` times stops the run)."""
        retry.extend(running.values())
        running.clear()
        for item, attempts in retry:
            if attempts >= MAX_ATTEMPTS:
                raise WorkerLostError(
                    f"a worker died {attempts} times while running {item!r}; it is taken to "
                    "kill its worker (out of memory?); run it alone with --executor inprocess"
                )
        assert self._pool is not None
        end_workers(self._pool)
        return self._new_pool()

    def close(self, *, interrupted: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if interrupted:
            end_workers(pool)
        else:
            pool.shutdown()


def make_executor(
    kind: ExecutorKind, *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor ``harness run --executor KIND`` uses (Dask imported only when chosen)."""
    if kind is ExecutorKind.INPROCESS:
        return InProcessExecutor()
    if kind is ExecutorKind.POOL:
        return LocalPoolExecutor(workers)
    from harness.scenario._dask import DaskExecutor

    return DaskExecutor(workers=workers, scheduler=scheduler)
