"""What the adb shell does to jobs (``JobSchedulerShellCommand``): ``run`` overrides a job's
constraints (``JobSchedulerService.executeRunCommand``), ``timeout`` stops running jobs
(``executeStopCommand``/``executeTimeoutCommand``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.platform._decision import Blocker
from harness.platform._job_parameters import JobStopReason
from harness.platform._jobs import JobStatus, Override

if TYPE_CHECKING:
    from harness.platform._service import JobSchedulerService


def run_now(
    service: JobSchedulerService, package: str, job_id: int, *, force: bool, satisfied: bool
) -> JobStatus:
    """``executeRunCommand``: override the job's constraints and queue it now.

    Raises ``LookupError`` for an unknown job and ``ValueError`` if, without ``force``, its
    connectivity constraint does not hold (``CMD_ERR_CONSTRAINTS``).
    """
    status = service.job_status(package, job_id)
    if status is None:
        raise LookupError(job_id)
    if force:
        status.override = Override.FULL
    else:
        status.override = Override.SORTING if satisfied else Override.SOFT
    verdict = service.verdict(status)
    if verdict.blocker is Blocker.CONSTRAINT and not force:
        status.override = Override.NONE
        raise ValueError(job_id)
    service.evaluate()
    return status


def time_out(
    service: JobSchedulerService, package: str | None = None, job_id: int | None = None
) -> list[JobStatus]:
    """``cmd jobscheduler timeout``: stop matching running jobs with STOP_REASON_TIMEOUT."""
    matched = [
        status
        for status in service.all_jobs()
        if status.running
        and (package is None or status.job.package == package)
        and (job_id is None or status.job.job_id == job_id)
    ]
    for status in matched:
        service.runs.stop(status, JobStopReason.STOP_REASON_TIMEOUT, "timed out from the shell")
    service.evaluate()
    return matched
