"""Jobs as JobScheduler holds them, made from WorkManager's work specs, and their constraints.

``JobInfo`` follows ``SystemJobInfoConverter`` (androidx ``impl/background/systemjob/``): one
non-persisted, one-shot job per run (periodic work too), earliest start ``max(next run time -
now, 0)`` later, no deadline, the work's constraints, expedited only for a first undelayed run of
expedited work on API 31+.

Readiness follows AOSP's controllers (``apex/jobscheduler/service/java/com/android/server/job/
controllers/``): a job runs when its timing delay has passed and every constraint it asks for
holds. When constraints are lost while it runs, the stop reason is the first lost one in the
order of ``JobStatus.getStopReason``-like priority used here: charging (6), battery not low (5),
storage not low (9), connectivity (7), device idle (8).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.platform._view import DeviceView, NetworkInfo
from harness.workmanager import BackoffPolicy, NetworkType, OutOfQuotaPolicy, StopReason, WorkSpec

#: ``JobInfo.MIN_BACKOFF_MILLIS``... not used by WorkManager jobs: WorkManager re-creates the job.
EXPEDITED_MIN_API = 31


@dataclass(frozen=True, slots=True)
class JobInfo:
    """One scheduled job (``android.app.job.JobInfo`` as WorkManager builds it)."""

    job_id: int
    package: str
    work_spec_id: str
    generation: int
    earliest_ms: int
    network: NetworkType
    requires_charging: bool
    requires_device_idle: bool
    requires_battery_not_low: bool
    requires_storage_not_low: bool
    expedited: bool
    out_of_quota_policy: OutOfQuotaPolicy
    is_periodic: bool
    backoff_delay_ms: int = 30_000
    backoff_linear: bool = False

    @classmethod
    def from_work_spec(
        cls, spec: WorkSpec, *, job_id: int, package: str, now_ms: int, api: int
    ) -> JobInfo:
        """``SystemJobInfoConverter.convert``: earliest start from ``calculateNextRunTime``."""
        next_run = spec.calculate_next_run_time()
        offset = max(next_run - now_ms, 0)
        constraints = spec.constraints
        expedited = (
            api >= EXPEDITED_MIN_API
            and spec.expedited
            and spec.run_attempt_count == 0
            and offset == 0
        )
        return cls(
            job_id=job_id,
            package=package,
            work_spec_id=spec.id,
            generation=spec.generation,
            earliest_ms=now_ms + offset,
            network=constraints.required_network_type,
            requires_charging=constraints.requires_charging,
            requires_device_idle=constraints.requires_device_idle,
            requires_battery_not_low=constraints.requires_battery_not_low,
            requires_storage_not_low=constraints.requires_storage_not_low,
            expedited=expedited,
            out_of_quota_policy=spec.out_of_quota_policy,
            is_periodic=spec.is_periodic,
            # setBackoffCriteria(backoffDelayDuration, policy) unless it requires device idle
            backoff_delay_ms=spec.backoff_delay_duration,
            backoff_linear=spec.backoff_policy is BackoffPolicy.LINEAR,
        )

    def as_regular(self) -> JobInfo:
        """The same job without expedition (``RUN_AS_NON_EXPEDITED_WORK_REQUEST``)."""
        from dataclasses import replace

        return replace(self, expedited=False)


def network_satisfied(required: NetworkType, network: NetworkInfo | None) -> bool:
    """``ConnectivityController.isSatisfied``: a validated default network of the right kind.

    JobScheduler only hands network jobs validated networks (``isNetworkValidated``) and matches
    capabilities strictly (``NetworkRequest.canBeSatisfiedBy``): UNMETERED needs
    ``NET_CAPABILITY_NOT_METERED``; TEMPORARILY_UNMETERED, which androidx's
    ``SystemJobInfoConverter.setRequiredNetwork`` turns into a request for
    ``NET_CAPABILITY_TEMPORARILY_NOT_METERED`` (API 30+), needs a network with that capability (a
    carrier's temporarily unmetered plan), which ordinary Wi-Fi does not have.
    """
    if required is NetworkType.NOT_REQUIRED:
        return True
    if network is None or not network.validated:
        return False
    if required is NetworkType.UNMETERED:
        return not network.metered
    if required is NetworkType.TEMPORARILY_UNMETERED:
        return network.temporarily_unmetered
    if required is NetworkType.NOT_ROAMING:
        return not network.roaming
    if required is NetworkType.METERED:
        return network.metered
    return True


@dataclass(frozen=True, slots=True)
class Unmet:
    """One reason a job cannot run now: a constraint (with its stop reason) or a restriction."""

    reason: str
    stop_reason: StopReason


def unmet_constraints(job: JobInfo, device: DeviceView, *, dynamic: bool = False) -> list[Unmet]:
    """The job's constraints that do not hold now, in stop-reason priority order.

    With ``dynamic``, add ``JobStatus.DYNAMIC_RESTRICTED_CONSTRAINTS``: a RESTRICTED-bucket job
    without quota runs only while charging, with battery not low and the device idle (and its
    network, if it asked for one). A lost dynamic constraint the job did not ask for stops it
    with ``STOP_REASON_APP_STANDBY`` (``JobStatus.constraintToStopReason``).
    """
    unmet: list[Unmet] = []
    standby = StopReason.STOP_REASON_APP_STANDBY
    if (job.requires_charging or dynamic) and not device.charging:
        reason = StopReason.STOP_REASON_CONSTRAINT_CHARGING if job.requires_charging else standby
        unmet.append(Unmet("needs charging", reason))
    if (job.requires_battery_not_low or dynamic) and not device.battery_not_low:
        reason = (
            StopReason.STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW
            if job.requires_battery_not_low
            else standby
        )
        unmet.append(Unmet("battery is low", reason))
    if job.requires_storage_not_low and not device.storage_not_low:
        unmet.append(Unmet("storage is low", StopReason.STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW))
    if not network_satisfied(job.network, device.network):
        unmet.append(
            Unmet(
                _network_text(job.network, device.network),
                StopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY,
            )
        )
    if (job.requires_device_idle or dynamic) and not device.device_idle:
        reason = (
            StopReason.STOP_REASON_CONSTRAINT_DEVICE_IDLE if job.requires_device_idle else standby
        )
        unmet.append(Unmet("device is not idle", reason))
    return unmet


def _network_text(required: NetworkType, network: NetworkInfo | None) -> str:
    if network is None:
        return f"needs network {required.name}: no network"
    if not network.validated:
        return f"needs network {required.name}: {network.transport} is not validated"
    return f"needs network {required.name}: {network.transport} does not qualify"


@dataclass(slots=True)
class JobStatus:
    """A job JobScheduler holds (``JobStatus``): pending or running."""

    job: JobInfo
    scheduled_ms: int
    running_since_ms: int | None = None
    stopping: bool = False
    deferred_reason: str | None = None
    started_count: int = 0
    failures: int = 0
    first_batched_ms: int | None = None
    limit_ms: int = 0
    delivered: bool = False
    top_started: bool = False
    override: str = "none"  # cmd jobscheduler run: "soft" (plain), "full" (-f), "sorting" (-s)
    stop_handles: list[object] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """Whether the job is executing."""
        return self.running_since_ms is not None
