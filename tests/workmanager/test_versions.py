"""The androidx.work release modelled (_versions.py): 2.9's to 2.12's WorkerWrapper.kt."""

from __future__ import annotations

import pytest

from harness import DefinitionError, InvalidRequestError
from harness.sim import Simulation
from harness.workmanager import (
    DEFAULT_WORK_VERSION,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    State,
    WorkManager,
    WorkManagerVersion,
)
from harness.workmanager._worker import ListenableWorker, WorkerParameters
from tests.workmanager.workers import AlwaysFail, Raise, ReturnsTrue


class _Refuses:
    """A worker factory whose constructor call throws (createWorkerWithDefaultFallback fails)."""

    def create_worker(self, worker_class_name: str, params: WorkerParameters) -> ListenableWorker:
        raise RuntimeError(f"cannot create {worker_class_name}")


def _state(workmanager: WorkManager, request: OneTimeWorkRequest | PeriodicWorkRequest) -> State:
    found = workmanager.get_work_info_by_id(request.id)
    assert found is not None
    return found.state


def test_the_default_is_the_newest_stable_line() -> None:
    """Issue 18.7, defaults: the newest stable of each, androidx.work 2.12 (2.12.0 stable
    2026-09-23; docs/sources.md, "androidx 2.12 as the default")."""
    assert DEFAULT_WORK_VERSION is WorkManagerVersion.V2_12
    assert WorkManager(Simulation(seed=0)).version is WorkManagerVersion.V2_12


@pytest.mark.parametrize(
    ("version", "state"),
    [
        ("2.9", State.ENQUEUED),
        ("2.10", State.FAILED),
        ("2.11", State.FAILED),
        ("2.12", State.ENQUEUED),
    ],
)
def test_a_periodic_worker_that_throws_is_failed_in_2_10_and_2_11(
    sim: Simulation, version: str, state: State
) -> None:
    """W/impl/WorkerWrapper.kt: 2.9 (@aa889ef7) keeps Result.failure() and handleResult resets the
    period; 2.10 (@07c97258) resolves a throwing worker as Resolution.Failed -> setFailed; 2.12
    (@a9b06aaf) sends Resolution.Failed to onWorkFailed, which resets a periodic work's period."""
    workmanager = WorkManager(sim, version=version)
    request = PeriodicWorkRequest.builder(Raise, "1h").build()
    workmanager.enqueue(request)
    sim.run_for("90m")
    assert _state(workmanager, request) is state
    runs = len(sim.trace.of_kind("work.started"))
    assert runs == (1 if state is State.FAILED else 2)


@pytest.mark.parametrize("version", ["2.9", "2.10", "2.11", "2.12"])
def test_a_periodic_worker_returning_failure_goes_on_in_both(sim: Simulation, version: str) -> None:
    """An explicit Result.failure() of periodic work resets the period in both releases
    (handleResult -> resetPeriodic)."""
    workmanager = WorkManager(sim, version=version)
    request = PeriodicWorkRequest.builder(AlwaysFail, "1h").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    assert _state(workmanager, request) is State.ENQUEUED


@pytest.mark.parametrize(
    ("version", "state"),
    [
        ("2.9", State.FAILED),
        ("2.10", State.FAILED),
        ("2.11", State.FAILED),
        ("2.12", State.ENQUEUED),
    ],
)
def test_a_periodic_worker_that_cannot_be_created_is_re_enqueued_from_2_12(
    sim: Simulation, version: str, state: State
) -> None:
    """A periodic worker that cannot be created is FAILED up to 2.11 (2.9 setFailedAndResolve,
    2.10 Resolution.Failed -> setFailed) and goes on to its next period in 2.12
    (W/impl/WorkerWrapper.kt @a9b06aaf: Resolution.Failed -> onWorkFailed -> resetPeriodic)."""
    workmanager = WorkManager(sim, version=version, worker_factory=_Refuses())
    request = PeriodicWorkRequest.builder(AlwaysFail, "1h").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    assert _state(workmanager, request) is state
    if state is State.ENQUEUED:
        info = workmanager.get_work_info_by_id(request.id)
        assert info is not None
        assert info.run_attempt_count == 0  # resetPeriodic resets it
        sim.run_for("61m")  # the next period starts an hour after the failed run
        assert len(sim.trace.of_kind("work.failed")) == 2


