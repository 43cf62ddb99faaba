"""App processes: launches, cold starts, kills, force-stop, pm clear, OEM policies, reboot."""

from __future__ import annotations

from typing import Any

from harness.device import ExitReason, ProcessDied, ProcessStarted, ProcessState, StartResult
from harness.sim import Simulation
from tests.device.conftest import PACKAGE, MakeDevice
from tests.device.helpers import first, records


def test_launch_cold_starts_into_top(sim: Simulation, device: Any) -> None:
    """A user launch starts the process after the cold start and puts it on top."""
    device.apps.launch(PACKAGE)
    assert device.apps.state(PACKAGE) == ProcessState.NONEXISTENT
    sim.run_for(800)
    assert device.apps.state(PACKAGE) == ProcessState.TOP
    assert device.apps.pid(PACKAGE) == 10_000
    assert first(sim, "device.process", event="started")["reason"] == "launch"
    assert device.screen.on
    assert not device.screen.locked


def test_a_start_says_as_a_value_whether_the_user_launched_it(sim: Simulation, device: Any) -> None:
    """A process start carries its hosting type as a value (HostingRecord "activity" for a
    launch), so higher layers never compare reason texts."""
    started: list[ProcessStarted] = []
    device.apps.process_started.connect(started.append)
    device.apps.bind_service(PACKAGE, "job:1")
    sim.run_for(800)
    device.apps.unbind_service(PACKAGE, "job:1")
    device.apps.low_memory_kill(PACKAGE)
    device.apps.launch(PACKAGE)
    sim.run_for(800)
    assert [(s.reason, s.for_launch) for s in started] == [("bind job:1", False), ("launch", True)]


def test_leaving_caches_and_am_kill_spares_the_foreground(sim: Simulation, device: Any) -> None:
    """am kill = killBackgroundProcesses: oom adj >= SERVICE_ADJ only; the top app survives."""
    device.apps.launch(PACKAGE)
    sim.run_for(1_000)
    device.shell(f"am kill {PACKAGE}")
    assert device.apps.is_top(PACKAGE)
    device.apps.leave(PACKAGE)
    assert device.apps.state(PACKAGE) == ProcessState.CACHED_ACTIVITY
    deaths: list[ProcessDied] = []
    device.apps.process_died.connect(deaths.append)
    device.shell(f"adb shell am kill {PACKAGE}")
    assert deaths == [ProcessDied(PACKAGE, 10_000, ExitReason.REASON_USER_REQUESTED, "am kill")]
    assert not device.apps.is_stopped(PACKAGE)


def test_job_start_and_binding(sim: Simulation, device: Any) -> None:
    """A job starts the process (cold start), holds it in SERVICE, then lets it be cached."""
    assert device.apps.bind_service(PACKAGE, "job:1") == StartResult.STARTING
    sim.run_for(800)
    assert device.apps.state(PACKAGE) == ProcessState.SERVICE
    assert device.apps.start_process(PACKAGE, "job:2") == StartResult.RUNNING
    device.apps.unbind_service(PACKAGE, "job:1")
    assert device.apps.state(PACKAGE) == ProcessState.CACHED_EMPTY


def test_force_stop_until_next_launch(sim: Simulation, device: Any) -> None:
    """am force-stop: killed and stopped; nothing starts it until the user launches it."""
    stopped: list[str] = []
    device.apps.force_stopped.connect(stopped.append)
    device.apps.start_process(PACKAGE, "job")
    sim.run_for(1_000)
    device.shell(f"am force-stop {PACKAGE}")
    assert stopped == [PACKAGE]
    assert device.apps.is_stopped(PACKAGE)
    assert device.apps.start_process(PACKAGE, "job") == StartResult.REFUSED
    device.apps.launch(PACKAGE)
    assert not device.apps.is_stopped(PACKAGE)


def test_swipe_kills_on_stock_and_force_stops_on_oem(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """Stock: removing the task kills the process (jobs stay); force_stop_on_swipe force-stops."""
    device = make_device()
    device.apps.launch(PACKAGE)
    sim.run_for(1_000)
    device.apps.swipe_away(PACKAGE)
    assert first(sim, "device.process", event="died")["detail"] == "remove task"
    assert not device.apps.is_stopped(PACKAGE)


def test_swipe_on_budget_force_stops(sim: Simulation, make_device: MakeDevice) -> None:
    """budget (OEM): swiping from recents force-stops the app."""
    device = make_device("budget")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.swipe_away(PACKAGE)
    assert device.apps.is_stopped(PACKAGE)


def test_oem_background_kill(sim: Simulation, make_device: MakeDevice) -> None:
    """budget: an app in the background is killed after oem_background_kill_after_ms (10 min)."""
    device = make_device("budget")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.leave(PACKAGE)
    sim.run_for(10 * 60_000)
    died = first(sim, "device.process", event="died")
    assert died["detail"] == "OEM battery manager"
    assert died.t_ms == 2_000 + 10 * 60_000


def test_low_memory_kill_takes_the_least_recently_used(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """The low-memory killer reclaims the cached process used least recently."""
    device = make_device()
    device.install("com.example.other")
    for package in (PACKAGE, "com.example.other"):
        device.apps.launch(package)
        sim.run_for(1_000)
    device.apps.leave("com.example.other")
    assert device.apps.low_memory_kill() == PACKAGE
    assert records(sim, "device.process", event="died")[0]["reason"] == "REASON_LOW_MEMORY"


def test_pm_clear_wipes_data(sim: Simulation, device: Any) -> None:
    """pm clear force-stops and wipes the package's data; prints Success."""
    db = device.storage.database(PACKAGE, "app")
    db.execute("CREATE TABLE t (x)")
    assert device.shell(f"pm clear {PACKAGE}") == "Success\n"
    assert device.apps.is_stopped(PACKAGE)
    fresh = device.storage.database(PACKAGE, "app")
    assert fresh.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_reboot_kills_everything_data_survives(sim: Simulation, device: Any) -> None:
    """reboot: processes die, the device is down for boot_ms, BOOT_COMPLETED; data stays."""
    device.storage.key_value(PACKAGE).put("cursor", 41)
    device.apps.launch(PACKAGE)
    sim.run_for(1_000)
    boots: list[int] = []
    device.boot_completed.connect(lambda event: boots.append(event.boot_count))
    device.shell("reboot")
    assert not device.apps.is_running(PACKAGE)
    assert first(sim, "device.process", event="died")["detail"] == "reboot"
    sim.run_for(30_000 - 1)
    assert boots == []
    sim.run_for(1)
    assert boots == [2]
    assert device.storage.key_value(PACKAGE).get("cursor") == 41


def test_too_many_cached_processes(sim: Simulation, make_device: MakeDevice) -> None:
    """Beyond max_cached_processes the oldest cached process is killed."""
    device = make_device(**{"apps.max_cached_processes": 1})
    device.install("com.example.other")
    for package in (PACKAGE, "com.example.other"):
        device.apps.start_process(package, "job")
        sim.run_for(1_000)
    assert not device.apps.is_running(PACKAGE)
    assert first(sim, "device.process", event="died")["detail"] == "too many cached processes"


def test_background_restriction(device: Any) -> None:
    """cmd appops set PKG RUN_ANY_IN_BACKGROUND ignore restricts background work."""
    device.shell(f"cmd appops set {PACKAGE} RUN_ANY_IN_BACKGROUND ignore")
    assert device.apps.is_background_restricted(PACKAGE)
    device.shell(f"cmd appops set {PACKAGE} RUN_ANY_IN_BACKGROUND allow")
    assert not device.apps.is_background_restricted(PACKAGE)
