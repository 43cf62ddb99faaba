"""bind_ios_phone: iOS starts and ends the app processes, and plugins see a launched app."""

from __future__ import annotations

from harness.app import App
from harness.backends import Internet
from harness.device import Device
from harness.ios import AppState, Launch
from harness.phone import IOSNetworkPort, bind_ios_phone
from harness.sim import Simulation

MODULE = "examples.two_platform_sync"
PACKAGE = "com.example.twoplatform"


def test_plugins_registering_at_launch_see_the_process_and_the_info_plist(
    sim: Simulation,
) -> None:
    """app_launching comes while the app launches, after its process started and its Info.plist
    (IOS_APP_INFO) was read: a plugin registers its permitted identifiers there."""
    binding = bind_ios_phone(sim, Device(sim, "iphone-like"), Internet(sim))
    binding.install(App.from_module(MODULE))
    seen: list[tuple[tuple[str, ...], bool, bool]] = []

    def launching(launch: Launch) -> None:
        app = binding.ios.app(launch.bundle_id)
        process = binding.runtime.process(launch.bundle_id)
        seen.append((app.info.permitted_identifiers, process is not None, app.launching))

    binding.ios.app_launching.connect(launching)
    binding.open_app(PACKAGE)
    assert seen == [(("com.example.twoplatform.refresh",), True, True)]


def test_ios_ends_the_process_and_a_suspended_app_has_no_network(sim: Simulation) -> None:
    """A suspended app runs no code (no network for its requests); a force-quit ends the
    app's process in the runtime too."""
    binding = bind_ios_phone(sim, Device(sim, "iphone-like"), Internet(sim))
    binding.install(App.from_module(MODULE))
    binding.open_app(PACKAGE)
    sim.run_for(5_000)
    port = IOSNetworkPort(binding, PACKAGE)
    assert port.link() is not None
    assert binding.ios.app(PACKAGE).state is AppState.FOREGROUND
    binding.ios.leave_app(PACKAGE)
    assert binding.ios.app(PACKAGE).state is AppState.SUSPENDED
    assert port.link() is None
    binding.ios.swipe_away(PACKAGE)
    assert binding.runtime.process(PACKAGE) is None
