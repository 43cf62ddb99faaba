"""The flutter ``workmanager`` plugin's iOS side (``workmanager_apple``), over the iOS port.

Sources: ``workmanager_apple/lib/workmanager_apple.dart`` (Dart),
``workmanager_apple/ios/Classes/WorkmanagerPlugin.swift``, ``BackgroundWorker.swift`` and
``BackgroundTaskOperation.swift``.

* ``registerPeriodicTask`` submits a ``BGAppRefreshTaskRequest`` whose identifier is the
  **unique name**, ``earliestBeginDate = now + initialDelay`` (whole seconds); ``frequency`` is
  not used there. The app's ``AppDelegate`` registers the handler with
  ``WorkmanagerPlugin.registerPeriodicTask(withIdentifier:frequency:)`` (here
  :meth:`WorkmanagerPlugin.register_periodic_task`, called from the app module's
  ``app_delegate()``); each launch **first resubmits** the request at ``now + frequency``
  (15 minutes when not given), then runs Dart.
* ``registerProcessingTask`` submits a ``BGProcessingTaskRequest``: ``requiresNetworkConnectivity``
  for network type connected/metered, ``requiresExternalPower`` from ``requiresCharging``;
  input data is not delivered.
* ``registerOneOffTask`` is not BGTaskScheduler: ``beginBackgroundTask`` and an operation in the
  running process (its delay honoured); it is lost when the process dies. Constraints, policies,
  back-off and tag are ignored.
* Dart's task name on iOS is the **identifier** (the unique name), not ``taskName``
  (``BackgroundMode.onResultSendArguments``); the legacy background fetch runs task
  ``iOSPerformFetch``.
* Results: a refresh or processing task completes with ``success = !operation.isCancelled`` (the
  Dart bool is ignored; an expiry cancels the operation); a background fetch ends ``newData`` when
  Dart returns true, else ``failed``; a one-off ends its background task whatever happens.
* ``registerContinuedProcessingTask`` (workmanager_apple 0.9.6, ``BGContinuedProcessingTask
  Scheduler.swift``) submits a ``BGContinuedProcessingTaskRequest`` whose identifier is the unique
  name (the plugin's docs: the wildcard itself, ``<bundle id>.<context>.*``), title ``title ??
  taskName``, subtitle ``subtitle ?? ""``, the default ``.queue`` strategy; the input data is kept
  and delivered. The ``AppDelegate`` registers the handler with
  ``registerBGContinuedProcessingTask(withIdentifier:)``. The task completes with
  ``success = !operation.isCancelled``; the plugin reports no progress from Dart, so a Dart task
  longer than iOS's stall timeout is expired (the plugin's docs say so).
* Unsupported on iOS: ``cancelByTag`` and ``isScheduledByUniqueName`` throw ``UnsupportedError``.
  Before ``initialize``, register calls fail with ``PigeonError`` code ``"1"``.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from harness.app import AppInstance, current_app, enter_app, run_as
from harness.ios import (
    BGAppRefreshTaskRequest,
    BGContinuedProcessingTaskRequest,
    BGProcessingTaskRequest,
    BGTask,
    BGTaskRequest,
    BGTaskScheduler,
    BGTaskSchedulerError,
    FetchCompletion,
    FetchResult,
)

if TYPE_CHECKING:
    from harness.flutter._types import Constraints, NetworkType

#: ``WorkmanagerPlugin.createInitializationError`` (iOS), code "1".
IOS_INIT_REQUIRED: Final = (
    "You have not properly initialized the Flutter WorkManager Package. You should ensure you "
    "have called the 'initialize' function first! Example: \n\n`Workmanager().initialize(\n"
    "  callbackDispatcher,\n )`\n\nThe `callbackDispatcher` is a top level function. See example "
    "in repository."
)
#: The task name Dart sees for a legacy background fetch.
IOS_PERFORM_FETCH: Final = "iOSPerformFetch"
#: ``handlePeriodicTask``: "If frequency is not provided it will default to 15 minutes".
DEFAULT_RESUBMIT_S: Final = 15 * 60


def _whole_seconds(duration: timedelta | None) -> int:
    return 0 if duration is None else int(duration.total_seconds())


def scheduler(instance: AppInstance) -> BGTaskScheduler:
    """``BGTaskScheduler.shared`` of the app (which runs on iOS)."""
    ios = instance.ios
    if ios is None:
        raise RuntimeError(f"{instance.package} does not run on iOS")
    return ios.scheduler(instance.package)


def _submit(instance: AppInstance, request: BGTaskRequest) -> None:
    """``BGTaskScheduler.shared.submit``; the plugin only logs a failure."""
    try:
        scheduler(instance).submit(request)
    except BGTaskSchedulerError as error:
        instance.sim.record(
            "flutter.platform_error",
            package=instance.package,
            call=f"BGTaskScheduler.submit({request.identifier})",
            error=f"Could not schedule {request.kind.value} task: {error}",
        )
        return
    instance.sim.record(
        "flutter.ios_submitted",
        package=instance.package,
        identifier=request.identifier,
        task_kind=request.kind.value,
        earliest_begin_ms=request.earliest_begin_ms
        if request.earliest_begin_ms is not None
        else -1,
    )


def register_periodic(instance: AppInstance, unique_name: str, delay: timedelta | None) -> None:
    """``registerPeriodicTask`` on iOS: a refresh request at ``now + initialDelay``."""
    earliest = instance.sim.now_ms + _whole_seconds(delay) * 1000
    _submit(instance, BGAppRefreshTaskRequest(unique_name, earliest_begin_ms=earliest))


def register_processing(
    instance: AppInstance,
    unique_name: str,
    delay: timedelta | None,
    constraints: Constraints | None,
) -> None:
    """``registerProcessingTask``: network for connected/metered, power for requiresCharging."""
    from harness.flutter._types import NetworkType

    network_type: NetworkType | None = None if constraints is None else constraints.network_type
    request = BGProcessingTaskRequest(
        unique_name,
        earliest_begin_ms=instance.sim.now_ms + _whole_seconds(delay) * 1000,
        requires_network_connectivity=network_type in (NetworkType.CONNECTED, NetworkType.METERED),
        requires_external_power=bool(constraints is not None and constraints.requires_charging),
    )
    _submit(instance, request)


def register_continued(
    instance: AppInstance,
    unique_name: str,
    task_name: str,
    title: str | None,
    subtitle: str | None,
    input_data: Mapping[str, Any] | None,
) -> None:
    """``registerContinuedProcessingTask``: keep the input data for the launch, then submit a
    continued-processing request (``scheduleContinuedProcessingTask``: a failure is only
    logged; a submit with no launch handler registered crashes the app, as iOS does)."""
    with _input_store(instance) as db:
        db.execute(
            "INSERT OR REPLACE INTO input_data (identifier, value) VALUES (?, ?)",
            (unique_name, json.dumps(dict(input_data or {}), sort_keys=True)),
        )
    request = BGContinuedProcessingTaskRequest(
        unique_name, title=title if title is not None else task_name, subtitle=subtitle or ""
    )
    _submit(instance, request)


def _input_store(instance: AppInstance) -> Any:
    """``UserDefaultsHelper``'s stored input data (by task identifier), in the app's data."""
    db = instance.data.database(_INPUT_DB)
    db.execute("CREATE TABLE IF NOT EXISTS input_data (identifier TEXT PRIMARY KEY, value TEXT)")
    return db


def _stored_input(instance: AppInstance, identifier: str) -> dict[str, Any]:
    """``getStoredPeriodicTaskInputData(forTaskIdentifier:)``: ``{}`` when none was stored."""
    row = (
        _input_store(instance)
        .execute("SELECT value FROM input_data WHERE identifier = ?", (identifier,))
        .fetchone()
    )
    return {} if row is None else dict(json.loads(row[0]))


#: Where the plugin keeps input data for continued-processing tasks (its UserDefaults).
_INPUT_DB: Final = "flutter_workmanager_ios_input"


def register_one_off(
    instance: AppInstance,
    unique_name: str,
    input_data: Mapping[str, Any] | None,
    delay: timedelta | None,
) -> None:
    """``registerOneOffTask`` on iOS: ``beginBackgroundTask`` (its expiration handler ends it),
    then the task in this process; the operation's completion ends the background task."""
    ios = instance.ios
    assert ios is not None
    background_time = ios.background_time(instance.package)
    task_id = {"id": 0}

    def end() -> None:
        if task_id["id"]:
            background_time.end(task_id["id"])
            task_id["id"] = 0

    task_id["id"] = background_time.begin(unique_name, expiration_handler=end)

    async def later() -> None:
        try:
            await asyncio.sleep(_whole_seconds(delay))
            await run_dart(instance, unique_name, dict(input_data or {}), mode="one_off")
        finally:
            end()

    run_as(instance, instance.sim.loop.create_task, later())


