"""``BackgroundWorker``: how the plugin runs a Dart task in WorkManager (``BackgroundWorker.kt``).

Per run (the plugin release is ``versions.flutter_workmanager``: :mod:`harness.flutter._versions`):

1. The task name is read from the input (``DART_TASK``) and the dispatcher from the persisted
   callback handle; either missing fails the run (``Result.failure()``).
2. A **new Flutter engine** starts (a fresh app instance: nothing in memory carries over from the
   UI or an earlier run) and costs :data:`ENGINE_START_MS` of virtual time.
3. The callback dispatcher runs in it and must call ``Workmanager().execute_task(handler)``. If it
   never does, 0.10.7 waits for the Dart side forever: the work stays RUNNING until the system
   stops it (the job timeout); 0.10.9's ``DartInitializationWatchdog`` fails the run
   (``Result.failure()``) after ``DART_INITIALIZATION_TIMEOUT_MILLIS`` (30 s). An ``async``
   dispatcher runs on in the engine; up to 0.10.9 the native side's ``backgroundChannelInitialized``
   goes out as soon as the dispatcher has started (its first step), so a dispatcher that awaits
   before ``execute_task`` misses it and its task never runs (the same hang or watchdog failure,
   issue #738); from 0.10.10 the native side waits for Dart's signal (``execute_task``, at most
   30 s) and then runs the task.
4. ``handler(task_name, input_data)``: ``True`` -> success, ``False`` or ``None`` -> retry, an
   exception (or a non-bool) -> failure.
5. As soon as the handler's future completes, the engine is destroyed (``stopEngine``): tasks the
   handler started without awaiting them are cancelled (``flutter.engine_destroyed`` records how
   many were cut off, and their HTTP requests end with ``cancelled``).
6. A stop (constraint lost, timeout, cancel) calls ``on_task_stopped(task_name, reason)`` with
   Dart's ``StopReason.fromRawValue`` of Android's stop reason, then destroys the engine. 0.10.7
   makes that call off the main thread, where the engine refuses it: the handler never runs
   (``flutter.task_error``, phase ``on_task_stopped``) and the engine is destroyed.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from typing import Any, Final

from harness._tracebacks import format_exception
from harness.app import AppInstance, current_app, enter_app, run_as
from harness.flutter._payload import DART_TASK_KEY, decode_input
from harness.flutter._plugin import Workmanager
from harness.flutter._types import StopReason
from harness.flutter._versions import (
    DART_INITIALIZATION_TIMEOUT_MS,
    DEFAULT_PLUGIN_VERSION,
    PluginVersion,
)
from harness.workmanager import CoroutineWorker, Result

#: Virtual time a background Flutter engine takes to start (the reference: tens to hundreds of ms).
ENGINE_START_MS: Final = 150


def _resolve(path: str) -> Any:
    module_name, _, qualname = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


class _DartNotInitialized(Exception):
    """The 0.10.9 watchdog fired: Dart never acknowledged the background channel."""


def _plugin_version(instance: AppInstance) -> PluginVersion:
    """The plugin release the app was built with (``versions.flutter_workmanager``)."""
    return PluginVersion.parse(
        instance.versions.get("flutter_workmanager", DEFAULT_PLUGIN_VERSION.value)
    )


def _result_name(result: Result) -> str:
    if isinstance(result, Result.Success):
        return "success"
    if isinstance(result, Result.Retry):
        return "retry"
    return "failure"


class BackgroundWorker(CoroutineWorker):
    """The plugin's worker: one Dart task in a fresh Flutter engine per run."""

    _engine: AppInstance | None = None
    _stop_pending = False
    #: An ``async`` callback dispatcher, running on in the engine (the engine's end cancels it).
    _dispatcher: asyncio.Future[Any] | None = None

    async def do_work(self) -> Result:
        """Steps 1-5 of the module docs."""
        process = current_app()
        sim = process.sim
        task_name = self.input_data.get_string(DART_TASK_KEY)
        dispatcher_path = Workmanager().callback_dispatcher_path()
        fields = {"package": process.package, "task": task_name, "work_id": str(self.id)}
        if dispatcher_path is None:
            sim.record(
                "flutter.task_error",
                **fields,
                error="IllegalStateException: Failed to resolve Dart callback for handle -1",
            )
            return Result.failure()
        if task_name is None:
            sim.record(
                "flutter.task_error", **fields, error="IllegalStateException: Dart task is null"
            )
            return Result.failure()
        engine = process.new_isolate("flutter_engine")
        self._engine = engine
        enter_app(engine)  # this task, and every task it starts, now runs in the new engine
        sim.record("flutter.engine_started", **fields, instance=engine.instance_id)
        try:
            await asyncio.sleep(ENGINE_START_MS / 1000)
            dispatched = _resolve(dispatcher_path)()
            plugin = Workmanager()
            version = _plugin_version(process)
            if inspect.isawaitable(dispatched):
                # an async dispatcher runs on in the engine: its first step runs now
                self._dispatcher = asyncio.ensure_future(dispatched)
                await asyncio.sleep(0)
                if plugin.background_task_handler is None and version.has_dart_initiated_handshake:
                    # 0.10.10 (#739): the task waits for Dart's notifyBackgroundChannelInitialized
                    await plugin.wait_for_background_channel(DART_INITIALIZATION_TIMEOUT_MS)
                    if plugin.background_task_handler is None:
                        sim.record(
                            "flutter.waiting_for_dart",
                            **fields,
                            reason="the callback dispatcher did not call execute_task",
                        )
                        raise _DartNotInitialized(
                            "Dart engine did not initialize the background channel within "
                            f"{DART_INITIALIZATION_TIMEOUT_MS} ms"
                        )
            # Up to 0.10.9 backgroundChannelInitialized went out now: a handler registered
            # later never hears it (#738); the task waits forever (0.10.7) or 30 s (0.10.9).
            handler = plugin.background_task_handler
            if handler is None:
                sim.record(
                    "flutter.waiting_for_dart",
                    **fields,
                    reason=(
                        "the background channel message went out before the async callback "
                        "dispatcher called execute_task, and was lost (plugin issue #738)"
                        if inspect.isawaitable(dispatched)
                        else "the callback dispatcher did not call execute_task"
                    ),
                )
                if not version.has_initialization_watchdog:
                    await asyncio.get_running_loop().create_future()  # 0.10.7 hangs here
                # 0.10.9 BackgroundWorker.kt: the watchdog's stopEngine(Result.failure(), ...)
                await asyncio.sleep(DART_INITIALIZATION_TIMEOUT_MS / 1000)
                raise _DartNotInitialized(
                    "Dart engine did not initialize the background channel within "
                    f"{DART_INITIALIZATION_TIMEOUT_MS} ms"
                )
            outcome: object = handler(task_name, decode_input(self.input_data))
            if inspect.isawaitable(outcome):
                outcome = await outcome
        except asyncio.CancelledError:
            raise
        except _DartNotInitialized as error:
            sim.record("flutter.task_error", **fields, error=str(error), phase="initialization")
            result: Result = Result.failure()
        except Exception as error:
            sim.record(
                "flutter.task_error",
                **fields,
                error=f"{type(error).__name__}: {error}",
                traceback=format_exception(error),
            )
            result = Result.failure()
        else:
            if outcome is True:
                result = Result.success()
            elif outcome is False or outcome is None:
                result = Result.retry()
            else:
                sim.record(
                    "flutter.task_error",
                    **fields,
                    error=f"TypeError: the handler returned {outcome!r}, not a bool",
                )
                result = Result.failure()
        finally:
            if not self._stop_pending:
                # stopEngine posts engine.destroy() to the main looper: what the handler started
                # without awaiting gets one more turn (its request is on the wire), then dies.
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:
                    # closed outside its loop (GeneratorExit): a task that hung in 0.10.7,
                    # collected after its simulation ended, has no looper left to post to
                    pass
                else:
                    loop.call_soon(self._destroy_engine, "handler_completed")
        sim.record("flutter.task_result", **fields, result=_result_name(result))
        return result

    def _destroy_engine(self, reason: str) -> None:
        engine = self._engine
        if engine is None or engine.destroyed:
            return
        cut_off = engine.destroy()
        engine.sim.record(
            "flutter.engine_destroyed",
            package=engine.package,
            work_id=str(self.id),
            instance=engine.instance_id,
            reason=reason,
            cut_off_tasks=cut_off,
        )

    def on_stopped(self) -> None:
        """Step 6: ``onTaskStopped`` in the engine, then the engine is destroyed."""
        engine = self._engine
        if engine is None or engine.destroyed:
            return
        self._stop_pending = True
        task_name = self.input_data.get_string(DART_TASK_KEY) or ""
        handler = run_as(engine, lambda: Workmanager().task_stopped_handler)
        reason = StopReason.from_raw_value(int(self.stop_reason))
        if not _plugin_version(engine).delivers_task_stopped:
            # 0.10.7 BackgroundWorker.onStopped calls flutterApi.onTaskStopped on WorkManager's
            # executor thread; the engine throws off the main thread, the plugin catches it and
            # calls stopEngine (fixed in 0.10.9 by posting to the main looper, issue #732)
            engine.sim.record(
                "flutter.task_error",
                package=engine.package,
                task=task_name,
                error="IllegalStateException: onTaskStopped sent off the main thread; "
                "the Dart handler did not run (plugin 0.10.7)",
                phase="on_task_stopped",
            )
            android = self.stop_reason.name.removeprefix("STOP_REASON_").lower()
            self._destroy_engine(f"stopped ({android}; Dart not told)")
            return

        async def notify_then_destroy() -> None:
            try:
                if handler is not None:
                    outcome = handler(task_name, reason)
                    if inspect.isawaitable(outcome):
                        await outcome
            except Exception as error:
                engine.sim.record(
                    "flutter.task_error",
                    package=engine.package,
                    task=task_name,
                    error=f"{type(error).__name__}: {error}",
                    phase="on_task_stopped",
                )
            finally:
                android = self.stop_reason.name.removeprefix("STOP_REASON_").lower()
                self._destroy_engine(f"stopped ({android}; Dart sees {reason.name.lower()})")

        # the stop may come from outside the loop (a test, a scenario step): use the sim's loop
        run_as(engine, engine.sim.loop.create_task, notify_then_destroy())
