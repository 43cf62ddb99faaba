"""The in-process ``GreedyScheduler`` next to JobScheduler (W/impl/background/greedy/
GreedyScheduler.java @09eb18a4, W/impl/Schedulers.java), and the cached-app freezer
(AOSP CachedAppOptimizer.java, ``DEFAULT_FREEZER_DEBOUNCE_TIMEOUT``).

GreedyScheduler starts ENQUEUED work in the app's own process: at ``max(calculateNextRunTime,
throttle)`` (a ``DelayedWorkTracker`` timer) and, for constrained work, when the app's own
constraint trackers report the constraints met (``requiresDeviceIdle`` work is left to the
system). It needs a live process that is not frozen. In the foreground JobScheduler starts every
such work at the very millisecond GreedyScheduler would (TOP: ACTIVE bucket, quota-free, no
batching). While a job keeps the process alive in the background, GreedyScheduler starts other
due work that JobScheduler holds back (here: doze), and JobScheduler's later start of the same
work joins the run (``Processor.startWork``: "already enqueued for processing"). Once the
process is cached, the freezer freezes it after the debounce and nothing greedy runs.
"""

from __future__ import annotations

from datetime import timedelta

from harness.app import App
from harness.backends import Internet
from harness.device import Device, ProcessState
from harness.phone import DeviceBinding, bind_phone
from harness.phone._freezer import DeviceTrackers, freezer_debounce_timeout_ms
from harness.sim import Signal, Simulation, TraceRecord
from harness.workmanager import (
    Constraints,
    Data,
    NetworkType,
    OneTimeWorkRequest,
    OutOfQuotaPolicy,
    WorkManager,
)
from tests.platform.apps._common import SyncWorker
from tests.workmanager.workers import Sleep, Succeed

PACKAGE = "com.example.oneshot"


def _open_app(sim: Simulation) -> tuple[Device, WorkManager]:
    device, _, work_manager = _open_app_bound(sim)
    return device, work_manager


def _open_app_bound(sim: Simulation) -> tuple[Device, DeviceBinding, WorkManager]:
    device = Device(sim)
    internet = Internet(sim)
    internet.backend("https://api.example.com").resource("/items", initial_items=1)
    binding = bind_phone(sim, device, internet)
    binding.runtime.install(App.from_module("tests.platform.apps.oneshot"))
    sim.run_for("10s")
    device.apps.launch(PACKAGE)
    sim.run_for("2s")
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    return device, binding, process.work_manager


def test_in_the_foreground_jobscheduler_starts_work_when_greedyscheduler_would(
    sim: Simulation,
) -> None:
    """TOP app: each work starts at GreedyScheduler.schedule's time, max(calculateNextRunTime,
    throttle) with its constraints met, so an in-process GreedyScheduler changes nothing."""
    device, work_manager = _open_app(sim)
    assert device.apps.is_top(PACKAGE)
    requests = {
        "unconstrained": OneTimeWorkRequest.from_(Succeed),
        "delayed 20 s": OneTimeWorkRequest.builder(Succeed)
        .set_initial_delay(timedelta(seconds=20))
        .build(),
        "network": OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build(),
        "battery and storage not low, delayed 5 s": OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(requires_battery_not_low=True, requires_storage_not_low=True))
        .set_initial_delay(timedelta(seconds=5))
        .build(),
    }
    enqueued_ms = sim.now_ms
    for request in requests.values():
        work_manager.enqueue(request)
    sim.run_for("30s")
    assert device.apps.is_top(PACKAGE)
    started = {str(record["id"]): record.t_ms for record in sim.trace.of_kind("work.started")}
    greedy = {  # GreedyScheduler.schedule: nextRunTime, every constraint met throughout
        name: enqueued_ms + request.work_spec.initial_delay for name, request in requests.items()
    }
    assert {name: started[str(request.id)] for name, request in requests.items()} == greedy


