"""Long work in the foreground service (_foreground.py; Processor.startForeground/stopWork,
WorkForegroundUpdater, Android 12 background foreground-service start restrictions)."""

from __future__ import annotations

import pytest

from harness._exceptions import HarnessRuntimeError
from harness.scenario import World, loads
from harness.sim import Simulation
from harness.workmanager import (
    ForegroundInfo,
    OneTimeWorkRequest,
    State,
    StopReason,
    WorkManager,
)
from tests.workmanager import workers
from tests.workmanager.apps import long_sync, uploader


def test_a_foreground_run_ignores_stops_but_not_a_cancel(sim: Simulation) -> None:
    """Processor.stopWork ignores a run in the foreground; stopAndCancelWork stops it."""
    work_manager = WorkManager(sim)
    request = OneTimeWorkRequest.builder(workers.Sleep).set_input_data({"sleep_ms": 60_000}).build()
    work_manager.enqueue(request)
    sim.run_for("1s")
    worker_id = request.string_id
    processor = work_manager.processor
    wrapper = processor._wrappers[worker_id]
    wrapper.set_foreground(request.id, ForegroundInfo(1, "Syncing"))
    assert processor.is_in_foreground(worker_id)
    assert not processor.stop_work(worker_id, StopReason.STOP_REASON_TIMEOUT)
    sim.run_for("10s")
    info = work_manager.get_work_info_by_id(request.id)
    assert info is not None
    assert info.state is State.RUNNING
    (foreground,) = sim.trace.of_kind("work.foreground")
    assert (foreground["notification_id"], foreground.t_ms) == (1, 1_000)
    work_manager.cancel_work_by_id(request.id)
    sim.run_for(0)
    assert not processor.is_in_foreground(worker_id)
    assert [e[0] for e in workers.EVENTS] == [
        "start",
        "stopped:STOP_REASON_CANCELLED_BY_APP",
        "cancelled",
    ]


def test_set_foreground_after_the_work_finished_fails(sim: Simulation) -> None:
    """WorkForegroundUpdater: setForegroundAsync once the work is finished is an error."""
    work_manager = WorkManager(sim)
    request = OneTimeWorkRequest.from_(workers.Succeed)
    work_manager.enqueue(request)
    sim.run_for("1s")
    processor = work_manager.processor
    wrapper = processor._wrappers.get(request.string_id)
    assert wrapper is None  # finished and released
    work_manager.enqueue(held := OneTimeWorkRequest.from_(workers.Controlled))
    sim.run_for("1s")
    running = processor._wrappers[held.string_id]
    work_manager.database.work_spec_dao.set_state(held.string_id, State.SUCCEEDED)
    late = r"^at t=\S+ \(2000 ms\): Calls to setForegroundAsync\(\) must complete before"
    with pytest.raises(HarnessRuntimeError, match=late):
        running.set_foreground(held.id, ForegroundInfo(2, "late"))


def uploader_world(timeline: str) -> tuple[World, list[str]]:
    scenario = loads(
        "name: upload\napp: tests.workmanager.apps.uploader\ndevice: pixel-like\n"
        f"duration: 2h\ntimeline:\n{timeline}"
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("1h")
        db = world.runtime.data_area(uploader.PACKAGE).database("log.db")
        db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, outcome TEXT)")
        log = [outcome for (outcome,) in db.execute("SELECT outcome FROM log ORDER BY n")]
    return world, log


def test_in_the_foreground_the_job_ends_at_its_limit_and_the_work_goes_on() -> None:
    """Started while the app is visible, the work runs in the foreground service: JobScheduler
    stops the job at its execution limit (30 min for a TOP app on Android 13+), but
    Processor.stopWork ignores a foreground run, so the 45-min upload finishes; the job started
    again meanwhile finds the work running (SystemJobService) and ends at once."""
    world, log = uploader_world(
        "  - at: 1m\n    do: open app\n  - at: 1m 30s\n    do: use phone for 60m\n"
    )
    trace = world.sim.trace
    (stopped,) = trace.of_kind("job.stopped")
    (started,) = trace.of_kind("work.started")
    (finished,) = trace.of_kind("work.finished")
    assert stopped["stop_reason"] == "STOP_REASON_TIMEOUT"
    assert stopped.t_ms - started.t_ms == 30 * 60_000
    assert finished["result"] == "success"
    assert finished.t_ms - started.t_ms == 45 * 60_000
    assert log == ["foreground", "uploaded"]


def test_in_the_background_android_12_refuses_the_foreground_service() -> None:
    """Android 12+: an app in the background may not start a foreground service: the worker's
    set_foreground raises ForegroundServiceStartNotAllowedException. Processor.startForeground
    moved the run to its foreground runs before the start failed, so, as in androidx, the
    system's stops (doze here) do not stop it; each later start of its job joins the run
    (Processor.startWork "already enqueued") and is stopped by doze again. Between jobs the
    cached process is frozen (no foreground service runs in it), so the upload waits for the
    next job to thaw it."""
    world, log = uploader_world("  - at: 1m\n    do: open app\n  - at: 1m 10s\n    do: leave app\n")
    trace = world.sim.trace
    stopped = trace.of_kind("job.stopped")
    assert {r["stop_reason"] for r in stopped} == {"STOP_REASON_DEVICE_STATE"}
    assert len(trace.of_kind("work.started")) == 1
    assert [r["state"] for r in trace.of_kind("work.finished")] == ["SUCCEEDED"]
    assert log == ["foreground not allowed", "uploaded"]
    (refused,) = trace.of_kind("work.foreground_refused")
    assert refused["exception"] == "ForegroundServiceStartNotAllowedException"


@pytest.mark.parametrize(("android", "stopped"), [(14, False), (15, True), (16, True)])
def test_from_android_15_a_data_sync_foreground_run_stops_after_6_hours(
    android: int, stopped: bool
) -> None:
    """Android 15: a dataSync foreground service runs at most 6 h in 24
    (ActivityManagerConstants.DEFAULT_DATA_SYNC_FGS_TIMEOUT_DURATION); Service.onTimeout reaches
    SystemForegroundDispatcher.onTimeout, which stops the run with
    STOP_REASON_FOREGROUND_SERVICE_TIMEOUT (-128) and puts it back ENQUEUED. On 14 the 7-hour
    sync finishes."""
    scenario = loads(
        "name: long sync\napp: tests.workmanager.apps.long_sync\n"
        f"device: {{profile: pixel-like, overrides: {{android_version: {android}}}}}\n"
        "duration: 8h\ntimeline:\n  - at: 1m\n    do: open app\n"
        "  - at: 1m 30s\n    do: use phone for 30m\n"
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("7h 30m")
        trace = world.sim.trace
        db = world.runtime.data_area(long_sync.PACKAGE).database("log.db")
        log = [outcome for (outcome,) in db.execute("SELECT outcome FROM log ORDER BY n")]
    started = trace.of_kind("work.foreground")[0].t_ms
    timeouts = [
        r
        for r in trace.of_kind("work.stopped")
        if r["stop_reason"] == "STOP_REASON_FOREGROUND_SERVICE_TIMEOUT"
    ]
    if stopped:
        assert timeouts[0].t_ms - started == 6 * 3_600_000
        assert timeouts[0]["state"] == "ENQUEUED"
        assert log[:2] == ["foreground", "stopped: STOP_REASON_FOREGROUND_SERVICE_TIMEOUT"]
    else:
        assert timeouts == []
        assert log == ["foreground", "synced"]
