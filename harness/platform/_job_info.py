"""``android.app.job.JobInfo``: one job as an app hands it to JobScheduler, in JobScheduler's words.

The fields are the subset of ``JobInfo.Builder`` the simulated apps use: the job id and the
``JobService`` component that runs it, the earliest start (``setMinimumLatency``), the required
network (``setRequiredNetworkType``, or ``setRequiredNetwork`` with a :class:`NetworkRequest`'s
capabilities and transports), the charging/idle/battery/storage constraints, content-URI
triggers (``addTriggerContentUri`` and the trigger delays), expedition and the back-off criteria.
WorkManager's own data (the work spec id and generation) travels in the extras, as androidx puts
it there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import ClassVar


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

    NET_CAPABILITY_NOT_METERED = 11  # not metered (typically Wi-Fi)
    NET_CAPABILITY_INTERNET = 12  # can reach the internet (every simulated network)
    NET_CAPABILITY_NOT_RESTRICTED = 13  # usable by ordinary apps (every simulated network)
    NET_CAPABILITY_TRUSTED = 14  # trusted by the user (every simulated network)
    NET_CAPABILITY_NOT_VPN = 15  # not a VPN (the simulated device has none)
    NET_CAPABILITY_VALIDATED = 16  # connectivity to the internet was verified
    NET_CAPABILITY_NOT_ROAMING = 18  # not roaming
    NET_CAPABILITY_FOREGROUND = 19  # available to foreground apps (every simulated network)
    NET_CAPABILITY_NOT_CONGESTED = 20  # not congested (every simulated network)
    NET_CAPABILITY_NOT_SUSPENDED = 21  # not suspended (every simulated network)
    # a metered network the carrier made free for now (API 30)
    NET_CAPABILITY_TEMPORARILY_NOT_METERED = 25


class NetTransport(enum.IntEnum):
    """``NetworkCapabilities.TRANSPORT_*``: what carries a network."""

    TRANSPORT_CELLULAR = 0  # mobile data
    TRANSPORT_WIFI = 1  # Wi-Fi
    TRANSPORT_BLUETOOTH = 2  # Bluetooth tethering
    TRANSPORT_ETHERNET = 3  # Ethernet
    TRANSPORT_VPN = 4  # a VPN


@dataclass(frozen=True, slots=True)
class NetworkRequest:
    """``android.net.NetworkRequest``: the capabilities and transports a network must have.

    :meth:`builder` starts as ``NetworkRequest.Builder()`` does, with INTERNET, NOT_RESTRICTED,
    TRUSTED and NOT_VPN; a network matches when it has every capability and (if any are named)
    one of the transports (``NetworkRequest.canBeSatisfiedBy``)."""

    capabilities: frozenset[NetCapability] = frozenset()
    transports: frozenset[NetTransport] = frozenset()

    @staticmethod
    def builder() -> NetworkRequestBuilder:
        """A ``NetworkRequest.Builder`` with the default capabilities."""
        return NetworkRequestBuilder()

    def has_capability(self, capability: NetCapability) -> bool:
        """``NetworkRequest.hasCapability``."""
        return capability in self.capabilities

    def has_transport(self, transport: NetTransport) -> bool:
        """``NetworkRequest.hasTransport``."""
        return transport in self.transports

    @property
    def job_network_type(self) -> JobNetworkType:
        """``JobInfo.getNetworkType`` of a job given this request: UNMETERED if it needs
        NOT_METERED, NOT_ROAMING if NOT_ROAMING, CELLULAR for a cellular transport, else ANY."""
        if self.has_capability(NetCapability.NET_CAPABILITY_NOT_METERED):
            return JobNetworkType.NETWORK_TYPE_UNMETERED
        if self.has_capability(NetCapability.NET_CAPABILITY_NOT_ROAMING):
            return JobNetworkType.NETWORK_TYPE_NOT_ROAMING
        if self.has_transport(NetTransport.TRANSPORT_CELLULAR):
            return JobNetworkType.NETWORK_TYPE_CELLULAR
        return JobNetworkType.NETWORK_TYPE_ANY


#: ``NetworkCapabilities``' default for a new ``NetworkRequest.Builder``.
DEFAULT_CAPABILITIES: frozenset[NetCapability] = frozenset(
    {
        NetCapability.NET_CAPABILITY_INTERNET,
        NetCapability.NET_CAPABILITY_NOT_RESTRICTED,
        NetCapability.NET_CAPABILITY_TRUSTED,
        NetCapability.NET_CAPABILITY_NOT_VPN,
    }
)


class NetworkRequestBuilder:
    """``NetworkRequest.Builder``."""

    __slots__ = ("_capabilities", "_transports")

    def __init__(self) -> None:
        self._capabilities = set(DEFAULT_CAPABILITIES)
        self._transports: set[NetTransport] = set()

    def add_capability(self, capability: NetCapability) -> NetworkRequestBuilder:
        """Require ``capability``."""
        self._capabilities.add(NetCapability(capability))
        return self

    def remove_capability(self, capability: NetCapability) -> NetworkRequestBuilder:
        """No longer require ``capability``."""
        self._capabilities.discard(NetCapability(capability))
        return self

    def add_transport_type(self, transport: NetTransport) -> NetworkRequestBuilder:
        """Accept networks carried by ``transport`` (with none added, any transport)."""
        self._transports.add(NetTransport(transport))
        return self

    def build(self) -> NetworkRequest:
        """The ``NetworkRequest``."""
        return NetworkRequest(frozenset(self._capabilities), frozenset(self._transports))


#: ``JobInfo.getMinPeriodMillis`` (15 min) and ``getMinFlexMillis`` (5 min).
MIN_PERIOD_MS = 15 * 60_000
MIN_FLEX_MS = 5 * 60_000


def periodic_window(interval_ms: int, flex_ms: int) -> tuple[int, int]:
    """``JobInfo.Builder.setPeriodic(interval, flex)``: the interval raised to 15 min, the flex
    to ``max(5 % of the interval, 5 min)`` ("Requested interval ... is too small; raising to
    ..."), and the flex never above the interval (``JobStatus``: ``min(period, flex)``)."""
    interval = max(interval_ms, MIN_PERIOD_MS)
    flex = max(flex_ms, max(5 * interval // 100, MIN_FLEX_MS))
    return interval, min(flex, interval)


def next_periodic(job: JobInfo, now_ms: int) -> JobInfo:
    """``JobSchedulerService.getRescheduleJobForPeriodic``: the next window of a periodic job
    that finished (or was stopped without asking for a back-off) at ``now_ms``.

    The new window ends one period after the old one ended, or, if the run ended past its
    window, after as many whole periods as were skipped; it opens ``flex`` before its end
    (AOSP's small ``rescheduleBuffer`` near the window's end is left out)."""
    period, flex = job.interval_ms, min(job.flex_ms, job.interval_ms)
    old_latest = job.latest_ms if job.latest_ms >= 0 else now_ms
    if now_ms > old_latest:
        skipped = (now_ms - old_latest) // period + 1
        new_latest = old_latest + period * skipped
    else:
        new_latest = old_latest + period
    return replace(job, earliest_ms=new_latest - flex, latest_ms=new_latest)


#: ``JobInfo.TriggerContentUri.FLAG_NOTIFY_FOR_DESCENDANTS``.
FLAG_NOTIFY_FOR_DESCENDANTS = 1


@dataclass(frozen=True, slots=True)
class TriggerContentUri:
    """``JobInfo.TriggerContentUri``: a ``content:`` URI whose changes start the job."""

    FLAG_NOTIFY_FOR_DESCENDANTS: ClassVar[int] = FLAG_NOTIFY_FOR_DESCENDANTS

    uri: str
    flags: int = 0

    @property
    def notify_for_descendants(self) -> bool:
        """Whether changes below the URI count too (``FLAG_NOTIFY_FOR_DESCENDANTS``)."""
        return bool(self.flags & FLAG_NOTIFY_FOR_DESCENDANTS)

    def matches(self, changed_uri: str) -> bool:
        """Whether a change of ``changed_uri`` is reported to this trigger (a
        ``ContentObserver`` registered for the URI, with descendants if flagged)."""
        if changed_uri == self.uri:
            return True
        return self.notify_for_descendants and changed_uri.startswith(self.uri.rstrip("/") + "/")


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
    #: Transports of a ``setRequiredNetwork`` request (empty: any transport).
    network_transports: frozenset[NetTransport] = field(default_factory=frozenset)
    #: ``addTriggerContentUri``: the job runs after a change of one of these (API 24).
    trigger_content_uris: tuple[TriggerContentUri, ...] = ()
    #: ``setTriggerContentUpdateDelay`` / ``setTriggerContentMaxDelay`` (-1: the default).
    trigger_content_update_delay_ms: int = -1
    trigger_content_max_delay_ms: int = -1
    #: ``setPeriodic(interval, flex)`` (0: a one-shot job), clamped by :func:`periodic_window`.
    interval_ms: int = 0
    flex_ms: int = 0
    #: The end of a periodic job's current window (``JobStatus``'s latest run time; -1: none).
    #: A window end is not enforced as a deadline here (the job still waits for its constraints).
    latest_ms: int = -1
    #: ``setPersisted``: the job survives a reboot (``JobStore``); WorkManager's are not.
    persisted: bool = False
    #: ``setImportantWhileForeground`` (``FLAG_IMPORTANT_WHILE_FOREGROUND``): in doze the job may
    #: run while its app's uid is active or on the temp allowlist (``DeviceIdleJobsController``).
    important_while_foreground: bool = False

    @property
    def periodic(self) -> bool:
        """``JobInfo.isPeriodic``."""
        return self.interval_ms > 0

    def as_regular(self) -> JobInfo:
        """The same job without expedition (``RUN_AS_NON_EXPEDITED_WORK_REQUEST``)."""
        return replace(self, expedited=False)

    def marked_important(self, mark: bool) -> JobInfo:
        """The same job with ``setImportantWhileForeground(mark)``."""
        return replace(self, important_while_foreground=mark)

    @property
    def wakelock_tag(self) -> str:
        """The wake lock JobScheduler holds while the job runs (``JobServiceContext``:
        ``"*job*/" + batteryName``, the service component), with the job id."""
        return f"*job*/{self.package}/{self.service}#{self.job_id}"
