"""bind_ios_phone: iOS starts and ends the app processes, and plugins see a launched app."""

from __future__ import annotations

import asyncio

from harness.app import App, run_as
from harness.backends import Internet
from harness.device import Device
from harness.ios import AppState, Launch
from harness.phone import IOSBinding, IOSNetworkPort, bind_ios_phone
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


def _ticking_app(sim: Simulation) -> tuple[IOSBinding, list[int]]:
    """The app, opened, with its own code ticking every 5 s (a sync loop it started)."""
    internet = Internet(sim)
    internet.backend("https://api.example.com").resource("/items", initial_items=1)
    binding = bind_ios_phone(sim, Device(sim, "iphone-like"), internet)
    binding.install(App.from_module(MODULE))
    binding.open_app(PACKAGE)
    sim.run_for(1_000)
    ticks: list[int] = []

    async def sync_loop() -> None:
        while True:
            await asyncio.sleep(5)
            ticks.append(sim.now_ms)

    process = binding.runtime.process(PACKAGE)
    assert process is not None
    run_as(process.instance, lambda: sim.create_task(sync_loop(), name="sync loop"))
    return binding, ticks


def test_a_suspended_apps_tasks_are_frozen_and_resume_when_it_is_opened(sim: Simulation) -> None:
    """iOS suspends an app in the background with no task or background time left: it stays in
    memory but runs no code (Apple, "About the app launch sequence"; "Extending your app's
    background execution time"), so its asyncio tasks stop; opening it again resumes them, and
    the sleep that ended meanwhile ends at the open."""
    binding, ticks = _ticking_app(sim)
    sim.run_until(13_000)  # ticks at 6 s and 11 s
    binding.ios.leave_app(PACKAGE)
    assert binding.ios.app(PACKAGE).state is AppState.SUSPENDED
    sim.run_until(3_600_000)
    assert ticks == [6_000, 11_000]
    binding.open_app(PACKAGE)
    sim.run_for(5_000)
    assert ticks == [6_000, 11_000, 3_600_000, 3_605_000]
    (thawed,) = sim.trace.of_kind("app.thawed")
    assert (thawed.t_ms, thawed["frozen_at_ms"], thawed["reason"]) == (
        3_600_000,
        13_000,
        "user opened the app",
    )


def test_a_suspended_app_terminated_by_a_swipe_ends_its_tasks_as_a_kill(
    sim: Simulation,
) -> None:
    """A suspended app the user swipes away is killed as it is: its frozen tasks are cut off
    with the process, never resumed."""
    binding, ticks = _ticking_app(sim)
    binding.ios.leave_app(PACKAGE)
    sim.run_for(600_000)
    binding.ios.swipe_away(PACKAGE)
    sim.run_for(600_000)
    assert ticks == []
    (died,) = sim.trace.of_kind("app.process_died")
    assert (died.t_ms, died["cut_off_tasks"]) == (601_000, 1)
    assert list(sim.trace.of_kind("app.thawed")) == []


def test_a_background_launch_resumes_a_suspended_apps_tasks(sim: Simulation) -> None:
    """A background launch of a suspended app (its BGAppRefreshTask) resumes it: its tasks run
    again from the launch, the sleep that ended meanwhile ending at the launch."""
    binding, ticks = _ticking_app(sim)
    sim.run_until(13_000)
    binding.ios.leave_app(PACKAGE)
    sim.run_until(86_400_000)
    launches = [r.t_ms for r in sim.trace.of_kind("ios.launch")]
    assert launches
    assert ticks[:3] == [6_000, 11_000, launches[0]]
    thawed = list(sim.trace.of_kind("app.thawed"))
    assert (thawed[0].t_ms, thawed[0]["reason"]) == (launches[0], "background launch: app_refresh")
