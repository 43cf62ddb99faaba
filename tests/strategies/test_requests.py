"""Drawn work requests are ones androidx builds as they are; drawn constraints are values."""

from __future__ import annotations

from hypothesis import given

from harness.sim import Simulation
from harness.strategies import WorkRequestPlan, constraints, work_requests
from harness.workmanager import Constraints, CoroutineWorker, PeriodicWorkRequest, Result


class _Sync(CoroutineWorker):
    async def do_work(self) -> Result:
        return Result.success()


@given(plan=work_requests())
def test_every_drawn_request_builds_without_exception_or_clamping(plan: WorkRequestPlan) -> None:
    """WorkRequest.kt build() accepts every plan, and WorkSpec.kt clamps nothing (no warnings)."""
    with Simulation(seed=0):
        request = plan.build(_Sync)
    assert request.warnings == ()
    assert isinstance(request, PeriodicWorkRequest) == (plan.interval_ms is not None)
    assert request.work_spec.constraints == plan.constraints


@given(plan=work_requests(periodic=True))
def test_periodic_requests_are_never_expedited(plan: WorkRequestPlan) -> None:
    """PeriodicWorkRequest.kt: require(!workSpec.expedited)."""
    assert plan.expedited is None
    assert plan.interval_ms is not None
    assert plan.interval_ms >= 15 * 60_000


@given(value=constraints(network=False, device_idle=False))
def test_constraints_follow_their_knobs(value: Constraints) -> None:
    """``network=False`` keeps NOT_REQUIRED; ``device_idle=False`` never requires idle."""
    assert value.required_network_type == Constraints().required_network_type
    assert not value.requires_device_idle
