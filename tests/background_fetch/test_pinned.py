"""Behaviours 8-16 of the background_fetch reference, one test each (docs/background-fetch.md).

Sources: transistorsoft ``flutter_background_fetch`` 1.6.x and ``transistor-background-fetch``
(Android ``BackgroundFetchConfig.java``, ``BGTask.java``, ``FetchJobService.java``,
``FetchAlarmReceiver.java``, ``BackgroundFetch.java``; iOS ``TSBackgroundFetch.m``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.app import App, run_as
from harness.backends import Internet
from harness.background_fetch import (
    FETCH_JOB_ID,
    FETCH_TASK_ID,
    STATUS_AVAILABLE,
    BackgroundFetch,
    BackgroundFetchConfig,
    NativeConfig,
    TaskConfig,
    android_native,
    java_string_hash,
)
from harness.background_fetch._config import fetch_native_config
from harness.device import Device
from harness.flutter import ENGINE_START_MS, PlatformException
from harness.phone import DeviceBinding, IOSBinding, bind_ios_phone, bind_phone
from harness.platform import MIN_PERIOD_MS, periodic_window
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Simulation
from tests.background_fetch import fetch_app

PACKAGE = fetch_app.PACKAGE


@pytest.fixture(autouse=True)
def _reset_app() -> Iterator[None]:
    fetch_app.reset()
    yield
    fetch_app.reset()


def phone(sim: Simulation, **options: object) -> tuple[Device, DeviceBinding]:
    """A phone with the test app installed, opened once (main() configures the plugin)."""
    fetch_app.OPTIONS.update(options)
    device = Device(sim)
    internet = Internet(sim)
    internet.backend(fetch_app.API).route("GET", "/items", json={})
    binding = bind_phone(sim, device, internet)
    binding.runtime.install(App.from_module("tests.background_fetch.fetch_app"))
    sim.run_for("1s")
    device.apps.launch(PACKAGE)
    sim.run_for("2s")
    return device, binding


def kinds(sim: Simulation, kind: str) -> list[dict[str, object]]:
    return [{"t_ms": r.t_ms, **r.fields} for r in sim.trace.of_kind(kind)]


# --- iOS (8, 9, 16) ----------------------------------------------------------------------------


def iphone(sim: Simulation) -> IOSBinding:
    """An iPhone with the test app installed and opened every day at 08:00 for 5 minutes."""
    device = Device(sim, "iphone-like")
    internet = Internet(sim)
    internet.backend(fetch_app.API).route("GET", "/items", json={})
    binding = bind_ios_phone(sim, device, internet)
    binding.install(App.from_module("tests.background_fetch.fetch_app"))
    return binding


def use_daily(sim: Simulation, binding: IOSBinding, days: int) -> None:
    """The user opens the app at 08:00 for five minutes, ``days`` days running."""
    for day in range(days):
        sim.run_until(day * MS_PER_DAY + 8 * MS_PER_HOUR)
        binding.open_app(PACKAGE)
        sim.run_for(5 * MS_PER_MINUTE)
        binding.ios.leave_app(PACKAGE)


def test_8_ios_resubmits_the_refresh_request_at_the_start_of_every_launch(sim: Simulation) -> None:
    """ "The plugin resubmits com.transistorsoft.fetch at now+interval*60 s at the start of every
    launch" (TSBackgroundFetch.m: the launch handler submits the next BGAppRefreshTaskRequest,
    then runs Dart)."""
    fetch_app.OPTIONS["minimum_fetch_interval"] = 30
    binding = iphone(sim)
    use_daily(sim, binding, 4)
    sim.run_until(4 * MS_PER_DAY)
    launches = [r for r in sim.trace.of_kind("ios.launch") if r["identifier"] == FETCH_TASK_ID]
    events = [r for r in sim.trace.of_kind("bgfetch.event") if not r["timeout"]]
    assert launches, "iOS never launched the app for its refresh request"
    assert len(events) == len(launches)
    for event in events:
        (resubmit,) = [
            r
            for r in sim.trace.of_kind("ios.submit")
            if r.t_ms == event.t_ms and r["identifier"] == FETCH_TASK_ID
        ]
        assert resubmit["earliest_begin_ms"] == event.t_ms + 30 * 60_000
    order = [r.kind for r in sim.trace.of_kind("bgfetch.scheduled", "bgfetch.event")]
    first_event = order.index("bgfetch.event")
    assert order[first_event - 1] == "bgfetch.scheduled"  # resubmitted before Dart ran
    assert ("fetch", "flutter_background_fetch") in fetch_app.EVENTS


def test_9_ios_schedule_task_rounds_down_to_seconds_and_needs_the_prefix(sim: Simulation) -> None:
    """ "iOS scheduleTask: 5500 ms -> 5 s; an id without com.transistorsoft gets no handler"
    (BackgroundFetchPlugin.m: earliestBeginDate = now + delay/1000 in whole seconds; CHANGELOG
    1.2.2: only permitted identifiers containing com.transistorsoft are registered, so iOS ends
    the app when it launches the other one)."""
    fetch_app.TASKS.append(TaskConfig(task_id="com.transistorsoft.upload", delay=5500))
    binding = iphone(sim)
    sim.run_until(8 * MS_PER_HOUR)
    binding.open_app(PACKAGE)
    sim.run_for(1_000)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    run_as(
        process.instance,
        lambda: BackgroundFetch.schedule_task(TaskConfig(task_id="my.upload", delay=5500)),
    )
    submits = {
        r["identifier"]: r
        for r in sim.trace.of_kind("ios.submit")
        if r["identifier"] != FETCH_TASK_ID
    }
    upload, other = submits["com.transistorsoft.upload"], submits["my.upload"]
    assert upload["earliest_begin_ms"] == upload.t_ms + 5000
    assert other["earliest_begin_ms"] == other.t_ms + 5000
    binding.ios.leave_app(PACKAGE)
    sim.run_until(3 * MS_PER_DAY)  # idle nights: iOS launches the processing requests
    handlers = {r["identifier"]: r["handler"] for r in sim.trace.of_kind("ios.launch")}
    assert handlers.get("com.transistorsoft.upload") is True
    assert handlers.get("my.upload") is False  # iOS ends the app: no launch handler
    delivered = {r["task_id"] for r in sim.trace.of_kind("bgfetch.event")}
    assert "com.transistorsoft.upload" in delivered
    assert "my.upload" not in delivered
    (died,) = [r for r in sim.trace.of_kind("app.process_died") if "my.upload" in r["reason"]]
    assert died["reason"] == "no launch handler registered for 'my.upload'"


def test_16_ios_configure_fails_with_the_refresh_status_as_code(sim: Simulation) -> None:
    """ "iOS configure with status 0 or 1 -> error with that code" (BackgroundFetchPlugin.m:
    FlutterError code is the UIBackgroundRefreshStatus when it is not Available)."""
    binding = iphone(sim)
    binding.ios.set_low_power_mode(True)
    binding.open_app(PACKAGE)
    sim.run_for(1_000)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    call = run_as(
        process.instance,
        lambda: BackgroundFetch.configure(
            BackgroundFetchConfig(minimum_fetch_interval=15), fetch_app.on_fetch
        ),
    )
    with pytest.raises(PlatformException) as raised:
        call.result()
    assert raised.value.code == "1"
    assert binding.ios.scheduler(PACKAGE).pending_task_requests() == ()
    assert run_as(process.instance, BackgroundFetch.status).result() == 1


# --- Android (10-16) ---------------------------------------------------------------------------


def test_10_android_fetch_is_job_999_with_a_15_minute_period_and_its_filters(
    sim: Simulation,
) -> None:
    """ "Android fetch (JobScheduler): job 999, period max(interval, 15 min). Starts <1 s after
    scheduling ignored; the same id within 5 s ignored" (BackgroundFetchConfig.FETCH_JOB_ID,
    JobInfo.Builder.setPeriodic, FetchJobService.onStartJob and ExecutedJob.OFFSET_TIME)."""
    # setPeriodic(5 min, 5 min) is raised to a 15-minute period with its 5-minute flex
    assert periodic_window(5 * 60_000, 5 * 60_000) == (MIN_PERIOD_MS, 5 * 60_000)
    device, binding = phone(sim, minimum_fetch_interval=15)
    status = binding.service.job_status(PACKAGE, FETCH_JOB_ID)
    assert status is not None
    assert (status.job.interval_ms, status.job.flex_ms) == (MIN_PERIOD_MS, MIN_PERIOD_MS)
    (ignored, *_) = kinds(sim, "bgfetch.ignored")
    assert ignored["reason"] == "started < 1000 ms after it was scheduled"
    sim.run_for("1m")
    binding.service.run_now(PACKAGE, FETCH_JOB_ID, force=True, satisfied=False)
    sim.run_for("1s")
    binding.service.run_now(PACKAGE, FETCH_JOB_ID, force=True, satisfied=False)
    sim.run_for("1s")
    assert fetch_app.EVENTS == [("fetch", "flutter_background_fetch")]
    assert kinds(sim, "bgfetch.ignored")[-1]["reason"] == (
        "duplicate: the same task started < 5000 ms ago"
    )
    del device


def test_11_android_times_out_after_60_s_and_on_stop_job(sim: Simulation) -> None:
    """ "Android: onTimeout(timeout=true) 60 s after the start; onStopJob also sends the timeout;
    alarm wakelock 64 s" (BGTask.MAX_TIME, FetchJobService.onStopJob, FetchAlarmReceiver)."""
    fetch_app.FINISH["on"] = False
    _, binding = phone(sim)
    sim.run_for("1m")
    binding.service.run_now(PACKAGE, FETCH_JOB_ID, force=True, satisfied=False)
    sim.run_for("2m")
    (fetch, timeout) = list(kinds(sim, "bgfetch.event"))[:2]
    assert timeout["timeout"] is True
    assert int(str(timeout["t_ms"])) - int(str(fetch["t_ms"])) == 60_000
    assert fetch_app.EVENTS == [
        ("fetch", "flutter_background_fetch"),
        ("timeout", "flutter_background_fetch"),
    ]
    # onStopJob: JobScheduler stops the job (cmd jobscheduler timeout): the task times out
    binding.service.run_now(PACKAGE, FETCH_JOB_ID, force=True, satisfied=False)
    sim.run_for("10s")
    binding.service.time_out(PACKAGE, FETCH_JOB_ID)
    sim.run_for("1s")
    assert fetch_app.EVENTS[-1] == ("timeout", "flutter_background_fetch")
    assert kinds(sim, "bgfetch.stop_job")[-1]["reason"] == "STOP_REASON_TIMEOUT"


