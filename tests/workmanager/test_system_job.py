"""WorkManager's side of JobScheduler (harness/workmanager/_system_job.py): androidx's
``SystemJobInfoConverter`` and ``SystemJobService`` stop-reason mapping."""

from __future__ import annotations

import pytest

from harness.platform import JobNetworkType, JobStopReason, NetCapability
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    NetworkType,
    OneTimeWorkRequest,
    StopReason,
    convert_network_type,
    to_job_info,
    to_stop_reason,
)
from tests.workmanager.workers import Succeed


@pytest.mark.parametrize(
    ("network_type", "job_type"),
    [
        (NetworkType.NOT_REQUIRED, JobNetworkType.NETWORK_TYPE_NONE),
        (NetworkType.CONNECTED, JobNetworkType.NETWORK_TYPE_ANY),
        (NetworkType.UNMETERED, JobNetworkType.NETWORK_TYPE_UNMETERED),
        (NetworkType.NOT_ROAMING, JobNetworkType.NETWORK_TYPE_NOT_ROAMING),
        (NetworkType.METERED, JobNetworkType.NETWORK_TYPE_CELLULAR),
        (NetworkType.TEMPORARILY_UNMETERED, JobNetworkType.NETWORK_TYPE_ANY),
    ],
)
def test_convert_network_type(network_type: NetworkType, job_type: JobNetworkType) -> None:
    """``SystemJobInfoConverter.convertNetworkType`` (METERED is NETWORK_TYPE_METERED, the alias
    of NETWORK_TYPE_CELLULAR; anything else is NETWORK_TYPE_ANY)."""
    assert convert_network_type(network_type, api=34) is job_type


def test_temporarily_unmetered_is_a_capability_request_from_api_30(sim: Simulation) -> None:
    """``setRequiredNetwork``: TEMPORARILY_UNMETERED asks for
    NET_CAPABILITY_TEMPORARILY_NOT_METERED on API 30+, plain ANY before."""
    request = (
        OneTimeWorkRequest.builder(Succeed)
        .set_constraints(Constraints(required_network_type=NetworkType.TEMPORARILY_UNMETERED))
        .build()
    )
    spec = request.work_spec
    job = to_job_info(spec, job_id=3, package="p", now_ms=0, api=30)
    assert job.network_type is JobNetworkType.NETWORK_TYPE_ANY
    assert job.network_capabilities == {NetCapability.NET_CAPABILITY_TEMPORARILY_NOT_METERED}
    assert job.service == "androidx.work.impl.background.systemjob.SystemJobService"
    assert to_job_info(spec, job_id=3, package="p", now_ms=0, api=29).network_capabilities == set()


@pytest.mark.parametrize("reason", list(JobStopReason))
def test_stop_reasons_map_by_value(reason: JobStopReason) -> None:
    """``SystemJobService``: JobParameters.getStopReason becomes the WorkInfo stop reason of the
    same value and name."""
    converted = to_stop_reason(reason)
    assert int(converted) == int(reason)
    assert converted.name == reason.name
    assert isinstance(converted, StopReason)


def test_an_undelayed_regular_job_is_important_while_foreground(sim: Simulation) -> None:
    """``SystemJobInfoConverter.convert`` (@a9b06aaf): on API 29+ a job with no delay whose work
    is not expedited gets ``setImportantWhileForeground(true)`` when the Configuration marks jobs
    (2.11 on, true by default); a delayed job, an expedited one or API 28 does not."""
    from dataclasses import replace
    from datetime import timedelta

    from harness.workmanager import OutOfQuotaPolicy, WorkSpec

    now = OneTimeWorkRequest.from_(Succeed).work_spec
    later = OneTimeWorkRequest.builder(Succeed).set_initial_delay(timedelta(minutes=5)).build()
    fast = (
        OneTimeWorkRequest.builder(Succeed)
        .set_expedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
        .build()
    )

    def marked(spec: WorkSpec, api: int = 34, mark: bool = True) -> bool:
        job = to_job_info(
            replace(spec, last_enqueue_time=0),  # enqueued at 0, converted at 0
            job_id=1,
            package="p",
            now_ms=0,
            api=api,
            mark_important_while_foreground=mark,
        )
        return job.important_while_foreground

    assert marked(now)
    assert not marked(now, mark=False)  # 2.9/2.10, or setMarkingJobsAsImportantWhileForeground
    assert not marked(now, api=28)
    assert not marked(later.work_spec)
    assert not marked(fast.work_spec)
