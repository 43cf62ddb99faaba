"""The service's one wake-up timer: the next instant a job's verdict can change by time alone.

Device changes re-evaluate jobs through the device view's signal; what time alone changes is
armed here (``TimeController``, ``QuotaController``'s in-quota alarm and ``MSG_REACHED_QUOTA``,
the batching delay): a pending job's earliest start, the end of its batching delay, its app's
return to quota (when quota is what it waits for), and for a running job the instant its app's
time quota runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Final

from harness.platform._decision import BATCH_DELAY_MS, Blocker
from harness.platform._jobs import JobStatus
from harness.platform._quota import QuotaTracker
from harness.platform._view import Bucket
from harness.sim import Simulation

#: Timers the service sets run after device changes at the same instant.
EVALUATE_PRIORITY: Final = 10


def next_wakeup_ms(
    jobs: Iterable[JobStatus],
    quota: QuotaTracker,
    bucket_of: Callable[[str], Bucket],
    quota_free: Callable[[str, Bucket], bool],
    now: int,
) -> int | None:
    """The earliest future instant at which time alone may change a verdict (``None``: never)."""
    candidates: list[int] = []
    for status in jobs:
        job = status.job
        if status.running:
            bucket = bucket_of(job.package)
            if not quota_free(job.package, bucket) and not job.expedited:
                remaining = quota.time_until_quota_consumed_ms(job.package, bucket, now)
                if remaining > 0:
                    candidates.append(now + remaining)
            continue
        if job.earliest_ms > now:
            candidates.append(job.earliest_ms)
        elif status.first_batched_ms is not None:
            candidates.append(status.first_batched_ms + BATCH_DELAY_MS)
        elif status.deferred is not None and status.deferred.blocker is Blocker.QUOTA:
            bucket = bucket_of(job.package)
            back = quota.next_in_quota_ms(job.package, bucket, now)
            if back is not None and back > now:
                candidates.append(back)
    future = [t for t in candidates if t > now]  # a wake-up at now would spin in place
    return min(future) if future else None


class WakeupTimer:
    """One pending timer, re-armed only when its due time changes."""

    def __init__(self, sim: Simulation, on_due: Callable[[], None]) -> None:
        self._sim = sim
        self._on_due = on_due
        self._handle: asyncio.TimerHandle | None = None
        self._due: int | None = None

    @property
    def due_ms(self) -> int | None:
        """When the pending timer fires (``None``: none is pending)."""
        return self._due

    def arm(self, due: int | None) -> None:
        """Fire at ``due`` (``None``: not at all), replacing the pending timer if it differs."""
        if due == self._due:
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._due = due
        if due is not None:
            self._handle = self._sim.call_at(due, self._fire, priority=EVALUATE_PRIORITY)

    def _fire(self) -> None:
        self._handle = None
        self._due = None
        self._on_due()
