"""Jobs and the uid idle state: ``AppStateTrackerImpl.isUidActive`` spares an app that left the
foreground for ``BACKGROUND_SETTLE_TIME`` (60 s), and ``am make-uid-idle`` ends that at once."""

from __future__ import annotations

from typing import Any

import pytest

from harness.device import Device
from harness.platform import DeviceAdapter, DozeState, JobSchedulerService
from harness.sim import Simulation
from harness.workmanager import (
    JobIds,
    OneTimeWorkRequest,
    State,
    WorkManager,
    system_job_schedulers,
)
from tests.platform.fakes import FakeDevice
from tests.platform.test_service import Forever, setup

PACKAGE = "com.example.app"


def _phone(sim: Simulation, restrict: str) -> tuple[Any, WorkManager, OneTimeWorkRequest]:
    device: Any = Device(sim, packages=[PACKAGE])
    service = JobSchedulerService(sim, DeviceAdapter(device))
    work_manager = WorkManager(sim, schedulers=system_job_schedulers(service, PACKAGE, JobIds()))
    sim.run_for("1s")
    device.apps.launch(PACKAGE)
    sim.run_for("4s")  # on top at 5 s
    if restrict == "background restriction":
        device.shell(f"cmd appops set {PACKAGE} RUN_ANY_IN_BACKGROUND ignore")
    else:
        device.shell("settings put global low_power 1")
    request = OneTimeWorkRequest.from_(Forever)
    work_manager.enqueue(request)
    sim.run_for("5s")
    assert [r.t_ms for r in sim.trace.of_kind("work.started")] == [5_000]
    return device, work_manager, request


@pytest.mark.parametrize(
    ("restrict", "reason"), [("background restriction", 11), ("battery saver", 4)]
)
def test_a_restricted_apps_job_runs_on_for_the_settle_time(
    sim: Simulation, restrict: str, reason: int
) -> None:
    """``AppStateTrackerImpl.isRestricted`` returns false first for an active uid, and a uid
    stays active ``BACKGROUND_SETTLE_TIME`` (60 s) after its app left the foreground
    (``idleUids``): the job of a background-restricted app (or under battery saver) is stopped
    when the uid goes idle, not when the user leaves."""
    device, work_manager, request = _phone(sim, restrict)
    device.apps.leave(PACKAGE)  # at 10 s
    sim.run_for("2m")
    stopped = sim.trace.of_kind("work.stopped")
    assert [(r.t_ms, r["stop_reason_value"]) for r in stopped] == [(70_000, reason)]
    info = work_manager.get_work_info_by_id(request.id)
    assert info is not None
    assert info.state is State.ENQUEUED  # stopped, so back to ENQUEUED


def test_make_uid_idle_restricts_the_job_at_once(sim: Simulation) -> None:
    """``am make-uid-idle PKG`` (``makePackageIdle``: ``doStopUidLocked`` -> ``onUidIdle``) cuts
    the settle time short: the background-restricted app's job stops with
    STOP_REASON_BACKGROUND_RESTRICTION (11) the moment the command runs."""
    device, _, _ = _phone(sim, "background restriction")
    device.apps.leave(PACKAGE)  # at 10 s
    sim.run_for("5s")
    assert device.shell(f"am make-uid-idle {PACKAGE}") == ""
    sim.run_for("1m")
    stopped = sim.trace.of_kind("work.stopped")
    assert [(r.t_ms, r["stop_reason_value"]) for r in stopped] == [(15_000, 11)]


def test_an_active_uid_is_not_restricted_off_top(sim: Simulation) -> None:
    """The job scheduler reads the uid's active state, not the top app: a restricted app whose
    uid is still active (off top) runs its job; idle, it does not."""
    fake = FakeDevice(restricted={PACKAGE}, active_uids={PACKAGE})
    fake, _, wm = setup(sim, fake)
    wm.enqueue(OneTimeWorkRequest.from_(Forever))
    sim.run_for("1s")
    assert len(sim.trace.of_kind("work.started")) == 1
    fake.set(active_uids=set())
    fake.changed.emit("uid")
    sim.run_for("1s")
    assert [r["stop_reason_value"] for r in sim.trace.of_kind("work.stopped")] == [11]


def test_in_doze_an_active_uids_important_job_runs_until_the_uid_goes_idle(
    sim: Simulation,
) -> None:
    """``DeviceIdleJobsController.updateTaskStateLocked``: ``allowInIdle`` for a
    FLAG_IMPORTANT_WHILE_FOREGROUND job (WorkManager 2.11+ marks an undelayed regular job) whose
    uid is in ``mForegroundUids`` (``setUidActiveLocked``): it runs in doze while the uid is
    active and is stopped (STOP_REASON_DEVICE_STATE) when the uid goes idle."""
    fake = FakeDevice(doze=DozeState.IDLE, active_uids={PACKAGE})
    fake, _, wm = setup(sim, fake)
    wm.enqueue(OneTimeWorkRequest.from_(Forever))
    sim.run_for("1s")
    assert len(sim.trace.of_kind("work.started")) == 1
    fake.set(active_uids=set())
    sim.run_for("1s")
    assert [r["stop_reason_value"] for r in sim.trace.of_kind("work.stopped")] == [4]


def test_a_temp_allowlisted_app_is_not_background_restricted(sim: Simulation) -> None:
    """``AppStateTrackerImpl.areJobsRestricted``: after ``isUidActive`` it returns false for
    power- and temp-exempt app ids (``mPowerExemptAllAppIds``, ``mTempExemptAppIds``) before it
    checks RUN_ANY_IN_BACKGROUND: ``cmd deviceidle tempwhitelist`` lets a restricted app's jobs
    run until the entry expires."""
    fake = FakeDevice(restricted={PACKAGE}, temp_allowlisted={PACKAGE})
    fake, _, wm = setup(sim, fake)
    wm.enqueue(OneTimeWorkRequest.from_(Forever))
    sim.run_for("1s")
    assert len(sim.trace.of_kind("work.started")) == 1
    fake.set(temp_allowlisted=set())
    sim.run_for("1s")
    assert [r["stop_reason_value"] for r in sim.trace.of_kind("work.stopped")] == [11]
