"""``bind_ios_phone``: one simulated iPhone, built as a run's world builds it.

The shared device model, ``harness.ios``'s :class:`IOSSystem` on it, and an app runtime whose
apps are iOS apps: a process starts when iOS launches the app (the user, or a background launch)
and dies when iOS terminates it; the user's launch runs the app's ``main()``; the app's HTTP uses
the device's default network while its process runs and is not suspended. An app module may
define ``IOS_APP_INFO`` (an :class:`~harness.ios.AppInfo`: its Info.plist) and
``ios_did_finish_launching(launch)`` (its ``application(_:didFinishLaunchingWithOptions:)``,
where it registers launch handlers), ``ios_perform_fetch(completion)`` (the legacy background
fetch), ``ios_handle_events_for_background_url_session(identifier, completion)`` (a background
``URLSession``'s events) and ``IOS_FLUTTER = True`` (a Flutter app: ``main()`` runs at
background launches too, as the Flutter engine runs it); plugins register theirs on
``ios.app_launching`` (background_fetch's is attached here). The system's background
``URLSession`` transfers go through the device's network to the fake servers, outside the app's
process (:class:`TransferNetworkPort`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from harness._tracebacks import format_exception
from harness.app import App, AppRuntime, DeviceTransport, Link, run_as
from harness.backends import Internet
from harness.background_fetch import attach_ios
from harness.device import Device
from harness.ios import (
    AppDelegate,
    AppInfo,
    AppState,
    AppStateChange,
    FetchCompletion,
    IOSSystem,
    Launch,
    LaunchPolicy,
)
from harness.phone._network import charge_transfer, device_link
from harness.phone._runtime import _DeviceData
from harness.sim import Signal, Simulation


class IOSNetworkPort:
    """What one iOS app's HTTP sees: the default network while its process runs (a suspended
    or terminated app runs no code, so it has none)."""

    def __init__(self, binding: IOSBinding, package: str) -> None:
        self._binding = binding
        self._package = package
        self.changed: Signal[object] = Signal(f"app.{package}.network")
        device = binding.device
        device.network.changed.connect(lambda _state: self.changed.emit(device.network.generation))
        binding.ios.app_state_changed.connect(self._on_app_state)

    def _on_app_state(self, change: AppStateChange) -> None:
        if change.bundle_id == self._package and change.state in (
            AppState.SUSPENDED,
            AppState.NOT_RUNNING,
        ):
            self.changed.emit(change.state.value)

    def link(self) -> Link | None:
        """The link for a new request, or ``None`` (no network, or the app is not running)."""
        state = self._binding.ios.app(self._package).state
        if state in (AppState.SUSPENDED, AppState.NOT_RUNNING):
            return None
        return device_link(self._binding.device)

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        """Radio energy and activity, charged to the app."""
        charge_transfer(self._binding.device, self._package, bytes_up, bytes_down, link)


class TransferNetworkPort:
    """What the system's background ``URLSession`` transfers of one app see: the default
    network whatever the app's state (they run outside its process), charged to the app."""

    def __init__(self, device: Device, package: str) -> None:
        self._device = device
        self._package = package
        self.changed: Signal[object] = Signal(f"ios.transfers.{package}.network")
        device.network.changed.connect(lambda _state: self.changed.emit(device.network.generation))

    def link(self) -> Link | None:
        """The link for a new request, or ``None`` (no network)."""
        return device_link(self._device)

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        """Radio energy and activity, charged to the app."""
        charge_transfer(self._device, self._package, bytes_up, bytes_down, link)


