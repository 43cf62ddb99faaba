"""The WorkManager engine: androidx.work (2.9/2.10) semantics on virtual time.

Requests, backoff, states, chains, unique work, updates, cancellation, pruning, persistence in a
device-owned sqlite database, and work-testing's ``TestDriver``, each rule ported from the
androidx sources and cited next to its code. Names are androidx's in snake_case::

    from harness.workmanager import BackoffPolicy, OneTimeWorkRequest, Result, Worker, WorkManager

    class Upload(Worker):
        def do_work(self) -> Result:
            return Result.retry()

    workmanager = WorkManager(sim)
    request = (OneTimeWorkRequest.builder(Upload)
               .set_backoff_criteria(BackoffPolicy.EXPONENTIAL, timedelta(seconds=30)).build())
    workmanager.enqueue(request)
    sim.run_for("4m")      # runs at 0, 30 s, 90 s and 210 s

All times (``next_schedule_time_millis``, database columns, trace fields) are virtual
milliseconds since the scenario epoch. Workers are created by class name (``"module.QualName"``),
so define them at module level.

**Scheduling seam.** WorkManager hands eligible work to ``Scheduler`` objects (``schedule``,
``cancel``, ``reconcile``, ``has_limited_scheduling_slots``); a scheduler starts and stops runs
through ``workmanager.processor`` (``start_work``, ``stop_work``) and hears that a run ended from
``processor.executed``. The default :class:`TestScheduler` runs work in process when it is due and
its constraints (from a :class:`ConstraintState`) hold; the platform layer plugs in Android's
JobScheduler through the same seam. See ``_scheduler.py`` and ``docs/architecture.md``.

**Trace.** Every change is a record (``sim.trace``), declared with its typed fields in
:mod:`harness.workmanager.trace_kinds` (reference: ``docs/trace.md``), whose fields include ``id``,
``worker``, ``tags``, ``state`` (after the change), ``run_attempt_count``, ``generation``,
``period_count`` and ``next_run_time_ms`` (``None`` unless ENQUEUED), plus:

=====================  ==========================================================================
kind                   when, and its own fields
=====================  ==========================================================================
``work.enqueued``      a request was inserted ENQUEUED (or FAILED/CANCELLED because a prerequisite
                       had): ``unique_name``, ``policy``, ``prerequisites``, ``warnings``
``work.blocked``       a request was inserted BLOCKED behind prerequisites: same fields
``work.not_enqueued``  an enqueue did nothing (KEEP while active, missing prerequisite):
                       ``ids``, ``workers``, ``reason``, ``unique_name``, ``existing``
``work.unblocked``     BLOCKED -> ENQUEUED when the last prerequisite succeeded: ``prerequisite``
``work.started``       ENQUEUED -> RUNNING (the attempt count was incremented)
``work.progress``      a running worker set progress: ``progress``
``work.finished``      a run completed: ``result`` (``success``/``failure``) and ``output``;
                       state SUCCEEDED/FAILED for one-time work, ENQUEUED (next period) for
                       periodic; dependents failed with it have ``result`` None, ``cause``
                       ``prerequisite_failed`` and ``failed``
``work.retry``         the worker asked to retry: back to ENQUEUED after the backoff
``work.failed``        app code raised: ``phase`` (``create_worker``, ``merge_inputs``,
                       ``do_work``, ``on_stopped``), ``error``, ``traceback``; a
                       ``work.finished`` follows for the first three
``work.foreground``    a running worker moved into the foreground service (``set_foreground``):
                       ``notification_id``, ``foreground_service_type``
``work.foreground_refused`` the foreground service's start or ``startForeground`` refused it:
                       ``exception`` (class name), ``message``
``work.stopped``       a run was stopped (constraint lost, timeout, scheduler) or found RUNNING at
                       start-up (``cause`` ``process_restart``): ``stop_reason`` (name) and
                       ``stop_reason_value``
``work.deferred``      periodic or backed-off work was started before its time and put back
                       ENQUEUED without running: ``due_ms``
``work.cancelled``     -> CANCELLED: ``previous_state``, ``cause`` (``cancelled_by_app`` or
                       ``prerequisite_cancelled``), ``stop_reason``, ``stop_reason_value``
``work.updated``       ``update_work``/UPDATE: ``result`` (an ``UpdateResult`` name)
``work.deleted``       REPLACE/KEEP/APPEND_OR_REPLACE/UPDATE removed a record: ``reason``
``work.pruned``        a finished record was pruned: ``reason`` (``on_open``, ``prune_work``)
=====================  ==========================================================================
"""

