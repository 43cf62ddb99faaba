"""``TransferPolicy`` and ``why_waiting``: when the system starts a background transfer
(urlsessionconfiguration/isdiscretionary, waitsforconnectivity, allowscellularaccess;
URLSessionTask.earliestBeginDate; the model's Wi-Fi-and-power rule)."""

from __future__ import annotations

import pytest

from harness._exceptions import DefinitionError
from harness.device import Transport
from harness.ios import (
    AppState,
    IOSSystem,
    Launch,
    TransferPolicy,
    URLSessionConfiguration,
    URLSessionTaskState,
)
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.conftest import (
    PHOTO,
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


def test_a_task_resumed_in_the_background_is_discretionary_wifi_and_power(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """isDiscretionary: "For transfers started while your app is in the background, the system
    always starts transfers at its discretion"; the model waits for Wi-Fi and power (Apple:
    "might delay transferring large files until the device is plugged in and connected to the
    network via Wi-Fi")."""
    iphone.device.network.set_in_range(Transport.WIFI, False)
    iphone.background_time(PHOTOS_BUNDLE).begin("finish up")  # keeps the app running off screen
    iphone.leave_app(PHOTOS_BUNDLE)
    assert iphone.app(PHOTOS_BUNDLE).state is AppState.BACKGROUND
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
    iphone.open_app(PHOTOS_BUNDLE)
    photos.configuration = URLSessionConfiguration.background(PHOTOS_SESSION, is_discretionary=True)
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    second = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert second.state is URLSessionTaskState.RUNNING


def test_no_start_before_the_earliest_begin_date(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """URLSessionTask.earliestBeginDate: "The download isn't guaranteed to begin at precisely
    this time, but it won't start sooner" (Downloading files in the background)."""
    assert photos.session is not None
    task = photos.session.upload_task(PHOTOS_URL, PHOTO)
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
    photos.configuration = URLSessionConfiguration.background(PHOTOS_SESSION, is_discretionary=True)
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    iphone.device.battery.plug("ac")
    iphone.set_low_power_mode(True)
    task = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert transfers(sim, "waiting")[-1]["reason"] == "discretionary: waiting for power"
    iphone.set_low_power_mode(False)
    sim.run_for(10 * MS_PER_MINUTE)
    assert [r["task_id"] for r in transfers(sim, "completed")] == [task.task_identifier]


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


def test_cellular_not_allowed_waits_for_wifi(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """allowsCellularAccess false: on cellular only, the task waits for another network."""
    photos.configuration = URLSessionConfiguration.background(
        PHOTOS_SESSION, allows_cellular_access=False
    )
    photos.launched(Launch(PHOTOS_BUNDLE, None, sim.now_ms))
    iphone.device.network.set_in_range(Transport.WIFI, False)
    task = photos.upload()
    sim.run_for(MS_PER_HOUR)
    assert transfers(sim, "waiting")[-1]["reason"] == "cellular access not allowed"
    iphone.device.network.set_in_range(Transport.WIFI, True)
    sim.run_for(MS_PER_MINUTE)
    assert [r["task_id"] for r in transfers(sim, "completed")] == [task.task_identifier]


def test_transfer_policy_rejects_negative_numbers() -> None:
    """TransferPolicy's numbers are non-negative ints."""
    with pytest.raises(DefinitionError, match=r"^TransferPolicy.retry_delay_ms = -1"):
        TransferPolicy(retry_delay_ms=-1)