def test_11_an_alarm_event_holds_a_64_s_wake_lock(sim: Simulation) -> None:
    """FetchAlarmReceiver: an alarm event holds its wake lock for MAX_TIME + 4 s (64 s) when
    the task is never finished."""
    fetch_app.FINISH.update({"on": False, "on_timeout": False})
    device, _ = phone(sim, force_alarm_manager=True)
    sim.run_for("20m")
    locks = [
        r for r in sim.trace.of_kind("device.wakelock") if "TSBackgroundFetch" in str(r.fields)
    ]
    assert locks, "the alarm event held no wake lock"
    held = [r.t_ms for r in locks]
    assert held[1] - held[0] == 64_000
    del device


def test_12_stop_on_terminate_cancels_the_job_on_a_headless_event(sim: Simulation) -> None:
    """ "Android stopOnTerminate:true + event while headless -> job cancelled, no Dart callback"
    (BackgroundFetch.doFetch: "Stopping on terminate")."""
    device, binding = phone(sim)
    device.apps.swipe_away(PACKAGE)
    sim.run_for("1h")
    assert fetch_app.EVENTS == []
    assert binding.service.job_status(PACKAGE, FETCH_JOB_ID) is None
    (stopped,) = kinds(sim, "bgfetch.stopped")
    assert stopped["reason"] == "stopOnTerminate: event while the app is terminated"


