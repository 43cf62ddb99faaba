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
(:mod:`harness.workmanager._fgs_timeout`). Android 14's type checks against the manifest
(``MissingForegroundServiceTypeException``) are not modelled: the simulated app has no manifest.
Without a device (the in-process :class:`TestScheduler`) every start is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias
from uuid import UUID


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


class ForegroundUpdater(Protocol):
    """Moves a running worker into the foreground (``androidx.work.ForegroundUpdater``)."""

    def set_foreground(self, work_spec_id: UUID, foreground_info: ForegroundInfo) -> None:
        """Run the work in the foreground service; raises as ``setForegroundAsync``'s future."""


#: ``ContextCompat.startForegroundService`` for one app process: starts (or updates) the
#: foreground service for a run, or raises :class:`ForegroundServiceStartNotAllowedException`.
ForegroundServiceStarter: TypeAlias = Callable[[str, ForegroundInfo], None]
