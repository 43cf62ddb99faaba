"""The flutter workmanager plugin's continued-processing task (workmanager_apple 0.9.6,
``BGContinuedProcessingTaskScheduler.swift``; ``workmanager_impl.dart``
``registerContinuedProcessingTask``) on the simulated iPhone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.app import App, AppInstance, run_as
from harness.backends import Internet
from harness.device import Device
from harness.flutter import IOS_INIT_REQUIRED, PlatformException, Workmanager
from harness.ios import BGContinuedProcessingTask, InternalInconsistencyError
from harness.phone import IOSBinding, bind_ios_phone
from harness.sim import MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios import flutter_export_app as app

PACKAGE = app.PACKAGE


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    app.SEEN.clear()
    app.SETUP.update({"seconds": 10, "register": True})
    yield
    app.SEEN.clear()


def iphone(sim: Simulation, *, initialize: bool = True) -> tuple[IOSBinding, AppInstance]:
    """An iPhone with the app installed and opened (``main()`` initializes the plugin)."""
    binding = bind_ios_phone(sim, Device(sim, "iphone-like"), Internet(sim))
    binding.install(App.from_module("tests.ios.flutter_export_app"))
    sim.run_until(8 * MS_PER_HOUR)
    if initialize:
        binding.open_app(PACKAGE)
    else:
        binding.ios.open_app(PACKAGE)  # the process starts, main() does not run
    sim.run_for(1_000)
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    return binding, process.instance


def export(instance: AppInstance, **options: Any) -> Any:
    """Dart, on a button tap: ``registerContinuedProcessingTask(WILDCARD, "export", ...)``."""
    return run_as(
        instance,
        lambda: Workmanager().register_continued_processing_task(app.WILDCARD, "export", **options),
    )


def test_a_continued_task_runs_dart_with_its_input_and_completes(sim: Simulation) -> None:
    """registerContinuedProcessingTask submits a BGContinuedProcessingTaskRequest named by the
    unique name (title ?? taskName, subtitle ?? ""); iOS starts it at once; Dart gets the input
    data; the task completes with success = !operation.isCancelled."""
    binding, ui = iphone(sim)
    export(ui, input_data={"album": "summer"})
    sim.run_for(1)
    (task,) = binding.ios.continued.running(PACKAGE)
    assert isinstance(task, BGContinuedProcessingTask)
    assert (task.identifier, task.title, task.subtitle) == (app.WILDCARD, "export", "")
    binding.ios.leave_app(PACKAGE)
    sim.run_for(MS_PER_MINUTE)
    assert app.SEEN == [(app.WILDCARD, {"album": "summer"})]
    completed = [r for r in sim.trace if r.kind == "ios.completed"]
    assert [(r["task_kind"], r["success"]) for r in completed] == [("continued_processing", True)]


def test_dart_reports_no_progress_so_a_long_task_is_expired_as_stalled(sim: Simulation) -> None:
    """The plugin "does not currently plumb progress from Dart, so very long-running callbacks
    that appear stalled may be expired by the scheduler" (workmanager_impl.dart): a Dart task
    longer than the stall timeout (30 s, modelled) is expired and ends unsuccessful."""
    app.SETUP["seconds"] = 120
    binding, ui = iphone(sim)
    export(ui, title="Exporting", subtitle="photos")
    binding.ios.leave_app(PACKAGE)
    sim.run_for(2 * MS_PER_MINUTE)
    expired = [r for r in sim.trace if r.kind == "ios.expired"]
    assert [(r.t_ms - expired[0].t_ms, r["reason"]) for r in expired] == [
        (0, "no progress reported for 30 s")
    ]
    results = [r["result"] for r in sim.trace if r.kind == "flutter.task_result"]
    assert results == ["expired"]
    completed = [r for r in sim.trace if r.kind == "ios.completed"]
    assert [r["success"] for r in completed] == [False]
    assert completed[0]["elapsed_ms"] == 30 * MS_PER_SECOND


def test_without_the_appdelegate_registration_the_submit_crashes(sim: Simulation) -> None:
    """The plugin submits before registerLaunchHandlerOnce: without
    registerBGContinuedProcessingTask in AppDelegate no handler is registered, and iOS's submit
    raises "No launch handler registered" (developer.apple.com/forums/thread/799126)."""
    app.SETUP["register"] = False
    _binding, ui = iphone(sim)
    with pytest.raises(InternalInconsistencyError, match=r"No launch handler registered"):
        export(ui)


def test_before_initialize_the_call_fails_with_code_1(sim: Simulation) -> None:
    """validateCallbackHandle: before initialize, PigeonError code "1" (as for other tasks)."""
    _binding, ui = iphone(sim, initialize=False)
    call = export(ui)
    with pytest.raises(PlatformException) as error:
        call.result()
    assert error.value.code == "1"
    assert error.value.message == IOS_INIT_REQUIRED