from harness.workmanager._configuration import Configuration, FixedThreadPool
from harness.workmanager._constraint_state import ConstraintState
from harness.workmanager._constraints import Constraints, ContentUriTrigger
from harness.workmanager._continuation import WorkContinuation
from harness.workmanager._data import Data
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enums import (
    BackoffPolicy,
    ExistingPeriodicWorkPolicy,
    ExistingWorkPolicy,
    NetworkType,
    OutOfQuotaPolicy,
    State,
    StopReason,
    UpdateResult,
)
from harness.workmanager._execution_events import ExecutionEventListener
from harness.workmanager._foreground import (
    AndroidManifest,
    ForegroundInfo,
    ForegroundServiceStartNotAllowedException,
    IllegalArgumentException,
    InvalidForegroundServiceTypeException,
    SecurityException,
)
from harness.workmanager._greedy import GreedyScheduler
from harness.workmanager._info import PeriodicityInfo, WorkInfo, WorkQuery
from harness.workmanager._manager import WorkManager
from harness.workmanager._merger import (
    ArrayCreatingInputMerger,
    InputMerger,
    OverwritingInputMerger,
)
from harness.workmanager._processor import Executed, Processor
from harness.workmanager._request import OneTimeWorkRequest, PeriodicWorkRequest, WorkRequest
from harness.workmanager._reschedule import reschedule_on_boot
from harness.workmanager._schedule import calculate_next_run_time
from harness.workmanager._scheduler import Scheduler, SchedulerFactory
from harness.workmanager._spec import WorkSpec
from harness.workmanager._system_job import (
    JobIds,
    SystemJobScheduler,
    SystemJobService,
    convert_network_type,
    system_job_schedulers,
    to_job_info,
    to_stop_reason,
)
from harness.workmanager._test_scheduler import TestScheduler
from harness.workmanager._testing import TestDriver
from harness.workmanager._versions import DEFAULT_WORK_VERSION, WorkManagerVersion
from harness.workmanager._worker import (
    CoroutineWorker,
    DefaultWorkerFactory,
    ListenableWorker,
    Result,
    RuntimeExtras,
    Worker,
    WorkerFactory,
    WorkerParameters,
)

__all__ = [
    "DEFAULT_WORK_VERSION",
    "AndroidManifest",
    "ArrayCreatingInputMerger",
    "BackoffPolicy",
    "Configuration",
    "ConstraintState",
    "Constraints",
    "ContentUriTrigger",
    "CoroutineWorker",
    "Data",
    "DefaultWorkerFactory",
    "Executed",
    "ExecutionEventListener",
    "ExistingPeriodicWorkPolicy",
    "ExistingWorkPolicy",
    "FixedThreadPool",
    "ForegroundInfo",
    "ForegroundServiceStartNotAllowedException",
    "GreedyScheduler",
    "IllegalArgumentException",
    "InputMerger",
    "InvalidForegroundServiceTypeException",
    "JobIds",
    "ListenableWorker",
    "NetworkType",
    "OneTimeWorkRequest",
    "OutOfQuotaPolicy",
    "OverwritingInputMerger",
    "PeriodicWorkRequest",
    "PeriodicityInfo",
    "Processor",
    "Result",
    "RuntimeExtras",
    "Scheduler",
    "SchedulerFactory",
    "SecurityException",
    "State",
    "StopReason",
    "SystemJobScheduler",
    "SystemJobService",
    "TestDriver",
    "TestScheduler",
    "UpdateResult",
    "WorkContinuation",
    "WorkDatabase",
    "WorkInfo",
    "WorkManager",
    "WorkManagerVersion",
    "WorkQuery",
    "WorkRequest",
    "WorkSpec",
    "Worker",
    "WorkerFactory",
    "WorkerParameters",
    "calculate_next_run_time",
    "convert_network_type",
    "reschedule_on_boot",
    "system_job_schedulers",
    "to_job_info",
    "to_stop_reason",
]
