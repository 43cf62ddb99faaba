"""Apps and their life: processes, app instances, WorkManager per process, launch code.

An :class:`App` is a package name plus user code: a module with ``main()`` (what runs when the
user opens the app; it registers the app's work) and whatever workers or callback dispatcher it
names. :class:`AppRuntime` runs installed apps on one simulated device:

* **a process start** creates an :class:`AppInstance` (``kind="process"``) with empty memory and
  a ``WorkManager`` over the package's device-owned database, whose start-up logic
  (``ForceStopRunnable``) resets RUNNING rows and reschedules; workers run in that instance;
* **a process death** drops the instance (its tasks are cancelled) and the ``WorkManager``
  (running workers are abandoned, rows stay RUNNING); the database survives;
* **a launch** (the user opens the app) starts the process if needed and runs ``main()``: an
  ``async def main`` as a task, a plain ``def main`` as blocking code (so a sync HTTP call or
  ``time.sleep`` in it waits in virtual time);
* **a flutter background run** asks the process instance for a fresh isolate
  (:meth:`AppInstance.new_isolate`), so module-level caches never carry over.

The device layer decides *when* processes start and die; :class:`AppRuntime` is told through
:meth:`start_process`, :meth:`kill_process`, :meth:`clear_data` and :meth:`reboot`, and asks
for a process through ``ensure_process`` callbacks the platform layer provides.
"""

from __future__ import annotations

import inspect
import shutil
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from harness._exceptions import DefinitionError
from harness._tracebacks import format_exception
from harness.app._context import (
    AppInstance,
    DataArea,
    Notification,
    run_as,
    run_as_work,
    track_task,
)
from harness.app._guard import install_guard
from harness.app._http import (
    DeviceTransport,
    NetworkPort,
    device_async_client,
    device_sync_client,
)
from harness.app._usercode import import_user_module
from harness.backends import Internet
from harness.sim import FreezeGroup, Simulation, run_blocking
from harness.workmanager import (
    DEFAULT_WORK_VERSION,
    AndroidManifest,
    Configuration,
    DefaultWorkerFactory,
    ListenableWorker,
    SchedulerFactory,
    WorkDatabase,
    WorkerFactory,
    WorkerParameters,
    WorkManager,
    WorkManagerVersion,
)

if TYPE_CHECKING:
    from harness.ios import IOSSystem


@dataclass(frozen=True, slots=True)
class App:
    """An installable app: ``package`` and the import path of its ``module``.

    The module defines ``main()`` (sync or async) and may set ``PACKAGE`` to name its package.
    """

    package: str
    module: str

    @classmethod
    def from_module(cls, module: str, *, package: str | None = None) -> App:
        """Load ``module`` (an import path) and check it has ``main``, else ``DefinitionError``."""
        loaded = _import_app_module(module)
        if not callable(getattr(loaded, "main", None)):
            raise DefinitionError(
                f"app module {module!r} has no main() function; define `def main() -> None:` "
                "(what runs when the user opens the app)"
            )
        name = package or getattr(loaded, "PACKAGE", None) or f"app.{module}"
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"app module {module!r}: PACKAGE must be a non-empty string")
        return cls(package=name, module=module)

    def load(self) -> ModuleType:
        """The imported app module."""
        return _import_app_module(self.module)


def _import_app_module(module: str) -> ModuleType:
    return import_user_module(module, f"app module {module!r}")


class _DataArea:
    """A package's device-owned sqlite databases: in memory, or files under ``directory``."""

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._connections: dict[str, sqlite3.Connection] = {}

    def database(self, name: str) -> sqlite3.Connection:
        connection = self._connections.get(name)
        if connection is None:
            target = ":memory:"
            if self._directory is not None:
                self._directory.mkdir(parents=True, exist_ok=True)
                target = str(self._directory / f"{name}.sqlite")
            # sync Workers use it from their lockstep thread while the loop thread waits
            connection = sqlite3.connect(target, check_same_thread=False)
            self._connections[name] = connection
        return connection

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


