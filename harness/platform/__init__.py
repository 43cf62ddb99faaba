"""The system job scheduler: the device decides when each app's work runs.

``JobSchedulerService`` follows AOSP's JobScheduler and its controllers (constraints, doze,
standby quotas, battery saver and background restrictions, execution limits, stop reasons), in
JobScheduler's own words (``JobInfo``, ``JobParameters`` stop reasons). Its decisions are typed
``Verdict`` values (a ``Blocker`` and its data) worded in one place. Apps reach it through a
``JobClient`` (WorkManager's ``SystemJobService`` lives in ``harness.workmanager``).
"""

from harness._exceptions import JobShellError
from harness.platform._alarms import Alarm, AlarmKind, AlarmManagerService
from harness.platform._client import JobClient, ProcessStarter
from harness.platform._decision import (
    Blocker,
    Constraint,
    NetworkNeed,
    NetworkProblem,
    QuotaLimit,
    QuotaShortfall,
    SlotShortage,
    Unmet,
    Verdict,
    describe,
    network_label,
)
from harness.platform._device_adapter import DeviceAdapter
from harness.platform._firewall import FirewallChain, app_firewall
from harness.platform._job_info import (
    MIN_PERIOD_MS,
    JobInfo,
    JobNetworkType,
    NetCapability,
    NetTransport,
    NetworkRequest,
    TriggerContentUri,
    periodic_window,
)
from harness.platform._job_parameters import JobStopReason
from harness.platform._jobs import JobStatus, Override, network_satisfied, unmet_constraints
from harness.platform._quota import QuotaTracker
from harness.platform._quota_settings import BucketQuota, QuotaSettings
from harness.platform._readiness import EXPEDITED_LIMIT_MS, REGULAR_LIMIT_MS, Readiness
from harness.platform._service import JobSchedulerService
from harness.platform._shell import (
    cmd_jobscheduler,
    dumpsys_jobscheduler,
    register_jobscheduler_shell,
)
from harness.platform._view import Bucket, DeviceView, DozeState, NetworkInfo, api_level

__all__ = [
    "EXPEDITED_LIMIT_MS",
    "MIN_PERIOD_MS",
    "REGULAR_LIMIT_MS",
    "Alarm",
    "AlarmKind",
    "AlarmManagerService",
    "Blocker",
    "Bucket",
    "BucketQuota",
    "Constraint",
    "DeviceAdapter",
    "DeviceView",
    "DozeState",
    "FirewallChain",
    "JobClient",
    "JobInfo",
    "JobNetworkType",
    "JobSchedulerService",
    "JobShellError",
    "JobStatus",
    "JobStopReason",
    "NetCapability",
    "NetTransport",
    "NetworkInfo",
    "NetworkNeed",
    "NetworkProblem",
    "NetworkRequest",
    "Override",
    "ProcessStarter",
    "QuotaLimit",
    "QuotaSettings",
    "QuotaShortfall",
    "QuotaTracker",
    "Readiness",
    "SlotShortage",
    "TriggerContentUri",
    "Unmet",
    "Verdict",
    "api_level",
    "app_firewall",
    "cmd_jobscheduler",
    "describe",
    "dumpsys_jobscheduler",
    "network_label",
    "network_satisfied",
    "periodic_window",
    "register_jobscheduler_shell",
    "unmet_constraints",
]
