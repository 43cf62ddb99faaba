"""``BackgroundFetch``: the ``background_fetch`` plugin's Dart API (1.6.x), both platforms.

``lib/background_fetch.dart``: static methods; each returns a ``Future`` (here a
:class:`~harness.flutter.PlatformCall`, already done; await it or call ``.result()``).
``configure(config, on_fetch, on_timeout)`` registers the UI's callbacks and starts the fetch;
events ``(task_id)`` arrive on ``on_fetch``, timeouts on ``on_timeout`` (omitted: a default that
calls ``finish``). The app calls ``finish(task_id)`` when its work is done.

The platform is iOS when the app runs on an iPhone (``AppInstance.ios``: ``bind_ios_phone``
attaches the plugin's launch-time registration, :func:`attach_ios`), else Android (the phone
attaches its native side, :func:`attach_android`).
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness._exceptions import DefinitionError
from harness.app import AppInstance, current_app, run_as
from harness.background_fetch._android import AndroidBackgroundFetch
from harness.background_fetch._config import (
    STATUS_AVAILABLE,
    BackgroundFetchConfig,
    TaskConfig,
    fetch_native_config,
    native_task_id,
    task_native_config,
)
from harness.flutter import ENGINE_START_MS, PlatformCall, PlatformException
from harness.sim import Simulation

if TYPE_CHECKING:  # iOS is imported by iOS runs only
    from harness.background_fetch._ios import IOSBackgroundFetch
    from harness.ios import BackgroundRefreshStatus

FetchCallback = Callable[[str], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class HeadlessTask:
    """Dart's ``HeadlessTask``: what a headless task receives (``taskId``, ``timeout``)."""

    task_id: str
    timeout: bool


#: Per simulation, its Android side. The value is a weak reference: the native side holds its
#: simulation, and a strong value would keep its own weak key (and with it the run's world and
#: trace) alive for the life of the process. The phone's binding keeps the native side.
_ANDROID: weakref.WeakKeyDictionary[Simulation, weakref.ref[AndroidBackgroundFetch]] = (
    weakref.WeakKeyDictionary()
)
_HEADLESS_KEY = "headless_task"


def _available() -> BackgroundRefreshStatus:
    from harness.ios import BackgroundRefreshStatus

    return BackgroundRefreshStatus.AVAILABLE


def attach_android(native: AndroidBackgroundFetch) -> None:
    """The phone's Android side of the plugin (``bind_phone`` does this)."""
    _ANDROID[native.sim] = weakref.ref(native)
    native.headless_runner = _run_headless


def android_native(sim: Simulation) -> AndroidBackgroundFetch:
    """The Android side bound to ``sim``."""
    reference = _ANDROID.get(sim)
    native = None if reference is None else reference()
    if native is None:
        raise DefinitionError(
            "background_fetch has no Android side on this simulation: build the phone with "
            "harness.phone.bind_phone (it attaches one)"
        )
    return native


def _callback_path(callback: Callable[..., Any]) -> str:
    module = getattr(callback, "__module__", None)
    qualname = getattr(callback, "__qualname__", "")
    if not module or not qualname or "<" in qualname or "." in qualname:
        raise DefinitionError(
            f"headless task {callback!r} is not a top-level function; the plugin stores a handle "
            "to it (PluginUtilities.getCallbackHandle), so define it at module level"
        )
    return f"{module}:{qualname}"


def _resolve(path: str) -> Any:
    import importlib

    module_name, _, name = path.partition(":")
    return getattr(importlib.import_module(module_name), name)


def _call_dart(
    instance: AppInstance, callback: Callable[..., Any], *args: Any, after_ms: int = 0
) -> None:
    """Run a Dart callback in ``instance`` as a task (``after_ms``: once an engine started)."""

    async def run() -> None:
        if after_ms:
            await asyncio.sleep(after_ms / 1000)
        try:
            outcome = callback(*args)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception as error:
            instance.sim.record(
                "app.crash",
                package=instance.package,
                where="background_fetch callback",
                error=f"{type(error).__name__}: {error}",
                traceback="",
            )

    run_as(instance, instance.sim.loop.create_task, run())


def _run_headless(process: AppInstance, task_id: str, timeout: bool) -> None:
    """``HeadlessTask.java``: a background Flutter engine runs the registered headless task."""
    row = (
        process.data.database("background_fetch_headless")
        .execute("CREATE TABLE IF NOT EXISTS handles (key TEXT PRIMARY KEY, value TEXT)")
        .execute("SELECT value FROM handles WHERE key = ?", (_HEADLESS_KEY,))
        .fetchone()
    )
    if row is None:
        process.sim.record(
            "bgfetch.ignored",
            package=process.package,
            task_id=task_id,
            reason="enableHeadless without registerHeadlessTask: no Dart callback to run",
        )
        return
    # HeadlessTask.java keeps one background engine per process; events queue until its Dart
    # side reports "initialized", so the first one waits for the engine to start
    key = "background_fetch.headless_engine"
    starting = key not in process.memory
    engine = process.singleton(key, lambda: process.new_isolate("headless"))
    delay = ENGINE_START_MS if starting else 0
    _call_dart(engine, _resolve(str(row[0])), HeadlessTask(task_id, timeout), after_ms=delay)


