"""The flutter workmanager plugin's iOS side (harness/flutter/_ios.py), over a fake iOS port.

Sources: workmanager_apple ``workmanager_apple.dart``, ``WorkmanagerPlugin.swift``,
``BackgroundWorker.swift``, ``BackgroundTaskOperation.swift``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from harness.app import App, AppInstance, AppRuntime, run_as
from harness.backends import Internet
from harness.flutter import (
    IOS_INIT_REQUIRED,
    BGTaskKind,
    Constraints,
    NetworkType,
    PlatformException,
    UnsupportedError,
    Workmanager,
    WorkmanagerPlugin,
    bind_ios,
)
from harness.sim import Simulation
from tests.app.test_http import WIFI, FakeNetwork
from tests.background_fetch.fake_ios import FakeIOS
from tests.flutter import ios_app

PACKAGE = ios_app.PACKAGE


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    ios_app.SEEN.clear()
    ios_app.ANSWER.update({"value": True, "slow": False})
    yield
    ios_app.SEEN.clear()


def ios(sim: Simulation, *, launch: bool = True) -> tuple[FakeIOS, AppInstance]:
    port = FakeIOS()
    bind_ios(sim, port)
    runtime = AppRuntime(sim, Internet(sim), network_for=lambda _package: FakeNetwork(WIFI))
    runtime.install(App.from_module("tests.flutter.ios_app"))
    process = runtime.start_process(PACKAGE, reason="launch")
    run_as(process.instance, ios_app.app_delegate)
    if launch:
        runtime.launch(PACKAGE)
        sim.run_for(1)
    return port, process.instance


def call(instance: AppInstance, action: object) -> object:
    return run_as(instance, action)  # type: ignore[arg-type]


def test_periodic_task_is_a_refresh_request_named_by_the_unique_name(sim: Simulation) -> None:
    """registerPeriodicTask: a BGAppRefreshTaskRequest with the unique name as identifier and
    earliestBeginDate = now + initialDelay; frequency is not used there
    (WorkmanagerPlugin.swift registerPeriodicTask -> schedulePeriodicTask)."""
    port, ui = ios(sim)
    now = sim.now_ms
    call(
        ui,
        lambda: Workmanager().register_periodic_task(
            "sync", "syncTask", frequency=timedelta(hours=6), initial_delay=timedelta(minutes=10)
        ),
    )
    (request,) = port.pending(PACKAGE)
    assert (request.identifier, request.kind) == ("sync", BGTaskKind.APP_REFRESH)
    assert request.earliest_begin_ms == now + 600_000


def test_a_refresh_launch_resubmits_at_the_app_delegate_frequency_then_runs_dart(
    sim: Simulation,
) -> None:
    """handlePeriodicTask: the next request at now + the AppDelegate's frequency, then Dart
    runs with the identifier as task name; the task succeeds whatever Dart returns
    (setTaskCompleted(success: !operation.isCancelled))."""
    port, ui = ios(sim)
    call(ui, lambda: Workmanager().register_periodic_task("sync", "syncTask"))
    ios_app.ANSWER["value"] = False
    sim.run_for("5h")
    launched = sim.now_ms
    task = port.launch(PACKAGE, "sync")
    assert task is not None
    (again,) = port.pending(PACKAGE)
    assert again.earliest_begin_ms == launched + 3_600_000
    sim.run_for("1s")
    assert ios_app.SEEN == [("sync", {})]
    assert task.completed == [True]


def test_an_expired_refresh_task_completes_unsuccessfully(sim: Simulation) -> None:
    """The expiration handler cancels the operation, so the task completes with success NO."""
    port, _ui = ios(sim)
    ios_app.ANSWER["slow"] = True
    task = port.launch(PACKAGE, "sync")
    assert task is not None
    sim.run_for("25s")
    assert task.expiration_handler is not None
    task.expiration_handler()
    sim.run_for("1s")
    assert task.completed == [False]


def test_processing_task_maps_network_and_charging(sim: Simulation) -> None:
    """registerProcessingTask: requiresNetworkConnectivity for connected/metered,
    requiresExternalPower from requiresCharging; input data is not delivered."""
    port, ui = ios(sim)
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
    (request,) = port.pending(PACKAGE)
    assert request.kind is BGTaskKind.PROCESSING
    assert request.requires_network_connectivity
    assert request.requires_external_power
    assert request.earliest_begin_ms == sim.now_ms + 90_000
    port.launch(PACKAGE, "cleanup")
    sim.run_for("1s")
    assert ios_app.SEEN == [("cleanup", {})]


def test_one_off_task_runs_in_the_process_with_the_unique_name(sim: Simulation) -> None:
    """registerOneOffTask on iOS: beginBackgroundTask and the task after its delay in this
    process; Dart's task name is the unique name; the input data is delivered."""
    port, ui = ios(sim)
    call(
        ui,
        lambda: Workmanager().register_one_off_task(
            "upload-1", "upload", input_data={"n": 1}, initial_delay=timedelta(seconds=5)
        ),
    )
    assert port.pending(PACKAGE) == []  # not BGTaskScheduler
    sim.run_for("4s")
    assert ios_app.SEEN == []
    sim.run_for("2s")
    assert ios_app.SEEN == [("upload-1", {"n": 1})]


