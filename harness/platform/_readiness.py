"""Whether a job may run now: ``JobStatus.isReady`` and the execution limit of a run.

AOSP ``JobStatus.isReady`` over the controllers' state (quota and dynamic constraints first,
then the NEVER bucket, doze, background restrictions and battery saver, then the job's own
constraints), ``JobStatus.getEffectiveStandbyBucket`` and
``JobSchedulerService.getMaxJobExecutionTimeMs``/``getMinJobExecutionGuaranteeMs``; the sources
are quoted in the platform notes and cited next to each rule.
"""

from __future__ import annotations

from typing import Final

from harness._units import MS_PER_MINUTE
from harness.platform._decision import (
    Blocker,
    Constraint,
    QuotaLimit,
    QuotaShortfall,
    Unmet,
    Verdict,
)
from harness.platform._doze_exit import DozeExit
from harness.platform._job_info import JobInfo
from harness.platform._job_parameters import JobStopReason
from harness.platform._jobs import JobStatus, Override, unmet_constraints
from harness.platform._quota import QuotaTracker
from harness.platform._view import Bucket, DeviceView, DozeState

#: ``JobServiceContext.EXECUTING_TIMESLICE_MILLIS`` / ``RUNTIME_MIN_GUARANTEE_MS``.
REGULAR_LIMIT_MS: Final = 10 * MS_PER_MINUTE
#: ``RUNTIME_MIN_EJ_GUARANTEE_MS``.
EXPEDITED_LIMIT_MS: Final = 3 * MS_PER_MINUTE
#: ``DEFAULT_RUNTIME_FREE_QUOTA_MAX_LIMIT_MS`` (Android 13+).
FREE_QUOTA_MAX_LIMIT_MS: Final = 30 * MS_PER_MINUTE

# The verdicts that carry no data beyond their blocker, built once (a verdict is a frozen value;
# every evaluation checks every job).
_READY: Final = Verdict()
_DEVICE_OFF: Final = Verdict(Blocker.DEVICE_OFF)
_STANDBY_NEVER: Final = Verdict(Blocker.STANDBY_NEVER, JobStopReason.STOP_REASON_USER)
_DOZE: Final = Verdict(Blocker.DOZE, JobStopReason.STOP_REASON_DEVICE_STATE)
_DOZE_EXIT: Final = Verdict(Blocker.DOZE_EXIT, JobStopReason.STOP_REASON_DEVICE_STATE)
_BACKGROUND_RESTRICTED: Final = Verdict(
    Blocker.BACKGROUND_RESTRICTED, JobStopReason.STOP_REASON_BACKGROUND_RESTRICTION
)
_BATTERY_SAVER: Final = Verdict(Blocker.BATTERY_SAVER, JobStopReason.STOP_REASON_DEVICE_STATE)


