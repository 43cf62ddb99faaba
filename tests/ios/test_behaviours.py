"""The iOS behaviours a simulator must pin (behaviours 1-7 of the project's iOS reference list;
behaviour 1 is in test_scheduler.py), each with its Apple source."""

from __future__ import annotations

import pytest

from harness.app import DeviceTransport
from harness.backends import Internet
from harness.device import Transport
from harness.ios import (
    AppDelegate,
    AppInfo,
    BackgroundTaskCancelledReason,
    BGAppRefreshTaskRequest,
    BGProcessingTaskRequest,
    BGTask,
    BGTaskSchedulerError,
    BGTaskSchedulerErrorCode,
    FetchCompletion,
    FetchResult,
    IOSSystem,
    TaskKind,
    URLError,
    URLErrorCode,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTaskState,
)
from harness.phone import TransferNetworkPort
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.conftest import BUNDLE, PROCESSING_IDS, REFRESH_ID, SyncApp


def records(sim: Simulation, kind: str) -> list[dict[str, object]]:
    """The fields (with ``t_ms``) of every record of ``kind`` so far."""
    return [{"t_ms": r.t_ms, **r.fields} for r in sim.trace if r.kind == kind]


def use_app(sim: Simulation, iphone: IOSSystem) -> None:
    """The user opens the app and leaves it a minute later (a usage the system learns from)."""
    iphone.open_app(BUNDLE)
    sim.run_for(MS_PER_MINUTE)
    iphone.leave_app(BUNDLE)


def test_no_launch_before_earliest_begin_date_and_none_with_refresh_off(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 2: "No launch before earliestBeginDate. BAR off -> submit gives code 1, no
    launches; Low Power Mode likewise" (bgtaskrequest/earliestbegindate: "the earliest date and
    time at which to run the task"; error/code/unavailable; uiapplication/backgroundrefreshstatus:
    Low Power Mode turns Background App Refresh off)."""
    use_app(sim, iphone)
    earliest = 2 * MS_PER_DAY + 3 * MS_PER_HOUR
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest_begin_ms=earliest))
    sim.run_until(4 * MS_PER_DAY)
    launches = records(sim, "ios.launch")
    assert len(launches) == 1
    assert launches[0]["t_ms"] >= earliest  # type: ignore[operator]

    scheduler = iphone.scheduler(BUNDLE)
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID))
    iphone.set_background_app_refresh(False)
    with pytest.raises(BGTaskSchedulerError) as off:
        scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID))
    assert off.value.code is BGTaskSchedulerErrorCode.UNAVAILABLE
    sim.run_for(3 * MS_PER_DAY)
    assert len(records(sim, "ios.launch")) == 1  # the pending request never launched

    iphone.set_background_app_refresh(True)
    iphone.set_low_power_mode(True)
    with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 1 "):
        scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID))
    sim.run_for(3 * MS_PER_DAY)
    assert len(records(sim, "ios.launch")) == 1


def _first_refresh(sim: Simulation, iphone: IOSSystem) -> None:
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    sim.run_until(2 * MS_PER_DAY)


def test_refresh_budget_expiration_handler_then_kill(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 3: "Refresh: 30 s budget; expirationHandler fires before it; not completed by
    then -> killed" (Choosing background strategies: "up to 30 seconds"; bgtask/expirationhandler:
    called shortly before the task's time expires; bgtask/settaskcompleted: not calling it "may
    result in the system terminating your app")."""
    expired_at: list[int] = []

    def never_completes(task: BGTask) -> None:
        task.expiration_handler = lambda: expired_at.append(sim.now_ms)

    app.handlers[REFRESH_ID] = never_completes
    _first_refresh(sim, iphone)
    (launch,) = records(sim, "ios.launch")
    start = launch["t_ms"]
    assert isinstance(start, int)
    assert expired_at == [start + 25 * MS_PER_SECOND]
    (terminated,) = records(sim, "ios.terminated")
    assert terminated["t_ms"] == start + 30 * MS_PER_SECOND
    assert "not completed within its time" in str(terminated["reason"])
    assert app.tasks[0].completed