def test_in_the_background_with_no_job_the_process_is_cached_so_frozen(sim: Simulation) -> None:
    """Leaving the app makes its process CACHED_ACTIVITY, and once its job ends no job binds it:
    a cached process is frozen, so GreedyScheduler's timers and callbacks cannot run there."""
    device, _ = _open_app(sim)
    device.apps.leave(PACKAGE)
    sim.run_for("5m")
    assert device.apps.state(PACKAGE) in (ProcessState.CACHED_ACTIVITY, ProcessState.CACHED_EMPTY)


def _sleep(seconds: int, *, delay_s: int = 0) -> OneTimeWorkRequest:
    builder = OneTimeWorkRequest.builder(Sleep).set_input_data(Data({"sleep_ms": seconds * 1000}))
    return builder.set_initial_delay(timedelta(seconds=delay_s)).build()


def _upload() -> OneTimeWorkRequest:
    """An expedited 60 s upload: JobScheduler runs it in doze, so its job keeps the process up."""
    return (
        OneTimeWorkRequest.builder(Sleep)
        .set_input_data(Data({"sleep_ms": 60_000}))
        .set_expedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
        .build()
    )


def _dozing_in_the_background(sim: Simulation) -> tuple[Device, DeviceBinding, WorkManager]:
    device, binding, work_manager = _open_app_bound(sim)
    device.apps.leave(PACKAGE)
    sim.run_for("1m")
    device.shell("dumpsys battery unplug")
    device.shell("dumpsys deviceidle force-idle")
    return device, binding, work_manager


def _of(sim: Simulation, kind: str, work_id: object) -> list[TraceRecord]:
    key = "id" if kind.startswith("work.") else "work_id"
    return [record for record in sim.trace.of_kind(kind) if record[key] == str(work_id)]


def test_while_a_job_keeps_the_process_alive_greedy_starts_other_due_work(
    sim: Simulation,
) -> None:
    """GreedyScheduler.schedule/DelayedWorkTracker: while an expedited job keeps the process
    SERVICE, a delayed work starts in process when due, though doze defers its job; JobScheduler's
    later start of that job joins the run (Processor.startWork "already enqueued for
    processing", SystemJobService.onStartJob returns true) and finishes with it (onExecuted ->
    jobFinished)."""
    device, _, work_manager = _dozing_in_the_background(sim)
    upload, follow_up = _upload(), _sleep(30, delay_s=20)
    t0 = sim.now_ms
    work_manager.enqueue([upload, follow_up])
    sim.run_for("30s")
    assert [r.t_ms - t0 for r in _of(sim, "work.started", follow_up.id)] == [20_000]
    assert _of(sim, "job.started", follow_up.id) == []  # doze holds its job back
    assert device.apps.state(PACKAGE) is ProcessState.SERVICE
    device.shell("dumpsys deviceidle unforce")
    device.shell("dumpsys battery set ac 1")  # charging ends doze: JobScheduler starts the job
    sim.run_for("1m")
    # 3 s after doze ends: the app is in the background (DeviceIdleJobsController
    # BACKGROUND_JOBS_DELAY)
    assert [r.t_ms - t0 for r in _of(sim, "job.started", follow_up.id)] == [33_000]
    assert len(_of(sim, "work.started", follow_up.id)) == 1  # the duplicate start is absorbed
    assert [r.t_ms - t0 for r in _of(sim, "job.finished", follow_up.id)] == [50_000]
    assert [r.t_ms - t0 for r in _of(sim, "work.finished", follow_up.id)] == [50_000]


