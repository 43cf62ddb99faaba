"""``explain_launch`` for a background URLSession (its identifier, or a task ``SESSION#N``): the
transfer's state now from ``why_waiting``, the rule the system starts it by, each reason with
its source (Apple's page, or the modelled ``TransferPolicy`` of docs/ios.md); asking changes
nothing."""

from __future__ import annotations

import pytest

from harness.device import Transport
from harness.ios import (
    IOSSystem,
    Launch,
    URLSessionConfiguration,
    WaitCause,
    explain_launch,
)
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Simulation
from tests.ios.conftest import (
    PHOTO,
    PHOTOS_BUNDLE,
    PHOTOS_SESSION,
    PHOTOS_URL,
    PhotoApp,
    go_offline,
    go_online,
)

TASK_1 = f"{PHOTOS_SESSION}#1"
MODELLED = "docs/ios.md, a modelled policy, not Apple's"


@pytest.fixture
def iphone(networked_iphone: IOSSystem) -> IOSSystem:
    """The iPhone of these tests: its background transfers reach the test's servers."""
    return networked_iphone


def why(iphone: IOSSystem, identifier: str = TASK_1) -> tuple[WaitCause, str, str]:
    answer = explain_launch(iphone, PHOTOS_BUNDLE, identifier)
    return answer.cause, answer.reason, answer.source


