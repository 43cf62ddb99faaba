"""Device changes JobScheduler evaluates (harness/platform/_changes.py): controllers report only
real changes (BatteryController, DeviceIdleJobsController, QuotaController's TOP tracking)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.platform import (
    Blocker,
    Bucket,
    DeviceView,
    DozeState,
    JobInfo,
    JobSchedulerService,
    JobStatus,
    QuotaLimit,
    QuotaShortfall,
    Verdict,
)
from harness.platform._changes import NOT_POWER, ChangeFilter, kind_key
from harness.sim import Simulation
from tests.platform.fakes import FakeDevice, job_info

PACKAGE = "com.example.changes"


def job(*, delay_ms: int = 60_000, charging: bool = False) -> JobInfo:
    return job_info(package=PACKAGE, earliest_ms=delay_ms, requires_charging=charging)


def evaluations(
    sim: Simulation, device: FakeDevice, monkeypatch: pytest.MonkeyPatch
) -> tuple[JobSchedulerService, list[int]]:
    service = JobSchedulerService(sim, device, process_starter=lambda _p, _r: True)
    seen: list[int] = []
    original = service._evaluate_once

    def counted() -> None:
        seen.append(sim.now_ms)
        original()

    monkeypatch.setattr(service, "_evaluate_once", counted)
    return service, seen


def test_kind_keys_cover_what_each_kind_of_change_alters() -> None:
    """A process change keys on top and uid-active, a battery reading on power, doze on its
    state; every other change is not filtered."""
    device = FakeDevice(top={PACKAGE})
    assert kind_key("process", device, lambda: [PACKAGE]) == ((PACKAGE, True, True),)
    assert kind_key("battery", device, list) == (True, False, False, True)
    assert kind_key("doze", device, list) == (DozeState.NOT_IDLE,)
    assert kind_key("network", device, list) is None
    assert kind_key("uid", device, list) is None


def test_the_filter_passes_a_change_of_its_key_and_stops_a_repeat() -> None:
    """The first change of a kind and one that alters its key are evaluated; a repeat is not."""
    device = FakeDevice()
    changes = ChangeFilter(device)
    assert not changes.unchanged("doze", list)
    assert changes.unchanged("doze", list)
    device.doze = DozeState.IDLE
    assert not changes.unchanged("doze", list)
    assert changes.unchanged("doze", list)
    assert not changes.unchanged("network", list)
    assert not changes.unchanged("network", list)


def test_after_an_evaluation_of_delays_only_a_change_that_cannot_power_the_device_passes() -> None:
    """While every job waits for its earliest start or for power, only a change that can power
    the device on or off (a battery reading, boot, shutdown) or one of unknown kind is
    evaluated; a filtered kind's key is still kept."""
    device = FakeDevice()
    changes = ChangeFilter(device)
    changes.evaluated(power_and_time_only=True)
    assert changes.unchanged("network", list)
    assert changes.unchanged("doze_exit", list)
    assert changes.unchanged("doze", list)  # first of its kind: its key is kept
    assert not changes.unchanged("battery", list)
    assert not changes.unchanged("boot", list)
    assert not changes.unchanged("powered_on", list)
    assert {"battery", "boot", "shutdown"}.isdisjoint(NOT_POWER)
    changes.evaluated(power_and_time_only=False)
    assert not changes.unchanged("network", list)
    assert changes.unchanged("doze", list)  # the same key as the skipped change's
    device.doze = DozeState.IDLE
    assert not changes.unchanged("doze", list)


def test_a_doze_change_is_not_evaluated_while_the_only_job_waits_for_its_delay(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TimeController: a job whose timing delay has not passed is not ready whatever doze,
    the network or the app's process do (nor DeviceIdleJobsController's delayed
    PROCESS_BACKGROUND_JOBS, 3 s after doze ends); its wake-up evaluates it at the delay's end."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=10_000))
    sim.run_until(1_000)
    device.set(doze=DozeState.IDLE)
    sim.run_until(2_000)
    device.set(network=None)
    device.top.add(PACKAGE)
    device.changed.emit("process")
    sim.run_until(3_000)
    device.set(doze=DozeState.MAINTENANCE)  # its release 3 s later is not evaluated either
    sim.run_until(10_500)
    assert seen == [0, 10_000]  # the schedule and the wake-up
    assert [r.t_ms for r in sim.trace.of_kind("job.started")] == [10_000]


def test_a_change_the_delay_pass_skipped_is_evaluated_when_undone_after_a_wake_up(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process change skipped while the job waited for time is still kept as its kind's
    last key: when the app leaves the top after the wake-up's evaluation, that is evaluated."""
    device = FakeDevice(plugged=True)  # power connected, not charging
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=5_000, charging=True))
    device.changed.emit("process")
    sim.run_until(1_000)
    device.top.add(PACKAGE)
    device.changed.emit("process")  # skipped: the job waits for its delay
    sim.run_until(6_000)
    assert [r.t_ms for r in sim.trace.of_kind("job.started")] == [5_000]
    device.top.discard(PACKAGE)
    device.changed.emit("process")
    sim.run_until(7_000)
    assert seen == [0, 5_000, 6_000]


