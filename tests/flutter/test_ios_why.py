"""`harness why` for the flutter workmanager plugin's iOS side: its processing task (the unique
name's BGProcessingTaskRequest) and its one-off task (beginBackgroundTask), explained by
``harness.ios.explain_launch``."""

from __future__ import annotations

from harness.flutter import Constraints, NetworkType, Workmanager
from harness.ios import BACKGROUND_TASK_IDENTIFIER, WaitCause, explain_launch
from harness.sim import MS_PER_MINUTE, Simulation
from tests.flutter.test_ios import PACKAGE, call, iphone


def test_a_processing_task_waits_for_charging_and_a_one_off_runs_on_background_time(
    sim: Simulation,
) -> None:
    """registerProcessingTask with requiresCharging is a BGProcessingTaskRequest with
    requiresExternalPower: unplugged, it waits for power (bgprocessingtaskrequest); a one-off
    task is beginBackgroundTask time in the process (about 30 s per app, forums thread 85066)."""
    binding, ui = iphone(sim)
    call(
        ui,
        lambda: Workmanager().register_processing_task(
            "cleanup",
            "cleanupTask",
            constraints=Constraints(network_type=NetworkType.CONNECTED, requires_charging=True),
        ),
    )
    ios = binding.ios
    assert explain_launch(ios, PACKAGE, "cleanup").cause is WaitCause.FOREGROUND
    call(ui, lambda: Workmanager().register_one_off_task("upload-1", "upload"))
    ios.leave_app(PACKAGE)
    binding.device.battery.unplug()
    background = explain_launch(ios, PACKAGE, BACKGROUND_TASK_IDENTIFIER)
    assert background.running
    assert background.reason.startswith("running: 1 background task(s) begun and not ended; ")
    sim.run_for(20 * MS_PER_MINUTE)
    answer = explain_launch(ios, PACKAGE, "cleanup")
    assert (answer.cause, answer.reason) == (
        WaitCause.EXTERNAL_POWER,
        "waiting for external power: the request sets requiresExternalPower",
    )
    assert answer.source == (
        "developer.apple.com/documentation/backgroundtasks/bgprocessingtaskrequest/"
        "requiresexternalpower"
    )