class BackgroundFetch:
    """``BackgroundFetch``'s static methods (call them on the class)."""

    @staticmethod
    def _ios(instance: AppInstance) -> IOSBackgroundFetch | None:
        if instance.ios is None:
            return None
        from harness.background_fetch._ios import IOSBackgroundFetch

        return IOSBackgroundFetch(instance)

    @staticmethod
    def configure(
        config: BackgroundFetchConfig,
        on_fetch: FetchCallback,
        on_timeout: FetchCallback | None = None,
    ) -> PlatformCall[int]:
        """Register the UI's callbacks, configure and start the fetch; the status."""
        instance = current_app()

        def on_event(task_id: str, timeout: bool) -> None:
            if timeout:
                if on_timeout is None:  # the Dart default: finish the task
                    BackgroundFetch._finish_in(instance, task_id)
                    return
                _call_dart(instance, on_timeout, task_id)
            else:
                _call_dart(instance, on_fetch, task_id)

        ios = BackgroundFetch._ios(instance)
        if ios is not None:
            status = ios.status()
            if status is not _available():
                return BackgroundFetch._fail(instance, "configure", str(int(status)), status)
            ios.start(max(config.minimum_fetch_interval, 0))
            ios.subscribe(on_event)
            return PlatformCall(int(status))
        native = android_native(instance.sim)
        native.state(instance).on_event = on_event
        fetch = fetch_native_config(config)
        existing = native.config(instance, fetch.task_id)
        if existing is not None:
            native.cancel(instance.package, existing)  # BGTask.reschedule
        native.schedule(instance, fetch)
        return PlatformCall(STATUS_AVAILABLE)

    @staticmethod
    def _fail(
        instance: AppInstance, call: str, code: str, status: BackgroundRefreshStatus
    ) -> PlatformCall[Any]:
        error = PlatformException(code, f"Background fetch is unavailable: status {status.name}")
        instance.sim.record(
            "flutter.platform_error", package=instance.package, call=call, error=str(error)
        )
        return PlatformCall(error=error)

    @staticmethod
    def start() -> PlatformCall[int]:
        """Start the fetch again after ``stop``; the status."""
        instance = current_app()
        ios = BackgroundFetch._ios(instance)
        if ios is not None:
            status = ios.status()
            if status is not _available():
                return BackgroundFetch._fail(instance, "start", str(int(status)), status)
            ios.start(ios.state.interval_min)
            return PlatformCall(int(status))
        native = android_native(instance.sim)
        config = native.config(instance, native_task_id("flutter_background_fetch"))
        if config is not None:
            native.schedule(instance, config)
        return PlatformCall(STATUS_AVAILABLE)

    @staticmethod
    def stop(task_id: str | None = None) -> PlatformCall[int]:
        """Stop one task, or (no id) every task; the status."""
        instance = current_app()
        ios = BackgroundFetch._ios(instance)
        if ios is not None:
            ios.stop(task_id)
            return PlatformCall(int(ios.status()))
        native = android_native(instance.sim)
        native.stop(instance, None if task_id is None else native_task_id(task_id), reason="stop()")
        return PlatformCall(STATUS_AVAILABLE)

    @staticmethod
    def status() -> PlatformCall[int]:
        """``BackgroundFetch.status``: always 2 (AVAILABLE) on Android; iOS's BAR status."""
        instance = current_app()
        ios = BackgroundFetch._ios(instance)
        return PlatformCall(STATUS_AVAILABLE if ios is None else int(ios.status()))

    @staticmethod
    def finish(task_id: str) -> PlatformCall[None]:
        """Signal that the task's work is done."""
        BackgroundFetch._finish_in(current_app(), task_id)
        return PlatformCall(None)

    @staticmethod
    def _finish_in(instance: AppInstance, task_id: str) -> None:
        ios = BackgroundFetch._ios(instance)
        if ios is not None:
            ios.finish(task_id)
            return
        native = android_native(instance.sim)
        process = native.process_instance(instance.package) or instance
        native.finish(process, native_task_id(task_id))

    @staticmethod
    def schedule_task(config: TaskConfig) -> PlatformCall[bool]:
        """``scheduleTask``: a one-shot (or periodic) task ``delay`` ms from now."""
        instance = current_app()
        ios = BackgroundFetch._ios(instance)
        if ios is not None:
            return PlatformCall(
                ios.schedule_task(
                    config.task_id,
                    config.delay,
                    periodic=config.periodic,
                    network=config.requires_network_connectivity,
                    power=config.requires_charging,
                )
            )
        native = android_native(instance.sim)
        native.schedule(instance, task_native_config(config))
        return PlatformCall(True)

    @staticmethod
    def register_headless_task(task: Callable[[HeadlessTask], Any]) -> PlatformCall[bool]:
        """Persist the headless task's handle (Android; a no-op returning true on iOS)."""
        instance = current_app()
        if BackgroundFetch._ios(instance) is not None:
            return PlatformCall(True)
        path = _callback_path(task)
        db = instance.data.database("background_fetch_headless")
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS handles (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "INSERT OR REPLACE INTO handles (key, value) VALUES (?, ?)", (_HEADLESS_KEY, path)
            )
        return PlatformCall(True)
