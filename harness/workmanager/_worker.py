"""Workers: the app code WorkManager runs, and how it is created (``ListenableWorker`` & co.).

* :class:`Worker` has a synchronous ``do_work()``. As on Android it runs off the main thread: in a
  lockstep helper thread (:func:`harness.sim.run_blocking`), so ``time.sleep`` and blocking calls
  wait in virtual time. A stop does not interrupt it (``W/Worker.kt``): it runs to the end and its
  result is discarded; check :attr:`ListenableWorker.is_stopped`.
* :class:`CoroutineWorker` has ``async def do_work()`` on the virtual event loop; a stop cancels
  the coroutine (``W/CoroutineWorker.kt``), so it sees ``asyncio.CancelledError`` at its next
  ``await``.
* :class:`ListenableWorker` is the base: ``start_work()`` returns an awaitable of a
  :class:`Result`.

Workers are created by a :class:`WorkerFactory` from the stored worker class name, which is the
Python import path ``"module.QualName"`` (it is also the request's implicit tag, as androidx uses
the Java class name). :class:`DefaultWorkerFactory` imports it and calls ``cls(params)``. The app
layer supplies its own factory to give each run a fresh app instance.
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
import pkgutil
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Final, Protocol, cast
from uuid import UUID

from harness._exceptions import InvalidRequestError
from harness.sim import run_blocking
from harness.workmanager._data import Data
from harness.workmanager._enums import StopReason

if TYPE_CHECKING:
    from harness.workmanager._configuration import FixedThreadPool
    from harness.workmanager._foreground import ForegroundInfo, ForegroundUpdater


class ProgressUpdater(Protocol):
    """Writes a running worker's progress (``androidx.work.ProgressUpdater``)."""

    def update_progress(self, work_spec_id: UUID, data: Data) -> None:
        """Store ``data`` as the progress of ``work_spec_id`` (only while it is RUNNING)."""


@dataclass(frozen=True, slots=True)
class RuntimeExtras:
    """``WorkerParameters.RuntimeExtras``: what the job that started the run reported
    (``SystemJobService.onStartJob`` from ``JobParameters.getTriggeredContentUris`` and
    ``getTriggeredContentAuthorities``)."""

    triggered_content_uris: tuple[str, ...] = ()
    triggered_content_authorities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkerParameters:
    """What a worker is handed (``androidx.work.WorkerParameters``).

    ``run_attempt_count`` is the count *before* this run's increment, as ``WorkerWrapper`` reads
    it from its snapshot: a first run sees 0 while ``WorkInfo.run_attempt_count`` shows 1.
    """

    id: UUID
    input_data: Data
    tags: frozenset[str]
    run_attempt_count: int
    generation: int
    progress_updater: ProgressUpdater | None = field(default=None, compare=False, repr=False)
    #: The changed ``content:`` URIs and authorities that triggered this run (content-URI
    #: triggers; empty otherwise): ``getTriggeredContentUris``/``getTriggeredContentAuthorities``.
    triggered_content_uris: tuple[str, ...] = ()
    triggered_content_authorities: tuple[str, ...] = ()
    #: Moves the run into the foreground service (``WorkerParameters.getForegroundUpdater``).
    foreground_updater: ForegroundUpdater | None = field(default=None, compare=False, repr=False)
    #: ``Configuration.executor``: the pool ``Worker.do_work`` runs on (``None``: no limit).
    background_executor: FixedThreadPool | None = field(default=None, compare=False, repr=False)


class Result:
    """What a worker returns: ``Result.success(data)``, ``Result.retry()`` or ``Result.failure()``.

    ``isinstance(result, Result.Success)`` tells them apart, as in Kotlin.
    """

    __slots__ = ()

    Success: ClassVar[type[SuccessResult]]
    Retry: ClassVar[type[RetryResult]]
    Failure: ClassVar[type[FailureResult]]

    @staticmethod
    def success(output_data: Data | None = None) -> SuccessResult:
        """The work succeeded; ``output_data`` becomes its output (one-time work only)."""
        return _SUCCESS if output_data is None else SuccessResult(output_data)

    @staticmethod
    def retry() -> RetryResult:
        """Try again after the backoff delay; the attempt count keeps growing."""
        return _RETRY

    @staticmethod
    def failure(output_data: Data | None = None) -> FailureResult:
        """The work failed for good (one-time work: FAILED, with its dependents)."""
        return _FAILURE if output_data is None else FailureResult(output_data)


