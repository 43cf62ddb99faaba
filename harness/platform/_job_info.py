"""``android.app.job.JobInfo``: one job as an app hands it to JobScheduler, in JobScheduler's words.

The fields are the subset of ``JobInfo.Builder`` the simulated apps use: the job id and the
``JobService`` component that runs it, the earliest start (``setMinimumLatency``), the required
network (``setRequiredNetworkType``, or ``setRequiredNetwork`` with capabilities), the
charging/idle/battery/storage constraints, expedition and the back-off criteria. WorkManager's
own data (the work spec id and generation) travels in the extras, as androidx puts it there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class JobNetworkType(enum.IntEnum):
    """``JobInfo.NETWORK_TYPE_*``: the network a job needs."""

    NETWORK_TYPE_NONE = 0  # no network needed
    NETWORK_TYPE_ANY = 1  # any validated network
    NETWORK_TYPE_UNMETERED = 2  # a network without metering (typically Wi-Fi)
    NETWORK_TYPE_NOT_ROAMING = 3  # a network that is not roaming
    # a cellular network (API 28; NETWORK_TYPE_METERED, API 26, is its deprecated alias and what
    # androidx asks for; the simulated device's metered networks are its cellular ones)
    NETWORK_TYPE_CELLULAR = 4


class NetCapability(enum.IntEnum):
    """``NetworkCapabilities.NET_CAPABILITY_*`` a job can require (``setRequiredNetwork``)."""

    # a metered network the carrier made free for now (API 30)
    NET_CAPABILITY_TEMPORARILY_NOT_METERED = 25


@dataclass(frozen=True, slots=True)
class JobInfo:
    """One scheduled job (``android.app.job.JobInfo``)."""

    job_id: int
    package: str
    #: The ``JobService`` class that runs it (``JobInfo.getService``).
    service: str
    #: WorkManager's extras (``EXTRA_WORK_SPEC_ID``, ``EXTRA_WORK_SPEC_GENERATION``).
    work_spec_id: str
    generation: int
    earliest_ms: int
    network_type: JobNetworkType
    requires_charging: bool
    requires_device_idle: bool
    requires_battery_not_low: bool
    requires_storage_not_low: bool
    expedited: bool
    #: Capabilities of a ``setRequiredNetwork`` request beyond the network type.
    network_capabilities: frozenset[NetCapability] = field(default_factory=frozenset)
    backoff_delay_ms: int = 30_000
    backoff_linear: bool = False

    def as_regular(self) -> JobInfo:
        """The same job without expedition (``RUN_AS_NON_EXPEDITED_WORK_REQUEST``)."""
        return replace(self, expedited=False)

    @property
    def wakelock_tag(self) -> str:
        """The wake lock JobScheduler holds while the job runs (``JobServiceContext``:
        ``"*job*/" + batteryName``, the service component), with the job id."""
        return f"*job*/{self.package}/{self.service}#{self.job_id}"
