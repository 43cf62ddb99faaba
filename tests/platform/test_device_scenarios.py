"""Scenario-level platform scheduling on the simulated phone (issue 6).

Each test builds a real :class:`World` (device, JobSchedulerService, app runtime, servers) from a
small scenario with an app module from ``tests/platform/apps/`` and checks, with numbers, a
behaviour a phone shows for a documented AOSP / androidx reason (cited in each docstring;
the abbreviations are explained in ``docs/sources.md``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from harness._units import MS_PER_MINUTE
from harness.scenario import World, loads
from harness.sim import Simulation, TraceRecord
from harness.workmanager import OneTimeWorkRequest
from tests.platform.apps._common import SyncWorker

BACKEND = """
backend:
  resources:
    - url: https://api.example.com/items
      initial_items: 3
"""


def scenario_yaml(app: str, timeline: str, *, extra: str = "", duration: str = "2d") -> str:
    return (
        f"name: {app}\napp: tests.platform.apps.{app}\ndevice: pixel-like\n"
        f"{BACKEND}{extra}duration: {duration}\ntimeline:\n{timeline}"
    )


@contextmanager
def world_of(app: str, timeline: str, **kwargs: str) -> Iterator[World]:
    scenario = loads(scenario_yaml(app, timeline, **kwargs))
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        yield world


def records(world: World, *kinds: str) -> list[TraceRecord]:
    return [r for r in world.sim.trace if r.kind in kinds]


def doze_state_at_work_starts(world: World) -> list[tuple[int, str]]:
    """For each ``work.started``: its time and the deep-doze state then (trace order)."""
    state = "ACTIVE"
    seen: list[tuple[int, str]] = []
    for record in world.sim.trace:
        if record.kind == "device.doze":
            state = str(record.get("state"))
        elif record.kind == "work.started":
            seen.append((record.t_ms, state))
    return seen


def app_log(world: World, package: str) -> list[tuple[str, str]]:
    db = world.runtime.data_area(package).database("log.db")
    db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, at TEXT, outcome TEXT)")
    return [(at, outcome) for at, outcome in db.execute("SELECT at, outcome FROM log ORDER BY n")]


# --- 1. doze ------------------------------------------------------------------------------------

OVERNIGHT = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
  - {at: 2m, do: unplug}
"""