class Readiness:
    """The readiness rules over one device view and one quota tracker."""

    def __init__(
        self, device: DeviceView, quota: QuotaTracker, doze_exit: DozeExit | None = None
    ) -> None:
        self.device = device
        self.quota = quota
        self.doze_exit = doze_exit

    def effective_bucket(self, package: str) -> Bucket:
        """``JobStatus.getEffectiveStandbyBucket``: a foreground app counts as ACTIVE."""
        bucket = self.device.standby_bucket(package)
        if bucket is Bucket.EXEMPTED:
            return bucket
        return Bucket.ACTIVE if self.device.is_top(package) else bucket

    def verdict(self, status: JobStatus, now: int, device: DeviceView | None = None) -> Verdict:
        """``JobStatus.isReady``: whether the job may run now, and if not, the first blocker;
        ``device``: the view to read (an evaluation pass's :class:`~._pass_view.PassView`)."""
        job = status.job
        if device is None:
            device = self.device
        if not device.powered_on:
            return _DEVICE_OFF
        # cmd jobscheduler run [-f]
        overridden = status.override in (Override.SOFT, Override.FULL)
        if job.earliest_ms > now and not status.running and not overridden:
            return Verdict(Blocker.DELAY, until_ms=job.earliest_ms)
        # effective_bucket and quota_free, with the app's top state read once
        top = device.is_top(job.package)
        bucket = device.standby_bucket(job.package)
        if top and bucket is not Bucket.EXEMPTED:
            bucket = Bucket.ACTIVE
        if bucket is Bucket.NEVER:
            return _STANDBY_NEVER
        expedited_ok = job.expedited and self.within_ej_quota(job.package, bucket, now)
        shortfall: QuotaShortfall | None = None
        top_run = status.running and status.top_started  # a TOP-started run is quota-free
        quota_free = (
            bucket is Bucket.EXEMPTED
            or top
            or (device.charging and bucket is not Bucket.RESTRICTED)
        )
        if not (expedited_ok or top_run or quota_free):
            if status.running:  # MSG_REACHED_QUOTA: the time quota ran out under the job
                if self.quota.time_until_quota_consumed_ms(job.package, bucket, now) <= 0:
                    shortfall = QuotaShortfall(QuotaLimit.USED_UP, bucket)
            else:
                shortfall = self.quota.shortfall(job.package, bucket, now)
        # A RESTRICTED job without quota may still run if its dynamic constraints hold.
        dynamic = bucket is Bucket.RESTRICTED and shortfall is not None
        # BatteryController.hasTopExemptionLocked with getEffectivePriority() >= PRIORITY_DEFAULT:
        # WorkManager's jobs are PRIORITY_DEFAULT (EJs higher); JobStatus.getEffectivePriority
        # drops a regular job below DEFAULT after 4 failures (an EJ never below HIGH)
        top_exempt = (top or top_run) and (job.expedited or status.failures < 4)
        unmet: list[Unmet] = unmet_constraints(job, device, dynamic=dynamic, top_exempt=top_exempt)
        if status.override is Override.FULL:
            unmet = []
        elif status.override is Override.SOFT:  # SOFT_OVERRIDE_CONSTRAINTS: all but connectivity
            connectivity = JobStopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY
            unmet = [u for u in unmet if u.stop_reason is connectivity]
        # ContentObserverController: CONSTRAINT_CONTENT_TRIGGER (not in SOFT_OVERRIDE_CONSTRAINTS)
        trigger = status.content_trigger
        if trigger is not None and not trigger.satisfied and status.override is not Override.FULL:
            unmet.append(Unmet(Constraint.CONTENT_TRIGGER, JobStopReason.STOP_REASON_UNDEFINED))
        if unmet:
            return Verdict(Blocker.CONSTRAINT, unmet[0].stop_reason, unmet=unmet[0])
        # AppStateTrackerImpl.isUidActive: on top, or within BACKGROUND_SETTLE_TIME of leaving
        active = device.is_uid_active(job.package)
        # DeviceIdleJobsController.updateTaskStateLocked: !mDeviceIdleMode || whitelisted ||
        # allowInIdle (FLAG_IMPORTANT_WHILE_FOREGROUND and the uid in mForegroundUids, kept by
        # setUidActiveLocked, or on the temp allowlist)
        allowlisted = device.is_power_allowlisted(job.package)
        allow_in_idle = job.important_while_foreground and (
            active or device.is_temp_allowlisted(job.package)
        )
        if device.doze is DozeState.IDLE and not (expedited_ok or allowlisted or allow_in_idle):
            return _DOZE
        # DeviceIdleJobsController.updateIdleMode(false): BACKGROUND_JOBS_DELAY after doze ends
        # (an allow-listed app's jobs never lost the constraint); setUidActiveLocked: an active
        # uid's jobs (mForegroundUids) are re-evaluated at once
        if (
            self.doze_exit is not None
            and not expedited_ok
            and not allowlisted
            and not allow_in_idle
            and self.doze_exit.holds(status, foreground=active)
        ):
            return _DOZE_EXIT
        # AppStateTrackerImpl.isRestricted: an active uid is never restricted, nor are
        # power- or temp-exempt app ids (mPowerExemptAllAppIds, mTempExemptAppIds)
        if (
            device.is_background_restricted(job.package)
            and not (active or allowlisted)
            and not device.is_temp_allowlisted(job.package)
        ):
            return _BACKGROUND_RESTRICTED
        # AppStateTrackerImpl.areJobsRestricted: battery saver spares EXEMPTED-bucket apps and
        # power- or temp-allowlisted ones (mPowerExemptAllAppIds, mTempExemptAppIds)
        saver_exempt = (
            bucket is Bucket.EXEMPTED or allowlisted or device.is_temp_allowlisted(job.package)
        )
        if device.battery_saver and not active and not expedited_ok and not saver_exempt:
            return _BATTERY_SAVER
        if shortfall is not None and not dynamic:
            return Verdict(Blocker.QUOTA, JobStopReason.STOP_REASON_QUOTA, quota=shortfall)
        return _READY

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
