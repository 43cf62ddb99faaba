"""``BackgroundTransfers``: the system runs background ``URLSession`` tasks outside the app
(developer.apple.com/documentation/foundation/urlsessionconfiguration/background(withidentifier:),
timeoutintervalforresource, timeoutintervalforrequest): over the device network, through a
suspension, a system kill and a reboot, cancelled by a force-quit."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness._exceptions import DefinitionError
from harness.backends import Internet
from harness.device import Device
from harness.ios import (
    BackgroundTaskCancelledReason,
    IOSSystem,
    URLError,
    URLErrorCode,
    URLSessionConfiguration,
    URLSessionTaskState,
)
from harness.scenario import load
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.conftest import (
    PHOTOS_BUNDLE,
    PHOTOS_SESSION,
    PHOTOS_URL,
    PhotoApp,
    go_offline,
    go_online,
    transfers,
)


@pytest.fixture
def iphone(networked_iphone: IOSSystem) -> IOSSystem:
    """The iPhone of these tests: its background transfers reach the test's servers."""
    return networked_iphone


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
    assert request["package"] == PHOTOS_BUNDLE
    assert int(str(request["bytes_up"])) > 2_000_000
    (received,) = internet.backends[0].requests
    assert received.method == "POST"


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
    iphone.swipe_away(PHOTOS_BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_DAY)
    assert len(internet.backends[0].requests) == 0
    assert not any(r.kind == "ios.launch" for r in sim.trace)
    assert photos.completed == []
    iphone.open_app(PHOTOS_BUNDLE)
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
    iphone.swipe_away(PHOTOS_BUNDLE)
    sim.run_for(MS_PER_HOUR)
    (request,) = [r.fields for r in sim.trace if r.kind == "http.request"]
    assert str(request["error"]).startswith("cancelled: the app's process died (force-quit")
    assert len(internet.backends[0].requests) == 0
    assert len(transfers(sim, "started")) == 1


def test_resource_timeout_fails_the_task_after_seven_days_by_default(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """timeoutIntervalForResource: "The default value is 7 days"; a task still waiting then
    completes with NSURLErrorTimedOut (and the app is launched for it)."""
    go_offline(iphone)
    task = photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    sim.run_for(7 * MS_PER_DAY - MS_PER_SECOND)
    assert task.state is URLSessionTaskState.RUNNING
    sim.run_for(2 * MS_PER_SECOND)
    assert task.error is not None
    assert task.error.code is URLErrorCode.TIMED_OUT
    assert photos.completed[0][2] == task.error
    assert photos.events_calls == [PHOTOS_SESSION]


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
    iphone.swipe_away(PHOTOS_BUNDLE)
    with pytest.raises(DefinitionError, match=r"^app 'com.example.photos' is not running"):
        iphone.url_session(PHOTOS_BUNDLE, URLSessionConfiguration.background(PHOTOS_SESSION))


def test_without_a_network_stack_resume_is_refused(sim: Simulation) -> None:
    """An IOSSystem built alone has no transport for the system's transfers: resume() says how
    to build one."""
    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(PHOTOS_BUNDLE)
    iphone.open_app(PHOTOS_BUNDLE)
    session = iphone.url_session(PHOTOS_BUNDLE, URLSessionConfiguration.background(PHOTOS_SESSION))
    with pytest.raises(DefinitionError, match=r"^this iPhone has no network stack"):
        session.upload_task(PHOTOS_URL, b"x").resume()


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
