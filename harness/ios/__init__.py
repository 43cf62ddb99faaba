"""iOS background execution on the shared device model: a platform-level peer of
``harness.platform``'s JobScheduler.

``IOSSystem(sim, device)`` adds iOS's switches (Background App Refresh, Low Power Mode, the first
unlock after a reboot), its app life cycle (foreground, background, suspended, force-quit) and
``BGTaskScheduler`` with Apple's documented rules (1 refresh + 10 processing requests, error codes
1-4, the 30 s refresh budget and its expiration handler, idle-only processing, no launches after a
force-quit), background ``URLSession`` transfers (cancelled by a force-quit), the legacy
background fetch, silent pushes and ``beginBackgroundTask``. The timing of
launches is not public: it is the documented, seeded, configurable ``LaunchPolicy``
(docs/ios.md).
"""

from harness.ios._app import AppDelegate, AppInfo, IOSApp, Launch
from harness.ios._background_time import INVALID_BACKGROUND_TASK, BackgroundTime
from harness.ios._continued import ContinuedProcessing, ContinuedProcessingPolicy
from harness.ios._continued_request import (
    GPU_ENTITLEMENT,
    BGContinuedProcessingTaskRequest,
    ContinuedProcessingResources,
    SubmissionStrategy,
)
from harness.ios._continued_task import BGContinuedProcessingTask, Progress
from harness.ios._enums import (
    AppState,
    BackgroundRefreshStatus,
    BGTaskSchedulerErrorCode,
    FetchResult,
    TaskKind,
)
from harness.ios._errors import BGTaskSchedulerError, InternalInconsistencyError
from harness.ios._planner import FETCH_IDENTIFIER
from harness.ios._policy import LaunchPolicy
from harness.ios._requests import BGAppRefreshTaskRequest, BGProcessingTaskRequest, BGTaskRequest
from harness.ios._scheduler import MAX_PENDING, BGTaskScheduler
from harness.ios._session_events import EventsCompletion
from harness.ios._system import PUSH_IDENTIFIER, AppStateChange, IOSSystem
from harness.ios._task import BGAppRefreshTask, BGProcessingTask, BGTask, FetchCompletion
from harness.ios._transfer_policy import TransferPolicy
from harness.ios._transfers import BackgroundTransfers
from harness.ios._urlsession import (
    DEFAULT_RESOURCE_TIMEOUT_MS,
    BackgroundTaskCancelledReason,
    TransferKind,
    URLError,
    URLErrorCode,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
    URLSessionTaskState,
)
from harness.ios._why import BACKGROUND_TASK_IDENTIFIER, explain_launch
from harness.ios._why_answer import LaunchWhy, WaitCause, refused_submit

__all__ = [
    "BACKGROUND_TASK_IDENTIFIER",
    "DEFAULT_RESOURCE_TIMEOUT_MS",
    "FETCH_IDENTIFIER",
    "GPU_ENTITLEMENT",
    "INVALID_BACKGROUND_TASK",
    "MAX_PENDING",
    "PUSH_IDENTIFIER",
    "AppDelegate",
    "AppInfo",
    "AppState",
    "AppStateChange",
    "BGAppRefreshTask",
    "BGAppRefreshTaskRequest",
    "BGContinuedProcessingTask",
    "BGContinuedProcessingTaskRequest",
    "BGProcessingTask",
    "BGProcessingTaskRequest",
    "BGTask",
    "BGTaskRequest",
    "BGTaskScheduler",
    "BGTaskSchedulerError",
    "BGTaskSchedulerErrorCode",
    "BackgroundRefreshStatus",
    "BackgroundTaskCancelledReason",
    "BackgroundTime",
    "BackgroundTransfers",
    "ContinuedProcessing",
    "ContinuedProcessingPolicy",
    "ContinuedProcessingResources",
    "EventsCompletion",
    "FetchCompletion",
    "FetchResult",
    "IOSApp",
    "IOSSystem",
    "InternalInconsistencyError",
    "Launch",
    "LaunchPolicy",
    "LaunchWhy",
    "Progress",
    "SubmissionStrategy",
    "TaskKind",
    "TransferKind",
    "TransferPolicy",
    "URLError",
    "URLErrorCode",
    "URLSession",
    "URLSessionConfiguration",
    "URLSessionDelegate",
    "URLSessionTask",
    "URLSessionTaskState",
    "WaitCause",
    "explain_launch",
    "refused_submit",
]
