"""Batching of non-ACTIVE apps' jobs (``maybeQueueReadyJobsForExecutionLocked``).

With nothing else active on the device, ready jobs of apps outside the ACTIVE bucket wait until
``MIN_READY_NON_ACTIVE_JOBS`` (5) are ready or one has waited ``BATCH_DELAY_MS`` (31 min)
(``MaybeReadyJobQueueFunctor``); a job scheduled ready, an ACTIVE app's job or a retry runs at
once and takes the batch along.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.platform._decision import BATCH_DELAY_MS, MIN_READY_NON_ACTIVE_JOBS, Blocker, Verdict
from harness.platform._jobs import JobStatus, Override
from harness.platform._view import Bucket


def batchable(status: JobStatus, bucket: Bucket) -> bool:
    """Whether the job waits in a batch: regular, never failed, its app (effective ``bucket``)
    neither ACTIVE nor EXEMPTED, and not forced to run from the shell."""
    if status.job.expedited or status.failures > 0 or status.override is not Override.NONE:
        return False
    # MaybeReadyJobQueueFunctor (A15@0898a28d): shouldForceBatchJob = batchingEnabled &&
    # job.getEffectiveStandbyBucket() != EXEMPTED_INDEX && !batchDelayExpired
    return bucket is not Bucket.ACTIVE and bucket is not Bucket.EXEMPTED


def release(
    ready: Sequence[JobStatus], forced: Sequence[JobStatus], *, active: bool, now: int
) -> bool:
    """Whether the ready jobs run now: some are not batchable, enough are ready, one waited long
    enough, the scheduler is active, or one was scheduled ready just now (``schedule()`` of a
    job that is ready at once runs it at once)."""
    immediate = any(status.scheduled_ms == now for status in forced)
    expired = any(now - (status.first_batched_ms or now) >= BATCH_DELAY_MS for status in forced)
    return (
        len(forced) < len(ready)
        or len(forced) >= MIN_READY_NON_ACTIVE_JOBS
        or expired
        or active
        or immediate
    )


def waiting(bucket: Bucket) -> Verdict:
    """The verdict of a job held back for its batch."""
    return Verdict(Blocker.BATCHING, bucket=bucket)