def test_legacy_background_fetch_runs_ios_perform_fetch(sim: Simulation) -> None:
    """performFetch: Dart task iOSPerformFetch; true -> newData, false -> failed
    (BackgroundWorker.performBackgroundRequest)."""
    _, ui = ios(sim)
    first = WorkmanagerPlugin.perform_fetch(ui)
    sim.run_for("1s")
    ios_app.ANSWER["value"] = False
    second = WorkmanagerPlugin.perform_fetch(ui)
    sim.run_for("1s")
    assert (first.result(), second.result()) == ("newData", "failed")
    assert [task for task, _ in ios_app.SEEN] == ["iOSPerformFetch", "iOSPerformFetch"]


def test_what_ios_does_not_support_and_the_init_error(sim: Simulation) -> None:
    """cancelByTag and isScheduledByUniqueName throw UnsupportedError on iOS; a register call
    before initialize fails with code "1" (workmanager_apple.dart, WorkmanagerPlugin.swift)."""
    port, ui = ios(sim, launch=False)
    result = call(ui, lambda: Workmanager().register_periodic_task("sync", "sync"))
    with pytest.raises(PlatformException) as raised:
        result.result()  # type: ignore[attr-defined]
    assert (raised.value.code, raised.value.message) == ("1", IOS_INIT_REQUIRED)
    with pytest.raises(UnsupportedError, match=r"^cancelByTag is not supported on iOS$"):
        call(ui, lambda: Workmanager().cancel_by_tag("t"))
    with pytest.raises(
        UnsupportedError, match=r"^isScheduledByUniqueName is not supported on iOS$"
    ):
        call(ui, lambda: Workmanager().is_scheduled_by_unique_name("sync"))
    del port


def test_print_scheduled_tasks_words_the_pending_requests(sim: Simulation) -> None:
    """printScheduledTasks: "[BGTaskScheduler] Scheduled Tasks:" and one line per request with
    its earliestBeginDate, or "There are no scheduled tasks"."""
    _, ui = ios(sim)
    empty = call(ui, lambda: Workmanager().print_scheduled_tasks())
    assert empty.result() == "[BGTaskScheduler] There are no scheduled tasks"  # type: ignore[attr-defined]
    call(
        ui,
        lambda: Workmanager().register_periodic_task(
            "sync", "sync", initial_delay=timedelta(hours=21, minutes=20)
        ),
    )
    text = call(ui, lambda: Workmanager().print_scheduled_tasks()).result()  # type: ignore[attr-defined]
    assert text == (
        "[BGTaskScheduler] Scheduled Tasks:\n"
        "[BGTaskScheduler] Task Identifier: sync earliestBeginDate: 1/5/2026, 9:20 PM"
    )
