"""A job's required network as ``NetworkRequest.toString()`` prints it (``dumpsys jobscheduler``).

``JobStatus.dump`` prints ``Network type: `` and ``job.getRequiredNetwork()`` only when the job
needs a network (``NETWORK_TYPE_NONE`` is a null request: no line). The request is built as on a
phone (every rule from AOSP's own source):

* ``JobInfo.Builder.setRequiredNetworkType`` (A15@0898a28d ``core/java/android/app/job/
  JobInfo.java``): a ``new NetworkRequest.Builder()``, plus INTERNET and VALIDATED, minus NOT_VPN
  and NOT_RESTRICTED, plus NOT_METERED (UNMETERED), NOT_ROAMING (NOT_ROAMING) or the CELLULAR
  transport (CELLULAR). WorkManager's TEMPORARILY_UNMETERED is ``new NetworkRequest.Builder()
  .addCapability(NET_CAPABILITY_TEMPORARILY_NOT_METERED)`` (``SystemJobInfoConverter``); a
  ``setRequiredNetworkRequest`` request keeps its own capabilities and transports.
* ``NetworkRequest.Builder()`` (``packages/modules/Connectivity`` ``framework/src/android/net/
  NetworkRequest.java``, Android 12 to 15): ``NetworkCapabilities.DEFAULT_CAPABILITIES``
  (NOT_RESTRICTED, TRUSTED, NOT_VPN, and from Android 15 ``SdkLevel.isAtLeastV()``
  NOT_BANDWIDTH_CONSTRAINED); ``build()`` adds NOT_VCN_MANAGED when every capability is one a VCN
  supports (``deduceNotVcnManagedCapability``), with type NONE and ``REQUEST_ID_UNSET`` (0).
* ``JobStatus``'s constructor rebuilds it with ``setUids`` of the source uid: ``Uid: N``.
* ``NetworkRequest.toString``: ``NetworkRequest [ NONE id=0, `` + ``NetworkCapabilities
  .toString`` + `` ]``; the capabilities print ``[ Transports: A|B Capabilities: X&Y Uid: N``,
  each bit set from lowest to highest, then `` UnderlyingNetworks: Null]`` from Android 13 (12's
  ``toString`` has no such field).
"""

from __future__ import annotations

from typing import Final

from harness.platform._job_info import JobInfo, JobNetworkType, NetCapability, NetTransport

#: ``NET_CAPABILITY_NOT_VCN_MANAGED`` and ``NET_CAPABILITY_NOT_BANDWIDTH_CONSTRAINED`` (the
#: simulated networks never lack them, so :class:`NetCapability` has no members for them).
_NOT_VCN_MANAGED: Final = 28
_NOT_BANDWIDTH_CONSTRAINED: Final = 37
#: ``NetworkRequest.Builder.VCN_SUPPORTED_CAPABILITIES`` (the ones the simulation can name).
_VCN_SUPPORTED: Final = frozenset(
    {
        int(NetCapability.NET_CAPABILITY_FOREGROUND),
        int(NetCapability.NET_CAPABILITY_INTERNET),
        int(NetCapability.NET_CAPABILITY_NOT_CONGESTED),
        int(NetCapability.NET_CAPABILITY_NOT_METERED),
        int(NetCapability.NET_CAPABILITY_NOT_RESTRICTED),
        int(NetCapability.NET_CAPABILITY_NOT_ROAMING),
        int(NetCapability.NET_CAPABILITY_NOT_SUSPENDED),
        int(NetCapability.NET_CAPABILITY_NOT_VPN),
        int(NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED),
        int(NetCapability.NET_CAPABILITY_TRUSTED),
        int(NetCapability.NET_CAPABILITY_VALIDATED),
        _NOT_BANDWIDTH_CONSTRAINED,
    }
)
#: ``NetworkCapabilities.capabilityNameOf``.
_CAPABILITY_NAMES: Final = {
    **{int(c): c.name.removeprefix("NET_CAPABILITY_") for c in NetCapability},
    _NOT_VCN_MANAGED: "NOT_VCN_MANAGED",
    _NOT_BANDWIDTH_CONSTRAINED: "NOT_BANDWIDTH_CONSTRAINED",
}


def _default_capabilities(android_version: int) -> set[int]:
    defaults = {
        int(NetCapability.NET_CAPABILITY_NOT_RESTRICTED),
        int(NetCapability.NET_CAPABILITY_TRUSTED),
        int(NetCapability.NET_CAPABILITY_NOT_VPN),
    }
    if android_version >= 15:
        defaults.add(_NOT_BANDWIDTH_CONSTRAINED)
    return defaults


def _request_bits(job: JobInfo, android_version: int) -> tuple[set[int], set[int]] | None:
    """The capabilities and transports of the job's request, or ``None`` without one."""
    temporarily = NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED
    if job.network_capabilities or job.network_transports:  # setRequiredNetwork(request)
        capabilities = {int(c) for c in job.network_capabilities}
        if temporarily in job.network_capabilities and len(job.network_capabilities) == 1:
            capabilities |= _default_capabilities(android_version)  # WorkManager's builder
        elif android_version >= 15:
            capabilities.add(_NOT_BANDWIDTH_CONSTRAINED)
        return capabilities, {int(t) for t in job.network_transports}
    if job.network_type is JobNetworkType.NETWORK_TYPE_NONE:
        return None
    capabilities = _default_capabilities(android_version)  # setRequiredNetworkType
    capabilities |= {
        int(NetCapability.NET_CAPABILITY_INTERNET),
        int(NetCapability.NET_CAPABILITY_VALIDATED),
    }
    capabilities -= {
        int(NetCapability.NET_CAPABILITY_NOT_VPN),
        int(NetCapability.NET_CAPABILITY_NOT_RESTRICTED),
    }
    transports: set[int] = set()
    if job.network_type is JobNetworkType.NETWORK_TYPE_UNMETERED:
        capabilities.add(int(NetCapability.NET_CAPABILITY_NOT_METERED))
    elif job.network_type is JobNetworkType.NETWORK_TYPE_NOT_ROAMING:
        capabilities.add(int(NetCapability.NET_CAPABILITY_NOT_ROAMING))
    elif job.network_type is JobNetworkType.NETWORK_TYPE_CELLULAR:
        transports.add(int(NetTransport.TRANSPORT_CELLULAR))
    return capabilities, transports


def network_request_text(job: JobInfo, android_version: int, uid: int) -> str | None:
    """``job.getRequiredNetwork().toString()`` on a phone, or ``None`` when the job needs no
    network (``JobStatus.dump`` then prints no ``Network type:`` line)."""
    bits = _request_bits(job, android_version)
    if bits is None:
        return None
    capabilities, transports = bits
    if capabilities <= _VCN_SUPPORTED:  # NetworkRequest.Builder.deduceNotVcnManagedCapability
        capabilities.add(_NOT_VCN_MANAGED)
    text = "["
    if transports:
        text += " Transports: " + "|".join(NetTransport(t).name[10:] for t in sorted(transports))
    if capabilities:
        text += " Capabilities: " + "&".join(_CAPABILITY_NAMES[c] for c in sorted(capabilities))
    text += f" Uid: {uid}"
    if android_version >= 13:
        text += " UnderlyingNetworks: Null"
    return f"NetworkRequest [ NONE id=0, {text}] ]"
