"""A job's constraints against the device (the controllers) and the job as JobScheduler holds it.

Readiness follows AOSP's controllers (``apex/jobscheduler/service/java/com/android/server/job/
controllers/``): a job runs when its timing delay has passed and every constraint it asks for
holds. When constraints are lost while it runs, the stop reason is the first lost one in the
order of ``JobStatus.getStopReason``-like priority used here: charging (6), battery not low (5),
storage not low (9), connectivity (7), device idle (8).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from harness.platform._content import ContentTrigger
from harness.platform._decision import Constraint, NetworkNeed, NetworkProblem, Unmet, Verdict
from harness.platform._job_info import JobInfo, JobNetworkType, NetCapability, NetTransport
from harness.platform._job_parameters import JobStopReason
from harness.platform._view import DeviceView, NetworkInfo


def network_satisfied(job: JobInfo, network: NetworkInfo | None) -> bool:
    """``ConnectivityController.isSatisfied``: a validated default network of the right kind.

    JobScheduler only hands network jobs validated networks (``isNetworkValidated``) and matches
    capabilities strictly (``NetworkRequest.canBeSatisfiedBy``): NETWORK_TYPE_UNMETERED needs
    ``NET_CAPABILITY_NOT_METERED``; a request for ``NET_CAPABILITY_TEMPORARILY_NOT_METERED``
    (API 30+) needs a network with that capability (a carrier's temporarily unmetered plan),
    which ordinary Wi-Fi does not have; NETWORK_TYPE_CELLULAR is met by the device's metered
    (cellular) network.
    """
    if job.network_type is JobNetworkType.NETWORK_TYPE_NONE:
        return True
    if network is None or not network.validated:
        return False
    if job.network_capabilities or job.network_transports:
        return request_satisfied(job, network)
    if job.network_type is JobNetworkType.NETWORK_TYPE_UNMETERED:
        return not network.metered
    if job.network_type is JobNetworkType.NETWORK_TYPE_NOT_ROAMING:
        return not network.roaming
    if job.network_type is JobNetworkType.NETWORK_TYPE_CELLULAR:
        return network.metered
    return True


def charging_satisfied(device: DeviceView, *, top_exempt: bool = False) -> bool:
    """``BatteryController.maybeReportNewChargingStateLocked``: the charging constraint holds on
    *stable power*, ``isBatteryCharging() && isBatteryNotLow()`` (plugging in at 10 % is not
    enough: it holds once the battery is not low, 20 %); a job with the TOP exemption
    (``hasTopExemptionLocked``: its app is on top or it started on top, and its effective
    priority is at least PRIORITY_DEFAULT) needs only power connected."""
    if top_exempt:
        return device.power_connected
    return device.charging and device.battery_not_low


def request_satisfied(job: JobInfo, network: NetworkInfo) -> bool:
    """``NetworkRequest.canBeSatisfiedBy`` for a ``setRequiredNetwork`` job: every capability it
    asks for, and one of its transports if it names any. Simulated networks always have
    INTERNET, NOT_RESTRICTED, TRUSTED, NOT_VPN, FOREGROUND, NOT_CONGESTED and NOT_SUSPENDED."""
    if job.network_transports and _transport(network) not in job.network_transports:
        return False
    present = {
        NetCapability.NET_CAPABILITY_NOT_METERED: not network.metered,
        NetCapability.NET_CAPABILITY_NOT_ROAMING: not network.roaming,
        NetCapability.NET_CAPABILITY_VALIDATED: network.validated,
        NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED: network.temporarily_unmetered,
    }
    return all(present.get(capability, True) for capability in job.network_capabilities)


def _transport(network: NetworkInfo) -> NetTransport | None:
    try:
        return NetTransport[f"TRANSPORT_{network.transport}"]
    except KeyError:
        return None


def unmet_constraints(
    job: JobInfo, device: DeviceView, *, dynamic: bool = False, top_exempt: bool = False
) -> list[Unmet]:
    """The job's constraints that do not hold now, in stop-reason priority order.

    With ``dynamic``, add ``JobStatus.DYNAMIC_RESTRICTED_CONSTRAINTS``: a RESTRICTED-bucket job
    without quota runs only while charging, with battery not low and the device idle (and its
    network, if it asked for one). A lost dynamic constraint the job did not ask for stops it
    with ``STOP_REASON_APP_STANDBY`` (``JobStatus.constraintToStopReason``). ``top_exempt``:
    the job's charging constraint is BatteryController's TOP exemption (:func:`charging_satisfied`).
    """
    unmet: list[Unmet] = []
    standby = JobStopReason.STOP_REASON_APP_STANDBY
    exempt = top_exempt and job.requires_charging
    if (job.requires_charging or dynamic) and not charging_satisfied(device, top_exempt=exempt):
        reason = JobStopReason.STOP_REASON_CONSTRAINT_CHARGING if job.requires_charging else standby
        # plugged in and charging, but the battery is low: no stable power yet
        low = device.charging and not exempt
        unmet.append(Unmet(Constraint.CHARGING, reason, battery_low=low))
    if (job.requires_battery_not_low or dynamic) and not device.battery_not_low:
        reason = (
            JobStopReason.STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW
            if job.requires_battery_not_low
            else standby
        )
        unmet.append(Unmet(Constraint.BATTERY_NOT_LOW, reason))
    if job.requires_storage_not_low and not device.storage_not_low:
        unmet.append(
            Unmet(Constraint.STORAGE_NOT_LOW, JobStopReason.STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW)
        )
    if not network_satisfied(job, device.network):
        unmet.append(
            Unmet(
                Constraint.CONNECTIVITY,
                JobStopReason.STOP_REASON_CONSTRAINT_CONNECTIVITY,
                _network_need(job, device.network),
            )
        )
    if (job.requires_device_idle or dynamic) and not device.device_idle:
        reason = (
            JobStopReason.STOP_REASON_CONSTRAINT_DEVICE_IDLE
            if job.requires_device_idle
            else standby
        )
        unmet.append(Unmet(Constraint.DEVICE_IDLE, reason))
    return unmet


def _network_need(job: JobInfo, network: NetworkInfo | None) -> NetworkNeed:
    if network is None:
        problem = NetworkProblem.NO_NETWORK
    elif not network.validated:
        problem = NetworkProblem.NOT_VALIDATED
    else:
        problem = NetworkProblem.DOES_NOT_QUALIFY
    return NetworkNeed(
        job.network_type,
        job.network_capabilities,
        problem,
        network.transport if network is not None else None,
    )


class Override(enum.Enum):
    """``cmd jobscheduler run``'s constraint override on a job (``JobStatus.overrideState``)."""

    NONE = "none"  # no override
    SOFT = "soft"  # plain ``run``: every constraint but connectivity (SOFT_OVERRIDE_CONSTRAINTS)
    FULL = "full"  # ``run -f``: every constraint (OVERRIDE_FULL)
    SORTING = "sorting"  # ``run -s``: only queue it first (OVERRIDE_SORTING)


@dataclass(slots=True)
class JobStatus:
    """A job JobScheduler holds (``JobStatus``): pending or running."""

    job: JobInfo
    scheduled_ms: int
    running_since_ms: int | None = None
    stopping: bool = False
    #: The verdict last recorded as ``job.deferred`` (``None`` once it starts).
    deferred: Verdict | None = None
    started_count: int = 0
    failures: int = 0
    first_batched_ms: int | None = None
    limit_ms: int = 0
    delivered: bool = False
    top_started: bool = False
    override: Override = Override.NONE
    stop_handles: list[object] = field(default_factory=list)
    #: The content-trigger state of a job with trigger URIs (``ContentObserverController``).
    content_trigger: ContentTrigger | None = None
    #: Where an evaluation checks the job: by the time it was scheduled, then by job id (both
    #: fixed for the status's life: a reschedule replaces the status).
    order: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.order = (self.scheduled_ms, self.job.job_id)

    @property
    def running(self) -> bool:
        """Whether the job is executing."""
        return self.running_since_ms is not None
