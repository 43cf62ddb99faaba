"""The app instance in progress, reachable from app code without threading a context through.

An *app instance* is the in-memory life of app code: one per process start for the UI, and one
per background run for the flutter facade (a fresh Dart isolate). Ambient accessors
(``harness.app.http``, ``SharedPreferences.get_instance()``, ``Hive.open_box``, ``notifications``)
find the current instance through a context variable that the runtime sets while app code runs;
asyncio tasks started by app code inherit it.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from harness._exceptions import HarnessRuntimeError, NoAppRunningError
from harness.sim import FreezeGroup, Simulation
from harness.workmanager import WorkManager

if TYPE_CHECKING:
    from harness.ios import IOSSystem


class DataArea(Protocol):
    """Device-owned storage of one package: survives process death and reboot."""

    def database(self, name: str) -> sqlite3.Connection:
        """The package's sqlite database ``name`` (created empty on first use)."""
        ...


@dataclass(frozen=True, slots=True)
class Notification:
    """Something the app showed the user."""

    t_ms: int
    package: str
    notification_id: int
    title: str
    body: str
    channel: str


@dataclass(eq=False)
class AppInstance:
    """One in-memory life of an app (a process, or a background isolate).

    ``memory`` is the instance's own scratch space: what app code keeps in module-level caches
    on a phone lives here and starts empty in every new instance.
    """

    package: str
    instance_id: int
    kind: str
    sim: Simulation
    data: DataArea
    client_factory: Callable[[], httpx.AsyncClient]
    sync_client_factory: Callable[[], httpx.Client]
    notify: Callable[[Notification], None]
    work_manager: WorkManager | None = None
    spawn_isolate: Callable[[str], AppInstance] | None = None
    memory: dict[str, Any] = field(default_factory=dict)
    #: The library versions the app was built with (``versions:`` of a scenario, e.g.
    #: ``{"flutter_workmanager": "0.10.7"}``); a library reads its own key.
    versions: Mapping[str, str] = field(default_factory=dict)
    #: iOS (``harness.ios``) when the app runs on an iPhone (``ios.scheduler(package)`` is its
    #: ``BGTaskScheduler.shared``); ``None`` on Android.
    ios: IOSSystem | None = None
    #: The process's callbacks on the loop (shared by its isolates): frozen while the process is
    #: (``harness.sim.FreezeGroup``); ``None`` outside an app runtime.
    group: FreezeGroup | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    destroyed: bool = False
    _client: httpx.AsyncClient | None = None
    _sync_client: httpx.Client | None = None

    def new_isolate(self, kind: str) -> AppInstance:
        """A fresh instance in the same process (a new Dart isolate / Flutter engine)."""
        if self.spawn_isolate is None:
            raise HarnessRuntimeError(
                f"app instance {self.package}#{self.instance_id} cannot start isolates; it was "
                "created without an app runtime",
                t_ms=self.sim.now_ms,
            )
        return self.spawn_isolate(kind)

    def destroy(self) -> int:
        """Tear the instance down: cancel the tasks it started that are still running.

        Returns how many were cut off. Used when a Flutter engine is destroyed and when the
        process dies.
        """
        self.destroyed = True
        pending = [task for task in self.tasks if not task.done()]
        for task in pending:
            task.cancel()
        self.tasks.clear()
        return len(pending)

    @property
    def client(self) -> httpx.AsyncClient:
        """This instance's device-bound ``httpx.AsyncClient`` (created on first use)."""
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    @property
    def sync_client(self) -> httpx.Client:
        """This instance's device-bound sync ``httpx.Client`` (created on first use)."""
        if self._sync_client is None:
            self._sync_client = self.sync_client_factory()
        return self._sync_client

    def singleton(self, key: str, factory: Callable[[], Any]) -> Any:
        """A per-instance singleton (like a Dart static): created once per instance."""
        if key not in self.memory:
            self.memory[key] = factory()
        return self.memory[key]


_CURRENT: contextvars.ContextVar[AppInstance | None] = contextvars.ContextVar(
    "harness_app_instance", default=None
)


_CURRENT_WORK: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "harness_work_id", default=None
)


def current_work_id() -> str | None:
    """The id of the WorkManager work whose worker is running this code (tasks it starts
    inherit it), or ``None`` outside a worker (``main()``, an app action)."""
    return _CURRENT_WORK.get()


def run_as_work(
    instance: AppInstance, work_id: str, function: Callable[..., Any], *args: Any
) -> Any:
    """:func:`run_as` for a worker of the work ``work_id``."""
    context = contextvars.copy_context()
    context.run(_enter, instance)
    context.run(_CURRENT_WORK.set, work_id)
    return context.run(function, *args)


def current_app() -> AppInstance:
    """The app instance whose code is running now."""
    instance = _CURRENT.get()
    if instance is None:
        t_ms = 0
        with suppress(HarnessRuntimeError):
            t_ms = Simulation.current().now_ms
        raise NoAppRunningError(
            "no app is running here: harness.app accessors (http, SharedPreferences, Hive, "
            "notifications) work inside app code (main(), a worker, a flutter task); in a test, "
            "use `with app_context(instance):`",
            t_ms=t_ms,
        )
    return instance


@contextmanager
def app_context(instance: AppInstance) -> Iterator[AppInstance]:
    """Run the body as app code of ``instance`` (tasks started inside inherit it)."""
    token = _CURRENT.set(instance)
    try:
        yield instance
    finally:
        _CURRENT.reset(token)


def track_task(task: asyncio.Task[Any]) -> None:
    """Task observer: remember a task as started by the current app instance (if any)."""
    instance = _CURRENT.get()
    if instance is not None:
        tasks = instance.tasks
        count = len(tasks)
        if count & (count - 1) == 0:  # at each power of two: amortised O(1) per task started
            tasks[:] = [known for known in tasks if not known.done()]
        tasks.append(task)


def enter_app(instance: AppInstance) -> None:
    """Make ``instance`` the current app for the rest of the running task (or context)."""
    _enter(instance)


def _enter(instance: AppInstance) -> None:
    """``instance`` is the current app, and its process's freeze group the current group."""
    _CURRENT.set(instance)
    if instance.group is not None:
        instance.group.enter()


def run_as(instance: AppInstance, function: Callable[..., Any], *args: Any) -> Any:
    """Call ``function(*args)`` in a context where ``instance`` is the current app."""
    context = contextvars.copy_context()
    context.run(_enter, instance)
    return context.run(function, *args)