class IOSBinding:
    """One iPhone: the device, iOS on it, and the runtime of its apps."""

    platform = "ios"

    def __init__(
        self, device: Device, ios: IOSSystem, runtime: AppRuntime, internet: Internet
    ) -> None:
        self.device = device
        self.ios = ios
        self.runtime = runtime
        ios.app_state_changed.connect(self._on_app_state)
        ios.app_runner = self._run_as_app
        # background URLSession transfers go through the device's network to the fake servers,
        # like the app's own requests (http.request records of the app), outside its process
        ios.transfers.transport_for = lambda package: DeviceTransport(
            device.sim, TransferNetworkPort(device, package), internet, package=package
        )

    def _run_as_app(self, package: str, call: Callable[[], None]) -> None:
        """Run iOS's call into app code inside the app's process (its instance, so ``http``
        and storage are the app's); app code that raises crashes the app."""
        process = self.runtime.process(package)
        try:
            if process is None:
                call()
            else:
                run_as(process.instance, call)
        except Exception as error:  # app code crashed: recorded, iOS ends the app
            self.device.sim.record(
                "app.crash",
                package=package,
                where="ios launch",
                error=f"{type(error).__name__}: {error}",
                traceback=format_exception(error),
            )
            self.ios.terminate(package, f"crashed: {type(error).__name__}")

    def install(self, app: App) -> None:
        """Install ``app`` on iOS and in the runtime; its module is read when it first launches
        (``IOS_APP_INFO``, ``ios_did_finish_launching``), so installing runs no app code."""
        self.runtime.install(app)
        self.ios.install(
            app.package,
            delegate=AppDelegate(
                did_finish_launching=lambda at: self._launched(app, at),
                perform_fetch=lambda completion: self._perform_fetch(app, completion),
            ),
        )

    def _launched(self, app: App, launch: Launch) -> None:
        reason = "launch" if launch.reason is None else f"ios {launch.reason.value}"
        process = self.runtime.start_process(app.package, reason=reason)
        try:
            module = run_as(process.instance, app.load)
        except Exception:  # a module that does not import crashes in main(), as on Android
            return
        info = getattr(module, "IOS_APP_INFO", None)
        if isinstance(info, AppInfo):
            self.ios.app(app.package).info = info
        events = getattr(module, "ios_handle_events_for_background_url_session", None)
        if callable(events):
            ios_app = self.ios.app(app.package)
            ios_app.delegate = dataclasses.replace(
                ios_app.delegate, handle_events_for_background_url_session=events
            )
        hook = getattr(module, "ios_did_finish_launching", None)
        if callable(hook):
            run_as(process.instance, lambda: hook(launch))
        if launch.reason is not None and getattr(module, "IOS_FLUTTER", False) is True:
            # a Flutter app's AppDelegate starts the engine at every launch, background ones
            # included, and the engine runs main() (the Dart code that configures plugins)
            self.runtime.launch(app.package)

    def _perform_fetch(self, app: App, completion: FetchCompletion) -> object:
        """The legacy background fetch: the module's ``ios_perform_fetch(completion)`` (a
        plugin's, e.g. ``WorkmanagerPlugin.perform_fetch``), if it defines one."""
        process = self.runtime.process(app.package)
        if process is None:
            return None
        hook = getattr(run_as(process.instance, app.load), "ios_perform_fetch", None)
        return hook(completion) if callable(hook) else None

    def _on_app_state(self, change: AppStateChange) -> None:
        # a suspended app is in memory but runs no code ("About the app launch sequence",
        # "Extending your app's background execution time"): its process is frozen until iOS
        # resumes it (a background launch, a push, the user) or terminates it
        if change.state is AppState.NOT_RUNNING:
            self.runtime.kill_process(change.bundle_id, reason=change.reason)
        elif change.state is AppState.SUSPENDED:
            self.runtime.freeze_process(change.bundle_id)
        else:
            self.runtime.thaw_process(change.bundle_id, reason=change.reason)

    def open_app(self, package: str) -> None:
        """The user opens the app: iOS brings it to the foreground and its ``main()`` runs."""
        self.ios.open_app(package)
        self.runtime.launch(package)


def bind_ios_phone(
    sim: Simulation,
    device: Device,
    internet: Internet,
    *,
    versions: Mapping[str, str] | None = None,
    policy: LaunchPolicy | None = None,
) -> IOSBinding:
    """Put iOS on ``device`` and join an app runtime to it (see the module docstring)."""
    ios = IOSSystem(sim, device, policy)
    binding: IOSBinding | None = None

    def network_for(package: str) -> IOSNetworkPort:
        assert binding is not None
        return IOSNetworkPort(binding, package)

    runtime = AppRuntime(
        sim,
        internet,
        network_for=network_for,
        # there is no WorkManager on iOS: a process's WorkManager has no scheduler to run work
        schedulers_for=lambda _package: lambda _work_manager: [],
        data_for=lambda package: _DeviceData(device, package),
        versions=versions,
        ios=ios,
    )
    binding = IOSBinding(device, ios, runtime, internet)
    attach_ios(ios)  # the background_fetch plugin registers its launch handlers as apps launch
    return binding