@dataclass(frozen=True, slots=True)
class SuccessResult(Result):
    """``Result.Success``."""

    output_data: Data = Data.EMPTY


@dataclass(frozen=True, slots=True)
class RetryResult(Result):
    """``Result.Retry``."""


@dataclass(frozen=True, slots=True)
class FailureResult(Result):
    """``Result.Failure``."""

    output_data: Data = Data.EMPTY


Result.Success = SuccessResult
Result.Retry = RetryResult
Result.Failure = FailureResult


class ListenableWorker(abc.ABC):
    """Base of every worker (``androidx.work.ListenableWorker``)."""

    def __init__(self, worker_parameters: WorkerParameters) -> None:
        self._params = worker_parameters
        self._stop_reason = StopReason.STOP_REASON_NOT_STOPPED
        self._used = False

    @property
    def worker_parameters(self) -> WorkerParameters:
        """The parameters this worker was created with."""
        return self._params

    @property
    def id(self) -> UUID:
        """The work's id."""
        return self._params.id

    @property
    def input_data(self) -> Data:
        """The input: the request's input merged with the prerequisites' outputs."""
        return self._params.input_data

    @property
    def tags(self) -> frozenset[str]:
        """The work's tags (the worker class name is always one)."""
        return self._params.tags

    @property
    def run_attempt_count(self) -> int:
        """How many times this work ran before this run (0 on the first run)."""
        return self._params.run_attempt_count

    @property
    def triggered_content_uris(self) -> tuple[str, ...]:
        """The ``content:`` URIs whose change started this run (``getTriggeredContentUris``)."""
        return self._params.triggered_content_uris

    @property
    def triggered_content_authorities(self) -> tuple[str, ...]:
        """Their authorities (``getTriggeredContentAuthorities``)."""
        return self._params.triggered_content_authorities

    @property
    def generation(self) -> int:
        """How many times the work was updated (``update_work``/UPDATE)."""
        return self._params.generation

    @abc.abstractmethod
    def start_work(self) -> Awaitable[Result]:
        """Start the work; the awaitable completes with its :class:`Result`."""

    def on_stopped(self) -> None:  # noqa: B027 - an optional hook, as in androidx
        """Called once when WorkManager stops this worker (cancelled, constraint lost, timeout)."""

    @property
    def is_stopped(self) -> bool:
        """Whether WorkManager stopped this worker."""
        return self._stop_reason != StopReason.STOP_REASON_NOT_STOPPED

    @property
    def stop_reason(self) -> StopReason:
        """Why it was stopped (``STOP_REASON_NOT_STOPPED`` while it was not)."""
        return self._stop_reason

    @property
    def is_used(self) -> bool:
        """Whether WorkManager already ran this instance (a factory must return new ones)."""
        return self._used

    def set_progress_async(self, data: Data) -> concurrent.futures.Future[None]:
        """Publish progress; ignored unless the work is RUNNING (``WorkProgressUpdater``).

        Returns a completed future (progress is written at once). Raises
        :class:`~harness.HarnessRuntimeError` if the work no longer exists, as androidx throws
        when ``setProgressAsync`` outlives the worker.
        """
        updater = self._params.progress_updater
        if updater is not None:
            updater.update_progress(self._params.id, data)
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        future.set_result(None)
        return future

    def set_foreground_async(
        self, foreground_info: ForegroundInfo
    ) -> concurrent.futures.Future[None]:
        """Run this work in WorkManager's foreground service (``setForegroundAsync``).

        The returned future fails with ``ForegroundServiceStartNotAllowedException`` when the
        app may not start a foreground service now (Android 12+, in the background), with
        ``IllegalArgumentException``, ``InvalidForegroundServiceTypeException`` or
        ``SecurityException`` when the type does not fit the app's ``ANDROID_MANIFEST``, and with
        :class:`~harness.HarnessRuntimeError` once the work is no longer RUNNING
        (``WorkForegroundUpdater``). See :mod:`harness.workmanager._foreground`.
        """
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        updater = self._params.foreground_updater
        try:
            if updater is not None:
                updater.set_foreground(self._params.id, foreground_info)
        except Exception as error:
            future.set_exception(error)
        else:
            future.set_result(None)
        return future

    def stop(self, stop_reason: StopReason) -> None:
        """Called by WorkManager: the first stop sets the reason and calls :meth:`on_stopped`.

        2.10 semantics (``compareAndSet(NOT_STOPPED, reason)``): later calls do nothing.
        """
        if self._stop_reason != StopReason.STOP_REASON_NOT_STOPPED:
            return
        self._stop_reason = stop_reason
        self.on_stopped()

    def _mark_used(self) -> None:
        self._used = True

    def _abandon(self) -> None:  # noqa: B027 - only Worker holds something to drop
        """The process died: drop whatever runs on WorkManager's behalf, without a result."""


