"""Whether a job may run now: ``JobStatus.isReady`` and the execution limit of a run.

AOSP ``JobStatus.isReady`` over the controllers' state (quota and dynamic constraints first,
then the NEVER bucket, doze, background restrictions and battery saver, then the job's own
constraints), ``JobStatus.getEffectiveStandbyBucket`` and
``JobSchedulerService.getMaxJobExecutionTimeMs``/``getMinJobExecutionGuaranteeMs``; the sources
are quoted in the platform notes and cited next to each rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from harness._units import MS_PER_MINUTE, format_t_ms
from harness.platform._jobs import JobInfo, JobStatus, Unmet, unmet_constraints
from harness.platform._quota import QuotaTracker
from harness.platform._view import Bucket, DeviceView, DozeState
from harness.workmanager import StopReason

#: ``JobServiceContext.EXECUTING_TIMESLICE_MILLIS`` / ``RUNTIME_MIN_GUARANTEE_MS``.
REGULAR_LIMIT_MS: Final = 10 * MS_PER_MINUTE
#: ``RUNTIME_MIN_EJ_GUARANTEE_MS``.
EXPEDITED_LIMIT_MS: Final = 3 * MS_PER_MINUTE
#: ``DEFAULT_RUNTIME_FREE_QUOTA_MAX_LIMIT_MS`` (Android 13+).
FREE_QUOTA_MAX_LIMIT_MS: Final = 30 * MS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a job can or cannot run now."""

    runnable: bool
    reason: str
    stop_reason: StopReason = StopReason.STOP_REASON_UNDEFINED


