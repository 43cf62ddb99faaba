"""``SessionEvents``: how a background session's events reach the app: directly, or by a
background launch with handleEventsForBackgroundURLSession (sessionsendslaunchevents;
"Downloading files in the background")."""

from __future__ import annotations

import httpx
import pytest

from harness.backends import Internet, SizedBody
from harness.ios import (
    AppState,
    IOSSystem,
    Launch,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
    URLSessionTaskState,
)
from harness.sim import MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.conftest import (
    PHOTOS_BUNDLE,
    PHOTOS_SESSION,
    PhotoApp,
    go_offline,
    go_online,
    transfers,
)


@pytest.fixture
def iphone(networked_iphone: IOSSystem) -> IOSSystem:
    """The iPhone of these tests: its background transfers reach the test's servers."""
    return networked_iphone


def test_an_upload_survives_suspension_and_the_app_is_resumed_for_its_events(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "Transfers continue even when the app itself is suspended"; when they finish the system
    resumes the app in the background and calls handleEventsForBackgroundURLSession
    (sessionSendsLaunchEvents, default true), then the delegate, then didFinishEvents."""
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    assert iphone.app(PHOTOS_BUNDLE).state is AppState.SUSPENDED
    sim.run_for(MS_PER_HOUR)
    assert photos.completed == []
    assert transfers(sim, "waiting")[0]["reason"] == "waiting for connectivity"
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert photos.events_calls == [PHOTOS_SESSION]
    assert photos.completed == [(1, 201, None)]
    assert photos.order == ["handle_events", "did_complete", "did_finish_events"]
    launch = next(r.fields for r in sim.trace if r.kind == "ios.launch")
    assert launch == {
        "bundle_id": PHOTOS_BUNDLE,
        "identifier": PHOTOS_SESSION,
        "task_kind": "url_session",
        "cold": False,
        "handler": True,
    }
    assert (
        iphone.app(PHOTOS_BUNDLE).state is AppState.SUSPENDED
    )  # completion called: suspended again


def test_an_upload_survives_a_system_kill_and_the_app_is_relaunched(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "If an iOS app is terminated by the system and relaunched, the app can use the same
    identifier to create a new ... session and retrieve the status of transfers": the system
    launches it (cold) in the background, it recreates the session, the events arrive."""
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    iphone.terminate(PHOTOS_BUNDLE, "memory pressure")
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    assert photos.completed == [(1, 201, None)]
    launch = next(r.fields for r in sim.trace if r.kind == "ios.launch")
    assert launch["cold"] is True
    assert iphone.app(PHOTOS_BUNDLE).launch_count == 2


def test_without_launch_events_the_outcome_waits_for_the_user(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """sessionSendsLaunchEvents false: the transfer still runs while the app is suspended, but
    the system does not wake the app; it hears of it when the user opens it."""
    photos.configuration = URLSessionConfiguration.background(
        PHOTOS_SESSION, session_sends_launch_events=False
    )
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    go_offline(iphone)
    task = photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_HOUR)
    assert task.state is URLSessionTaskState.COMPLETED
    assert photos.completed == []
    assert not any(r.kind == "ios.launch" for r in sim.trace)
    iphone.open_app(PHOTOS_BUNDLE)
    assert photos.completed == [(1, 201, None)]


def test_an_app_that_never_calls_the_completion_handler_is_killed(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """The background launch for a session's events has the 30 s of a fetch (modelled): the
    completion handler never called, the app is terminated then."""
    photos.call_completion = False
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    go_online(iphone)
    sim.run_for(MS_PER_MINUTE)
    (terminated,) = [r.fields for r in sim.trace if r.kind == "ios.terminated"]
    assert "url_session" in str(terminated["reason"])


def test_a_download_hands_the_body_to_the_delegate(
    sim: Simulation, internet: Internet, iphone: IOSSystem
) -> None:
    """downloadTask: didFinishDownloadingTo (the body) comes before didCompleteWithError."""
    internet.backends[0].route("GET", "/photos/1", body=SizedBody(500_000))
    sim.run_for(10 * MS_PER_SECOND)
    heard: list[str] = []
    iphone.install(PHOTOS_BUNDLE)
    iphone.open_app(PHOTOS_BUNDLE)

    def downloaded(_task: URLSessionTask, response: httpx.Response) -> None:
        heard.append(f"downloaded {response.status_code}")

    session = iphone.url_session(
        PHOTOS_BUNDLE,
        URLSessionConfiguration.background(PHOTOS_SESSION),
        URLSessionDelegate(
            did_finish_downloading=downloaded,
            did_complete=lambda _task, error: heard.append(f"complete {error}"),
        ),
    )
    session.download_task("https://api.example.com/photos/1").resume()
    sim.run_for(MS_PER_MINUTE)
    assert heard == ["downloaded 200", "complete None"]
