"""Android 15's time limit on ``dataSync`` foreground services, as WorkManager's service meets it.

From Android 15 a foreground service of type ``dataSync`` may run 6 hours in 24
(AOSP ``services/core/java/com/android/server/am/ActivityManagerConstants.java``:
``DEFAULT_DATA_SYNC_FGS_TIMEOUT_DURATION = 6 * 60 * 60_000``; ``ActiveServices``'
``TimeLimitedFgsInfo``, reset after 24 hours or when the app comes to the top). At the limit the
system calls ``Service.onTimeout(startId, fgsType)``; WorkManager's ``SystemForegroundService``
(2.10 on) hands it to ``SystemForegroundDispatcher.onTimeout``, which stops every foreground run
whose ``ForegroundInfo`` has exactly that type with ``WorkInfo.STOP_REASON_FOREGROUND_SERVICE_
TIMEOUT`` (-128; ``WorkManagerImpl.stopForegroundWork``) and stops the service. The stopped runs
go back to ENQUEUED with that stop reason, to run again as ordinary work.

Modelling choice: the simulated device starts a foreground service only for an app on top, where
the budget resets, so each dataSync service gets its 6 hours from the moment it starts; the
budget's recharge when the user opens the app during the run is not modelled.
"""

from __future__ import annotations

import asyncio
from typing import Final

from harness._units import MS_PER_HOUR
from harness.sim import Simulation
from harness.workmanager._enums import StopReason
from harness.workmanager._foreground import ForegroundInfo
from harness.workmanager._processor import Processor

#: ``ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC``.
FOREGROUND_SERVICE_TYPE_DATA_SYNC: Final = 1
#: ``ActivityManagerConstants.DEFAULT_DATA_SYNC_FGS_TIMEOUT_DURATION`` (Android 15 on).
DATA_SYNC_FGS_TIMEOUT_MS: Final = 6 * MS_PER_HOUR


class DataSyncTimeLimit:
    """One app process's dataSync foreground-service timer (Android 15 and later)."""

    __slots__ = ("_handle", "_processor", "_sim")

    def __init__(self, sim: Simulation, processor: Processor) -> None:
        self._sim = sim
        self._processor = processor
        self._handle: asyncio.TimerHandle | None = None
        processor.foreground_service_stopped = self._service_stopped

    def service_started(self, info: ForegroundInfo) -> None:
        """The foreground service runs (or is updated) with ``info``: a dataSync type starts the
        timer, unless it already runs."""
        if (
            info.foreground_service_type & FOREGROUND_SERVICE_TYPE_DATA_SYNC
            and self._handle is None
        ):
            self._handle = self._sim.call_later(DATA_SYNC_FGS_TIMEOUT_MS, self._timed_out)

    def _service_stopped(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _timed_out(self) -> None:
        """``SystemForegroundDispatcher.onTimeout(startId, FOREGROUND_SERVICE_TYPE_DATA_SYNC)``."""
        self._handle = None
        for work_spec_id, info in self._processor.foreground_runs().items():
            if info.foreground_service_type == FOREGROUND_SERVICE_TYPE_DATA_SYNC:
                self._processor.stop_foreground_work(
                    work_spec_id, StopReason.STOP_REASON_FOREGROUND_SERVICE_TIMEOUT
                )
