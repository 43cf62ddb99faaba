"""``Workmanager``: the flutter ``workmanager`` plugin's Dart API (0.10.7), Android side.

Every call reaches the platform at once and returns an awaitable (Dart's ``Future``), so both
``await Workmanager().register_one_off_task(...)`` and the un-awaited call a ``main()`` makes
work. A platform error (register before initialize, an unsupported input type, a request
WorkManager rejects) is raised when the result is awaited, as Dart's ``PlatformException`` is,
and is also recorded in the trace at once as ``flutter.platform_error``, because an un-awaited
Dart future with an error is an unhandled error in the log, not a silent no-op.

Sources: ``workmanager/lib/src/workmanager_impl.dart`` (Dart API),
``workmanager_android/.../WorkmanagerPlugin.kt`` and ``WorkManagerUtils.kt`` (mapping, defaults).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Generator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from harness._exceptions import DefinitionError
from harness.app import AppInstance, current_app
from harness.flutter._payload import PayloadTypeError, encode_input
from harness.flutter._types import (
    BackoffPolicy,
    Constraints,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    OutOfQuotaPolicy,
    StopReason,
    WorkInfo,
    WorkState,
)
from harness.workmanager import (
    ExistingPeriodicWorkPolicy as AndroidPeriodicPolicy,
)
from harness.workmanager import (
    ExistingWorkPolicy as AndroidWorkPolicy,
)
from harness.workmanager import (
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    WorkManager,
)

if TYPE_CHECKING:
    from types import ModuleType

    from harness.ios import IOSSystem

_T = TypeVar("_T")


def _ios() -> ModuleType:
    """The plugin's iOS side (:mod:`._ios`), imported by iOS runs only."""
    from harness.flutter import _ios as ios

    return ios


#: ``WorkmanagerPlugin.kt`` ``INIT_REQUIRED``, as Dart sees it through Pigeon's ``wrapError``.
INIT_REQUIRED: Final = (
    "java.lang.Exception: You have not properly initialized the Flutter WorkManager Package. "
    "You should ensure you have called the 'initialize' function first!"
)
#: Where the plugin persists the callback handle (``SharedPreferenceHelper.kt``).
CALLBACK_DISPATCHER_HANDLE_KEY: Final = (
    "dev.fluttercommunity.workmanager.CALLBACK_DISPATCHER_HANDLE_KEY"
)
_PLUGIN_DB: Final = "flutter_workmanager_plugin"
#: Dart's default frequency for periodic tasks (``workmanager_android.dart``): 15 minutes.
DEFAULT_FREQUENCY: Final = timedelta(minutes=15)

BackgroundTaskHandler = Callable[[str, dict[str, Any]], Awaitable[bool]]
BackgroundTaskStoppedHandler = Callable[[str, StopReason], Awaitable[None]]


class PlatformException(Exception):
    """Dart's ``PlatformException``: the Android side of the plugin failed the call."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"PlatformException({code}, {message})")


class UnsupportedError(Exception):
    """Dart's ``UnsupportedError``: the call does not exist on Android."""


class PlatformCall(Generic[_T]):
    """The ``Future`` a plugin call returns; the call already happened. Await it for the result."""

    __slots__ = ("_error", "_value")

    def __init__(self, value: _T | None = None, error: BaseException | None = None) -> None:
        self._value = value
        self._error = error

    def __await__(self) -> Generator[Any, None, _T]:
        if self._error is not None:
            raise self._error
        yield from ()
        return self._value  # type: ignore[return-value]

    def result(self) -> _T:
        """The value, or raise the error (for synchronous callers)."""
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def _whole_seconds(duration: timedelta | None, what: str) -> int | None:
    """Dart's ``Duration.inSeconds``: truncates toward zero (sub-second parts are lost)."""
    if duration is None:
        return None
    if not isinstance(duration, timedelta):
        raise DefinitionError(f"{what} {duration!r} must be a timedelta (Dart Duration)")
    return math.trunc(duration.total_seconds())


def _callback_path(callback: Callable[..., Any]) -> str:
    module = getattr(callback, "__module__", None)
    qualname = getattr(callback, "__qualname__", "")
    if not module or not qualname or "<" in qualname or "." in qualname:
        raise DefinitionError(
            f"callback dispatcher {callback!r} is not a top-level function; the plugin stores a "
            "handle to it (PluginUtilities.getCallbackHandle), so define it at module level"
        )
    return f"{module}:{qualname}"