def test_13_without_enable_headless_stop_on_terminate_and_start_on_boot_are_forced() -> None:
    """ "Without enableHeadless, stopOnTerminate is forced true and startOnBoot false"
    (BackgroundFetchConfig's constructor: "In order to use stopOnTerminate: false, you must set
    enableHeadless: true")."""
    forced = fetch_native_config(
        BackgroundFetchConfig(
            minimum_fetch_interval=15, stop_on_terminate=False, start_on_boot=True
        )
    )
    assert (forced.stop_on_terminate, forced.start_on_boot) == (True, False)
    kept = fetch_native_config(
        BackgroundFetchConfig(
            minimum_fetch_interval=15,
            stop_on_terminate=False,
            start_on_boot=True,
            enable_headless=True,
        )
    )
    assert (kept.stop_on_terminate, kept.start_on_boot) == (False, True)


def test_14_reboot_reregisters_alarm_tasks_and_keeps_persisted_jobs(sim: Simulation) -> None:
    """ "Reboot: only AlarmManager tasks re-registered; JobScheduler jobs survive only if
    persisted" (BootReceiver -> BackgroundFetch.onBoot; BGTask.schedule setPersisted)."""
    fetch_app.TASKS.append(
        TaskConfig(
            task_id="com.example.alarm",
            delay=3_600_000,
            periodic=True,
            force_alarm_manager=True,
            stop_on_terminate=False,
            start_on_boot=True,
            enable_headless=True,
        )
    )
    fetch_app.TASKS.append(TaskConfig(task_id="com.example.oneshot", delay=7_200_000))
    device, binding = phone(sim, enable_headless=True, stop_on_terminate=False, start_on_boot=True)
    assert binding.service.job_status(PACKAGE, java_string_hash("com.example.oneshot"))
    device.reboot()
    sim.run_for("2m")
    assert binding.service.job_status(PACKAGE, FETCH_JOB_ID) is not None  # persisted
    assert binding.service.job_status(PACKAGE, java_string_hash("com.example.oneshot")) is None
    (alarm,) = binding.alarms.pending(PACKAGE)
    assert alarm.tag == "com.example.alarm"
    (reset,) = sim.trace.of_kind("job.all_dropped")
    assert sim.trace.of_kind("alarm.set")[-1].t_ms > reset.t_ms


