"""The system job scheduler: the device decides when each app's work runs.

``JobSchedulerService`` follows AOSP's JobScheduler and its controllers (constraints, doze,
standby quotas, battery saver and background restrictions, execution limits, stop reasons);
``SystemJobScheduler`` is WorkManager's scheduler over it, as androidx's ``SystemJobScheduler``
and ``SystemJobService``.
"""

from harness.platform import (
    trace_kinds as trace_kinds,  # registers the platform layer's trace kinds
)
from harness.platform._jobs import JobInfo, JobStatus, network_satisfied, unmet_constraints
from harness.platform._quota import BucketQuota, QuotaSettings, QuotaTracker
from harness.platform._readiness import EXPEDITED_LIMIT_MS, REGULAR_LIMIT_MS, Readiness, Verdict
from harness.platform._service import JobClient, JobSchedulerService
from harness.platform._shell import JobShellError, cmd_jobscheduler, dumpsys_jobscheduler
from harness.platform._system_job import (
    JobIds,
    SystemJobScheduler,
    SystemJobService,
    system_job_schedulers,
)
from harness.platform._view import Bucket, DeviceView, DozeState, NetworkInfo

__all__ = [
    "EXPEDITED_LIMIT_MS",
    "REGULAR_LIMIT_MS",
    "Bucket",
    "BucketQuota",
    "DeviceView",
    "DozeState",
    "JobClient",
    "JobIds",
    "JobInfo",
    "JobSchedulerService",
    "JobShellError",
    "JobStatus",
    "NetworkInfo",
    "QuotaSettings",
    "QuotaTracker",
    "Readiness",
    "SystemJobScheduler",
    "SystemJobService",
    "Verdict",
    "cmd_jobscheduler",
    "dumpsys_jobscheduler",
    "network_satisfied",
    "system_job_schedulers",
    "unmet_constraints",
]