class Worker(ListenableWorker):
    """A worker with a synchronous :meth:`do_work`, run in a lockstep thread (``W/Worker.kt``)."""

    _task: asyncio.Task[Result] | None = None

    @abc.abstractmethod
    def do_work(self) -> Result:
        """Do the work (blocking calls and ``time.sleep`` wait in virtual time)."""

    def start_work(self) -> Awaitable[Result]:
        """Run :meth:`do_work` in the background; a stop leaves it running, result discarded."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        task = loop.create_task(self._run_on_executor(), name=f"worker {self.id}")
        self._task = task

        def deliver(done: asyncio.Task[Result]) -> None:
            if done.cancelled():
                if not future.done():
                    future.cancel()
                return
            error = done.exception()  # retrieved even when nobody wants it any more
            if future.done():
                return  # stopped: the result is discarded, as the future was cancelled
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(done.result())

        task.add_done_callback(deliver)
        return future

    async def _run_on_executor(self) -> Result:
        """``backgroundExecutor.execute { doWork() }`` (``W/Worker.kt``): wait for a thread."""
        executor = self._params.background_executor
        if executor is None:
            return await run_blocking(self.do_work)
        async with executor.thread():
            return await run_blocking(self.do_work)

    def _abandon(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()


class CoroutineWorker(ListenableWorker):
    """A worker with ``async def do_work()`` on the virtual loop (``W/CoroutineWorker.kt``)."""

    @abc.abstractmethod
    async def do_work(self) -> Result:
        """Do the work; a stop cancels this coroutine."""

    def start_work(self) -> Awaitable[Result]:
        """Run :meth:`do_work` as a task on the virtual loop."""
        return asyncio.get_running_loop().create_task(self.do_work(), name=f"worker {self.id}")

    async def set_progress(self, data: Data) -> None:
        """Publish progress (``CoroutineWorker.setProgress``)."""
        self.set_progress_async(data).result()

    async def set_foreground(self, foreground_info: ForegroundInfo) -> None:
        """Run in the foreground service (``CoroutineWorker.setForeground``); raises what
        :meth:`set_foreground_async`'s future fails with."""
        self.set_foreground_async(foreground_info).result()


class WorkerFactory(Protocol):
    """Creates the worker for one run (``androidx.work.WorkerFactory``).

    Return ``None`` to fall back to :class:`DefaultWorkerFactory`, as
    ``createWorkerWithDefaultFallback`` does. Return a new instance every time.
    """

    def create_worker(
        self, worker_class_name: str, worker_parameters: WorkerParameters
    ) -> ListenableWorker | None:
        """The worker for ``worker_class_name``, or ``None`` for the default."""