def print_scheduled_tasks(instance: AppInstance) -> str:
    """``printScheduledTasks``: the pending requests, as the plugin words them."""
    pending = scheduler(instance).pending_task_requests()
    if not pending:
        return "[BGTaskScheduler] There are no scheduled tasks"
    message = "[BGTaskScheduler] Scheduled Tasks:"
    for request in pending:
        when = ""
        if request.earliest_begin_ms is not None:
            # Foundation's Date.formatted(): "12/3/2026, 9:20 PM" (en_US; the harness is UTC)
            moment = instance.sim.clock.to_datetime(request.earliest_begin_ms)
            hour = moment.hour % 12 or 12
            half = "AM" if moment.hour < 12 else "PM"
            when = f"{moment.month}/{moment.day}/{moment.year}, {hour}:{moment.minute:02d} {half}"
        message += (
            f"\n[BGTaskScheduler] Task Identifier: {request.identifier} earliestBeginDate: {when}"
        )
    return message


async def run_dart(
    process: AppInstance, task_name: str, input_data: dict[str, Any], *, mode: str
) -> bool | None:
    """``BackgroundWorker.performBackgroundRequest``: a fresh engine runs the dispatcher, then
    the handler; ``True``/``False`` is Dart's answer, ``None`` an error (or no dispatcher)."""
    from harness.flutter._plugin import Workmanager

    sim = process.sim
    dispatcher = run_as(process, lambda: Workmanager().callback_dispatcher_path())
    fields = {"package": process.package, "task": task_name, "work_id": mode}
    if dispatcher is None:
        sim.record("flutter.task_error", **fields, error="workmanagerNotInitialized")
        return None
    engine = process.new_isolate("flutter_engine")
    enter_app(engine)
    sim.record("flutter.engine_started", **fields, instance=engine.instance_id)
    outcome: object = None
    try:
        module_name, _, qualname = dispatcher.partition(":")
        getattr(importlib.import_module(module_name), qualname)()
        handler = Workmanager().background_task_handler
        if handler is None:
            sim.record(
                "flutter.task_error", **fields, error="the dispatcher did not call execute_task"
            )
            return None
        outcome = handler(task_name, input_data)
        if inspect.isawaitable(outcome):
            outcome = await outcome
    except asyncio.CancelledError:
        raise
    except Exception as error:
        sim.record("flutter.task_error", **fields, error=f"{type(error).__name__}: {error}")
        return None
    finally:
        cut_off = engine.destroy()
        sim.record(
            "flutter.engine_destroyed",
            package=process.package,
            work_id=mode,
            instance=engine.instance_id,
            reason="handler_completed",
            cut_off_tasks=cut_off,
        )
    return outcome if isinstance(outcome, bool) else None