def test_a_running_job_has_every_change_evaluated(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A running job's verdict reads every input (doze stops it): changes are evaluated."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=0))
    sim.run_until(1_000)
    device.set(network=None)
    sim.run_until(2_000)
    device.set(doze=DozeState.IDLE)
    sim.run_until(3_000)
    assert seen == [0, 1_000, 2_000]
    assert [r.fields["stop_reason"] for r in sim.trace.of_kind("job.stopped")] == [
        "STOP_REASON_DEVICE_STATE"
    ]


def test_a_process_change_that_keeps_the_app_off_top_asks_for_no_evaluation(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service bound or unbound (CACHED <-> SERVICE) changes no verdict: no evaluation."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=0, charging=True))  # waits for a constraint, not for time
    sim.run_until(1_000)
    device.changed.emit("process")  # the first of its kind is evaluated
    sim.run_until(2_000)
    device.changed.emit("process")
    device.changed.emit("battery")
    device.changed.emit("battery")
    sim.run_until(3_000)
    assert seen == [0, 1_000, 2_000]  # schedule, first process, first battery
    device.top.add(PACKAGE)
    device.changed.emit("process")
    sim.run_until(4_000)
    assert seen == [0, 1_000, 2_000, 3_000]


def test_a_charging_change_is_evaluated_and_starts_the_job(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plugging in changes the battery key: the charging job is evaluated and starts."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=0, charging=True))
    device.changed.emit("battery")
    sim.run_until(1_000)
    device.charging = True
    device.changed.emit("battery")
    sim.run_until(2_000)
    assert seen == [0, 1_000]
    assert [r.t_ms for r in sim.trace.of_kind("job.started")] == [1_000]


def test_a_repeated_change_is_evaluated_when_a_wake_up_is_due_now(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the instant a job's delay ends, a change evaluates as before (the start keeps its
    place ahead of the wake-up timer)."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job(delay_ms=5_000))
    device.changed.emit("doze")
    sim.run_until(4_000)
    sim.call_at(5_000, lambda: device.changed.emit("doze"))
    running_before_timers: list[bool] = []
    sim.call_at(
        5_000,
        lambda: running_before_timers.append(service.job_status(PACKAGE, 1).running),  # type: ignore[union-attr]
        priority=1,
    )
    sim.run_until(6_000)
    assert seen == [0, 5_000]
    assert running_before_timers == [True]


def test_a_repeated_change_is_evaluated_while_a_job_waits_for_quota(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job out of quota is checked on every change: its deferral's numbers move with time."""
    device = FakeDevice()
    service, seen = evaluations(sim, device, monkeypatch)
    service.schedule(job())
    status = service.job_status(PACKAGE, 1)
    assert status is not None
    device.changed.emit("doze")
    sim.run_until(1_000)
    device.changed.emit("doze")
    sim.run_until(2_000)
    assert seen == [0]
    status.deferred = Verdict(Blocker.QUOTA, quota=QuotaShortfall(QuotaLimit.TIME, Bucket.RARE))
    device.changed.emit("doze")
    sim.run_until(3_000)
    assert seen == [0, 2_000]


def test_a_job_started_by_an_evaluation_is_checked_once_when_nothing_came_between(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before a start (JobConcurrencyManager) reuses the pass's verdict until a start
    or a stop changes what a verdict reads: one verdict for one job, then one more per job
    after the first start."""
    device = FakeDevice()
    service = JobSchedulerService(sim, device, process_starter=lambda _p, _r: True)
    checked: list[int] = []
    original = service.readiness.verdict

    def counted(status: JobStatus, now: int, device: DeviceView | None = None) -> Verdict:
        checked.append(status.job.job_id)
        return original(status, now, device)

    monkeypatch.setattr(service.readiness, "verdict", counted)
    service.schedule(job(delay_ms=1_000))
    sim.run_until(500)
    checked.clear()
    sim.run_until(1_000)
    assert checked == [1]
    assert [r.t_ms for r in sim.trace.of_kind("job.started")] == [1_000]
    second = replace(job(delay_ms=2_000), job_id=2)
    third = replace(job(delay_ms=2_000), job_id=3)
    service.schedule(second)
    service.schedule(third)
    sim.run_until(1_500)
    checked.clear()
    sim.run_until(2_000)
    # both checked in the pass; job 2 starts on that verdict, job 3 is checked again after it
    assert checked == [1, 2, 3, 3]
    assert [r.fields["job_id"] for r in sim.trace.of_kind("job.started")] == [1, 2, 3]


def test_an_evaluation_checks_jobs_by_schedule_time_then_job_id(sim: Simulation) -> None:
    """Jobs are checked (and started, one regular job of the app at a time) in the order they
    were scheduled, ties by job id; a rescheduled job goes behind, a back-off keeps its place."""
    device = FakeDevice(concurrency_limit=2)  # the app's regular share: one slot
    service = JobSchedulerService(sim, device, process_starter=lambda _p, _r: True)
    for job_id in (3, 1, 2):
        service.schedule(replace(job(delay_ms=0), job_id=job_id))
    sim.run_until(1)
    assert [r.fields["job_id"] for r in sim.trace.of_kind("job.started")] == [1]
    assert [r.fields["job_id"] for r in sim.trace.of_kind("job.deferred")] == [2, 3]
    service.schedule(replace(job(delay_ms=0), job_id=1))  # stops job 1; now the newest
    sim.run_until(2)
    assert [r.fields["job_id"] for r in sim.trace.of_kind("job.started")] == [1, 2]
    statuses = {s.job.job_id: s for s in service.all_jobs()}
    assert [statuses[i].order for i in (1, 2, 3)] == [(1, 1), (0, 2), (0, 3)]
    service.runs.back_off(statuses[3])
    assert statuses[3].order == (0, 3)
