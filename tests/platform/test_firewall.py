"""App network firewall (harness/platform/_firewall.py): NetworkPolicyManagerService's doze,
battery-saver and standby chains, with running jobs and the foreground app exempt."""

from __future__ import annotations

from harness.platform import Bucket, DozeState, FirewallChain, JobInfo, JobNetworkType, app_firewall
from tests.platform.fakes import FakeDevice, job_info

APP = "com.example.app"


def _job(*, expedited: bool = False) -> JobInfo:
    return job_info(
        job_id=0,
        package=APP,
        service="example.JobService",
        network_type=JobNetworkType.NETWORK_TYPE_ANY,
        expedited=expedited,
    )


def test_doze_and_battery_saver_cut_background_apps_except_expedited_jobs() -> None:
    """FIREWALL_CHAIN_DOZABLE / POWERSAVE: a background app has no network; an expedited job
    keeps it, a regular job does not."""
    device = FakeDevice(doze=DozeState.IDLE)
    assert app_firewall(device, APP, []) is FirewallChain.DOZABLE
    assert app_firewall(device, APP, [_job()]) is FirewallChain.DOZABLE
    assert app_firewall(device, APP, [_job(expedited=True)]) is None
    device = FakeDevice(battery_saver=True)
    assert app_firewall(device, APP, [_job()]) is FirewallChain.POWERSAVE


def test_standby_chain_cuts_rare_apps_outside_a_running_job() -> None:
    """FIREWALL_CHAIN_STANDBY: RARE and RESTRICTED apps have no network unless a job runs."""
    device = FakeDevice(buckets={APP: Bucket.RARE})
    assert app_firewall(device, APP, []) is FirewallChain.STANDBY
    assert app_firewall(device, APP, [_job()]) is None
    assert app_firewall(FakeDevice(buckets={APP: Bucket.FREQUENT}), APP, []) is None


def test_the_foreground_app_always_has_the_network() -> None:
    """The TOP app is on no firewall chain."""
    device = FakeDevice(doze=DozeState.IDLE, battery_saver=True, top={APP})
    assert app_firewall(device, APP, []) is None


def test_wakelock_tag_names_the_service_and_job() -> None:
    """JobServiceContext holds ``*job*/`` + the service component, here with the job id."""
    assert _job().wakelock_tag == f"*job*/{APP}/example.JobService#0"


def test_allowlisted_apps_keep_the_network() -> None:
    """NetworkPolicyManagerService: the doze, power-save and standby chains allow the power
    allowlist and the temp allowlist (``mPowerSaveWhitelistAppIds``,
    ``mPowerSaveTempWhitelistAppIds``)."""
    device = FakeDevice(doze=DozeState.IDLE, battery_saver=True, allowlisted={APP})
    assert app_firewall(device, APP, []) is None
    device = FakeDevice(doze=DozeState.IDLE, buckets={APP: Bucket.RARE}, temp_allowlisted={APP})
    assert app_firewall(device, APP, []) is None