def test_a_cached_process_is_frozen_after_the_debounce_and_greedy_waits_for_the_thaw(
    sim: Simulation,
) -> None:
    """CachedAppOptimizer: a process cached for DEFAULT_FREEZER_DEBOUNCE_TIMEOUT (10 s on
    Android 15) is frozen, so a delayed work falling due then does not start in process; a job
    binding the process thaws it and the work runs once."""
    device, binding, work_manager = _dozing_in_the_background(sim)
    assert int(device.profile.android_version) == 15
    upload, late = _upload(), _sleep(30, delay_s=300)
    t0 = sim.now_ms
    work_manager.enqueue([upload, late])
    sim.run_until(t0 + 60_000)
    assert device.apps.state(PACKAGE) is ProcessState.CACHED_EMPTY  # the upload's job ended
    sim.run_until(t0 + 69_999)
    assert not binding.freezer.is_frozen(PACKAGE)
    sim.run_until(t0 + 70_000)
    assert binding.freezer.is_frozen(PACKAGE)
    sim.run_until(t0 + 359_000)
    assert _of(sim, "work.started", late.id) == []  # due at 300 s, but frozen (and dozing)
    device.shell("dumpsys deviceidle unforce")
    device.shell("dumpsys battery set ac 1")
    sim.run_for("2s")
    assert binding.freezer.is_frozen(PACKAGE)  # background jobs wait 3 s after doze ends
    sim.run_for("2s")
    assert not binding.freezer.is_frozen(PACKAGE)  # the job binds the process: thawed
    sim.run_for("1m")
    assert [r.t_ms - t0 for r in _of(sim, "work.started", late.id)] == [362_000]
    assert [r.t_ms - t0 for r in _of(sim, "job.started", late.id)] == [362_000]


def test_the_freezer_debounce_follows_the_android_release() -> None:
    """CachedAppOptimizer.DEFAULT_FREEZER_DEBOUNCE_TIMEOUT: 600_000L on Android 12 and 13,
    10_000L from Android 14."""
    assert [freezer_debounce_timeout_ms(v) for v in (12, 13, 14, 15)] == [
        600_000,
        600_000,
        10_000,
        10_000,
    ]


def _charging_work_started_in_process(
    sim: Simulation,
) -> tuple[Device, DeviceBinding, WorkManager, OneTimeWorkRequest, int]:
    """A greedy run mid-request when the freezer strikes: plugged in at 10 %, GreedyScheduler's
    BatteryChargingTracker reports charging and starts the work in the cached (not yet frozen)
    process 8 s after the user left it, while JobScheduler waits for stable power
    (BatteryController); the server takes 4 s to answer (httpx's read timeout is 5 s), so the
    freezer (10 s after the user left) catches the request in flight. Returns the device, the
    binding, WorkManager, the work and when the user left the app."""
    device = Device(sim)
    internet = Internet(sim)
    backend = internet.backend("https://api.example.com")
    backend.resource("/items", initial_items=1)
    binding = bind_phone(sim, device, internet)
    binding.runtime.install(App.from_module("tests.platform.apps.oneshot"))
    sim.run_for("10s")
    device.shell("dumpsys battery unplug")
    device.shell("dumpsys battery set level 10")
    device.apps.launch(PACKAGE)
    sim.run_for("2s")
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    work_manager = process.work_manager
    backend.latency("4s")
    work = (
        OneTimeWorkRequest.builder(SyncWorker)
        .set_constraints(Constraints(requires_charging=True))
        .build()
    )
    work_manager.enqueue(work)
    sim.run_for("1s")
    device.apps.leave(PACKAGE)
    left_ms = sim.now_ms
    sim.run_for("8s")
    device.shell("dumpsys battery set ac 1")
    device.shell("dumpsys battery set status 2")  # BatteryManager.BATTERY_STATUS_CHARGING
    sim.run_for("1s")
    assert [r.t_ms - left_ms for r in _of(sim, "work.started", work.id)] == [8_000]
    assert _of(sim, "job.started", work.id) == []  # no stable power: the job waits
    return device, binding, work_manager, work, left_ms


def _requests_since(sim: Simulation, t_ms: int) -> list[TraceRecord]:
    return [r for r in sim.trace.of_kind("http.request") if r.t_ms > t_ms]