def test_hourly_sync_overnight_runs_only_in_deep_doze_windows_1h_2h_4h_6h_apart() -> None:
    """Deep IDLE 1/2/4/6 h; jobs only in windows (DeviceIdleController, DeviceIdleJobsController)"""
    with world_of("periodic", OVERNIGHT) as world:
        world.sim.run_for("26h")
        doze = records(world, "device.doze")
        idle_starts = [r.t_ms for r in doze if r.get("state") == "IDLE"]
        windows = [r.t_ms for r in doze if r.get("state") == "IDLE_MAINTENANCE"]
        # each IDLE period lasts until the next maintenance window
        idle_lengths = [w - i for i, w in zip(idle_starts, windows, strict=False)]
        assert [n // MS_PER_MINUTE for n in idle_lengths[:5]] == [60, 120, 240, 360, 360]
        starts = doze_state_at_work_starts(world)
        first, *overnight = starts
        assert first[1] == "ACTIVE"  # the run right after enqueue, with the app in use
        # every later run starts in a maintenance window, 3 s after it opens
        # (DeviceIdleJobsController.BACKGROUND_JOBS_DELAY: the app is in the background)
        assert [state for _, state in overnight] == ["IDLE_MAINTENANCE"] * len(overnight)
        # hourly work, yet 26 h unplugged and still: the first run, then one per window
        assert [t for t, _ in overnight] == [w + 3_000 for w in windows[: len(overnight)]]
        assert len(overnight) >= 5
        # (each gap: the IDLE period plus the 30 s window before it)
        gaps_s = [(b - a) // 1000 for a, b in itertools.pairwise(windows[:4])]
        assert gaps_s == [2 * 3600 + 30, 4 * 3600 + 30, 6 * 3600 + 30]
        # 15 h after launch the app is WORKING_SET, where a lone job would wait for a batch
        # (5 jobs or 31 min; MaybeReadyJobQueueFunctor); in a maintenance window the phone's
        # other jobs keep JobScheduler active, so it runs at once
        fifth = [r for r in records(world, "work.started") if r.t_ms == windows[4] + 3_000]
        assert len(fifth) == 1


# --- 2. standby bucket quota and network ------------------------------------------------------

RARE = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
  - {at: 2m, do: adb shell am set-standby-bucket com.example.slow rare}
  - {at: 2m, do: adb shell dumpsys deviceidle disable}
  - {at: 2m, do: unplug}
  - {at: 3h, do: app fetch}
"""


def job_sessions(world: World, package: str) -> list[tuple[int, int]]:
    """(start, end) of each run of ``package``'s jobs."""
    sessions: list[tuple[int, int]] = []
    start: int | None = None
    for record in world.sim.trace:
        if record.get("package") != package:
            continue
        if record.kind == "job.started":
            start = record.t_ms
        elif record.kind in ("job.finished", "job.stopped") and start is not None:
            sessions.append((start, record.t_ms))
            start = None
    return sessions


def test_rare_bucket_gets_at_most_10_min_of_jobs_per_24_h_and_no_network_outside_jobs() -> None:
    """RARE: 10 min of jobs per 24 h (QuotaController); no network outside jobs (NetworkPolicy)."""
    with world_of("slow", RARE) as world:
        world.sim.run_for("30h")
        package = "com.example.slow"
        sessions = [(s, e) for s, e in job_sessions(world, package) if e > 2 * MS_PER_MINUTE]
        # the quota holds over every 24 h window ending at a job's end
        day = 24 * 60 * MS_PER_MINUTE
        for _, end in sessions:
            used = sum(min(e, end) - max(s, end - day) for s, e in sessions if e > end - day)
            assert used <= 10 * MS_PER_MINUTE + 1000, (end, used)
        stops = [r for r in records(world, "job.stopped") if r.get("package") == package]
        assert len(stops) >= 2
        assert {r.get("stop_reason_value") for r in stops} == {10}  # STOP_REASON_QUOTA
        # after the first quota stop nothing runs until the oldest session leaves the window
        first_stop = stops[0].t_ms
        after = [s for s, _ in sessions if s > first_stop]
        assert after
        assert after[0] >= sessions[0][0] + day
        # jobs had a network; the app's own fetch between jobs did not
        assert app_log(world, package)[:3] == [("worker", "http 200")] * 3
        assert ("action", "ConnectError") in app_log(world, package)
        failed = [r.t_ms for r in records(world, "http.request") if r.get("error")]
        assert 3 * 60 * MS_PER_MINUTE in failed
        # GreedyScheduler restarts a work stopped for quota in the not yet frozen process, outside
        # any job (GreedyScheduler.schedule): it has no network there either
        assert not any(start < t < end for t in failed for start, end in sessions)


def test_a_job_started_while_the_app_is_top_does_not_use_quota() -> None:
    """Up to Android 15, jobs started while TOP don't count toward quota
    (QuotaController.mTopStartedJobs)."""
    with world_of("slow", RARE) as world:
        world.sim.run_for("3h")
        stops = [r for r in records(world, "job.stopped") if r.get("package") == "com.example.slow"]
        sessions = job_sessions(world, "com.example.slow")
        # run 1 (started TOP at 2 s) is free; runs 2 and 3 use 4 + 4 min; run 4 gets the last 2
        assert sessions[0][0] == 2000
        counted = sum(end - start for start, end in sessions[1:3])
        assert stops[0].t_ms == sessions[3][0] + 10 * MS_PER_MINUTE - counted


def test_from_android_16_a_top_started_job_counts_once_the_app_leaves_the_foreground() -> None:
    """Android 16 QuotaController (A16@05c15133): Flags.enforceQuotaPolicyToTopStartedJobs is on
    and OVERRIDE_QUOTA_ENFORCEMENT_TO_TOP_STARTED_JOBS is @Disabled, so a job started while TOP
    is tracked: its time from the app leaving (1 min) counts, and the RARE app's 10 min run out
    in its third run instead of its fourth (15: the first run is free)."""
    timeline = RARE
    text = scenario_yaml("slow", timeline).replace(
        "device: pixel-like", "device: {profile: pixel-like, overrides: {android_version: 16}}"
    )
    scenario = loads(text)
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("3h")
        sessions = job_sessions(world, "com.example.slow")
        stops = [r for r in records(world, "job.stopped") if r.get("package") == "com.example.slow"]
    assert sessions[0][0] == 2000  # started TOP
    assert [r.get("stop_reason") for r in stops] == ["STOP_REASON_QUOTA"]
    assert len(sessions) == 3
    left_app_ms = MS_PER_MINUTE
    counted = (sessions[0][1] - left_app_ms) + sum(end - start for start, end in sessions[1:])
    assert counted == 10 * MS_PER_MINUTE


# --- 3. connectivity lost mid-request -----------------------------------------------------------

LOSE_WIFI = """\
  - {at: 0s, do: adb shell svc data disable}
  - {at: 0s, do: open app}
  - {at: 2s, do: leave app}
  - {at: 5s, do: wifi out of range}
  - {at: 20m, do: wifi in range}
"""
SLOW_SERVER = """  faults:
    - {at: 0s, for: 1m, path: /items, outage: {kind: slow, delay: 60s}}
"""


def test_losing_wifi_mid_request_stops_with_connectivity_and_reruns_when_back() -> None:
    """Lost network stops the job, reason 7 (ConnectivityController); rerun (WorkerWrapper)."""
    with world_of("oneshot", LOSE_WIFI, extra=SLOW_SERVER) as world:
        world.sim.run_for("1h")
        stopped = records(world, "job.stopped")
        assert [(r.t_ms, r.get("stop_reason"), r.get("stop_reason_value")) for r in stopped] == [
            (5000, "STOP_REASON_CONSTRAINT_CONNECTIVITY", 7)
        ]
        work_stopped = records(world, "work.stopped")
        assert [r.get("state") for r in work_stopped] == ["ENQUEUED"]  # rescheduled, not failed
        requests = records(world, "http.request")
        # the request on the wire at the loss ends there: CoroutineWorker.onStopped cancels the
        # worker's coroutine, so the GET ends cancelled rather than with a transport error
        assert requests[0].t_ms == 5000
        assert str(requests[0].get("error")).startswith("cancelled")
        # no network: no run; Wi-Fi back (connects 3 s after coming in range): rerun succeeds
        started = records(world, "work.started")
        assert [r.t_ms for r in started] == [3000, 20 * MS_PER_MINUTE + 3000]
        finished = records(world, "work.finished")
        assert [r.get("state") for r in finished] == ["SUCCEEDED"]
        assert app_log(world, "com.example.oneshot") == [("worker", "http 200")]


# --- 6. execution limit ------------------------------------------------------------------------

FOREVER = """\
  - {at: 0s, do: open app}
  - {at: 0s, do: unplug}
  - {at: 0s, do: adb shell dumpsys deviceidle disable}
  - {at: 500ms, do: leave app}
"""


def test_a_worker_that_never_ends_is_stopped_at_30_min_with_timeout_and_not_failed() -> None:
    """Android 14, ACTIVE, on battery: ``getMaxJobExecutionTimeMs`` = min(30 min, the time until
    quota is consumed, which for ACTIVE is the 4 h cap) (QuotaController "Regular ACTIVE case");
    stopped with STOP_REASON_TIMEOUT, not FAILED."""
    with world_of("forever", FOREVER) as world:
        world.sim.run_for("35m")
        started = records(world, "job.started")
        stopped = records(world, "job.stopped")
        assert stopped
        assert stopped[0].get("stop_reason_value") == 3  # STOP_REASON_TIMEOUT
        assert stopped[0].t_ms - started[0].t_ms == 30 * MS_PER_MINUTE
        work_stopped = records(world, "work.stopped")
        assert work_stopped[0].get("state") == "ENQUEUED"
        assert not [r for r in records(world, "work.finished") if r.get("state") == "FAILED"]
        assert ("worker", "cancelled, is_stopped=True") in app_log(world, "com.example.forever")


# --- 4, 5. force-stop and reboot -----------------------------------------------------------------

STOPPED = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
  - {at: 5m, do: force-stop}
  - {at: 6h, do: open app}
"""


def test_force_stop_means_no_runs_until_launch_then_work_is_rescheduled() -> None:
    """Force-stop cancels jobs (ACTION_PACKAGE_RESTARTED); launch: ForceStopRunnable reschedules."""
    with world_of("periodic", STOPPED) as world:
        world.sim.run_for("1h")
        package = world.scenario.apps[0].package
        (work,) = world.runtime.database(package).work_spec_dao.all_work_specs()
        assert world.why_not_running(work.id) == (
            "the app is force-stopped: nothing runs until the user opens it "
            "(then ForceStopRunnable reschedules its work)"
        )
        world.sim.run_for("5h30m")
        starts = [r.t_ms for r in records(world, "work.started")]
        assert starts[0] < 5 * MS_PER_MINUTE
        assert [t for t in starts if 5 * MS_PER_MINUTE <= t < 6 * 60 * MS_PER_MINUTE] == []
        assert [t for t in starts if t >= 6 * 60 * MS_PER_MINUTE]
        assert records(world, "job.cancelled_all")[0].t_ms == 5 * MS_PER_MINUTE


REBOOT = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
  - {at: 30m, do: reboot}
"""


def test_reboot_drops_jobs_and_boot_completed_reschedules_them() -> None:
    """Jobs gone at shutdown; back after BOOT_COMPLETED (RescheduleReceiver, reconcileJobs)."""
    with world_of("periodic", REBOOT) as world:
        world.sim.run_for("3h")
        dropped = records(world, "job.all_dropped")
        assert [r.t_ms for r in dropped] == [30 * MS_PER_MINUTE]
        rescheduled = [r.t_ms for r in records(world, "job.scheduled") if r.t_ms > 30 * 60_000]
        assert rescheduled
        later = [r.t_ms for r in records(world, "work.started") if r.t_ms > rescheduled[0]]
        assert later


# --- 7, 8. why not yet; cmd jobscheduler and dumpsys ---------------------------------------------

NO_NETWORK = """\
  - {at: 0s, do: adb shell svc data disable}
  - {at: 0s, do: wifi out of range}
  - {at: 0s, do: open app}
  - {at: 1m, do: leave app}
"""


def test_explain_dumpsys_and_cmd_jobscheduler_run_force() -> None:
    """Why-not-yet, dumpsys and run -f (JobSchedulerShellCommand.runJob, JobStatus.dump)."""
    with world_of("oneshot", NO_NETWORK) as world:
        world.sim.run_for("3m")  # before light doze (run -f does not bypass doze)
        package = "com.example.oneshot"
        (enqueued,) = records(world, "work.enqueued")
        work_id = str(enqueued.get("id"))
        explained = world.job_scheduler.explain(package, work_id).reason
        assert explained.startswith("constraint unmet: needs network CONNECTED")
        deferred = [r for r in records(world, "job.deferred") if r.get("work_id") == work_id]
        assert str(deferred[-1].get("reason")) == explained
        dump = world.device.shell("adb shell dumpsys jobscheduler")
        assert package in dump
        assert "Unsatisfied constraints: CONNECTIVITY" in dump
        assert "    Ready: false (job=false user=true !restricted=true" in dump
        (job,) = world.job_scheduler.pending_jobs(package)
        output = world.device.shell(f"adb shell cmd jobscheduler run -f {package} {job.job_id}")
        assert output == "Running job [FORCED]\n"
        world.sim.run_for("1s")
        assert [r.t_ms for r in records(world, "work.started")] == [3 * MS_PER_MINUTE]
        # forced past its network constraint, the GET has no network: the worker retries
        assert app_log(world, package) == [("worker", "ConnectError")]
        assert world.job_scheduler.explain(package, work_id).reason.startswith("waiting until")
        # the work-level answer names the backoff and the attempt count
        assert world.why_not_running(work_id).startswith("backoff after 1 attempt: waiting until")


def test_why_not_running_names_prerequisites_power_and_finished_work() -> None:
    """The work-level "why not yet": WorkManager's own state first (BLOCKED names its
    prerequisites, finished work says so), then the device being off, then JobScheduler."""
    with world_of("oneshot", NO_NETWORK) as world:
        world.sim.run_for("1m")
        package = "com.example.oneshot"
        process = world.runtime.process(package)
        assert process is not None
        first = OneTimeWorkRequest.from_(SyncWorker)
        second = OneTimeWorkRequest.from_(SyncWorker)
        process.work_manager.begin_with(first).then(second).enqueue()
        assert world.why_not_running(str(second.id)) == (
            f"blocked: waiting for its prerequisite work to succeed: {first.id} (ENQUEUED)"
        )
        assert world.why_not_running("no-such-id") == (
            f"{package} has no work no-such-id (never enqueued, or pruned)"
        )
        process.work_manager.cancel_work_by_id(first.id)
        assert world.why_not_running(str(first.id)) == "finished: CANCELLED"
        world.device.shell("adb shell reboot")
        assert world.why_not_running(str(second.id)) == "finished: CANCELLED"
        (fetch,) = [
            spec.id
            for spec in world.runtime.database(package).work_spec_dao.all_work_specs()
            if not spec.state.is_finished
        ]
        assert world.why_not_running(fetch).startswith("the device is ")


def test_kill_app_while_on_screen_is_refused_and_said_so() -> None:
    """The low-memory killer spares the foreground (TOP) app (``ProcessList``: adj 0); the
    timeline's 'kill app' then does nothing, which the trace and the run's notes say."""
    timeline = """\
  - {at: 0s, do: open app}
  - {at: 1m, do: kill app}
  - {at: 2m, do: leave app}
  - {at: 3m, do: kill app}
"""
    with world_of("oneshot", timeline) as world:
        world.sim.run_for("4m")
        (refused,) = records(world, "scenario.action_refused")
        assert refused.t_ms == MS_PER_MINUTE
        assert world.notes() == [
            "'kill app' did nothing while the app was on screen: 'leave app' first"
        ]
        died = [r for r in records(world, "device.process") if r.get("event") == "died"]
        assert [r.t_ms for r in died] == [3 * MS_PER_MINUTE]


def test_after_a_kill_the_rerun_runs_under_the_job_that_started_the_process() -> None:
    """A job that cold-starts the process is delivered after WorkManager's start-up
    (``ForceStopRunnable`` runs first on the serial task executor): the RUNNING row left by the
    killed process is reset and rescheduled, JobScheduler replaces the job, and the rerun runs
    under the new job, never without one (``SystemJobService.onStartJob`` refuses a second job
    for a work it is already running)."""
    timeline = """\
  - {at: 0s, do: open app}
  - {at: 30s, do: leave app}
  - {at: 1m, do: kill app}
"""
    with world_of("slow", timeline) as world:
        world.sim.run_for("4m")  # the rerun (4 min of work) is still going
        package = "com.example.slow"
        died = [r for r in records(world, "device.process") if r.get("event") == "died"]
        assert [r.t_ms for r in died] == [MS_PER_MINUTE]  # the worker was mid-run
        starts = [r.t_ms for r in records(world, "work.started")]
        assert len(starts) == 2
        rerun = starts[1]
        (status,) = [s for s in world.job_scheduler.all_jobs() if s.job.package == package]
        assert status.running  # the rerun is a running job, holding the app's JobService
        finished_at_restart = [r for r in records(world, "job.finished") if r.t_ms == rerun]
        assert finished_at_restart == []


def test_temporarily_unmetered_work_runs_only_on_a_temporarily_unmetered_network() -> None:
    """androidx asks JobScheduler for ``NET_CAPABILITY_TEMPORARILY_NOT_METERED``
    (``SystemJobInfoConverter.setRequiredNetwork``): Wi-Fi does not have it; cellular has it
    only under a carrier's plan override (``network.cellular_temporarily_unmetered``)."""
    from harness.device import Device
    from harness.platform import DeviceAdapter, JobSchedulerService
    from harness.workmanager import (
        Constraints,
        JobIds,
        NetworkType,
        WorkManager,
        system_job_schedulers,
    )

    for override, transport, runs in (
        (False, "wifi", False),
        (False, "cellular", False),
        (True, "cellular", True),
    ):
        with Simulation(seed=0) as sim:
            overrides = {"network.cellular_temporarily_unmetered": override}
            device = Device(sim, "pixel-like", overrides=overrides)
            if transport == "cellular":
                device.shell("svc wifi disable")
            service = JobSchedulerService(sim, DeviceAdapter(device))
            package = "com.example.promo"
            device.install(package)
            device.apps.launch(package)
            schedulers = system_job_schedulers(service, package, JobIds())
            work_manager = WorkManager(sim, schedulers=schedulers)
            service.set_process_starter(lambda _package, _reason: True)
            constraints = Constraints(required_network_type=NetworkType.TEMPORARILY_UNMETERED)
            work_manager.enqueue(
                OneTimeWorkRequest.builder(SyncWorker).set_constraints(constraints).build()
            )
            sim.run_for("1m")
            started = bool(sim.trace.of_kind("job.started"))
            assert started is runs, (override, transport)


def test_the_device_views_network_follows_every_change_of_the_default_network() -> None:
    """ConnectivityController reads the default network: the view's NetworkInfo is rebuilt when
    the device's network state changes and reused while it stays the same."""
    from harness.device import Device
    from harness.platform import DeviceAdapter

    with Simulation(seed=0) as sim:
        device = Device(sim, "pixel-like")
        view = DeviceAdapter(device)
        seen = []
        for enabled in (True, False, True):
            device.network.set_wifi_enabled(enabled)
            sim.run_for("1m")
            first = view.network
            assert view.network is first
            seen.append(None if first is None else first.transport)
            assert seen[-1] == (
                None
                if device.network.state.transport.value == "none"
                else device.network.state.transport.value
            )
        assert seen[0] != seen[1]
        assert seen[0] == seen[2]