class Readiness:
    """The readiness rules over one device view and one quota tracker."""

    def __init__(self, device: DeviceView, quota: QuotaTracker) -> None:
        self.device = device
        self.quota = quota

    def effective_bucket(self, package: str) -> Bucket:
        """``JobStatus.getEffectiveStandbyBucket``: a foreground app counts as ACTIVE."""
        bucket = self.device.standby_bucket(package)
        if bucket is Bucket.EXEMPTED:
            return bucket
        return Bucket.ACTIVE if self.device.is_top(package) else bucket

    def verdict(self, status: JobStatus, now: int) -> Verdict:
        """``JobStatus.isReady``: whether the job may run now, and if not, the first reason."""
        job = status.job
        device = self.device
        if not device.powered_on:
            return Verdict(False, "the device is off")
        overridden = status.override in ("soft", "full")  # cmd jobscheduler run [-f]
        if job.earliest_ms > now and not status.running and not overridden:
            return Verdict(
                False,
                f"waiting until {format_t_ms(job.earliest_ms)} (initial delay, period or backoff)",
            )
        bucket = self.effective_bucket(job.package)
        if bucket is Bucket.NEVER:
            return Verdict(
                False,
                "app is in the NEVER standby bucket (never opened)",
                StopReason.STOP_REASON_USER,
            )
        expedited_ok = job.expedited and self.within_ej_quota(job.package, bucket, now)
        quota_reason = None
        top_run = status.running and status.top_started  # a TOP-started run is quota-free
        if not (expedited_ok or top_run or self.quota_free(job.package, bucket)):
            if status.running:  # MSG_REACHED_QUOTA: the time quota ran out under the job
                if self.quota.time_until_quota_consumed_ms(job.package, bucket, now) <= 0:
                    quota_reason = f"standby bucket {bucket.name}: quota used up"
            else:
                quota_reason = self.quota.out_of_quota_reason(job.package, bucket, now)
        # A RESTRICTED job without quota may still run if its dynamic constraints hold.
        dynamic = bucket is Bucket.RESTRICTED and quota_reason is not None
        unmet: list[Unmet] = unmet_constraints(job, device, dynamic=dynamic)
        if status.override == "full":
            unmet = []
        elif status.override == "soft":  # SOFT_OVERRIDE_CONSTRAINTS: every one but connectivity
            connectivity = StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
            unmet = [u for u in unmet if u.stop_reason is connectivity]
        if unmet:
            return Verdict(False, f"constraint unmet: {unmet[0].reason}", unmet[0].stop_reason)
        if device.doze is DozeState.IDLE and not expedited_ok:
            return Verdict(
                False,
                "doze: deferred to the next maintenance window",
                StopReason.STOP_REASON_DEVICE_STATE,
            )
        top = device.is_top(job.package)
        if device.is_background_restricted(job.package) and not top:
            return Verdict(
                False,
                "the user restricted the app's background activity",
                StopReason.STOP_REASON_BACKGROUND_RESTRICTION,
            )
        # AppStateTrackerImpl.areJobsRestricted: battery saver spares EXEMPTED-bucket apps
        if device.battery_saver and not top and not expedited_ok and bucket is not Bucket.EXEMPTED:
            return Verdict(
                False,
                "battery saver: background jobs are paused",
                StopReason.STOP_REASON_DEVICE_STATE,
            )
        if quota_reason is not None and not dynamic:
            return Verdict(False, f"out of quota: {quota_reason}", StopReason.STOP_REASON_QUOTA)
        return Verdict(True, "ready")

    def quota_free(self, package: str, bucket: Bucket) -> bool:
        """``QuotaController.isQuotaFreeLocked``: charging (not RESTRICTED), top, EXEMPTED."""
        if bucket is Bucket.EXEMPTED or self.device.is_top(package):
            return True
        return self.device.charging and bucket is not Bucket.RESTRICTED

    def within_ej_quota(self, package: str, bucket: Bucket, now: int) -> bool:
        """``QuotaController.isWithinEJQuotaLocked``: charging (not RESTRICTED), the app in the
        foreground, or expedited-job time left in the last 24 hours."""
        if self.device.charging and bucket is not Bucket.RESTRICTED:
            return True
        if self.device.is_top(package):
            return True
        return self.quota.expedited_remaining_ms(package, bucket, now) > 0

    def execution_limit_ms(self, job: JobInfo, now: int) -> int:
        """How long the job may run.

        Android 12 and older: ``EXECUTING_TIMESLICE_MILLIS`` (10 min; expedited 3 min). Android
        13+: ``JobServiceContext`` allows ``max(getMaxJobExecutionTimeMs,
        getMinJobExecutionGuaranteeMs)``, the first being ``min(30 min,
        QuotaController.getMaxJobExecutionTimeMsLocked)``: a regular job gets at least 10 min,
        30 min while charging or with its app on top, else the time until its app's quota is
        consumed (an ACTIVE app's is the 24-hour cap); an expedited job gets at least 3 min,
        30 min while charging, else the expedited quota left (with the app on top at least half
        the ACTIVE budget, in EXEMPTED half of its budget).
        """
        guarantee = EXPEDITED_LIMIT_MS if job.expedited else REGULAR_LIMIT_MS
        if self.device.platform_version <= 12:
            return guarantee
        if self.device.charging:
            return FREE_QUOTA_MAX_LIMIT_MS
        bucket = self.effective_bucket(job.package)
        top = self.device.is_top(job.package)
        if job.expedited:
            left = self.quota.expedited_remaining_ms(job.package, bucket, now)
            budgets = self.quota.settings.expedited_24h_ms
            if bucket is Bucket.EXEMPTED:
                left = max(budgets.get(Bucket.EXEMPTED, 0) // 2, left)
            elif top:
                left = max(budgets.get(Bucket.ACTIVE, 0) // 2, left)
        elif top or bucket is Bucket.EXEMPTED:
            left = FREE_QUOTA_MAX_LIMIT_MS
        else:
            left = self.quota.time_until_quota_consumed_ms(job.package, bucket, now)
        return max(guarantee, min(FREE_QUOTA_MAX_LIMIT_MS, left))
