"""The flutter ``workmanager`` plugin (0.10.x, Android and iOS) in snake_case, on the simulation.

A port of a Dart app's background code reads almost line by line::

    from harness.flutter import Workmanager

    def main() -> None:                       # runs when the user opens the app
        Workmanager().initialize(callback_dispatcher)
        Workmanager().register_periodic_task("sync", "sync", frequency=timedelta(hours=1))

    def callback_dispatcher() -> None:        # runs in every fresh background engine
        async def handler(task: str, input_data: dict) -> bool:
            ...
            return True
        Workmanager().execute_task(handler)
"""

from typing import TYPE_CHECKING, Final

from harness._lazy import lazy_names

if TYPE_CHECKING:
    from harness.flutter._ios import IOS_INIT_REQUIRED, IOS_PERFORM_FETCH, WorkmanagerPlugin
    from harness.flutter._payload import DART_TASK_KEY, PayloadTypeError
    from harness.flutter._plugin import (
        INIT_REQUIRED,
        PlatformCall,
        PlatformException,
        UnsupportedError,
        Workmanager,
    )
    from harness.flutter._types import (
        BackoffPolicy,
        Constraints,
        ExistingPeriodicWorkPolicy,
        ExistingWorkPolicy,
        NetworkType,
        OutOfQuotaPolicy,
        StopReason,
        WorkInfo,
        WorkState,
    )
    from harness.flutter._versions import (
        DART_INITIALIZATION_TIMEOUT_MS,
        DEFAULT_PLUGIN_VERSION,
        PluginVersion,
    )
    from harness.flutter._worker import ENGINE_START_MS, BackgroundWorker

#: Each public name's private module, imported when the name is first read (module
#: ``__getattr__``, PEP 562): a run imports only the parts it uses (issue 14 (h)).
_LAZY: Final[dict[str, str]] = {
    "BackgroundWorker": "_worker",
    "BackoffPolicy": "_types",
    "Constraints": "_types",
    "DART_INITIALIZATION_TIMEOUT_MS": "_versions",
    "DART_TASK_KEY": "_payload",
    "DEFAULT_PLUGIN_VERSION": "_versions",
    "ENGINE_START_MS": "_worker",
    "ExistingPeriodicWorkPolicy": "_types",
    "ExistingWorkPolicy": "_types",
    "INIT_REQUIRED": "_plugin",
    "IOS_INIT_REQUIRED": "_ios",
    "IOS_PERFORM_FETCH": "_ios",
    "NetworkType": "_types",
    "OutOfQuotaPolicy": "_types",
    "PayloadTypeError": "_payload",
    "PlatformCall": "_plugin",
    "PlatformException": "_plugin",
    "PluginVersion": "_versions",
    "StopReason": "_types",
    "UnsupportedError": "_plugin",
    "WorkInfo": "_types",
    "WorkState": "_types",
    "Workmanager": "_plugin",
    "WorkmanagerPlugin": "_ios",
}

__all__ = [
    "DART_INITIALIZATION_TIMEOUT_MS",
    "DART_TASK_KEY",
    "DEFAULT_PLUGIN_VERSION",
    "ENGINE_START_MS",
    "INIT_REQUIRED",
    "IOS_INIT_REQUIRED",
    "IOS_PERFORM_FETCH",
    "BackgroundWorker",
    "BackoffPolicy",
    "Constraints",
    "ExistingPeriodicWorkPolicy",
    "ExistingWorkPolicy",
    "NetworkType",
    "OutOfQuotaPolicy",
    "PayloadTypeError",
    "PlatformCall",
    "PlatformException",
    "PluginVersion",
    "StopReason",
    "UnsupportedError",
    "WorkInfo",
    "WorkState",
    "Workmanager",
    "WorkmanagerPlugin",
]


__getattr__ = lazy_names(__name__, _LAZY, globals())