class _AppWorkerFactory:
    """Creates workers that run as app code of the process instance."""

    def __init__(self, instance: AppInstance, configured: WorkerFactory | None = None) -> None:
        self._instance = instance
        self._configured = configured
        self._default = DefaultWorkerFactory()

    def create_worker(
        self, worker_class_name: str, worker_parameters: WorkerParameters
    ) -> ListenableWorker:
        instance = self._instance
        worker: ListenableWorker | None = None
        if self._configured is not None:  # Configuration.setWorkerFactory, default as fallback
            worker = run_as(
                instance, self._configured.create_worker, worker_class_name, worker_parameters
            )
        if worker is None:
            worker = run_as(
                instance, self._default.create_worker, worker_class_name, worker_parameters
            )
        start = worker.start_work
        work_id = str(worker_parameters.id)

        def start_in_app() -> Any:
            return run_as_work(instance, work_id, start)

        worker.start_work = start_in_app  # type: ignore[method-assign]
        return worker


@dataclass(eq=False)
class Process:
    """A running app process: its instance and its WorkManager."""

    app: App
    instance: AppInstance
    work_manager: WorkManager
    started_ms: int


@dataclass(eq=False)
class _Installed:
    app: App
    data: DataArea
    database: WorkDatabase
    process: Process | None = None
    instances_started: int = 0
    main_failures: list[str] = field(default_factory=list)


