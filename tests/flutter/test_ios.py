"""The flutter workmanager plugin's iOS side (harness/flutter/_ios.py) on the simulated iPhone.

Sources: workmanager_apple ``workmanager_apple.dart``, ``WorkmanagerPlugin.swift``,
``BackgroundWorker.swift``, ``BackgroundTaskOperation.swift``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from harness.app import App, AppInstance, run_as
from harness.backends import Internet
from harness.device import Device
from harness.flutter import (
    IOS_INIT_REQUIRED,
    Constraints,
    NetworkType,
    PlatformException,
    UnsupportedError,
    Workmanager,
)
from harness.ios import BGAppRefreshTaskRequest, BGProcessingTaskRequest
from harness.phone import IOSBinding, bind_ios_phone
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Simulation
from tests.flutter import ios_app

PACKAGE = ios_app.PACKAGE


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    ios_app.SEEN.clear()
    ios_app.ANSWER.update({"value": True, "slow": False})
    yield
    ios_app.SEEN.clear()


def iphone(sim: Simulation, *, opened: bool = True) -> tuple[IOSBinding, AppInstance]:
    """An iPhone with the app installed and (``opened``) opened at 08:00 on day 0."""
    binding = bind_ios_phone(sim, Device(sim, "iphone-like"), Internet(sim))
    binding.install(App.from_module("tests.flutter.ios_app"))
    sim.run_until(8 * MS_PER_HOUR)
    if opened:
        binding.open_app(PACKAGE)
    else:
        binding.ios.open_app(PACKAGE)  # the process starts, main() does not run
    sim.run_for(1_000)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    return binding, process.instance


def call(instance: AppInstance, action: Callable[[], Any]) -> Any:
    return run_as(instance, action)


def use_daily(sim: Simulation, binding: IOSBinding, days: int) -> None:
    """The user opens the app at 08:00 for five minutes, ``days`` days running."""
    for day in range(days):
        sim.run_until(day * MS_PER_DAY + 8 * MS_PER_HOUR + 2 * MS_PER_MINUTE)
        binding.open_app(PACKAGE)
        sim.run_for(5 * MS_PER_MINUTE)
        binding.ios.leave_app(PACKAGE)


def pending(binding: IOSBinding) -> dict[str, Any]:
    return {r.identifier: r for r in binding.ios.scheduler(PACKAGE).pending_task_requests()}


def test_periodic_task_is_a_refresh_request_named_by_the_unique_name(sim: Simulation) -> None:
    """registerPeriodicTask: a BGAppRefreshTaskRequest with the unique name as identifier and
    earliestBeginDate = now + initialDelay; frequency is not used there
    (WorkmanagerPlugin.swift registerPeriodicTask -> schedulePeriodicTask)."""
    binding, ui = iphone(sim)
    now = sim.now_ms
    call(
        ui,
        lambda: Workmanager().register_periodic_task(
            "sync", "syncTask", frequency=timedelta(hours=6), initial_delay=timedelta(minutes=10)
        ),
    )
    request = pending(binding)["sync"]
    assert isinstance(request, BGAppRefreshTaskRequest)
    assert request.earliest_begin_ms == now + 600_000


def test_a_refresh_launch_resubmits_at_the_app_delegate_frequency_then_runs_dart(
    sim: Simulation,
) -> None:
    """handlePeriodicTask: the next request at now + the AppDelegate's frequency (1 h), then
    Dart runs with the identifier as task name; the task succeeds whatever Dart returns
    (setTaskCompleted(success: !operation.isCancelled))."""
    binding, ui = iphone(sim)
    call(ui, lambda: Workmanager().register_periodic_task("sync", "syncTask"))
    ios_app.ANSWER["value"] = False
    use_daily(sim, binding, 4)
    launches = [r for r in sim.trace.of_kind("ios.launch") if r["identifier"] == "sync"]
    assert launches, "iOS never launched the refresh"
    for launch in launches:
        (resubmit,) = [
            r
            for r in sim.trace.of_kind("ios.submit")
            if r.t_ms == launch.t_ms and r["identifier"] == "sync"
        ]
        assert resubmit["earliest_begin_ms"] == launch.t_ms + MS_PER_HOUR
    assert {task for task, _ in ios_app.SEEN} == {"sync"}
    completed = [r for r in sim.trace.of_kind("ios.completed") if r["identifier"] == "sync"]
    assert completed
    assert all(r["success"] is True for r in completed)


def test_an_expired_refresh_task_completes_unsuccessfully(sim: Simulation) -> None:
    """The expiration handler cancels the operation, so the task completes with success NO
    (BackgroundTaskOperation: expirationHandler = operation.cancel())."""
    binding, ui = iphone(sim)
    call(ui, lambda: Workmanager().register_periodic_task("sync", "sync"))
    ios_app.ANSWER["slow"] = True  # a minute: beyond the refresh budget
    use_daily(sim, binding, 4)
    completed = [r for r in sim.trace.of_kind("ios.completed") if r["identifier"] == "sync"]
    assert completed
    assert all(r["success"] is False for r in completed)
    assert [r for r in sim.trace.of_kind("flutter.task_result") if r["result"] == "expired"]


def test_processing_task_maps_network_and_charging(sim: Simulation) -> None:
    """registerProcessingTask: requiresNetworkConnectivity for connected/metered,
    requiresExternalPower from requiresCharging; input data is not delivered."""
    binding, ui = iphone(sim)
    call(
        ui,
        lambda: Workmanager().register_processing_task(
            "cleanup",
            "cleanupTask",
            initial_delay=timedelta(seconds=90, milliseconds=700),
            input_data={"dropped": True},
            constraints=Constraints(network_type=NetworkType.CONNECTED, requires_charging=True),
        ),
    )
    request = pending(binding)["cleanup"]
    assert isinstance(request, BGProcessingTaskRequest)
    assert request.requires_network_connectivity
    assert request.requires_external_power
    assert request.earliest_begin_ms == sim.now_ms + 90_000
    binding.ios.leave_app(PACKAGE)
    binding.device.battery.plug("ac")
    sim.run_for(2 * MS_PER_DAY)
    assert ("cleanup", {}) in ios_app.SEEN


def test_one_off_task_runs_in_the_process_with_the_unique_name(sim: Simulation) -> None:
    """registerOneOffTask on iOS: beginBackgroundTask and the task after its delay in this
    process (the operation's completion ends the background task); Dart's task name is the
    unique name; the input data is delivered."""
    binding, ui = iphone(sim)
    call(
        ui,
        lambda: Workmanager().register_one_off_task(
            "upload-1", "upload", input_data={"n": 1}, initial_delay=timedelta(seconds=5)
        ),
    )
    assert pending(binding) == {}  # not BGTaskScheduler
    sim.run_for(4_000)
    assert ios_app.SEEN == []
    sim.run_for(2_000)
    assert ios_app.SEEN == [("upload-1", {"n": 1})]
    events = [r["event"] for r in sim.trace.of_kind("ios.background_task")]
    assert events == ["begin", "end"]  # beginBackgroundTask, ended by the operation


def test_legacy_background_fetch_runs_ios_perform_fetch(sim: Simulation) -> None:
    """performFetch: Dart task iOSPerformFetch; true -> newData, false -> failed
    (BackgroundWorker.performBackgroundRequest)."""
    binding, _ = iphone(sim)
    binding.ios.set_minimum_background_fetch_interval(PACKAGE, 0)
    binding.ios.leave_app(PACKAGE)
    use_daily(sim, binding, 3)
    fetches = [
        r for r in sim.trace.of_kind("ios.completed") if r["task_kind"] == "background_fetch"
    ]
    assert fetches
    assert {r["reason"] for r in fetches} == {"new_data"}
    assert {task for task, _ in ios_app.SEEN} == {"iOSPerformFetch"}


def test_what_ios_does_not_support_and_the_init_error(sim: Simulation) -> None:
    """cancelByTag and isScheduledByUniqueName throw UnsupportedError on iOS; a register call
    before initialize fails with code "1" (workmanager_apple.dart, WorkmanagerPlugin.swift)."""
    _, ui = iphone(sim, opened=False)
    result = call(ui, lambda: Workmanager().register_periodic_task("sync", "sync"))
    with pytest.raises(PlatformException) as raised:
        result.result()
    assert (raised.value.code, raised.value.message) == ("1", IOS_INIT_REQUIRED)
    with pytest.raises(UnsupportedError, match=r"^cancelByTag is not supported on iOS$"):
        call(ui, lambda: Workmanager().cancel_by_tag("t"))
    with pytest.raises(
        UnsupportedError, match=r"^isScheduledByUniqueName is not supported on iOS$"
    ):
        call(ui, lambda: Workmanager().is_scheduled_by_unique_name("sync"))


def test_print_scheduled_tasks_words_the_pending_requests(sim: Simulation) -> None:
    """printScheduledTasks: "[BGTaskScheduler] Scheduled Tasks:" and one line per request with
    its earliestBeginDate, or "There are no scheduled tasks"."""
    _, ui = iphone(sim)
    empty = call(ui, lambda: Workmanager().print_scheduled_tasks())
    assert empty.result() == "[BGTaskScheduler] There are no scheduled tasks"
    call(
        ui,
        lambda: Workmanager().register_periodic_task(
            "sync", "sync", initial_delay=timedelta(hours=13, minutes=20)
        ),
    )
    text = call(ui, lambda: Workmanager().print_scheduled_tasks()).result()
    assert text == (
        "[BGTaskScheduler] Scheduled Tasks:\n"
        "[BGTaskScheduler] Task Identifier: sync earliestBeginDate: 1/5/2026, 9:20 PM"
    )
