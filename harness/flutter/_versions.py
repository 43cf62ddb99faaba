"""``PluginVersion``: the flutter ``workmanager`` plugin releases modelled, and how they differ.

0.10.7 and 0.10.9 read at their source, ``workmanager_android/.../BackgroundWorker.kt``; 0.10.10
from its release notes and PR #739's description (its source is not in the snapshot read here):

* **0.10.7** (fluttercommunity/flutter_workmanager @af5d75a, "publish packages — workmanager
  0.10.7"): ``startWork`` runs the callback dispatcher and waits for the Dart side's
  ``backgroundChannelInitialized`` acknowledgement with no time limit, so a dispatcher that never
  calls ``executeTask`` leaves the work RUNNING until the system stops it. ``onStopped`` calls
  the Pigeon ``onTaskStopped`` from WorkManager's executor thread; the engine only accepts calls
  on the main thread, so the call throws, the plugin catches it and tears the engine down: Dart's
  ``onTaskStopped`` never runs (issue #732).
* **0.10.9** (``workmanager_android`` 0.10.8, 2026-08-20): a ``DartInitializationWatchdog`` armed
  after the dispatcher starts fails the run with ``Result.failure()`` when the acknowledgement has
  not come within ``DART_INITIALIZATION_TIMEOUT_MILLIS`` (30 s); ``onStopped`` posts to the main
  looper, so ``onTaskStopped`` reaches Dart before the engine is destroyed.
* **0.10.10** (``workmanager_android`` 0.10.9, 2026-09-07, the newest release; PR #739 fixing
  #738): the handshake is Dart-initiated again. Up to 0.10.9 the native side sent
  ``backgroundChannelInitialized`` to the isolate right after ``executeDartCallback``; a
  dispatcher that had not registered its handlers yet (``executeTask``) lost the message, so the
  task never ran (0.10.7 hung, 0.10.9's watchdog failed the run after 30 s). From 0.10.10 Dart
  calls ``notifyBackgroundChannelInitialized`` after registering its handlers and only then does
  the native side invoke the task: a dispatcher that awaits before ``execute_task`` still runs
  its task. The 30 s watchdog stays for a dispatcher that never calls back.

Dart's ``StopReason`` numbering (``workmanager_platform_interface/lib/src/stop_reason.dart``:
unknown 0, timeout 1, preempt 2, cancelledByApp 3, ...) is the same in both releases and differs
from Android's (1 = cancelled by app, 3 = timeout, ...): :class:`harness.flutter.StopReason`.
"""

from __future__ import annotations

import enum
from typing import Final

from harness._exceptions import DefinitionError


class PluginVersion(enum.Enum):
    """A flutter ``workmanager`` release the facade models (``versions.flutter_workmanager``)."""

    V0_10_7 = "0.10.7"  # waits for Dart forever; onTaskStopped never reaches Dart
    V0_10_9 = "0.10.9"  # 30 s initialization watchdog; onTaskStopped on the main looper
    V0_10_10 = "0.10.10"  # Dart-initiated handshake: a late execute_task is not lost (#738)

    @property
    def has_initialization_watchdog(self) -> bool:
        """A dispatcher that never acknowledges fails the run after 30 s (0.10.9 on)."""
        return self is not PluginVersion.V0_10_7

    @property
    def delivers_task_stopped(self) -> bool:
        """``onTaskStopped`` reaches Dart (0.10.9 on: sent from the main looper)."""
        return self is not PluginVersion.V0_10_7

    @property
    def has_dart_initiated_handshake(self) -> bool:
        """Dart signals readiness after ``execute_task`` and the task runs then (0.10.10 on)."""
        return self is PluginVersion.V0_10_10

    @classmethod
    def parse(cls, value: object, field: str = "versions.flutter_workmanager") -> PluginVersion:
        """``value`` as a member: "0.10.7", "0.10.9", or "0.10.10" and any later 0.10.x release
        (which keep 0.10.10's start-up); anything else is a :class:`DefinitionError` naming
        ``field``, the value and the allowed versions."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().split("+", 1)[0]  # pub build suffix: 0.10.9+1
        parts = text.split(".")
        if isinstance(value, str) and len(parts) == 3 and all(p.isdigit() for p in parts):
            if text == cls.V0_10_7.value:
                return cls.V0_10_7
            if text == cls.V0_10_9.value:
                return cls.V0_10_9
            if parts[:2] == ["0", "10"] and int(parts[2]) >= 10:
                return cls.V0_10_10
        allowed = ", ".join(member.value for member in cls)
        raise DefinitionError(
            f"{field}: {value!r} is not a modelled flutter workmanager plugin version; allowed: "
            f"{allowed} (0.10.10 stands for 0.10.10 and every later 0.10.x release)"
        )


#: The newest stable release (0.10.10, 2026-09-07): what a scenario gets when it pins nothing.
DEFAULT_PLUGIN_VERSION: Final = PluginVersion.V0_10_10
#: ``BackgroundWorker.DART_INITIALIZATION_TIMEOUT_MILLIS`` (0.10.9 on).
DART_INITIALIZATION_TIMEOUT_MS: Final = 30_000
