"""An evaluation pass reads each device-wide value once (harness/platform/_pass_view.py), as AOSP's
controllers keep their state in fields every job's check reads."""

from __future__ import annotations

from dataclasses import replace

from harness.platform import DozeState, JobInfo, JobSchedulerService
from harness.platform._pass_view import PassView
from harness.sim import Simulation
from tests.platform.fakes import FakeDevice, job_info

PACKAGE = "com.example.pass"


def _job(job_id: int) -> JobInfo:
    return job_info(job_id=job_id, package=PACKAGE, work_spec_id=f"w{job_id}")


class _CountingDevice(FakeDevice):
    """A fake device that counts reads of ``doze``."""

    doze_reads = 0

    def __getattribute__(self, name: str) -> object:
        if name == "doze":
            object.__setattr__(self, "doze_reads", object.__getattribute__(self, "doze_reads") + 1)
        return object.__getattribute__(self, name)


def test_a_pass_view_keeps_device_wide_values_and_asks_per_app_queries_each_time() -> None:
    """A value read once stays for the pass (a new view reads it again); an app's query goes to
    the device on every call."""
    device = FakeDevice()
    view = PassView(device)
    assert view.doze is DozeState.NOT_IDLE
    device.doze = DozeState.IDLE
    assert view.doze is DozeState.NOT_IDLE
    assert PassView(device).doze is DozeState.IDLE
    assert not view.is_top(PACKAGE)
    device.top.add(PACKAGE)
    assert view.is_top(PACKAGE)
    assert view.concurrency_limit == device.concurrency_limit


def test_an_evaluation_of_many_jobs_reads_doze_once_per_pass(sim: Simulation) -> None:
    """Ten due jobs deferred by doze are checked in one pass that reads doze from the device
    once, not once per job."""
    device = _CountingDevice(doze=DozeState.IDLE)
    service = JobSchedulerService(sim, device, process_starter=lambda _p, _r: True)
    for job_id in range(1, 11):
        service.schedule(replace(_job(job_id), earliest_ms=60_000))
    sim.run_until(1_000)
    device.doze_reads = 0
    sim.run_until(60_000)  # all ten fall due: one pass, every job deferred by doze
    assert device.doze_reads == 1
    assert len(sim.trace.of_kind("job.deferred")) == 20  # the delay, then doze, for each
