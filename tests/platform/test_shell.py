"""``dumpsys jobscheduler`` and ``cmd jobscheduler`` (harness/platform/_shell.py) in AOSP's
format: ``JobSchedulerService.dumpInternal``, ``JobStatus.dump``, ``JobSchedulerStub.dump``."""

from __future__ import annotations

import pytest

from harness._exceptions import ShellCommandError
from harness.platform import DozeState, JobSchedulerService, JobShellError
from harness.platform._shell import cmd_jobscheduler, dumpsys_jobscheduler
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    JobIds,
    NetworkType,
    OneTimeWorkRequest,
    WorkManager,
    system_job_schedulers,
)
from tests.platform.fakes import FakeDevice
from tests.platform.test_service import PACKAGE, Sleeps

UID = f"u0a{sum(PACKAGE.encode()) % 900 + 100}"
UID_NUMBER = 10_000 + sum(PACKAGE.encode()) % 900 + 100
SERVICE = "androidx.work.impl.background.systemjob.SystemJobService"


def _service(sim: Simulation, device: FakeDevice) -> JobSchedulerService:
    service = JobSchedulerService(sim, device)
    work_manager = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    request = (
        OneTimeWorkRequest.builder(Sleeps)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build()
    )
    work_manager.enqueue(request)
    sim.run_for(1000)
    return service


def test_job_block_golden(sim: Simulation) -> None:
    """``dumpInternal``: ``JOB #u0aN/ID: HASH batteryName`` (``printUniqueId``,
    ``toShortStringExceptUniqueId``), ``JobStatus.dump`` lines, ``Restricted due to: none.`` and
    ``Ready: X (job=.. user=.. !restricted=.. !pending=.. !active=.. !backingup=.. comp=..)``."""
    service = _service(sim, FakeDevice(network=None))
    dump = dumpsys_jobscheduler(service)
    start = dump.index("Registered 1 jobs:\n")
    block = dump[start : dump.index("\nActive jobs:")]
    hash_hex = block.split(": ", 1)[1].split(" ", 1)[0]
    int(hash_hex, 16)  # Integer.toHexString(System.identityHashCode(this))
    assert block == (
        "Registered 1 jobs:\n"
        f"  JOB #{UID}/0: {hash_hex} {PACKAGE}/{SERVICE}\n"
        f"    Source: uid={UID} user=0 pkg={PACKAGE}\n"
        "    JobInfo:\n"
        f"      Service: {PACKAGE}/{SERVICE}\n"
        "      Requires: charging=false batteryNotLow=false deviceIdle=false\n"
        "      Network type: NetworkRequest [ NONE id=0, [ Capabilities: INTERNET&TRUSTED&"
        f"VALIDATED&NOT_VCN_MANAGED Uid: {UID_NUMBER} UnderlyingNetworks: Null] ]\n"
        "      Backoff: policy=1 initial=+30s\n"
        "    Required constraints: CONNECTIVITY\n"
        "    Satisfied constraints: \n"
        "    Unsatisfied constraints: CONNECTIVITY\n"
        "    Implicit constraints:\n"
        "      readyNotDozing: true\n"
        "      readyNotRestrictedInBg: true\n"
        "    Standby bucket: ACTIVE\n"
        "    Run time: earliest=-1s, latest=none\n"
        "    Num failures: 0\n"
        "    Restricted due to: none.\n"
        "    Ready: false (job=false user=true !restricted=true !pending=true !active=true "
        "!backingup=true comp=true)\n"
    )


def test_allowlisted_job_in_doze_is_doze_whitelisted(sim: Simulation) -> None:
    """``JobStatus.dump``: ``Doze whitelisted: true`` and ``readyNotDozing: true`` for a
    power-allowlisted app in doze (``DeviceIdleJobsController``); another app's job is not."""
    device = FakeDevice(network=None, doze=DozeState.IDLE, allowlisted={PACKAGE})
    service = _service(sim, device)
    dump = dumpsys_jobscheduler(service)
    assert "    Doze whitelisted: true\n    Implicit constraints:\n" in dump
    assert "      readyNotDozing: true\n" in dump
    device.set(allowlisted=set())
    dump = dumpsys_jobscheduler(service)
    assert "Doze whitelisted" not in dump
    assert "      readyNotDozing: false\n" in dump


