"""Why the phone hands work to JobScheduler only, with no in-process ``GreedyScheduler``
(W/impl/background/greedy/GreedyScheduler.java @09eb18a4, W/impl/Schedulers.java).

GreedyScheduler starts ENQUEUED work in the app's own process: at ``max(calculateNextRunTime,
throttle)`` (a ``DelayedWorkTracker`` timer) and, for constrained work, when the app's own
constraint trackers report the constraints met (``requiresDeviceIdle`` work is left to the
system). It needs a live process that is not frozen. These tests pin the two cases a scenario
exercises: the app in the foreground, where JobScheduler starts every such work at the very
millisecond GreedyScheduler would (TOP: ACTIVE bucket, quota-free, no batching), and the app in
the background with no job running, where the process is cached, which the cached-app freezer
freezes, so no greedy timer or constraint callback runs. The remaining case, another job keeping
the process unfrozen while further work falls due, is not modelled (docs/sources.md).
"""

from __future__ import annotations

from datetime import timedelta

from harness.app import App
from harness.backends import Internet
from harness.device import Device, ProcessState
from harness.phone import bind_phone
from harness.sim import Simulation
from harness.workmanager import Constraints, NetworkType, OneTimeWorkRequest, WorkManager
from tests.workmanager.workers import Succeed

PACKAGE = "com.example.oneshot"


def _open_app(sim: Simulation) -> tuple[Device, WorkManager]:
    device = Device(sim)
    internet = Internet(sim)
    internet.backend("https://api.example.com").resource("/items", initial_items=1)
    binding = bind_phone(sim, device, internet)
    binding.runtime.install(App.from_module("tests.platform.apps.oneshot"))
    sim.run_for("10s")
    device.apps.launch(PACKAGE)
    sim.run_for("2s")
    process = binding.runtime.process(PACKAGE)
    assert process is not None
    return device, process.work_manager


def test_in_the_foreground_jobscheduler_starts_work_when_greedyscheduler_would(
    sim: Simulation,
) -> None:
    """TOP app: each work starts at GreedyScheduler.schedule's time, max(calculateNextRunTime,
    throttle) with its constraints met, so an in-process GreedyScheduler changes nothing."""
    device, work_manager = _open_app(sim)
    assert device.apps.is_top(PACKAGE)
    requests = {
        "unconstrained": OneTimeWorkRequest.from_(Succeed),
        "delayed 20 s": OneTimeWorkRequest.builder(Succeed)
        .set_initial_delay(timedelta(seconds=20))
        .build(),
        "network": OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(required_network_type=NetworkType.CONNECTED))
        .build(),
        "battery and storage not low, delayed 5 s": OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(requires_battery_not_low=True, requires_storage_not_low=True))
        .set_initial_delay(timedelta(seconds=5))
        .build(),
    }
    enqueued_ms = sim.now_ms
    for request in requests.values():
        work_manager.enqueue(request)
    sim.run_for("30s")
    assert device.apps.is_top(PACKAGE)
    started = {str(record["id"]): record.t_ms for record in sim.trace.of_kind("work.started")}
    greedy = {  # GreedyScheduler.schedule: nextRunTime, every constraint met throughout
        name: enqueued_ms + request.work_spec.initial_delay for name, request in requests.items()
    }
    assert {name: started[str(request.id)] for name, request in requests.items()} == greedy


def test_in_the_background_with_no_job_the_process_is_cached_so_frozen(sim: Simulation) -> None:
    """Leaving the app makes its process CACHED_ACTIVITY, and once its job ends no job binds it:
    a cached process is frozen, so GreedyScheduler's timers and callbacks cannot run there."""
    device, _ = _open_app(sim)
    device.apps.leave(PACKAGE)
    sim.run_for("5m")
    assert device.apps.state(PACKAGE) in (ProcessState.CACHED_ACTIVITY, ProcessState.CACHED_EMPTY)
