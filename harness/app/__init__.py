"""The app runtime: app instances, device-bound HTTP, and storage that survives kills."""

from harness.app._context import AppInstance, NoAppRunningError, Notification, current_app
from harness.app._storage import Box, Hive, SharedPreferences, notifications, open_database

__all__ = [
    "AppInstance",
    "Box",
    "Hive",
    "NoAppRunningError",
    "Notification",
    "SharedPreferences",
    "current_app",
    "notifications",
    "open_database",
]