def test_dump_arguments(sim: Simulation) -> None:
    """``JobSchedulerStub.dump``: ``-h`` prints the help, another dash word ``Unknown option:
    -x``, a package that is not installed ``Invalid package: X``."""
    service = _service(sim, FakeDevice(network=None))
    assert dumpsys_jobscheduler(service, ["-h"]).startswith(
        "Job Scheduler (jobscheduler) dump options:\n"
    )
    assert dumpsys_jobscheduler(service, ["-x"]) == "Unknown option: -x\n"
    assert dumpsys_jobscheduler(service, ["com.nope"]) == "Invalid package: com.nope\n"
    assert f"JOB #{UID}/0:" in dumpsys_jobscheduler(service, ["-a", PACKAGE])


def test_unknown_cmd_jobscheduler_command(sim: Simulation) -> None:
    """``JobSchedulerShellCommand``: an unknown word is ``Unknown command: X``
    (``handleDefaultCommands``); a real command the simulation lacks is refused as such."""
    service = _service(sim, FakeDevice(network=None))
    with pytest.raises(JobShellError, match=r"^Unknown command: bogus$"):
        cmd_jobscheduler(service, ["bogus"])
    with pytest.raises(ShellCommandError, match=r"^cmd jobscheduler cancel is not supported"):
        cmd_jobscheduler(service, ["cancel", PACKAGE, "0"])


def _network_line(sim: Simulation, network: NetworkType | None, version: int) -> str | None:
    service = JobSchedulerService(sim, FakeDevice(network=None, platform_version=version))
    work_manager = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    constraints = Constraints(required_network_type=network) if network else Constraints()
    work_manager.enqueue(OneTimeWorkRequest.builder(Sleeps).set_constraints(constraints).build())
    sim.run_for(1000)
    lines = [line for line in dumpsys_jobscheduler(service).splitlines() if "Network type" in line]
    return lines[0].removeprefix("      Network type: ") if lines else None


@pytest.mark.parametrize(
    ("network", "version", "expected"),
    [
        (None, 15, None),
        (
            NetworkType.UNMETERED,
            15,
            "NetworkRequest [ NONE id=0, [ Capabilities: NOT_METERED&INTERNET&TRUSTED&VALIDATED&"
            "NOT_VCN_MANAGED&NOT_BANDWIDTH_CONSTRAINED Uid: {uid} UnderlyingNetworks: Null] ]",
        ),
        (
            NetworkType.METERED,
            14,
            "NetworkRequest [ NONE id=0, [ Transports: CELLULAR Capabilities: INTERNET&TRUSTED&"
            "VALIDATED&NOT_VCN_MANAGED Uid: {uid} UnderlyingNetworks: Null] ]",
        ),
        (
            NetworkType.NOT_ROAMING,
            12,
            "NetworkRequest [ NONE id=0, [ Capabilities: INTERNET&TRUSTED&VALIDATED&NOT_ROAMING&"
            "NOT_VCN_MANAGED Uid: {uid}] ]",
        ),
        (
            NetworkType.TEMPORARILY_UNMETERED,
            15,
            "NetworkRequest [ NONE id=0, [ Capabilities: NOT_RESTRICTED&TRUSTED&NOT_VPN&"
            "TEMPORARILY_NOT_METERED&NOT_VCN_MANAGED&NOT_BANDWIDTH_CONSTRAINED Uid: {uid} "
            "UnderlyingNetworks: Null] ]",
        ),
    ],
)
def test_network_type_is_the_job_network_request(
    sim: Simulation, network: NetworkType | None, version: int, expected: str | None
) -> None:
    """JobStatus.dump prints "Network type: " + job.getRequiredNetwork() only when set: the
    NetworkRequest JobInfo.Builder.setRequiredNetworkType builds (INTERNET, VALIDATED, minus
    NOT_VPN and NOT_RESTRICTED; NOT_BANDWIDTH_CONSTRAINED by default from 15; NOT_VCN_MANAGED
    deduced; no UnderlyingNetworks field on 12), with the source uid JobStatus sets."""
    line = _network_line(sim, network, version)
    assert line == (None if expected is None else expected.format(uid=UID_NUMBER))
