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