def test_offline_it_waits_for_connectivity_then_runs(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """Background sessions "always wait for connectivity" (waitsforconnectivity): offline the
    task waits (until timeoutIntervalForResource); back online the system transfers it."""
    go_offline(iphone)
    photos.upload()
    sim.run_for(MS_PER_MINUTE)
    assert why(iphone) == (
        WaitCause.CONNECTIVITY,
        "waiting for connectivity: no network; a background session waits for one (it fails "
        "only at t=7d00:00:10.000, timeoutIntervalForResource)",
        "developer.apple.com/documentation/foundation/urlsessionconfiguration/"
        "waitsforconnectivity (background sessions always wait)",
    )
    assert why(iphone, PHOTOS_SESSION)[0] is WaitCause.CONNECTIVITY  # the session: its task
    go_online(iphone)
    sim.run_for(3_500)  # the network is back 3 s later
    cause, reason, _ = why(iphone)
    assert cause is WaitCause.RUNNING
    assert reason.startswith("running: the system transfers it (upload POST ")


def test_a_discretionary_task_waits_for_wifi_then_power_and_low_power_mode(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """isDiscretionary: the modelled policy waits for Wi-Fi, then external power; with Low
    Power Mode on the answer is Low Power Mode (support.apple.com HT205234)."""
    photos.configuration = URLSessionConfiguration.background(PHOTOS_SESSION, is_discretionary=True)
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    iphone.device.network.set_in_range(Transport.WIFI, False)
    photos.upload()
    sim.run_for(MS_PER_MINUTE)
    cause, reason, source = why(iphone)
    assert (cause, reason) == (
        WaitCause.DISCRETIONARY,
        "discretionary: waiting for Wi-Fi (isDiscretionary is set; the modelled policy starts "
        "a discretionary transfer on an unmetered network only)",
    )
    assert source.startswith(MODELLED)
    iphone.device.network.set_in_range(Transport.WIFI, True)
    sim.run_for(MS_PER_MINUTE)
    assert why(iphone)[:2] == (
        WaitCause.DISCRETIONARY,
        "discretionary: waiting for external power (isDiscretionary is set; the modelled "
        "policy starts a discretionary transfer while the phone charges)",
    )
    iphone.set_low_power_mode(True)
    assert why(iphone)[:2] == (
        WaitCause.LOW_POWER_MODE,
        "Low Power Mode is on: a discretionary transfer waits until it is off "
        "(isDiscretionary is set)",
    )


def test_earliest_begin_date_and_cellular_not_allowed(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """URLSessionTask.earliestBeginDate is a floor ("it won't start sooner"); allowsCellularAccess
    false waits for a network that is not cellular."""
    photos.configuration = URLSessionConfiguration.background(
        PHOTOS_SESSION, allows_cellular_access=False
    )
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    iphone.device.network.set_in_range(Transport.WIFI, False)
    assert photos.session is not None
    task = photos.session.upload_task(PHOTOS_URL, PHOTO)
    task.earliest_begin_ms = sim.now_ms + MS_PER_HOUR
    task.resume()
    sim.run_for(MS_PER_MINUTE)
    assert why(iphone) == (
        WaitCause.EARLIEST_BEGIN,
        "earliestBeginDate not reached: the system starts it no sooner than t=0d01:00:10.000",
        "developer.apple.com/documentation/foundation/urlsessiontask/earliestbegindate",
    )
    sim.run_for(MS_PER_HOUR)
    assert why(iphone)[:2] == (
        WaitCause.CELLULAR_NOT_ALLOWED,
        "cellular not allowed: the session sets allowsCellularAccess false and the only network "
        "is cellular; it waits for Wi-Fi",
    )


def test_a_lost_connection_waits_for_the_retry_delay(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """Background tasks "are automatically retried" (timeoutintervalforrequest); the model tries
    again TransferPolicy.retry_delay_ms (1 min) after a failed attempt."""
    photos.upload()
    sim.run_for(500)
    go_offline(iphone)
    go_online(iphone)
    sim.run_for(1_000)
    cause, reason, source = why(iphone)
    assert cause is WaitCause.RETRY_DELAY
    assert reason.startswith("retry delay: attempt 1 failed at the transport level; the system ")
    assert source.startswith(MODELLED)


def test_force_quit_cancels_until_the_user_opens_the_app(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """A force-quit cancels the session's transfers (background(withidentifier:)); the app hears
    of it when the user opens it; then the session has no transfer in progress."""
    go_offline(iphone)
    photos.upload()
    iphone.swipe_away(PHOTOS_BUNDLE)
    sim.run_for(MS_PER_HOUR)
    cause, reason, source = why(iphone)
    assert (cause, reason) == (
        WaitCause.TRANSFER_CANCELLED,
        "cancelled by a force-quit (NSURLErrorCancelled, "
        "NSURLErrorCancelledReasonUserForceQuitApplication): iOS relaunches nothing for a "
        "force-quit app; the app hears of it (didCompleteWithError) when the user opens it and "
        "it creates the session again",
    )
    assert "background(withidentifier:)" in source
    iphone.open_app(PHOTOS_BUNDLE)
    assert why(iphone)[:2] == (
        WaitCause.NO_REQUEST,
        "transfer 'com.example.photos.upload#1' is not held by the system: it was delivered to "
        "the app (or never resumed)",
    )
    assert why(iphone, PHOTOS_SESSION)[0] is WaitCause.NO_REQUEST


def test_timed_out_after_the_resource_timeout(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """timeoutIntervalForResource (7 days): a task not transferred by then ends with
    NSURLErrorTimedOut; while its events wait for the app, that is the answer."""
    photos.configuration = URLSessionConfiguration.background(
        PHOTOS_SESSION, session_sends_launch_events=False
    )
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    go_offline(iphone)
    photos.upload()
    iphone.leave_app(PHOTOS_BUNDLE)
    sim.run_for(7 * MS_PER_DAY + MS_PER_MINUTE)
    cause, reason, source = why(iphone)
    assert cause is WaitCause.TIMED_OUT
    assert reason.startswith("timed out: not transferred within timeoutIntervalForResource")
    assert source.endswith("urlsessionconfiguration/timeoutintervalforresource")


def test_asking_records_nothing(sim: Simulation, iphone: IOSSystem, photos: PhotoApp) -> None:
    """Asking reads the system's transfers and writes no record (the bundled scenarios' digest
    check, tests/test_cli_why_ios.py, covers random draws)."""
    go_offline(iphone)
    photos.upload()
    sim.run_for(MS_PER_MINUTE)
    before = sim.trace.digest()
    for identifier in (TASK_1, PHOTOS_SESSION, f"{PHOTOS_SESSION}#9"):
        explain_launch(iphone, PHOTOS_BUNDLE, identifier)
    assert sim.trace.digest() == before