@pytest.mark.parametrize("version", ["2.9", "2.10", "2.11", "2.12"])
def test_one_time_failures_are_failed_in_both(sim: Simulation, version: str) -> None:
    """One-time work that throws or returns no Result is FAILED in both releases."""
    workmanager = WorkManager(sim, version=version)
    raising = OneTimeWorkRequest.from_(Raise)
    odd = OneTimeWorkRequest.from_(ReturnsTrue)
    workmanager.enqueue(raising)
    workmanager.enqueue(odd)
    sim.run_for(0)
    assert (_state(workmanager, raising), _state(workmanager, odd)) == (State.FAILED,) * 2


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("2.9", WorkManagerVersion.V2_9),
        ("2.10", WorkManagerVersion.V2_10),
        ("2.10.1", WorkManagerVersion.V2_10),
        ("2.11", WorkManagerVersion.V2_11),
        ("2.11.2", WorkManagerVersion.V2_11),
        ("2.12", WorkManagerVersion.V2_12),
        ("2.12.0", WorkManagerVersion.V2_12),
        (2.9, WorkManagerVersion.V2_9),
    ],
)
def test_versions_parse(value: object, member: WorkManagerVersion) -> None:
    """A release line or a patch release of it selects the line."""
    assert WorkManagerVersion.parse(value) is member


@pytest.mark.parametrize("value", ["2.8", "3", "2.1", 2.10, "2.10-beta", "latest"])
def test_an_unknown_version_names_field_value_and_the_allowed_ones(value: object) -> None:
    """A bad value is an error naming the field, the value and the allowed values."""
    with pytest.raises(
        DefinitionError,
        match=r"^versions\.androidx_work: .+ is not a modelled androidx WorkManager version; "
        r"allowed: 2\.9, 2\.10, 2\.11, 2\.12 ",
    ):
        WorkManagerVersion.parse(value)


def _interruption_backoff(worker: type[ListenableWorker] = AlwaysFail) -> OneTimeWorkRequest:
    return OneTimeWorkRequest.builder(worker).set_backoff_for_system_interruptions().build()


@pytest.mark.parametrize("version", ["2.9", "2.10"])
def test_backoff_for_system_interruptions_needs_2_11(sim: Simulation, version: str) -> None:
    """WorkRequest.Builder.setBackoffForSystemInterruptions was added in 2.11.0: an app pinned
    to an older release cannot call it, so enqueueing such a request names the version and fix."""
    workmanager = WorkManager(sim, version=version)
    request = _interruption_backoff()
    with pytest.raises(InvalidRequestError, match=rf"needs androidx\.work 2\.11.+pins {version},"):
        workmanager.enqueue(request)
    with pytest.raises(InvalidRequestError, match=r'versions\.androidx_work: "2\.11"'):
        workmanager.begin_with(OneTimeWorkRequest.from_(AlwaysFail)).then(request).enqueue()
    assert workmanager.get_work_info_by_id(request.id) is None


def test_backoff_for_system_interruptions_cannot_be_added_by_an_update_before_2_11(
    sim: Simulation,
) -> None:
    """updateWorkImpl writes the new WorkSpec: on 2.10 it cannot carry the 2.11 field either."""
    workmanager = WorkManager(sim, version="2.10")
    request = PeriodicWorkRequest.builder(AlwaysFail, "1h").build()
    workmanager.enqueue(request)
    update = (
        PeriodicWorkRequest.builder(AlwaysFail, "1h")
        .set_id(request.id)
        .set_backoff_for_system_interruptions()
        .build()
    )
    with pytest.raises(InvalidRequestError, match=r"needs androidx\.work 2\.11"):
        workmanager.update_work(update)


def test_backoff_for_system_interruptions_is_accepted_from_2_11(sim: Simulation) -> None:
    """From 2.11 (the default) the request enqueues with backOffOnSystemInterruptions set."""
    workmanager = WorkManager(sim, version="2.11")
    request = _interruption_backoff()
    workmanager.enqueue(request)
    stored = workmanager.database.work_spec_dao.get_work_spec(request.string_id)
    assert stored is not None
    assert stored.backoff_on_system_interruptions is True
