"""Jobs after doze ends: ``DeviceIdleJobsController``'s 3-second delay for background apps.

AOSP ``apex/jobscheduler/service/java/com/android/server/job/controllers/
DeviceIdleJobsController.java``: doze (deep *or* light idle mode: ``updateIdleMode(
isDeviceIdleMode() || isLightDeviceIdleMode())``) marks every job's not-dozing constraint
unsatisfied. When idle mode ends (a maintenance window opens, or the device leaves doze),
``updateIdleMode(false)`` re-evaluates the jobs of foreground UIDs at once and posts
``PROCESS_BACKGROUND_JOBS`` after ``BACKGROUND_JOBS_DELAY`` (3 s) for all the others; entering
idle mode again before then removes that message, so background jobs get nothing from a window
that closes within 3 s. A job scheduled after idle mode ended is tracked satisfied at once
(``maybeStartTrackingJobLocked``), and an app that comes to the foreground meanwhile has its
jobs re-evaluated at once (``setUidActiveLocked``). Expedited jobs run in doze anyway
(``JobStatus.canRunInDoze``), so the delay never holds them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Final

from harness.platform._jobs import JobStatus
from harness.platform._wakeup import EVALUATE_PRIORITY
from harness.sim import Simulation

#: ``DeviceIdleJobsController.BACKGROUND_JOBS_DELAY``.
BACKGROUND_JOBS_DELAY_MS: Final = 3_000


class DozeExit:
    """Which pending jobs still wait for ``PROCESS_BACKGROUND_JOBS`` after idle mode ended."""

    def __init__(self, sim: Simulation, on_release: Callable[[], None], *, idle: bool) -> None:
        self._sim = sim
        self._on_release = on_release
        self._idle = idle  # mDeviceIdleMode as last seen
        self._held: dict[tuple[str, int], JobStatus] = {}
        self._handle: asyncio.TimerHandle | None = None

    def observe(self, idle: bool, jobs: Iterable[JobStatus]) -> None:
        """``updateIdleMode(idle)``: on leaving idle mode hold the pending ``jobs`` for 3 s; on
        entering it drop the pending release (``removeMessages(PROCESS_BACKGROUND_JOBS)``)."""
        if idle == self._idle:
            return
        self._idle = idle
        self._cancel()
        if idle:
            return
        self._held = {
            (status.job.package, status.job.job_id): status for status in jobs if not status.running
        }
        if self._held:
            self._handle = self._sim.call_later(
                BACKGROUND_JOBS_DELAY_MS, self._release, priority=EVALUATE_PRIORITY
            )

    def holds(self, status: JobStatus, *, foreground: bool) -> bool:
        """Whether the job still waits for the delayed re-evaluation: it was pending when idle
        mode ended and its app has not been in the foreground since."""
        key = (status.job.package, status.job.job_id)
        if self._held.get(key) is not status:
            return False
        if foreground:  # setUidActiveLocked: a foreground UID's jobs are re-evaluated at once
            del self._held[key]
            return False
        return True

    def _release(self) -> None:
        self._handle = None
        self._held = {}
        self._on_release()

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._held = {}