class DefaultWorkerFactory:
    """Imports the worker class by its stored name and calls ``cls(worker_parameters)``."""

    def create_worker(
        self, worker_class_name: str, worker_parameters: WorkerParameters
    ) -> ListenableWorker:
        """The worker for ``worker_class_name``; raises if it cannot be imported or built."""
        worker_class = resolve_class(worker_class_name, ListenableWorker, "worker")
        return cast(ListenableWorker, worker_class(worker_parameters))


def class_name(cls: type, base: type, what: str) -> str:
    """The stored name of ``cls`` (``"module.QualName"``), checked to be importable later."""
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise InvalidRequestError(
            f"{what} {cls!r} is not a subclass of {base.__name__}; pass the class itself, "
            f"e.g. a subclass of {base.__name__}"
        )
    if "<locals>" in cls.__qualname__:
        raise InvalidRequestError(
            f"{what} class {cls.__qualname__} is defined inside a function; WorkManager "
            "instantiates workers by class name (also after a process restart), so define it at "
            "module level"
        )
    return f"{cls.__module__}.{cls.__qualname__}"


#: name -> the deepest module its walk found (name, the module object) and the attributes
#: read below it. A later walk of the same name finds the same module while ``sys.modules``
#: holds that same object (nothing can be imported below a plain module), so only the
#: attribute reads are repeated; a module imported afresh (another object) walks again.
_WALKS: dict[str, tuple[str, object, tuple[str, ...]]] = {}


def _resolve_imported(name: str) -> object | None:
    """``pkgutil.resolve_name(name)`` when its modules are all imported already, else ``None``.

    ``resolve_name`` imports ``a``, ``a.b``, ... until an import fails, then reads the rest as
    attributes; for ``module.QualName`` that last, failing import searches the module's package
    on every call, a third of a work run's cost. The same walk over ``sys.modules`` gives the
    same object when the deepest module found is a plain module (no ``__path__``: nothing can be
    imported below it) and fully initialised; otherwise the caller takes ``resolve_name``.
    """
    walked = _WALKS.get(name)
    if walked is not None:
        module_name, module, attributes = walked
        if sys.modules.get(module_name) is module and not getattr(
            getattr(module, "__spec__", None), "_initializing", False
        ):
            found: object = module
            for part in attributes:
                found = getattr(found, part)
            return found
    parts = name.split(".")
    module_name = parts[0]
    module = sys.modules.get(module_name)
    if module is None:
        return None
    index = 1
    while index < len(parts):
        deeper = sys.modules.get(f"{module_name}.{parts[index]}")
        if deeper is None:
            break
        module_name, module, index = f"{module_name}.{parts[index]}", deeper, index + 1
    spec = getattr(module, "__spec__", None)
    if hasattr(module, "__path__") or getattr(spec, "_initializing", False):
        return None
    found = module
    for part in parts[index:]:
        found = getattr(found, part)
    _WALKS[name] = (module_name, module, tuple(parts[index:]))
    return found


def resolve_class(name: str, base: type, what: str) -> type:
    """Import the class stored as ``name`` and check it is a ``base``."""
    try:
        found = _resolve_imported(name)
        if found is None:
            found = pkgutil.resolve_name(name)
    except (ImportError, AttributeError, ValueError) as error:
        raise InvalidRequestError(
            f"could not import {what} class {name!r}: {error}; the class must be importable by "
            "its module path"
        ) from error
    if not isinstance(found, type) or not issubclass(found, base):
        raise InvalidRequestError(f"{what} class {name!r} is not a subclass of {base.__name__}")
    return found


# A result is a frozen value: the ones without output are shared (every run makes one or two:
# its worker's, and the wrapper's default failure). Defined last, so that the lines above keep
# their numbers: a failing worker's traceback, recorded in work.failed, names some of them.
_SUCCESS: Final = SuccessResult(Data.EMPTY)
_RETRY: Final = RetryResult()
_FAILURE: Final = FailureResult(Data.EMPTY)
