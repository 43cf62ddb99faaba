"""Which apps have no network now: the firewall chains of ``NetworkPolicyManagerService``.

Doze (``FIREWALL_CHAIN_DOZABLE``), battery saver (``FIREWALL_CHAIN_POWERSAVE``) and app standby
(``FIREWALL_CHAIN_STANDBY``: apps in the RARE bucket or below) cut background apps off the
network; the foreground app keeps it, and an app whose job runs keeps it through the job
(JobScheduler exempts the UIDs of running jobs: ``ConnectivityController`` and
``NetworkPolicyManagerInternal``), in doze and battery saver only for an expedited job.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from harness.platform._job_info import JobInfo
from harness.platform._view import Bucket, DeviceView, DozeState


class FirewallChain(enum.Enum):
    """The firewall chain that blocks an app (``ConnectivityManager.FIREWALL_CHAIN_*``)."""

    DOZABLE = "doze"  # deep or light idle: only allowlisted apps keep the network
    POWERSAVE = "battery saver"  # battery saver: background apps lose the network
    STANDBY = "standby bucket"  # the app is idle (RARE or below) and runs no job


def app_firewall(
    view: DeviceView, package: str, running_jobs: Sequence[JobInfo]
) -> FirewallChain | None:
    """The chain that blocks ``package``'s network now (``None``: it has the network);
    ``running_jobs`` are its jobs running now."""
    if view.is_top(package):
        return None
    # NetworkPolicyManagerService: the doze and power-save chains allow the power allowlist
    # (updateRulesForDeviceIdleUL / mPowerSaveWhitelistAppIds) and the temp allowlist
    if view.is_power_allowlisted(package) or view.is_temp_allowlisted(package):
        return None
    expedited = any(job.expedited for job in running_jobs)
    if view.doze is DozeState.IDLE and not expedited:
        return FirewallChain.DOZABLE
    if view.battery_saver and not expedited:
        return FirewallChain.POWERSAVE
    if view.standby_bucket(package) >= Bucket.RARE and not running_jobs:
        return FirewallChain.STANDBY
    return None
