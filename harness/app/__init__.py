"""The app runtime: apps and their processes, device-bound HTTP, storage that survives kills.

App code reaches its environment through ambient accessors bound to the app instance whose code
is running (``http``, ``SharedPreferences``, ``Hive``, ``open_database``, ``notifications``), so
code ported from Dart keeps its shape.
"""

from harness._exceptions import NoAppRunningError
from harness.app._context import (
    AppInstance,
    Notification,
    current_app,
    current_work_id,
    enter_app,
    run_as,
)
from harness.app._http import DeviceTransport, Link, NetworkPort, SyncDeviceTransport, http
from harness.app._imports import fresh_imports
from harness.app._runtime import App, AppRuntime, Process
from harness.app._storage import Box, Hive, SharedPreferences, notifications, open_database
from harness.app._storage_reader import AppStorage
from harness.app._usercode import ModuleSource, import_user_module, read_module

__all__ = [
    "App",
    "AppInstance",
    "AppRuntime",
    "AppStorage",
    "Box",
    "DeviceTransport",
    "Hive",
    "Link",
    "ModuleSource",
    "NetworkPort",
    "NoAppRunningError",
    "Notification",
    "Process",
    "SharedPreferences",
    "SyncDeviceTransport",
    "current_app",
    "current_work_id",
    "enter_app",
    "fresh_imports",
    "http",
    "import_user_module",
    "notifications",
    "open_database",
    "read_module",
    "run_as",
]