class AppRuntime:
    """Runs apps on one device: processes, instances, WorkManagers, launch code."""

    def __init__(
        self,
        sim: Simulation,
        internet: Internet,
        *,
        network_for: Callable[[str], NetworkPort],
        schedulers: SchedulerFactory | None = None,
        schedulers_for: Callable[[str], SchedulerFactory] | None = None,
        data_for: Callable[[str], DataArea] | None = None,
        data_dir: Path | None = None,
        versions: Mapping[str, str] | None = None,
        ios: IOSSystem | None = None,
    ) -> None:
        """``schedulers_for(package)`` (or one ``schedulers`` factory for every app) builds each
        process's WorkManager schedulers; ``data_for(package)`` is the package's device-owned
        data area (default: sqlite in memory, or files under ``data_dir``); ``versions`` are the
        library versions the apps are built with (``androidx_work`` picks each process's
        WorkManager release; other keys are read by their library from the app instance);
        ``ios`` is iOS when the apps run on an iPhone (each instance's ``ios``)."""
        self.ios = ios
        self.versions: Mapping[str, str] = dict(versions or {})
        self._work_version = WorkManagerVersion.parse(
            self.versions.get("androidx_work", DEFAULT_WORK_VERSION)
        )
        self.sim = sim
        self.internet = internet
        self._network_for = network_for
        self._schedulers_for: Callable[[str], SchedulerFactory | None] = (
            schedulers_for if schedulers_for is not None else (lambda _package: schedulers)
        )
        self._data_for = data_for
        self._data_dir = data_dir
        self._installed: dict[str, _Installed] = {}
        self.notifications: list[Notification] = []
        self.transports: dict[str, DeviceTransport] = {}
        sim.loop.add_task_observer(track_task)
        install_guard()

    # --- installation ---------------------------------------------------------------------

    def install(self, app: App) -> None:
        """Install ``app`` (its data area and WorkManager database are created empty)."""
        if app.package in self._installed:
            raise DefinitionError(f"package {app.package!r} is already installed")
        self.sim.record("app.installed", package=app.package, module=app.module)
        directory = None if self._data_dir is None else self._data_dir / app.package
        database_path = None if directory is None else directory / "androidx.work.workdb"
        if database_path is not None:
            database_path.parent.mkdir(parents=True, exist_ok=True)
        data: DataArea = (
            self._data_for(app.package) if self._data_for is not None else _DataArea(directory)
        )
        self._installed[app.package] = _Installed(app, data, WorkDatabase(database_path))
        transport = DeviceTransport(
            self.sim, self._network_for(app.package), self.internet, package=app.package
        )
        self.transports[app.package] = transport

    def _installed_app(self, package: str) -> _Installed:
        installed = self._installed.get(package)
        if installed is None:
            known = ", ".join(sorted(self._installed)) or "none"
            raise DefinitionError(f"package {package!r} is not installed (installed: {known})")
        return installed

    @property
    def packages(self) -> list[str]:
        """Installed package names, in installation order."""
        return list(self._installed)

    def database(self, package: str) -> WorkDatabase:
        """The package's WorkManager database (device-owned)."""
        return self._installed_app(package).database

    def data_area(self, package: str) -> DataArea:
        """The package's device-owned data area."""
        return self._installed_app(package).data

    # --- processes ------------------------------------------------------------------------

    def process(self, package: str) -> Process | None:
        """The running process of ``package``, if any."""
        return self._installed_app(package).process

    def _new_instance(self, installed: _Installed, kind: str) -> AppInstance:
        installed.instances_started += 1
        package = installed.app.package
        transport = self.transports[package]
        instance = AppInstance(
            package=package,
            instance_id=installed.instances_started,
            kind=kind,
            sim=self.sim,
            data=installed.data,
            client_factory=lambda: device_async_client(transport),
            sync_client_factory=lambda: device_sync_client(transport),
            notify=self._notify,
            versions=self.versions,
            ios=self.ios,
        )
        instance.spawn_isolate = lambda isolate_kind: self._spawn(installed, instance, isolate_kind)
        return instance

    def _spawn(self, installed: _Installed, parent: AppInstance, kind: str) -> AppInstance:
        child = self._new_instance(installed, kind)
        child.work_manager = parent.work_manager
        child.group = parent.group  # an isolate runs in its process
        return child

    def start_process(self, package: str, *, reason: str, force_stopped: bool = False) -> Process:
        """A process starts for ``package`` (a launch, a job, a broadcast); returns it.

        ``force_stopped`` tells WorkManager's start-up that the app was force-stopped since its
        last run, so it reschedules everything (``ForceStopRunnable``).
        """
        installed = self._installed_app(package)
        if installed.process is not None:
            return installed.process
        instance = self._new_instance(installed, "process")
        # the process's callbacks, frozen while the process is (the cached-app freezer on
        # Android, suspension on iOS)
        instance.group = FreezeGroup(self.sim.loop, f"{package}#{instance.instance_id}")
        # Configuration.Provider: the app module's work_manager_configuration(), if it has one,
        # configures WorkManager as it initialises at process start (WorkManagerInitializer).
        try:
            module = run_as(instance, installed.app.load)
        except Exception:
            module = None
        provider = getattr(module, "work_manager_configuration", None)
        configuration = run_as(instance, provider) if callable(provider) else None
        if configuration is not None and not isinstance(configuration, Configuration):
            raise DefinitionError(
                f"app module {installed.app.module!r}: work_manager_configuration() returned "
                f"{configuration!r}, not a harness.workmanager.Configuration"
            )
        work_manager = WorkManager(
            self.sim,
            installed.database,
            schedulers=self._schedulers_for(package),
            worker_factory=_AppWorkerFactory(
                instance, configuration.worker_factory if configuration is not None else None
            ),
            force_stopped=force_stopped,
            configuration=configuration,
            version=self._work_version,
        )
        # the manifest's foreground-service types, permissions and targetSdk: the app module's
        # ANDROID_MANIFEST, if it has one (checked by SystemForegroundService.startForeground)
        manifest = getattr(module, "ANDROID_MANIFEST", None)
        if manifest is not None:
            if not isinstance(manifest, AndroidManifest):
                raise DefinitionError(
                    f"app module {installed.app.module!r}: ANDROID_MANIFEST is {manifest!r}, "
                    "not a harness.workmanager.AndroidManifest"
                )
            work_manager.processor.app_manifest = manifest
        instance.work_manager = work_manager
        process = Process(installed.app, instance, work_manager, self.sim.now_ms)
        installed.process = process
        self.sim.record(
            "app.process_started", package=package, reason=reason, instance=instance.instance_id
        )
        return process

    def kill_process(self, package: str, *, reason: str) -> None:
        """The process of ``package`` dies: memory and running workers are gone, data stays."""
        installed = self._installed_app(package)
        process = installed.process
        if process is None:
            return
        installed.process = None
        self.transports[package].note_process_died(reason)
        process.work_manager.kill()
        if process.instance.group is not None:
            # a frozen process is killed as it is: what it held unwinds with its cancelled tasks
            process.instance.group.dissolve()
        cut_off = process.instance.destroy()
        self.sim.record(
            "app.process_died",
            package=package,
            reason=reason,
            instance=process.instance.instance_id,
            cut_off_tasks=cut_off,
        )

    def freeze_process(self, package: str) -> bool:
        """The process of ``package`` stops getting CPU time (Android's cached-app freezer, a
        suspended iOS app): its tasks, timers and callbacks are held back by the loop until
        :meth:`thaw_process`. Returns whether it froze now (``False``: no process, or frozen)."""
        process = self._installed_app(package).process
        group = None if process is None else process.instance.group
        return group is not None and group.freeze()

    def thaw_process(self, package: str, *, reason: str) -> None:
        """The process of ``package`` runs again: what it held runs now, virtual time having
        moved on (a timer that fell due while frozen fires now). When the freeze held anything
        back, an ``app.thawed`` record says since when, how much and ``reason``."""
        process = self._installed_app(package).process
        group = None if process is None else process.instance.group
        if group is None or group.frozen_at_ms is None:
            return
        frozen_at_ms = group.frozen_at_ms
        held = group.thaw()
        if held:
            assert process is not None
            self.sim.record(
                "app.thawed",
                package=package,
                instance=process.instance.instance_id,
                frozen_at_ms=frozen_at_ms,
                held=held,
                reason=reason,
            )

    def clear_data(self, package: str) -> None:
        """``pm clear``: the process dies and every byte of the app's data is wiped."""
        self.kill_process(package, reason="data cleared")
        installed = self._installed_app(package)
        if isinstance(installed.data, _DataArea):
            installed.data.close()
        installed.database.close()
        directory = None if self._data_dir is None else self._data_dir / package
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
        del self._installed[package]
        self.install(installed.app)
        self.sim.record("app.data_cleared", package=package)

    def reboot(self) -> None:
        """Every process dies (the device went down); data survives."""
        for package in self.packages:
            self.kill_process(package, reason="reboot")

    # --- launch code ------------------------------------------------------------------------

    def launch(self, package: str, *, force_stopped: bool = False) -> None:
        """The user opens the app: start the process if needed and run ``main()`` in it."""
        process = self.start_process(package, reason="launch", force_stopped=force_stopped)
        instance = process.instance
        self.sim.record("app.launched", package=package, instance=instance.instance_id)

        async def run_main() -> None:
            try:
                # importing the module runs its top-level code: app code too, so its errors
                # (a refused real call among them) are the app's crash, not the harness's
                main = getattr(process.app.load(), "main")  # noqa: B009 - checked at load
                if inspect.iscoroutinefunction(main):
                    await main()
                else:
                    await run_blocking(main)
            except Exception as error:  # app code crashed: recorded, the run goes on
                self._installed_app(package).main_failures.append(repr(error))
                self.sim.record(
                    "app.crash",
                    package=package,
                    where="main",
                    error=f"{type(error).__name__}: {error}",
                    traceback=format_exception(error),
                )

        run_as(instance, lambda: self.sim.loop.create_task(run_main(), name=f"main {package}"))

    def _notify(self, notification: Notification) -> None:
        self.notifications.append(notification)
        self.sim.record(
            "app.notification",
            package=notification.package,
            id=notification.notification_id,
            title=notification.title,
            body=notification.body,
            channel=notification.channel,
        )

    def apps(self) -> Sequence[App]:
        """The installed apps."""
        return [installed.app for installed in self._installed.values()]