def test_15_finish_deletes_a_one_shot_config_and_stop_cancels_everything(
    sim: Simulation,
) -> None:
    """ "finish deletes a one-shot task's config but keeps a periodic one; stop() with no id
    cancels all tasks" (BackgroundFetch.doFetch: !getPeriodic -> config.destroy; stop(null))."""
    fetch_app.TASKS.append(TaskConfig(task_id="com.example.oneshot", delay=60_000))
    _, binding = phone(sim)
    native = android_native(sim)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    ids = {c.task_id for c in native.stored(process.instance)}
    assert ids == {FETCH_TASK_ID, "com.example.oneshot"}
    sim.run_for("5m")
    assert ("fetch", "com.example.oneshot") in fetch_app.EVENTS
    assert {c.task_id for c in native.stored(process.instance)} == {FETCH_TASK_ID}
    run_as(process.instance, BackgroundFetch.stop)
    assert binding.service.pending_jobs(PACKAGE) == []
    assert native.stored(process.instance) == []


def test_16_android_status_is_always_available(sim: Simulation) -> None:
    """ "Android status is always 2" (BackgroundFetch.status returns STATUS_AVAILABLE)."""
    _, binding = phone(sim)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    assert run_as(process.instance, BackgroundFetch.status).result() == STATUS_AVAILABLE == 2


def test_job_ids_are_java_string_hash_codes() -> None:
    """``taskId.hashCode()`` is Java's String.hashCode (31-based, 32-bit signed)."""
    assert java_string_hash("") == 0
    assert java_string_hash("Hello World") == -862545276
    assert java_string_hash("hello") == 99162322
    assert NativeConfig(task_id="hello").job_id == 99162322
    assert NativeConfig(task_id=FETCH_TASK_ID).job_id == FETCH_JOB_ID


def test_headless_events_run_the_headless_task_in_a_background_engine(sim: Simulation) -> None:
    """enableHeadless with stopOnTerminate false: an event while the app is terminated runs the
    registered headless task in a background Flutter engine, once the engine has started
    (BackgroundFetch.doFetch -> fireHeadlessEvent; HeadlessTask.java)."""
    device, binding = phone(sim, enable_headless=True, stop_on_terminate=False)
    device.apps.swipe_away(PACKAGE)
    sim.run_for("1h")
    (first, *_) = [r for r in sim.trace.of_kind("bgfetch.event") if r["headless"]]
    assert ("headless", "flutter_background_fetch") in fetch_app.EVENTS
    assert binding.service.job_status(PACKAGE, FETCH_JOB_ID) is not None  # not cancelled
    (finished, *_) = sim.trace.of_kind("bgfetch.finished")
    assert finished.t_ms >= first.t_ms + ENGINE_START_MS
