"""androidx.work 2.12: ``Configuration.Builder.setExecutionEventListener`` and
``setGreedySchedulerEnabled`` (``work/work-runtime/api/restricted_2.12.0-beta01.txt`` @71129988,
absent from ``restricted_2.11.0-beta01.txt``; the events as ``WorkerWrapperTest`` pins them)."""

from __future__ import annotations

import pytest

from harness import InvalidRequestError
from harness.app import App
from harness.backends import Internet
from harness.device import Device
from harness.phone import bind_phone
from harness.sim import Simulation
from harness.workmanager import (
    Configuration,
    Data,
    ExecutionEventListener,
    GreedyScheduler,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    Result,
    State,
    StopReason,
    WorkInfo,
    WorkManager,
)
from harness.workmanager._worker import ListenableWorker, WorkerParameters
from tests.workmanager.workers import AlwaysFail, Raise, Sleep, Succeed


class _Recorder(ExecutionEventListener):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object, State]] = []

    async def on_started(self, work_info: WorkInfo) -> None:
        self.calls.append(("started", None, work_info.state))

    async def on_finished(self, result: Result, work_info: WorkInfo) -> None:
        self.calls.append(("finished", type(result).__name__, work_info.state))

    async def on_stopped(self, stop_reason: StopReason, work_info: WorkInfo) -> None:
        self.calls.append(("stopped", stop_reason, work_info.state))

    async def on_exception(self, throwable: BaseException, work_info: WorkInfo) -> None:
        self.calls.append(("exception", type(throwable).__name__, work_info.state))


class _Refuses:
    """A worker factory whose constructor call throws (the worker cannot be created)."""

    def create_worker(self, worker_class_name: str, params: WorkerParameters) -> ListenableWorker:
        raise RuntimeError(f"cannot create {worker_class_name}")


def _work_manager(sim: Simulation, recorder: _Recorder, version: str = "2.12") -> WorkManager:
    configuration = Configuration.builder().set_execution_event_listener(recorder).build()
    return WorkManager(sim, configuration=configuration, version=version)


def test_success_emits_started_then_finished(sim: Simulation) -> None:
    """WorkerWrapperTest.testSuccess_emitsStartAndEndEvents: onStarted (RUNNING), then
    onFinished(Result.success(), SUCCEEDED)."""
    recorder = _Recorder()
    _work_manager(sim, recorder).enqueue(OneTimeWorkRequest.from_(Succeed))
    sim.run_for("1s")
    assert recorder.calls == [
        ("started", None, State.RUNNING),
        ("finished", "SuccessResult", State.SUCCEEDED),
    ]


def test_periodic_and_failed_runs_finish_with_their_states(sim: Simulation) -> None:
    """testPeriodicWork_success_emitsStartAndEndEvents (ENQUEUED after a periodic run) and
    testFailed_emitsStartAndEndEvents (FAILED after Result.failure())."""
    recorder = _Recorder()
    work_manager = _work_manager(sim, recorder)
    work_manager.enqueue(PeriodicWorkRequest.builder(Succeed, "1h").build())
    sim.run_for("1s")
    work_manager.enqueue(OneTimeWorkRequest.from_(AlwaysFail))
    sim.run_for("1s")
    assert [call for call in recorder.calls if call[0] == "finished"] == [
        ("finished", "SuccessResult", State.ENQUEUED),
        ("finished", "FailureResult", State.FAILED),
    ]


def test_a_throwing_worker_emits_an_exception(sim: Simulation) -> None:
    """testException_emitsStartAndExceptionEvents: onStarted, then onException with the
    worker's throwable and a FAILED snapshot (no onFinished)."""
    recorder = _Recorder()
    _work_manager(sim, recorder).enqueue(OneTimeWorkRequest.from_(Raise))
    sim.run_for("1s")
    assert recorder.calls == [
        ("started", None, State.RUNNING),
        ("exception", "RuntimeError", State.FAILED),
    ]


def test_a_throwing_periodic_worker_emits_an_exception_and_stays_enqueued(sim: Simulation) -> None:
    """2.12: onException's snapshot is the row after the write, and ``onWorkFailed``
    (W/impl/WorkerWrapper.kt @a9b06aaf) sends a periodic work to its next period: ENQUEUED."""
    recorder = _Recorder()
    _work_manager(sim, recorder).enqueue(PeriodicWorkRequest.builder(Raise, "1h").build())
    sim.run_for("1s")
    assert recorder.calls == [
        ("started", None, State.RUNNING),
        ("exception", "RuntimeError", State.ENQUEUED),
    ]