class Workmanager:
    """``Workmanager()``: the plugin's per-isolate singleton, bound to the running app."""

    def __new__(cls) -> Workmanager:
        app = current_app()
        instance: Workmanager = app.singleton("flutter.workmanager", lambda: object.__new__(cls))
        return instance

    def __init__(self) -> None:
        if not hasattr(self, "_app"):
            self._app: AppInstance = current_app()
            self.background_task_handler: BackgroundTaskHandler | None = None
            self.task_stopped_handler: BackgroundTaskStoppedHandler | None = None
            #: Set by ``execute_task``: the 0.10.10 ``notifyBackgroundChannelInitialized`` signal.
            self._channel_ready: asyncio.Future[None] | None = None

    # --- set-up ---------------------------------------------------------------------------

    def _plugin_store(self) -> Any:
        db = self._app.data.database(_PLUGIN_DB)
        db.execute("CREATE TABLE IF NOT EXISTS handles (key TEXT PRIMARY KEY, value TEXT)")
        return db

    def callback_dispatcher_path(self) -> str | None:
        """The persisted dispatcher (``module:function``), or ``None`` before any initialize."""
        row = (
            self._plugin_store()
            .execute("SELECT value FROM handles WHERE key = ?", (CALLBACK_DISPATCHER_HANDLE_KEY,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def initialize(
        self, callback_dispatcher: Callable[[], Any], *, is_in_debug_mode: bool = False
    ) -> PlatformCall[None]:
        """Persist the dispatcher's handle; ``is_in_debug_mode`` is deprecated and ignored."""
        del is_in_debug_mode
        path = _callback_path(callback_dispatcher)
        with self._plugin_store() as db:
            db.execute(
                "INSERT OR REPLACE INTO handles (key, value) VALUES (?, ?)",
                (CALLBACK_DISPATCHER_HANDLE_KEY, path),
            )
        self._app.sim.record("flutter.initialize", package=self._app.package, dispatcher=path)
        return PlatformCall(None)

    def execute_task(
        self,
        handler: BackgroundTaskHandler,
        *,
        on_task_stopped: BackgroundTaskStoppedHandler | None = None,
    ) -> None:
        """Register this isolate's task handler (call it from the callback dispatcher)."""
        self.background_task_handler = handler
        self.task_stopped_handler = on_task_stopped
        ready = self._channel_ready
        if ready is not None and not ready.done():
            ready.set_result(None)  # 0.10.10: notifyBackgroundChannelInitialized after set-up

    async def wait_for_background_channel(self, timeout_ms: int) -> bool:
        """Wait up to ``timeout_ms`` for ``execute_task`` (0.10.10's Dart-initiated handshake);
        ``True`` once a handler is registered."""
        if self.background_task_handler is not None:
            return True
        self._channel_ready = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._channel_ready), timeout_ms / 1000)
        except TimeoutError:
            return False
        return True

    # --- registering ----------------------------------------------------------------------

    def _work_manager(self) -> WorkManager:
        work_manager = self._app.work_manager
        if work_manager is None:
            raise PlatformException("Exception", "java.lang.IllegalStateException: no WorkManager")
        return work_manager

    def _fail(self, call: str, error: BaseException) -> PlatformCall[Any]:
        self._app.sim.record(
            "flutter.platform_error",
            package=self._app.package,
            call=call,
            error=f"{type(error).__name__}: {error}",
        )
        return PlatformCall(error=error)

    def register_one_off_task(
        self,
        unique_name: str,
        task_name: str,
        *,
        input_data: Mapping[str, Any] | None = None,
        initial_delay: timedelta | None = None,
        constraints: Constraints | None = None,
        existing_work_policy: ExistingWorkPolicy | None = None,
        backoff_policy: BackoffPolicy | None = None,
        backoff_policy_delay: timedelta | None = None,
        tag: str | None = None,
        out_of_quota_policy: OutOfQuotaPolicy | None = None,
        expedited: bool = False,
    ) -> PlatformCall[None]:
        """``registerOneOffTask``: default policy KEEP; initial delay in whole seconds.

        On iOS: ``beginBackgroundTask`` and the task in the running process (:mod:`._ios`)."""
        port = self._ios_port()
        if port is not None:
            if self.callback_dispatcher_path() is None:
                return self._fail(
                    "registerOneOffTask", PlatformException("1", _ios().IOS_INIT_REQUIRED)
                )
            _ios().register_one_off(self._app, unique_name, input_data, initial_delay)
            return PlatformCall(None)
        try:
            self._require_initialized()
            builder = OneTimeWorkRequest.builder(_background_worker_class())
            self._apply_common(
                builder,
                task_name,
                unique_name,
                input_data,
                initial_delay,
                constraints,
                backoff_policy,
                backoff_policy_delay,
                tag,
            )
            if expedited:
                policy = out_of_quota_policy or OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST
                builder.set_expedited(policy.to_android())
            request = builder.build()
            android_policy = (
                existing_work_policy.to_android()
                if existing_work_policy is not None
                else AndroidWorkPolicy.KEEP
            )
            self._work_manager().enqueue_unique_work(unique_name, android_policy, request)
        except Exception as error:
            return self._fail("registerOneOffTask", _as_platform_error(error))
        return PlatformCall(None)

    def register_periodic_task(
        self,
        unique_name: str,
        task_name: str,
        *,
        frequency: timedelta | None = None,
        flex_interval: timedelta | None = None,
        input_data: Mapping[str, Any] | None = None,
        initial_delay: timedelta | None = None,
        constraints: Constraints | None = None,
        existing_work_policy: ExistingPeriodicWorkPolicy | None = None,
        backoff_policy: BackoffPolicy | None = None,
        backoff_policy_delay: timedelta | None = None,
        tag: str | None = None,
    ) -> PlatformCall[None]:
        """``registerPeriodicTask``: 15-minute default frequency, flex only when given, UPDATE.

        On iOS: a ``BGAppRefreshTaskRequest`` named ``unique_name`` at ``now + initial_delay``
        (:mod:`._ios`)."""
        port = self._ios_port()
        if port is not None:
            if self.callback_dispatcher_path() is None:
                return self._fail(
                    "registerPeriodicTask", PlatformException("1", _ios().IOS_INIT_REQUIRED)
                )
            _ios().register_periodic(self._app, unique_name, initial_delay)
            return PlatformCall(None)
        try:
            self._require_initialized()
            frequency_s = _whole_seconds(frequency, "frequency")
            flex_s = _whole_seconds(flex_interval, "flex_interval")
            interval = timedelta(seconds=frequency_s if frequency_s is not None else 900)
            if flex_s is not None:
                builder = PeriodicWorkRequest.builder(
                    _background_worker_class(), interval, timedelta(seconds=flex_s)
                )
            else:
                builder = PeriodicWorkRequest.builder(_background_worker_class(), interval)
            self._apply_common(
                builder,
                task_name,
                unique_name,
                input_data,
                initial_delay,
                constraints,
                backoff_policy,
                backoff_policy_delay,
                tag,
            )
            request = builder.build()
            android_policy = (
                existing_work_policy.to_android()
                if existing_work_policy is not None
                else AndroidPeriodicPolicy.UPDATE
            )
            self._work_manager().enqueue_unique_periodic_work(unique_name, android_policy, request)
        except Exception as error:
            return self._fail("registerPeriodicTask", _as_platform_error(error))
        return PlatformCall(None)

    def _ios_not_initialized(self, call: str) -> PlatformCall[Any]:
        """iOS's ``createInitializationError``: ``PigeonError`` code "1"."""
        return self._fail(call, PlatformException("1", _ios().IOS_INIT_REQUIRED))

    def _ios_port(self) -> IOSSystem | None:
        """iOS when the app runs on an iPhone (``None`` on Android)."""
        return self._app.ios

    def _require_initialized(self) -> None:
        if self.callback_dispatcher_path() is None:
            raise PlatformException("Exception", INIT_REQUIRED)

    def _apply_common(
        self,
        builder: Any,
        task_name: str,
        unique_name: str,
        input_data: Mapping[str, Any] | None,
        initial_delay: timedelta | None,
        constraints: Constraints | None,
        backoff_policy: BackoffPolicy | None,
        backoff_policy_delay: timedelta | None,
        tag: str | None,
    ) -> None:
        builder.set_input_data(encode_input(task_name, unique_name, input_data))
        delay_s = _whole_seconds(initial_delay, "initial_delay")
        builder.set_initial_delay(timedelta(seconds=delay_s or 0))
        if constraints is not None:
            builder.set_constraints(constraints.to_android())
        if backoff_policy is not None and backoff_policy_delay is not None:
            # Only when both are given; otherwise WorkManager's EXPONENTIAL 30 s applies.
            delay_ms = math.trunc(backoff_policy_delay.total_seconds() * 1000)
            builder.set_backoff_criteria(backoff_policy.to_android(), delay_ms)
        if tag is not None:
            builder.add_tag(tag)

    # --- cancelling and querying ----------------------------------------------------------

    def cancel_by_unique_name(self, unique_name: str) -> PlatformCall[None]:
        """``cancelByUniqueName`` -> ``WorkManager.cancelUniqueWork`` (iOS: cancel the request)."""
        port = self._ios_port()
        if port is not None:
            port.scheduler(self._app.package).cancel(unique_name)
            return PlatformCall(None)
        self._work_manager().cancel_unique_work(unique_name)
        return PlatformCall(None)

    def cancel_by_tag(self, tag: str) -> PlatformCall[None]:
        """``cancelByTag`` -> ``WorkManager.cancelAllWorkByTag`` (iOS: ``UnsupportedError``)."""
        if self._ios_port() is not None:
            raise UnsupportedError("cancelByTag is not supported on iOS")
        self._work_manager().cancel_all_work_by_tag(tag)
        return PlatformCall(None)

    def cancel_all(self) -> PlatformCall[None]:
        """``cancelAll`` -> ``WorkManager.cancelAllWork`` (iOS: ``cancelAllTaskRequests``)."""
        port = self._ios_port()
        if port is not None:
            port.scheduler(self._app.package).cancel_all()
            return PlatformCall(None)
        self._work_manager().cancel_all_work()
        return PlatformCall(None)

    def is_scheduled_by_unique_name(self, unique_name: str) -> PlatformCall[bool]:
        """True only when the name has work and all of it is ENQUEUED or RUNNING (Android only:
        iOS throws ``UnsupportedError``)."""
        if self._ios_port() is not None:
            raise UnsupportedError("isScheduledByUniqueName is not supported on iOS")
        infos = self._work_manager().get_work_infos_for_unique_work(unique_name)
        scheduled = bool(infos) and all(
            info.state in (State.ENQUEUED, State.RUNNING) for info in infos
        )
        return PlatformCall(scheduled)

    def get_work_info(self, unique_name: str) -> PlatformCall[WorkInfo | None]:
        """``getWorkInfo`` (0.10.3+): the first WorkInfo of the name, in Dart's terms.

        ``task_name`` is read from the *output* data, as the plugin does, so it is usually None.
        """
        infos = self._work_manager().get_work_infos_for_unique_work(unique_name)
        if not infos:
            return PlatformCall(None)
        first = infos[0]
        return PlatformCall(
            WorkInfo(
                unique_name=unique_name,
                state=WorkState.from_android(first.state),
                run_attempt_count=first.run_attempt_count,
                is_periodic=first.periodicity_info is not None,
                task_name=first.output_data.get_string(
                    "dev.fluttercommunity.workmanager.DART_TASK"
                ),
            )
        )

    def register_processing_task(
        self,
        unique_name: str,
        task_name: str,
        *,
        initial_delay: timedelta | None = None,
        input_data: Mapping[str, Any] | None = None,
        constraints: Constraints | None = None,
    ) -> PlatformCall[None]:
        """iOS only (a ``BGProcessingTaskRequest``); on Android it throws ``UnsupportedError``."""
        del task_name, input_data  # the iOS side never delivers them
        port = self._ios_port()
        if port is None:
            raise UnsupportedError("Processing tasks are not supported on Android")
        if self.callback_dispatcher_path() is None:
            return self._fail(
                "registerProcessingTask", PlatformException("1", _ios().IOS_INIT_REQUIRED)
            )
        _ios().register_processing(self._app, unique_name, initial_delay, constraints)
        return PlatformCall(None)

    def register_continued_processing_task(
        self,
        unique_name: str,
        task_name: str,
        *,
        title: str | None = None,
        subtitle: str | None = None,
        input_data: Mapping[str, Any] | None = None,
    ) -> PlatformCall[None]:
        """iOS 26 only (a ``BGContinuedProcessingTaskRequest``, :mod:`._ios`); on Android it
        throws ``UnsupportedError`` (workmanager_android.dart)."""
        port = self._ios_port()
        if port is None:
            raise UnsupportedError("Continued processing tasks are not supported on Android")
        if self.callback_dispatcher_path() is None:
            return self._fail(
                "registerContinuedProcessingTask", PlatformException("1", _ios().IOS_INIT_REQUIRED)
            )
        _ios().register_continued(self._app, unique_name, task_name, title, subtitle, input_data)
        return PlatformCall(None)

    def print_scheduled_tasks(self) -> PlatformCall[str]:
        """iOS only (the pending requests); on Android it throws ``UnsupportedError``."""
        port = self._ios_port()
        if port is None:
            raise UnsupportedError("printScheduledTasks is not supported on Android")
        return PlatformCall(_ios().print_scheduled_tasks(self._app))


def _as_platform_error(error: Exception) -> Exception:
    if isinstance(error, PlatformException):
        return error
    if isinstance(error, PayloadTypeError):
        return PlatformException(
            "IllegalArgumentException", f"java.lang.IllegalArgumentException: {error}"
        )
    return PlatformException(type(error).__name__, f"{type(error).__name__}: {error}")


def _background_worker_class() -> type[Any]:
    from harness.flutter._worker import BackgroundWorker  # the worker imports this module

    return BackgroundWorker
