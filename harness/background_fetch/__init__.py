"""The transistorsoft ``background_fetch`` Flutter plugin (1.6.x) on the simulation, both platforms.

A port of a Dart app's fetch code reads line by line::

    from harness.background_fetch import BackgroundFetch, BackgroundFetchConfig

    def main() -> None:                       # runs when the user opens the app
        BackgroundFetch.configure(
            BackgroundFetchConfig(minimum_fetch_interval=15), on_fetch, on_timeout
        )

    async def on_fetch(task_id: str) -> None:
        ...                                   # the sync
        BackgroundFetch.finish(task_id)

Android schedules through JobScheduler (job 999) or AlarmManager; iOS through BGTaskScheduler
(``com.transistorsoft.fetch``). See docs/background-fetch.md.
"""

from typing import TYPE_CHECKING, Final

from harness._lazy import lazy_names

if TYPE_CHECKING:
    from harness.background_fetch._android import AndroidBackgroundFetch
    from harness.background_fetch._config import (
        ALARM_WAKELOCK_MS,
        DART_FETCH_TASK_ID,
        FETCH_JOB_ID,
        FETCH_TASK_ID,
        MAX_TIME_MS,
        STATUS_AVAILABLE,
        STATUS_DENIED,
        STATUS_RESTRICTED,
        BackgroundFetchConfig,
        NativeConfig,
        NetworkType,
        TaskConfig,
        java_string_hash,
    )
    from harness.background_fetch._ios import attach_ios
    from harness.background_fetch._plugin import (
        BackgroundFetch,
        HeadlessTask,
        android_native,
        attach_android,
    )
    from harness.background_fetch._requests import FETCH_ALARM_RECEIVER, FETCH_JOB_SERVICE

#: Each public name's private module, imported when the name is first read (module
#: ``__getattr__``, PEP 562): a run imports only the parts it uses (issue 14 (h)).
_LAZY: Final[dict[str, str]] = {
    "ALARM_WAKELOCK_MS": "_config",
    "AndroidBackgroundFetch": "_android",
    "BackgroundFetch": "_plugin",
    "BackgroundFetchConfig": "_config",
    "DART_FETCH_TASK_ID": "_config",
    "FETCH_ALARM_RECEIVER": "_requests",
    "FETCH_JOB_ID": "_config",
    "FETCH_JOB_SERVICE": "_requests",
    "FETCH_TASK_ID": "_config",
    "HeadlessTask": "_plugin",
    "MAX_TIME_MS": "_config",
    "NativeConfig": "_config",
    "NetworkType": "_config",
    "STATUS_AVAILABLE": "_config",
    "STATUS_DENIED": "_config",
    "STATUS_RESTRICTED": "_config",
    "TaskConfig": "_config",
    "android_native": "_plugin",
    "attach_android": "_plugin",
    "attach_ios": "_ios",
    "java_string_hash": "_config",
}

__all__ = [
    "ALARM_WAKELOCK_MS",
    "DART_FETCH_TASK_ID",
    "FETCH_ALARM_RECEIVER",
    "FETCH_JOB_ID",
    "FETCH_JOB_SERVICE",
    "FETCH_TASK_ID",
    "MAX_TIME_MS",
    "STATUS_AVAILABLE",
    "STATUS_DENIED",
    "STATUS_RESTRICTED",
    "AndroidBackgroundFetch",
    "BackgroundFetch",
    "BackgroundFetchConfig",
    "HeadlessTask",
    "NativeConfig",
    "NetworkType",
    "TaskConfig",
    "android_native",
    "attach_android",
    "attach_ios",
    "java_string_hash",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
