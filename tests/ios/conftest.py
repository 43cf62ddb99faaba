"""Fixtures for the iOS tests: an iPhone (the shared device model plus ``IOSSystem``) and an app
whose delegate registers launch handlers the test gives it; for background ``URLSession``, an
iPhone whose transfers reach fake servers (``networked_iphone``, ``internet``) and a photo app
with one background session (``photos``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from harness.app import DeviceTransport
from harness.backends import Internet, SizedBody
from harness.device import Device, Transport
from harness.ios import (
    AppDelegate,
    AppInfo,
    BGTask,
    IOSSystem,
    Launch,
    URLError,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
)
from harness.phone import TransferNetworkPort
from harness.sim import MS_PER_SECOND, Simulation

BUNDLE = "com.example.sync"
REFRESH_ID = "com.example.sync.refresh"
PROCESSING_IDS = tuple(f"com.example.sync.processing{i}" for i in range(12))


@dataclass
class SyncApp:
    """An app under test: its launch handlers and what they saw."""

    ios: IOSSystem
    handlers: dict[str, Callable[[BGTask], object]] = field(default_factory=dict)
    tasks: list[BGTask] = field(default_factory=list)

    def did_finish_launching(self, _launch: Launch) -> None:
        scheduler = self.ios.scheduler(BUNDLE)
        for identifier in (REFRESH_ID, *PROCESSING_IDS):
            scheduler.register(identifier, self._dispatch)

    def _dispatch(self, task: BGTask) -> object:
        self.tasks.append(task)
        handler = self.handlers.get(task.identifier)
        return None if handler is None else handler(task)


@pytest.fixture
def iphone(sim: Simulation) -> IOSSystem:
    """An iPhone: the ``iphone-like`` device model with iOS on top."""
    return IOSSystem(sim, Device(sim, "iphone-like"))


@pytest.fixture
def app(iphone: IOSSystem) -> SyncApp:
    """An installed app permitted the refresh id and 12 processing ids, opened once at t=0."""
    test_app = SyncApp(iphone)
    iphone.install(
        BUNDLE,
        AppInfo(permitted_identifiers=(REFRESH_ID, *PROCESSING_IDS)),
        AppDelegate(did_finish_launching=test_app.did_finish_launching),
    )
    return test_app


PHOTOS_BUNDLE = "com.example.photos"
PHOTOS_SESSION = "com.example.photos.upload"
PHOTOS_URL = "https://api.example.com/photos"
PHOTO = SizedBody(2_000_000, content_type="image/jpeg", name="photo.jpg")


@dataclass
class PhotoApp:
    """An app with one background session, recreated at every launch as Apple asks; it records
    what its delegate and its app delegate heard."""

    ios: IOSSystem
    configuration: URLSessionConfiguration = field(
        default_factory=lambda: URLSessionConfiguration.background(PHOTOS_SESSION)
    )
    completed: list[tuple[int, int | None, URLError | None]] = field(default_factory=list)
    events_calls: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    call_completion: bool = True
    session: URLSession | None = None
    _completion: Callable[[], None] | None = None

    def launched(self, _launch: Launch) -> None:
        self.session = self.ios.url_session(
            PHOTOS_BUNDLE,
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
        task = self.session.upload_task(PHOTOS_URL, PHOTO)
        task.resume()
        return task


@pytest.fixture
def internet(sim: Simulation) -> Internet:
    """The photo server: ``POST /photos`` answers 201."""
    internet = Internet(sim)
    internet.backend("https://api.example.com").route("POST", "/photos", status=201, json={})
    return internet


@pytest.fixture
def networked_iphone(sim: Simulation, internet: Internet) -> IOSSystem:
    """An iPhone whose background transfers go through the device network to ``internet``
    (its apps are the tests' closures, called directly rather than in an app runtime)."""
    device = Device(sim, "iphone-like")
    ios = IOSSystem(sim, device)
    ios.transfers.transport_for = lambda package: DeviceTransport(
        sim, TransferNetworkPort(device, package), internet, package=package
    )
    return ios


@pytest.fixture
def photos(networked_iphone: IOSSystem) -> PhotoApp:
    """The photo app, installed; once the phone's networks are up (a few seconds after boot) the
    user opens it and it creates its session."""
    iphone = networked_iphone
    iphone.sim.run_for(10 * MS_PER_SECOND)
    app = PhotoApp(iphone)
    iphone.install(
        PHOTOS_BUNDLE,
        AppInfo(),
        AppDelegate(
            did_finish_launching=app.launched,
            handle_events_for_background_url_session=app.handle_events,
        ),
    )
    iphone.open_app(PHOTOS_BUNDLE)
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