def test_a_stopped_run_emits_stopped_with_the_reason(sim: Simulation) -> None:
    """WorkerWrapper.interrupt(STOP_REASON_CONSTRAINT_CHARGING): onStarted, then onStopped with
    that reason and an ENQUEUED snapshot."""
    recorder = _Recorder()
    work_manager = _work_manager(sim, recorder)
    request = OneTimeWorkRequest.builder(Sleep).set_input_data(Data({"sleep_ms": 60_000})).build()
    work_manager.enqueue(request)
    sim.run_for("1s")
    work_manager.processor.stop_work(str(request.id), StopReason.STOP_REASON_CONSTRAINT_CHARGING)
    sim.run_for("1s")
    assert recorder.calls == [
        ("started", None, State.RUNNING),
        ("stopped", StopReason.STOP_REASON_CONSTRAINT_CHARGING, State.ENQUEUED),
    ]


def test_a_run_that_never_starts_its_worker_tells_nothing(sim: Simulation) -> None:
    """testInvalidWorkerClassName: a worker that cannot be created leaves the work FAILED and
    verifyZeroInteractions(listener)."""
    recorder = _Recorder()
    configuration = (
        Configuration.builder()
        .set_worker_factory(_Refuses())
        .set_execution_event_listener(recorder)
        .build()
    )
    work_manager = WorkManager(sim, configuration=configuration, version="2.12")
    request = OneTimeWorkRequest.from_(Succeed)
    work_manager.enqueue(request)
    sim.run_for("1s")
    info = work_manager.get_work_info_by_id(request.id)
    assert info is not None
    assert info.state is State.FAILED
    assert recorder.calls == []


@pytest.mark.parametrize("version", ["2.9", "2.10", "2.11"])
def test_the_2_12_configuration_api_is_refused_before_2_12(sim: Simulation, version: str) -> None:
    """setExecutionEventListener and setGreedySchedulerEnabled are in restricted_2.12.0-beta01.txt
    and not in 2.11.0-beta01's: an app pinned before 2.12 cannot call them."""
    with pytest.raises(
        InvalidRequestError,
        match=rf"^Configuration\.builder\(\)\.set_execution_event_listener\(\) needs "
        rf"androidx\.work 2\.12 or later; this app pins {version},",
    ):
        _work_manager(sim, _Recorder(), version)
    greedy_off = Configuration.builder().set_greedy_scheduler_enabled(False).build()
    with pytest.raises(InvalidRequestError, match=r'versions\.androidx_work: "2\.12"'):
        WorkManager(sim, configuration=greedy_off, version=version)


@pytest.mark.parametrize(("module", "greedy"), [("configured", 1), ("greedy_off", 0)])
def test_set_greedy_scheduler_enabled_false_leaves_only_jobscheduler(
    sim: Simulation, module: str, greedy: int
) -> None:
    """2.12 Configuration.Builder.setGreedySchedulerEnabled(false): the app process's WorkManager
    has no in-process GreedyScheduler, only SystemJobScheduler (WorkManagerImpl's schedulers)."""
    binding = bind_phone(sim, Device(sim), Internet(sim), versions={"androidx_work": "2.12"})
    app = App.from_module(f"tests.workmanager.apps.{module}")
    binding.runtime.install(app)
    binding.device.apps.launch(app.package)
    sim.run_for("2s")
    process = binding.runtime.process(app.package)
    assert process is not None
    schedulers = process.work_manager.schedulers
    assert sum(isinstance(s, GreedyScheduler) for s in schedulers) == greedy
    assert len(schedulers) == greedy + 1


def test_work_info_has_the_worker_class_name(sim: Simulation) -> None:
    """2.12 WorkInfo.getWorkerClassName(): the work's worker class, as stored in its WorkSpec."""
    work_manager = WorkManager(sim, version="2.12")
    request = OneTimeWorkRequest.from_(Succeed)
    work_manager.enqueue(request)
    info = work_manager.get_work_info_by_id(request.id)
    assert info is not None
    assert info.worker_class_name == "tests.workmanager.workers.Succeed"