def test_a_greedy_run_frozen_mid_request_resumes_when_the_process_thaws(
    sim: Simulation,
) -> None:
    """CachedAppOptimizer: a frozen process gets no CPU time, so a greedy run in progress stops
    with it (its answer waits in the kernel's socket) and goes on at the thaw: the user opening
    the app 5 min later; the answer (due about 4 s after the request) is read then, and the run
    finishes then, not while the process is frozen."""
    device, binding, _, work, left_ms = _charging_work_started_in_process(sim)
    sim.run_until(left_ms + 10_000)
    assert binding.freezer.is_frozen(PACKAGE)  # cached for 10 s (Android 15)
    sim.run_until(left_ms + 300_000)
    assert _of(sim, "work.finished", work.id) == []  # frozen: no progress, no HTTP record
    assert _requests_since(sim, left_ms) == []
    device.apps.launch(PACKAGE)
    sim.run_for("1s")
    assert not binding.freezer.is_frozen(PACKAGE)
    thawed = list(sim.trace.of_kind("app.thawed"))
    assert [(r.t_ms - left_ms, r["frozen_at_ms"] - left_ms) for r in thawed] == [(300_000, 10_000)]
    (request, *_main) = _requests_since(sim, left_ms)  # then main() fetches again
    assert (request.t_ms - left_ms, request["status"]) == (300_000, 200)
    assert request["duration_ms"] == 300_000 - 8_000
    assert [r.t_ms - left_ms for r in _of(sim, "work.finished", work.id)] == [300_000]


def test_a_frozen_process_killed_mid_request_ends_its_run_as_a_kill(sim: Simulation) -> None:
    """A kill of a frozen process (here the low-memory killer's `am kill`) ends it as any kill:
    the request in flight is cut off by the process's death at the kill, and the work stays
    RUNNING in the database for WorkManager to recover at the next process start."""
    device, binding, work_manager, work, left_ms = _charging_work_started_in_process(sim)
    sim.run_until(left_ms + 120_000)
    assert binding.freezer.is_frozen(PACKAGE)
    device.shell(f"am kill {PACKAGE}")
    sim.run_for("1s")
    assert binding.runtime.process(PACKAGE) is None
    (died,) = sim.trace.of_kind("app.process_died")
    assert died.t_ms - left_ms == 120_000
    assert died["cut_off_tasks"] >= 1
    (request,) = _requests_since(sim, left_ms)
    assert request.t_ms - left_ms == 120_000
    assert str(request["error"]).startswith("cancelled: the app's process died")
    assert _of(sim, "work.finished", work.id) == []
    assert list(sim.trace.of_kind("app.thawed")) == []
    info = work_manager.get_work_info_by_id(work.id)
    assert info is not None
    assert info.state.name == "RUNNING"


def test_a_job_binding_the_frozen_process_resumes_its_greedy_run_and_joins_it(
    sim: Simulation,
) -> None:
    """When the battery is no longer low, JobScheduler sees stable power and starts the work's
    job: binding the process unfreezes it (OomAdjuster leaves the cached state), the suspended
    run goes on at once with the answer waiting in its socket, and the job joins the run
    (Processor.startWork) and finishes with it."""
    device, binding, _, work, left_ms = _charging_work_started_in_process(sim)
    sim.run_until(left_ms + 60_000)
    assert binding.freezer.is_frozen(PACKAGE)
    device.shell("dumpsys battery set level 50")
    sim.run_for("1s")
    assert not binding.freezer.is_frozen(PACKAGE)
    (job,) = _of(sim, "job.started", work.id)
    (thawed,) = sim.trace.of_kind("app.thawed")
    assert (thawed.t_ms, thawed["reason"]) == (job.t_ms, "a job or service bound the process")
    assert [r.t_ms for r in _of(sim, "work.finished", work.id)] == [job.t_ms]
    assert [r.t_ms for r in _of(sim, "job.finished", work.id)] == [job.t_ms]
    assert len(_of(sim, "work.started", work.id)) == 1


