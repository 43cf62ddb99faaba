"""Background ``URLSession`` transfers on the simulated iPhone, each rule with its Apple source
(developer.apple.com/documentation/foundation/...: urlsessionconfiguration/
background(withidentifier:), isdiscretionary, sessionsendslaunchevents,
timeoutintervalforresource, waitsforconnectivity; "Downloading files in the background")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from harness._exceptions import DefinitionError
from harness.app import DeviceTransport
from harness.backends import Internet, SizedBody
from harness.device import Device, Transport
from harness.ios import (
    AppDelegate,
    AppInfo,
    AppState,
    BackgroundTaskCancelledReason,
    IOSSystem,
    Launch,
    TransferPolicy,
    URLError,
    URLErrorCode,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
    URLSessionTaskState,
)
from harness.phone import TransferNetworkPort
from harness.scenario import load
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation

BUNDLE = "com.example.photos"
SESSION = "com.example.photos.upload"
PHOTOS = "https://api.example.com/photos"
PHOTO = SizedBody(2_000_000, content_type="image/jpeg", name="photo.jpg")


@dataclass
class PhotoApp:
    """An app with one background session, recreated at every launch as Apple asks; it records
    what its delegate and its app delegate heard."""

    ios: IOSSystem
    configuration: URLSessionConfiguration = field(
        default_factory=lambda: URLSessionConfiguration.background(SESSION)
    )
    completed: list[tuple[int, int | None, URLError | None]] = field(default_factory=list)
    events_calls: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    call_completion: bool = True
    session: URLSession | None = None
    _completion: Callable[[], None] | None = None

    def launched(self, _launch: Launch) -> None:
        self.session = self.ios.url_session(
            BUNDLE,
            self.configuration,
            URLSessionDelegate(did_complete=self.did_complete, did_finish_events=self.finished),
        )

    def handle_events(self, identifier: str, completion: Callable[[], None]) -> None:
        self.events_calls.append(identifier)
        self.order.append("handle_events")
        self._completion = completion

    def did_complete(self, task: URLSessionTask, error: URLError | None) -> None:
        status = task.response.status_code if task.response is not None else None
        self.completed.append((task.task_identifier, status, error))
        self.order.append("did_complete")

    def finished(self, _session: URLSession) -> None:
        self.order.append("did_finish_events")
        if self.call_completion and self._completion is not None:
            self._completion()

    def upload(self) -> URLSessionTask:
        assert self.session is not None
        task = self.session.upload_task(PHOTOS, PHOTO)
        task.resume()
        return task


@pytest.fixture
def internet(sim: Simulation) -> Internet:
    """The photo server: ``POST /photos`` answers 201."""
    internet = Internet(sim)
    internet.backend("https://api.example.com").route("POST", "/photos", status=201, json={})
    return internet


@pytest.fixture
def iphone(sim: Simulation, internet: Internet) -> IOSSystem:
    """An iPhone whose background transfers go through the device network to ``internet``
    (its apps are the tests' closures, called directly rather than in an app runtime)."""
    device = Device(sim, "iphone-like")
    ios = IOSSystem(sim, device)
    ios.transfers.transport_for = lambda package: DeviceTransport(
        sim, TransferNetworkPort(device, package), internet, package=package
    )
    return ios


@pytest.fixture
def photos(iphone: IOSSystem) -> PhotoApp:
    """The photo app, installed; once the phone's networks are up (a few seconds after boot) the
    user opens it and it creates its session."""
    iphone.sim.run_for(10 * MS_PER_SECOND)
    app = PhotoApp(iphone)
    iphone.install(
        BUNDLE,
        AppInfo(),
        AppDelegate(
            did_finish_launching=app.launched,
            handle_events_for_background_url_session=app.handle_events,
        ),
    )
    iphone.open_app(BUNDLE)
    return app


def transfers(sim: Simulation, event: str | None = None) -> list[dict[str, object]]:
    """The ``ios.transfer`` records (of ``event``), with their time."""
    return [
        {"t_ms": r.t_ms, **r.fields}
        for r in sim.trace
        if r.kind == "ios.transfer" and (event is None or r.fields["event"] == event)
    ]


def go_offline(iphone: IOSSystem) -> None:
    """Wi-Fi and cellular both out of reach (a tunnel)."""
    iphone.device.network.set_in_range(Transport.WIFI, False)
    iphone.device.network.set_in_range(Transport.CELLULAR, False)


def go_online(iphone: IOSSystem) -> None:
    """Back on Wi-Fi."""
    iphone.device.network.set_in_range(Transport.WIFI, True)


def test_an_upload_goes_through_the_device_network_and_costs_bytes(
    sim: Simulation, internet: Internet, photos: PhotoApp
) -> None:
    """The system carries the task over the device's network to the servers: an http.request
    of the app, its bytes counted; the delegate gets didCompleteWithError(nil) and the HTTP
    status (an HTTP status is not a task error)."""
    task = photos.upload()
    sim.run_for(MS_PER_MINUTE)
    assert task.state is URLSessionTaskState.COMPLETED
    assert photos.completed == [(1, 201, None)]
    (request,) = [r.fields for r in sim.trace if r.kind == "http.request"]
    assert request["package"] == BUNDLE
    assert int(str(request["bytes_up"])) > 2_000_000
    (received,) = internet.backends[0].requests
    assert received.method == "POST"


def test_an_upload_survives_suspension_and_the_app_is_resumed_for_its_events(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "Transfers continue even when the app itself is suspended"; when they finish the system
    resumes the app in the background and calls handleEventsForBackgroundURLSession
    (sessionSendsLaunchEvents, default true), then the delegate, then didFinishEvents."""
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(BUNDLE)
    assert iphone.app(BUNDLE).state is AppState.SUSPENDED
    sim.run_for(MS_PER_HOUR)
    assert photos.completed == []
    assert transfers(sim, "waiting")[0]["reason"] == "waiting for connectivity"
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert photos.events_calls == [SESSION]
    assert photos.completed == [(1, 201, None)]
    assert photos.order == ["handle_events", "did_complete", "did_finish_events"]
    launch = next(r.fields for r in sim.trace if r.kind == "ios.launch")
    assert launch == {
        "bundle_id": BUNDLE,
        "identifier": SESSION,
        "task_kind": "url_session",
        "cold": False,
        "handler": True,
    }
    assert iphone.app(BUNDLE).state is AppState.SUSPENDED  # completion called: suspended again


def test_an_upload_survives_a_system_kill_and_the_app_is_relaunched(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "If an iOS app is terminated by the system and relaunched, the app can use the same
    identifier to create a new ... session and retrieve the status of transfers": the system
    launches it (cold) in the background, it recreates the session, the events arrive."""
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(BUNDLE)
    iphone.terminate(BUNDLE, "memory pressure")
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert photos.completed == [(1, 201, None)]
    launch = next(r.fields for r in sim.trace if r.kind == "ios.launch")
    assert launch["cold"] is True
    assert iphone.app(BUNDLE).launch_count == 2


def test_force_quit_cancels_every_transfer_and_no_relaunch_until_opened(
    sim: Simulation, internet: Internet, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "If the user terminates the app from the multitasking screen, the system cancels all of
    the session's background transfers ... does not automatically relaunch apps that were force
    quit"; the cancellation (NSURLErrorCancelled, reason UserForceQuitApplication) reaches the
    delegate when the user opens the app and it recreates the session."""
    go_offline(iphone)
    photos.upload()
    photos.upload()
    iphone.swipe_away(BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_DAY)
    assert len(internet.backends[0].requests) == 0
    assert not any(r.kind == "ios.launch" for r in sim.trace)
    assert photos.completed == []
    iphone.open_app(BUNDLE)
    cancelled = URLError(
        URLErrorCode.CANCELLED,
        "the user force-quit the app: the system cancelled its background transfers",
        BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION,
    )
    assert photos.completed == [(1, None, cancelled), (2, None, cancelled)]
    assert [r["event"] for r in transfers(sim) if r["task_id"] == 1][-2:] == [
        "cancelled",
        "delivered",
    ]


def test_force_quit_mid_upload_stops_the_bytes(
    sim: Simulation, internet: Internet, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """A force-quit while the upload is on the wire cuts it: the request dies with the app's
    process (not a response the app dropped), nothing reaches the server, nothing more is sent."""
    photos.upload()
    sim.run_for(200)
    assert transfers(sim, "started")
    iphone.swipe_away(BUNDLE)
    sim.run_for(MS_PER_HOUR)
    (request,) = [r.fields for r in sim.trace if r.kind == "http.request"]
    assert str(request["error"]).startswith("cancelled: the app's process died (force-quit")
    assert len(internet.backends[0].requests) == 0
    assert len(transfers(sim, "started")) == 1


def test_a_task_resumed_in_the_background_is_discretionary_wifi_and_power(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """isDiscretionary: "For transfers started while your app is in the background, the system
    always starts transfers at its discretion"; the model waits for Wi-Fi and power (Apple:
    "might delay transferring large files until the device is plugged in and connected to the
    network via Wi-Fi")."""
    iphone.device.network.set_in_range(Transport.WIFI, False)
    iphone.background_time(BUNDLE).begin("finish up")  # keeps the app running off screen
    iphone.leave_app(BUNDLE)
    assert iphone.app(BUNDLE).state is AppState.BACKGROUND
    task = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert task.state is URLSessionTaskState.RUNNING
    assert transfers(sim, "resumed")[0]["reason"] == "discretionary"
    assert transfers(sim, "waiting")[0]["reason"] == "discretionary: waiting for Wi-Fi"
    iphone.device.network.set_in_range(Transport.WIFI, True)
    sim.run_for(MS_PER_HOUR)
    assert transfers(sim, "waiting")[-1]["reason"] == "discretionary: waiting for power"
    assert task.state is URLSessionTaskState.RUNNING
    iphone.device.battery.plug("ac")
    sim.run_for(MS_PER_MINUTE)
    assert [r["task_id"] for r in transfers(sim, "completed")] == [task.task_identifier]


def test_a_foreground_task_is_not_discretionary_by_default(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """isDiscretionary defaults to false: a task resumed in the foreground goes on cellular, on
    battery, at once; set it and the same task waits for Wi-Fi."""
    iphone.device.network.set_in_range(Transport.WIFI, False)
    task = photos.upload()
    sim.run_for(10 * MS_PER_MINUTE)
    assert task.state is URLSessionTaskState.COMPLETED
    iphone.open_app(BUNDLE)
    photos.configuration = URLSessionConfiguration.background(SESSION, is_discretionary=True)
    photos.launched(Launch(BUNDLE, None, sim.now_ms))
    second = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert second.state is URLSessionTaskState.RUNNING


def test_no_start_before_the_earliest_begin_date(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """URLSessionTask.earliestBeginDate: "The download isn't guaranteed to begin at precisely
    this time, but it won't start sooner" (Downloading files in the background)."""
    assert photos.session is not None
    task = photos.session.upload_task(PHOTOS, PHOTO)
    task.earliest_begin_ms = sim.now_ms + MS_PER_HOUR
    task.resume()
    sim.run_for(MS_PER_HOUR - MS_PER_SECOND)
    assert transfers(sim, "started") == []
    sim.run_for(MS_PER_SECOND)
    assert transfers(sim, "started")[0]["t_ms"] == task.earliest_begin_ms


def test_low_power_mode_holds_discretionary_transfers(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """A discretionary transfer waits out Low Power Mode even on Wi-Fi and power (the model:
    Low Power Mode pauses "automatic downloads", support.apple.com HT205234)."""
    photos.configuration = URLSessionConfiguration.background(SESSION, is_discretionary=True)
    photos.launched(Launch(BUNDLE, None, sim.now_ms))
    iphone.device.battery.plug("ac")
    iphone.set_low_power_mode(True)
    task = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert transfers(sim, "waiting")[-1]["reason"] == "discretionary: waiting for power"
    iphone.set_low_power_mode(False)
    sim.run_for(10 * MS_PER_MINUTE)
    assert [r["task_id"] for r in transfers(sim, "completed")] == [task.task_identifier]


def test_resource_timeout_fails_the_task_after_seven_days_by_default(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """timeoutIntervalForResource: "The default value is 7 days"; a task still waiting then
    completes with NSURLErrorTimedOut (and the app is launched for it)."""
    go_offline(iphone)
    task = photos.upload()
    iphone.leave_app(BUNDLE)
    sim.run_for(7 * MS_PER_DAY - MS_PER_SECOND)
    assert task.state is URLSessionTaskState.RUNNING
    sim.run_for(2 * MS_PER_SECOND)
    assert task.error is not None
    assert task.error.code is URLErrorCode.TIMED_OUT
    assert photos.completed[0][2] == task.error
    assert photos.events_calls == [SESSION]


def test_offline_background_tasks_wait_instead_of_failing(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """waitsForConnectivity "is ignored by background sessions, which always wait": days offline
    are no error; the transfer goes once a network is back."""
    go_offline(iphone)
    task = photos.upload()
    sim.run_for(3 * MS_PER_DAY)
    assert task.state is URLSessionTaskState.RUNNING
    assert photos.completed == []
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert photos.completed == [(1, 201, None)]


def test_a_lost_connection_is_retried(sim: Simulation, iphone: IOSSystem, photos: PhotoApp) -> None:
    """Background tasks "are automatically retried" (timeoutIntervalForRequest): an attempt cut
    by a lost network is tried again once a network is back (TransferPolicy.retry_delay_ms)."""
    photos.upload()
    sim.run_for(500)
    go_offline(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert transfers(sim, "interrupted")
    go_online(iphone)
    sim.run_for(2 * MS_PER_MINUTE)
    assert photos.completed == [(1, 201, None)]
    assert transfers(sim, "started")[-1]["attempt"] == 2


def test_without_launch_events_the_outcome_waits_for_the_user(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """sessionSendsLaunchEvents false: the transfer still runs while the app is suspended, but
    the system does not wake the app; it hears of it when the user opens it."""
    photos.configuration = URLSessionConfiguration.background(
        SESSION, session_sends_launch_events=False
    )
    photos.launched(Launch(BUNDLE, None, sim.now_ms))
    go_offline(iphone)
    task = photos.upload()
    iphone.leave_app(BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_HOUR)
    assert task.state is URLSessionTaskState.COMPLETED
    assert photos.completed == []
    assert not any(r.kind == "ios.launch" for r in sim.trace)
    iphone.open_app(BUNDLE)
    assert photos.completed == [(1, 201, None)]


def test_an_app_that_never_calls_the_completion_handler_is_killed(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """The background launch for a session's events has the 30 s of a fetch (modelled): the
    completion handler never called, the app is terminated then."""
    photos.call_completion = False
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    (terminated,) = [r.fields for r in sim.trace if r.kind == "ios.terminated"]
    assert "url_session" in str(terminated["reason"])


def test_transfers_survive_a_reboot_and_go_after_the_first_unlock(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """Not documented by Apple (modelled): the system keeps the tasks over a reboot, drops the
    attempt in flight and tries again after the first unlock."""
    photos.upload()
    sim.run_for(200)
    iphone.device.reboot()
    sim.run_for(MS_PER_HOUR)
    assert photos.completed == []
    assert transfers(sim, "interrupted")
    iphone.pick_up_phone()
    sim.run_for(MS_PER_MINUTE)
    assert transfers(sim, "completed")
    assert photos.completed == [(1, 201, None)]


def test_a_session_needs_a_running_app_and_a_configuration_needs_an_identifier(
    iphone: IOSSystem, photos: PhotoApp
) -> None:
    """background(withIdentifier:): the identifier "must not be nil or an empty string"; only
    the app's own (running) code creates sessions."""
    with pytest.raises(DefinitionError, match=r"^URLSessionConfiguration.background identifier"):
        URLSessionConfiguration.background("")
    iphone.swipe_away(BUNDLE)
    with pytest.raises(DefinitionError, match=r"^app 'com.example.photos' is not running"):
        iphone.url_session(BUNDLE, URLSessionConfiguration.background(SESSION))


def test_without_a_network_stack_resume_is_refused(sim: Simulation) -> None:
    """An IOSSystem built alone has no transport for the system's transfers: resume() says how
    to build one."""
    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(BUNDLE)
    iphone.open_app(BUNDLE)
    session = iphone.url_session(BUNDLE, URLSessionConfiguration.background(SESSION))
    with pytest.raises(DefinitionError, match=r"^this iPhone has no network stack"):
        session.upload_task(PHOTOS, b"x").resume()


def test_a_download_hands_the_body_to_the_delegate(
    sim: Simulation, internet: Internet, iphone: IOSSystem
) -> None:
    """downloadTask: didFinishDownloadingTo (the body) comes before didCompleteWithError."""
    internet.backends[0].route("GET", "/photos/1", body=SizedBody(500_000))
    sim.run_for(10 * MS_PER_SECOND)
    heard: list[str] = []
    iphone.install(BUNDLE)
    iphone.open_app(BUNDLE)

    def downloaded(_task: URLSessionTask, response: httpx.Response) -> None:
        heard.append(f"downloaded {response.status_code}")

    session = iphone.url_session(
        BUNDLE,
        URLSessionConfiguration.background(SESSION),
        URLSessionDelegate(
            did_finish_downloading=downloaded,
            did_complete=lambda _task, error: heard.append(f"complete {error}"),
        ),
    )
    session.download_task("https://api.example.com/photos/1").resume()
    sim.run_for(MS_PER_MINUTE)
    assert heard == ["downloaded 200", "complete None"]


def test_cellular_not_allowed_waits_for_wifi(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """allowsCellularAccess false: on cellular only, the task waits for another network."""
    photos.configuration = URLSessionConfiguration.background(SESSION, allows_cellular_access=False)
    photos.launched(Launch(BUNDLE, None, sim.now_ms))
    iphone.device.network.set_in_range(Transport.WIFI, False)
    task = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert transfers(sim, "waiting")[-1]["reason"] == "cellular access not allowed"
    iphone.device.network.set_in_range(Transport.WIFI, True)
    sim.run_for(MS_PER_MINUTE)
    assert [r["task_id"] for r in transfers(sim, "completed")] == [task.task_identifier]


def test_the_app_cancelling_a_task_gets_cancelled_without_a_system_reason(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """URLSessionTask.cancel(): the delegate gets NSURLErrorCancelled, no
    NSURLErrorBackgroundTaskCancelledReasonKey (the system did not cancel it)."""
    go_offline(iphone)
    task = photos.upload()
    task.cancel()
    assert photos.completed == [(1, None, URLError(URLErrorCode.CANCELLED, "cancelled by the app"))]
    assert photos.session is not None
    assert photos.session.all_tasks() == ()


def test_transfer_policy_rejects_negative_numbers() -> None:
    """TransferPolicy's numbers are non-negative ints."""
    with pytest.raises(DefinitionError, match=r"^TransferPolicy.retry_delay_ms = -1"):
        TransferPolicy(retry_delay_ms=-1)


def test_an_upload_lost_to_a_swipe_is_data_lost_until_the_user_opens_the_app() -> None:
    """A transfer cancelled by a force-quit is data lost (no_data_lost) while the user stays
    away: scenarios/photo_upload/swiped_mid_upload.yaml ended at 20:00, before the user opens
    the app at 21:00, fails no_data_lost on the photo swiped away; the whole day passes."""
    path = Path(__file__).resolve().parents[2] / "scenarios/photo_upload/swiped_mid_upload.yaml"
    scenario = load(path)
    assert scenario.run(0).record.passed
    timeline = [event for event in scenario.data["timeline"] if "day 0 2" not in str(event["at"])]
    before_reopening = scenario.replace(duration="20h", timeline=timeline).run(0).record
    failed = {check.name for check in before_reopening.checks if not check.passed}
    assert "no_data_lost" in failed
    (lost,) = [check for check in before_reopening.checks if check.name == "no_data_lost"]
    assert lost.message == "1 of 3 created item(s) never reached the server"
