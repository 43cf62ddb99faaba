"""The androidx.work release modelled (_versions.py): 2.9's and 2.10's WorkerWrapper.kt."""

from __future__ import annotations

import pytest

from harness import DefinitionError
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
    """Defaults: the newest stable androidx.work line the engine models (2.10)."""
    assert DEFAULT_WORK_VERSION is WorkManagerVersion.V2_10


@pytest.mark.parametrize(("version", "state"), [("2.9", State.ENQUEUED), ("2.10", State.FAILED)])
def test_a_periodic_worker_that_throws_is_failed_from_2_10_on(
    sim: Simulation, version: str, state: State
) -> None:
    """W/impl/WorkerWrapper.kt: 2.9 (@aa889ef7) keeps Result.failure() and handleResult resets the
    period; 2.10 (@07c97258) resolves a throwing worker as Resolution.Failed -> setFailed."""
    workmanager = WorkManager(sim, version=version)
    request = PeriodicWorkRequest.builder(Raise, "1h").build()
    workmanager.enqueue(request)
    sim.run_for("90m")
    assert _state(workmanager, request) is state
    runs = len(sim.trace.of_kind("work.started"))
    assert runs == (1 if state is State.FAILED else 2)


@pytest.mark.parametrize("version", ["2.9", "2.10"])
def test_a_periodic_worker_returning_failure_goes_on_in_both(sim: Simulation, version: str) -> None:
    """An explicit Result.failure() of periodic work resets the period in both releases
    (handleResult -> resetPeriodic)."""
    workmanager = WorkManager(sim, version=version)
    request = PeriodicWorkRequest.builder(AlwaysFail, "1h").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    assert _state(workmanager, request) is State.ENQUEUED


@pytest.mark.parametrize("version", ["2.9", "2.10"])
def test_a_periodic_worker_that_cannot_be_created_is_failed_in_both(
    sim: Simulation, version: str
) -> None:
    """A worker that cannot be created is FAILED in both (2.9 setFailedAndResolve, 2.10
    Resolution.Failed), periodic or not: the two sources agree here."""
    workmanager = WorkManager(sim, version=version, worker_factory=_Refuses())
    request = PeriodicWorkRequest.builder(AlwaysFail, "1h").build()
    workmanager.enqueue(request)
    sim.run_for(0)
    assert _state(workmanager, request) is State.FAILED


@pytest.mark.parametrize("version", ["2.9", "2.10"])
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
        r"allowed: 2\.9, 2\.10 ",
    ):
        WorkManagerVersion.parse(value)