def test_a_run_in_the_foreground_service_keeps_its_process_from_being_frozen(
    sim: Simulation,
) -> None:
    """A foreground service keeps its process out of the cached states (OomAdjuster:
    PROCESS_STATE_FOREGROUND_SERVICE), so the freezer leaves it alone: a 45-min upload moved to
    the foreground service while the app was on screen goes on while doze stops its job and the
    process holds no job, and finishes on time; the process is frozen once the service stopped."""
    device = Device(sim)
    binding = bind_phone(sim, device, Internet(sim))
    binding.runtime.install(App.from_module("tests.workmanager.apps.uploader"))
    uploader = "com.example.uploader"
    sim.run_for("1m")
    device.apps.launch(uploader)
    sim.run_for("2m 30s")  # the upload starts at 2 min, on screen: foreground allowed
    device.apps.leave(uploader)
    sim.run_for("1h")
    (started,) = sim.trace.of_kind("work.started")
    (finished,) = sim.trace.of_kind("work.finished")
    stops = [r.t_ms for r in sim.trace.of_kind("job.stopped")]
    assert stops  # the process held no job from each stop (doze) until the next start
    assert max(stops) < finished.t_ms
    assert (finished.t_ms - started.t_ms, finished["result"]) == (45 * 60_000, "success")
    assert list(sim.trace.of_kind("app.thawed")) == []
    assert binding.freezer.is_frozen(uploader)  # after the service stopped


def test_something_delivered_to_a_frozen_process_unfreezes_it_for_the_debounce(
    sim: Simulation,
) -> None:
    """CachedAppOptimizer.unfreezeTemporarily (a broadcast to a receiver, a binder call, an app
    action here): the frozen process is thawed, so its suspended run goes on, and is frozen again
    only after it has stayed cached for the debounce timeout."""
    _, binding, _, work, left_ms = _charging_work_started_in_process(sim)
    sim.run_until(left_ms + 60_000)
    assert binding.freezer.is_frozen(PACKAGE)
    binding.freezer.unfreeze_temporarily(PACKAGE, "a broadcast reached its receiver")
    assert not binding.freezer.is_frozen(PACKAGE)
    sim.run_for("9999ms")
    assert not binding.freezer.is_frozen(PACKAGE)
    sim.run_for("1ms")
    assert binding.freezer.is_frozen(PACKAGE)
    assert [r.t_ms - left_ms for r in _of(sim, "work.finished", work.id)] == [60_000]
    (thawed,) = sim.trace.of_kind("app.thawed")
    assert thawed["reason"] == "a broadcast reached its receiver"


class _CountingView:
    """What DeviceTrackers reads of a device view, counting the reads."""

    def __init__(self) -> None:
        self.changed: Signal[str] = Signal("view")
        self.reads = 0

    def _read(self) -> bool:
        self.reads += 1
        return True

    network = property(lambda self: self._read() and None)
    battery_not_low = property(lambda self: self._read())
    charging = property(lambda self: self._read())
    storage_not_low = property(lambda self: self._read())
    device_idle = property(lambda self: self._read())


def test_the_trackers_reread_the_device_on_what_they_track_not_on_a_process_change() -> None:
    """androidx's trackers hear the broadcasts of what they track: a process state or uid change
    (a job's service bound) makes them read nothing; a battery or network change does."""
    view = _CountingView()
    trackers = DeviceTrackers(view)  # type: ignore[arg-type]
    assert trackers.state.network_connected is False
    view.reads = 0
    view.changed.emit("process")
    view.changed.emit("uid")
    assert view.reads == 0
    view.changed.emit("battery")
    assert view.reads == 5
    view.changed.emit("network")
    view.changed.emit("doze")
    assert view.reads == 15