def test_refresh_without_expiration_handler_is_unsuccessful(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 3: "no handler -> unsuccessful" (bgtask/settaskcompleted: "If you don't set an
    expiration handler, the system marks your task as complete and unsuccessful")."""
    app.handlers[REFRESH_ID] = lambda task: None
    _first_refresh(sim, iphone)
    (completed,) = records(sim, "ios.completed")
    assert completed["success"] is False
    assert completed["elapsed_ms"] == 25 * MS_PER_SECOND
    assert records(sim, "ios.terminated") == []


def test_processing_only_while_idle_on_power_and_expired_on_pick_up(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 4: "Processing runs only while idle (and on power if requiresExternalPower), and
    is expired when the user starts using the device" (BGProcessingTask: "The system terminates
    the task when the user starts using the device"; requiresExternalPower)."""
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(
        BGProcessingTaskRequest(PROCESSING_IDS[0], requires_external_power=True)
    )
    sim.run_for(6 * MS_PER_HOUR)
    assert records(sim, "ios.launch") == []  # idle for hours, but on battery
    iphone.device.battery.plug("ac")
    iphone.pick_up_phone()  # the screen is on: not idle
    sim.run_for(MS_PER_MINUTE)
    assert records(sim, "ios.launch") == []
    sim.run_for(20 * MS_PER_MINUTE)  # the screen times out, then 15 min of idle
    screen_off = iphone.screen_off_since_ms
    assert screen_off is not None
    (launch,) = records(sim, "ios.launch")
    assert launch["task_kind"] == "processing"
    assert launch["t_ms"] == screen_off + iphone.policy.processing_idle_ms
    iphone.pick_up_phone()
    (expired,) = records(sim, "ios.expired")
    assert expired["reason"] == "user picked up the phone"
    assert expired["t_ms"] == sim.now_ms


def test_force_quit_stops_every_background_launch_until_reopened(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """Behaviour 5: "Force-quit: no refresh, processing or push launches, and URLSession
    transfers cancelled, until the user relaunches" (Apple forums 119758: a force-quit app gets
    no background launches; pushing background updates: not delivered to a force-quit app;
    URLSessionConfiguration.background(withIdentifier:): "the system cancels all of the
    session's background transfers ... does not automatically relaunch apps that were force
    quit"): the cancellation reaches the app when the user opens it, and only then may it start
    the transfer again."""
    pushes: list[FetchCompletion] = []
    tasks: list[BGTask] = []

    def run(task: BGTask) -> None:
        tasks.append(task)
        task.set_task_completed(success=True)

    internet = Internet(sim)
    internet.backend("https://api.example.com").route("POST", "/photos", status=201, json={})
    iphone.transfers.transport_for = lambda package: DeviceTransport(
        sim, TransferNetworkPort(iphone.device, package), internet, package=package
    )
    transfers_heard: list[URLError | None] = []
    sessions: list[URLSession] = []

    def launched(_launch: object) -> None:
        scheduler = iphone.scheduler(BUNDLE)
        scheduler.register("r", run)
        scheduler.register("p", run)
        sessions.append(
            iphone.url_session(
                BUNDLE,
                URLSessionConfiguration.background("upload"),
                URLSessionDelegate(did_complete=lambda _task, error: transfers_heard.append(error)),
            )
        )

    def push(_payload: object, completion: FetchCompletion) -> None:
        pushes.append(completion)
        completion(FetchResult.NO_DATA)

    iphone.install(
        BUNDLE,
        AppInfo(permitted_identifiers=("r", "p")),
        AppDelegate(did_finish_launching=launched, did_receive_remote_notification=push),
    )
    use_app(sim, iphone)
    iphone.device.battery.plug("ac")
    scheduler = iphone.scheduler(BUNDLE)
    scheduler.submit(BGAppRefreshTaskRequest("r"))
    scheduler.submit(BGProcessingTaskRequest("p"))
    iphone.device.network.set_in_range(Transport.WIFI, False)
    iphone.device.network.set_in_range(Transport.CELLULAR, False)
    iphone.open_app(BUNDLE)
    upload = sessions[-1].upload_task("https://api.example.com/photos", b"photo")
    upload.resume()
    iphone.swipe_away(BUNDLE)
    iphone.device.network.set_in_range(Transport.WIFI, True)
    assert iphone.deliver_silent_push(BUNDLE) != "delivered"
    sim.run_for(3 * MS_PER_DAY)
    assert tasks == []
    assert pushes == []
    assert upload.state is URLSessionTaskState.COMPLETED
    assert len(internet.backends[0].requests) == 0  # nothing transferred after the force-quit
    assert transfers_heard == []  # and the app was not launched to hear of it
    iphone.open_app(BUNDLE)
    (cancelled,) = transfers_heard
    assert cancelled is not None
    assert cancelled.code is URLErrorCode.CANCELLED
    assert cancelled.reason is BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION
    sessions[-1].upload_task("https://api.example.com/photos", b"photo").resume()
    sim.run_for(MS_PER_MINUTE)
    assert len(internet.backends[0].requests) == 1
    iphone.leave_app(BUNDLE)
    assert iphone.deliver_silent_push(BUNDLE) == "delivered"
    sim.run_for(2 * MS_PER_DAY)
    assert sorted(task.identifier for task in tasks) == ["p", "r"]


def test_silent_pushes_throttled_beyond_three_an_hour_with_a_30s_budget(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """Behaviour 6: "Silent push: >3/hour throttled; 30 s handler budget" (Pushing background
    updates to your App: "don't try to send more than two or three per hour";
    didReceiveRemoteNotification: "up to 30 seconds of wall-clock time")."""
    held: list[FetchCompletion] = []
    iphone.install(
        BUNDLE,
        AppInfo(),
        AppDelegate(did_receive_remote_notification=lambda _p, completion: held.append(completion)),
    )
    use_app(sim, iphone)
    outcomes = []
    for _ in range(5):
        outcomes.append(iphone.deliver_silent_push(BUNDLE, {"aps": {"content-available": 1}}))
        sim.run_for(10 * MS_PER_MINUTE)
    assert outcomes == ["delivered", "delivered", "delivered", "throttled", "throttled"]
    assert [r["task_kind"] for r in records(sim, "ios.throttled")] == ["silent_push"] * 2
    # no completion handler call: each delivered push got its app killed 30 s later
    terminations = records(sim, "ios.terminated")
    launches = records(sim, "ios.launch")
    assert [t["t_ms"] for t in terminations] == [
        int(launch["t_ms"]) + 30 * MS_PER_SECOND  # type: ignore[call-overload]
        for launch in launches
    ]
    sim.run_for(MS_PER_HOUR)
    assert iphone.deliver_silent_push(BUNDLE) == "delivered"


def test_background_time_is_30s_in_total_whatever_the_task_count(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 7: "beginBackgroundTask: about 30 s in total per app, whatever the number of
    tasks" (Apple forums 85066: the time is per app, not per task; the expiration handler gets
    about a second)."""
    iphone.open_app(BUNDLE)
    time = iphone.background_time(BUNDLE)
    expired: list[int] = []
    first = time.begin("upload", lambda: expired.append(sim.now_ms))
    assert time.remaining_ms() is None  # foreground: unlimited
    iphone.leave_app(BUNDLE)
    left = sim.now_ms
    sim.run_for(20 * MS_PER_SECOND)
    time.end(first)
    second = time.begin("second", lambda: expired.append(sim.now_ms))
    assert time.remaining_ms() == 10 * MS_PER_SECOND  # the same 30 s, not a fresh budget
    sim.run_for(MS_PER_MINUTE)
    assert expired == [left + 30 * MS_PER_SECOND]
    (killed,) = records(sim, "ios.terminated")
    assert killed["t_ms"] == left + 31 * MS_PER_SECOND
    assert second != first


def test_no_launch_before_the_first_unlock_after_a_reboot(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Data protection: nothing launches between a reboot and the user's first unlock."""
    app.handlers[REFRESH_ID] = lambda task: task.set_task_completed(success=True)
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    iphone.device.reboot()
    sim.run_for(3 * MS_PER_DAY)
    assert records(sim, "ios.launch") == []
    locked_since_boot = not iphone.first_unlocked
    iphone.pick_up_phone()
    assert locked_since_boot
    assert iphone.first_unlocked
    sim.run_for(MS_PER_DAY)
    assert [r["task_kind"] for r in records(sim, "ios.launch")] == [TaskKind.APP_REFRESH.value]


def test_a_push_to_the_app_on_screen_is_never_throttled_nor_killed(sim: Simulation) -> None:
    """A silent push to the foreground app is delivered whatever the hourly count, and an app
    on screen that never calls the completion handler is not terminated."""
    from harness.device import Device

    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(
        BUNDLE, AppInfo(), AppDelegate(did_receive_remote_notification=lambda _p, _c: None)
    )
    iphone.open_app(BUNDLE)
    iphone.device.screen.use_for(10 * MS_PER_MINUTE)  # the user keeps using the app
    outcomes = [iphone.deliver_silent_push(BUNDLE) for _ in range(5)]
    sim.run_for(MS_PER_MINUTE)
    assert outcomes == ["delivered"] * 5
    assert records(sim, "ios.terminated") == []
    assert {r["reason"] for r in records(sim, "ios.completed")} == {
        "time ran out in the foreground"
    }


def test_locking_the_phone_sends_the_app_to_the_background(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """The screen going off (the auto-lock) moves the app on screen to the background, where
    its background time starts (applicationDidEnterBackground)."""
    iphone.open_app(BUNDLE)
    sim.run_for(MS_PER_HOUR)
    states = [(r["state"], r["reason"]) for r in records(sim, "ios.app")]
    assert states[-2:] == [("background", "screen locked"), ("suspended", "nothing left to run")]
