"""Long-running work in a foreground service: ``ForegroundInfo`` and ``setForegroundAsync``.

A worker that calls :meth:`ListenableWorker.set_foreground_async` (or
``CoroutineWorker.set_foreground``) asks WorkManager to run it in its foreground service
(``SystemForegroundService``, driven by ``SystemForegroundDispatcher``) with a notification
(``W/impl/utils/WorkForegroundUpdater.java``, ``W/impl/Processor.java`` ``startForeground``):

* the call fails (androidx: ``IllegalStateException``; here :class:`~harness.HarnessRuntimeError`)
  once the work is finished;
* the ``Processor`` moves the run to its foreground runs *first*, then starts the service
  (``ContextCompat.startForegroundService``). From Android 12 an app in the background may not
  start a foreground service: the start throws ``ForegroundServiceStartNotAllowedException``
  (:class:`ForegroundServiceStartNotAllowedException`), and the worker sees it from
  ``set_foreground_async``'s future (catch it and carry on as ordinary work, as the
  documentation advises). The run stays among the foreground runs either way, as androidx's,
  so JobScheduler's stops do not stop it either (once the process is cached, the cached-app
  freezer suspends the run until the process thaws, as on a phone: harness/phone/_freezer.py);
* a run in the foreground is no longer stopped by JobScheduler: ``Processor.stopWork`` ignores
  it ("WorkerWrapper ... is in foreground"), so when its job reaches the execution limit (or loses
  a constraint) the *job* ends and is rescheduled while the *work* continues in the foreground
  service until it finishes. Cancelling the work still stops it (``stopAndCancelWork``);
* when the last foreground run ends the service stops.

The harness models who may start a foreground service from the device's state: on Android 12+
only an app with a visible activity (on top) may; the other documented exemptions (allow-listed
apps, exact alarms, high-priority messages, ...) are not modelled. From Android 15 a ``dataSync``
service (``foreground_service_type`` 1) is stopped after 6 hours and its runs with it
(:mod:`harness.workmanager._fgs_timeout`). Without a device (the in-process
:class:`TestScheduler`) every start is allowed.

The service's type is checked against the app's manifest (:class:`AndroidManifest`, the app
module's ``ANDROID_MANIFEST``), as AOSP ``ActiveServices.setServiceForegroundInnerLocked`` does
when ``SystemForegroundService`` calls ``startForeground(id, notification, type)`` (androidx
passes the ``ForegroundInfo``'s type as is, 0 included, from API 29):

* API 28+, targetSdk 28+: the ``FOREGROUND_SERVICE`` permission, which WorkManager's own
  manifest declares (so always held);
* API 29+: the type must be a subset of the ``foregroundServiceType`` declared on
  ``SystemForegroundService`` or :class:`IllegalArgumentException` ("foregroundServiceType 0x...
  is not a subset of foregroundServiceType attribute 0x... in service element of manifest
  file"). WorkManager's library manifest declares no type, so an app must declare it;
* API 34+, targetSdk 34+ (``validateForegroundServiceType``, ``ForegroundServiceTypePolicy``):
  type 0 is prohibited (:class:`InvalidForegroundServiceTypeException`; AOSP throws
  ``MissingForegroundServiceTypeException`` only for a ``startForeground`` *without* a type
  argument, which WorkManager never makes from API 29), and each type needs its
  ``FOREGROUND_SERVICE_<TYPE>`` permission or :class:`SecurityException`. The other
  prerequisites of some types (location, camera, ... runtime permissions) are not modelled.

Simplification: on a phone these checks run in ``SystemForegroundService.onStartCommand`` after
``setForegroundAsync``'s future has completed, and the exception (but a ``SecurityException``,
which androidx catches and logs) crashes the app's process. The harness raises it from
``set_foreground``'s future instead and records ``work.foreground_refused``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol, TypeAlias
from uuid import UUID

from harness._exceptions import DefinitionError

#: ``android.Manifest.permission.FOREGROUND_SERVICE`` (API 28).
FOREGROUND_SERVICE: Final = "android.permission.FOREGROUND_SERVICE"

#: ``ServiceInfo.FOREGROUND_SERVICE_TYPE_*`` by manifest name (``android:foregroundServiceType``)
#: and the ``FOREGROUND_SERVICE_<TYPE>`` permission each needs from targetSdk 34
#: (``ForegroundServiceTypePolicy``; ``shortService`` needs none).
FOREGROUND_SERVICE_TYPES: Final[dict[str, tuple[int, str | None]]] = {
    "dataSync": (1, "android.permission.FOREGROUND_SERVICE_DATA_SYNC"),
    "mediaPlayback": (2, "android.permission.FOREGROUND_SERVICE_MEDIA_PLAYBACK"),
    "phoneCall": (4, "android.permission.FOREGROUND_SERVICE_PHONE_CALL"),
    "location": (8, "android.permission.FOREGROUND_SERVICE_LOCATION"),
    "connectedDevice": (16, "android.permission.FOREGROUND_SERVICE_CONNECTED_DEVICE"),
    "mediaProjection": (32, "android.permission.FOREGROUND_SERVICE_MEDIA_PROJECTION"),
    "camera": (64, "android.permission.FOREGROUND_SERVICE_CAMERA"),
    "microphone": (128, "android.permission.FOREGROUND_SERVICE_MICROPHONE"),
    "health": (256, "android.permission.FOREGROUND_SERVICE_HEALTH"),
    "remoteMessaging": (512, "android.permission.FOREGROUND_SERVICE_REMOTE_MESSAGING"),
    "systemExempted": (1024, "android.permission.FOREGROUND_SERVICE_SYSTEM_EXEMPTED"),
    "shortService": (2048, None),
    "mediaProcessing": (8192, "android.permission.FOREGROUND_SERVICE_MEDIA_PROCESSING"),
    "specialUse": (1 << 30, "android.permission.FOREGROUND_SERVICE_SPECIAL_USE"),
}
#: The newest targetSdk modelled (Android 16): an app's default.
NEWEST_TARGET_SDK: Final = 36


@dataclass(frozen=True, slots=True)
class AndroidManifest:
    """What an app's merged ``AndroidManifest.xml`` says about WorkManager's foreground service.

    ``foreground_service_types`` are the ``android:foregroundServiceType`` names declared on
    ``androidx.work.impl.foreground.SystemForegroundService`` (WorkManager's own entry declares
    none: "Declare foreground service types in the app manifest"); ``permissions`` the app's
    ``uses-permission`` names (the manifest merger adds WorkManager's ``FOREGROUND_SERVICE``);
    ``target_sdk`` the app's ``targetSdkVersion``. An app module declares it as
    ``ANDROID_MANIFEST``; without one an app has this default: WorkManager's library manifest
    alone (``work/work-runtime/src/main/AndroidManifest.xml``: ``FOREGROUND_SERVICE``, and
    ``SystemForegroundService`` without ``android:foregroundServiceType``) and the newest
    targetSdk.
    """

    foreground_service_types: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    target_sdk: int = NEWEST_TARGET_SDK

    def __post_init__(self) -> None:
        unknown = [t for t in self.foreground_service_types if t not in FOREGROUND_SERVICE_TYPES]
        if unknown:
            raise DefinitionError(
                f"unknown foreground service type {unknown[0]!r}; "
                f"one of {', '.join(FOREGROUND_SERVICE_TYPES)}"
            )

    @property
    def held_permissions(self) -> frozenset[str]:
        """The merged manifest's permissions: the app's and WorkManager's."""
        return frozenset((*self.permissions, FOREGROUND_SERVICE))

    @property
    def foreground_service_type_mask(self) -> int:
        """The declared types as ``ServiceInfo.FOREGROUND_SERVICE_TYPE_*`` flags."""
        mask = 0
        for name in self.foreground_service_types:
            mask |= FOREGROUND_SERVICE_TYPES[name][0]
        return mask


@dataclass(frozen=True, slots=True)
class ForegroundInfo:
    """``androidx.work.ForegroundInfo``: the notification the foreground service shows.

    ``notification`` is its text (the harness has no ``Notification`` object);
    ``foreground_service_type`` is ``ServiceInfo.FOREGROUND_SERVICE_TYPE_*`` (0: none).
    """

    notification_id: int
    notification: str
    foreground_service_type: int = 0


class ForegroundServiceStartNotAllowedException(RuntimeError):
    """``android.app.ForegroundServiceStartNotAllowedException`` (API 31): the app may not start a
    foreground service now (it is in the background)."""


class InvalidForegroundServiceTypeException(RuntimeError):
    """``android.app.InvalidForegroundServiceTypeException`` (API 34): ``startForeground`` with
    a type the app's targetSdk prohibits (type 0, "none", from targetSdk 34)."""


class IllegalArgumentException(ValueError):
    """``java.lang.IllegalArgumentException`` from ``startForeground``: the type is not a subset
    of the types the manifest declares on the service."""


class SecurityException(RuntimeError):
    """``java.lang.SecurityException`` from ``startForeground``: a permission the service's type
    needs is not held."""


def _hex(flags: int) -> str:
    return f"0x{flags:08X}"


def check_start_foreground(manifest: AndroidManifest, info: ForegroundInfo, api: int) -> None:
    """``Service.startForeground(id, notification, info.foreground_service_type)`` of
    ``SystemForegroundService`` on a device of SDK level ``api``: raise as AOSP
    ``ActiveServices.setServiceForegroundInnerLocked`` would (see the module docstring)."""
    # FOREGROUND_SERVICE (enforced from targetSdk 28) is always held: WorkManager declares it
    if api < 29:  # SystemForegroundService calls startForeground(id, notification): no type
        return
    requested = info.foreground_service_type
    declared = manifest.foreground_service_type_mask
    if requested & declared != requested:
        raise IllegalArgumentException(
            f"foregroundServiceType {_hex(requested)} is not a subset of foregroundServiceType "
            f"attribute {_hex(declared)} in service element of manifest file"
        )
    if api < 34 or manifest.target_sdk < 34:
        return
    if requested == 0:  # FGS_TYPE_NONE_DISABLED_CHANGE_ID: "none" disabled from targetSdk 34
        raise InvalidForegroundServiceTypeException(
            f"Starting FGS with type none targetSDK={manifest.target_sdk} has been prohibited"
        )
    # validateForegroundServiceType, one type at a time from the highest bit
    for name, (flag, permission) in sorted(
        FOREGROUND_SERVICE_TYPES.items(), key=lambda item: -item[1][0]
    ):
        if (
            requested & flag
            and permission is not None
            and permission not in manifest.held_permissions
        ):
            raise SecurityException(
                f"Starting FGS with type {name} targetSDK={manifest.target_sdk} "
                f"requires permissions: all of the permissions allOf=true [{permission}]"
            )


class ForegroundUpdater(Protocol):
    """Moves a running worker into the foreground (``androidx.work.ForegroundUpdater``)."""

    def set_foreground(self, work_spec_id: UUID, foreground_info: ForegroundInfo) -> None:
        """Run the work in the foreground service; raises as ``setForegroundAsync``'s future."""


#: ``ContextCompat.startForegroundService`` for one app process: starts (or updates) the
#: foreground service for a run, or raises :class:`ForegroundServiceStartNotAllowedException`.
ForegroundServiceStarter: TypeAlias = Callable[[str, ForegroundInfo], None]