class WorkmanagerPlugin:
    """The Swift ``WorkmanagerPlugin``'s static methods an ``AppDelegate`` calls (in a harness
    app module, from ``app_delegate()``, which the iOS device runs at every launch)."""

    @staticmethod
    def register_periodic_task(identifier: str, frequency: timedelta | None = None) -> None:
        """``registerPeriodicTask(withIdentifier:frequency:)``: the refresh launch handler."""
        process = current_app()
        resubmit_s = DEFAULT_RESUBMIT_S if frequency is None else _whole_seconds(frequency)

        def handler(task: BGTask) -> None:
            from harness.flutter._plugin import Workmanager

            if run_as(process, lambda: Workmanager().callback_dispatcher_path()) is None:
                process.sim.record(
                    "flutter.task_error",
                    package=process.package,
                    task=identifier,
                    work_id="periodic",
                    error="workmanagerNotInitialized",
                )
                return
            earliest = process.sim.now_ms + resubmit_s * 1000
            _submit(process, BGAppRefreshTaskRequest(task.identifier, earliest_begin_ms=earliest))
            _run_operation(process, task, identifier, mode="periodic")

        scheduler(process).register(identifier, handler)

    @staticmethod
    def register_bg_processing_task(identifier: str) -> None:
        """``registerBGProcessingTask(withIdentifier:)``: the processing launch handler."""
        process = current_app()

        def handler(task: BGTask) -> None:
            _run_operation(process, task, identifier, mode="processing")

        scheduler(process).register(identifier, handler)

    @staticmethod
    def register_bg_continued_processing_task(identifier: str) -> None:
        """``registerBGContinuedProcessingTask(withIdentifier:)``: the continued-processing
        launch handler (``handleBGContinuedProcessingTask``), for the identifier Dart submits."""
        process = current_app()

        def handler(task: BGTask) -> None:
            data = _stored_input(process, task.identifier)
            _run_operation(process, task, task.identifier, mode="continued_processing", data=data)

        scheduler(process).register(identifier, handler)

    @staticmethod
    def perform_fetch(completion: FetchCompletion) -> asyncio.Task[FetchResult]:
        """``application(_:performFetchWithCompletionHandler:)``, the legacy background fetch
        (an app module's ``ios_perform_fetch``): Dart's ``iOSPerformFetch``, then
        ``completion(.newData)`` when it returned true, else ``completion(.failed)``."""
        process = current_app()

        async def fetch() -> FetchResult:
            answer = await run_dart(process, IOS_PERFORM_FETCH, {}, mode="background_fetch")
            result = FetchResult.NEW_DATA if answer is True else FetchResult.FAILED
            process.sim.record(
                "flutter.task_result",
                package=process.package,
                task=IOS_PERFORM_FETCH,
                work_id="background_fetch",
                result=result.name.lower(),
            )
            if not completion.called:
                completion(result)
            return result

        task: asyncio.Task[FetchResult] = run_as(process, process.sim.loop.create_task, fetch())
        return task


def _run_operation(
    process: AppInstance,
    task: BGTask,
    identifier: str,
    *,
    mode: str,
    data: dict[str, Any] | None = None,
) -> None:
    """``BackgroundTaskOperation``: the expiration cancels it; completion is ``!isCancelled``."""

    async def operation() -> None:
        await run_dart(process, identifier, dict(data or {}), mode=mode)

    running: asyncio.Task[None] = run_as(process, process.sim.loop.create_task, operation())
    cancelled = {"yes": False}

    def expire() -> None:
        cancelled["yes"] = True
        running.cancel()

    def done(_: object) -> None:
        success = not cancelled["yes"]
        process.sim.record(
            "flutter.task_result",
            package=process.package,
            task=identifier,
            work_id=mode,
            result="success" if success else "expired",
        )
        if not task.completed:
            task.set_task_completed(success=success)

    task.expiration_handler = expire
    running.add_done_callback(done)
