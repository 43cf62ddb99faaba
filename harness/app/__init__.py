"""The app runtime: apps and their processes, device-bound HTTP, storage that survives kills.

App code reaches its environment through ambient accessors bound to the app instance whose code
is running (``http``, ``SharedPreferences``, ``Hive``, ``open_database``, ``notifications``), so
code ported from Dart keeps its shape.
"""

from harness.app._context import AppInstance, NoAppRunningError, Notification, current_app
from harness.app._http import DeviceTransport, Link, NetworkPort, SyncDeviceTransport, http
from harness.app._imports import fresh_imports
from harness.app._runtime import App, AppRuntime, Process
from harness.app._storage import Box, Hive, SharedPreferences, notifications, open_database

__all__ = [
    "App",
    "AppInstance",
    "AppRuntime",
    "Box",
    "DeviceTransport",
    "Hive",
    "Link",
    "NetworkPort",
    "NoAppRunningError",
    "Notification",
    "Process",
    "SharedPreferences",
    "SyncDeviceTransport",
    "current_app",
    "fresh_imports",
    "http",
    "notifications",
    "open_database",
]
