"""``WorkManagerVersion``: the androidx.work releases the engine models, and how they differ.

An app pins one ``androidx.work:work-runtime`` version; the harness runs the ``WorkerWrapper`` of
that release. The forms, each read at its source (``W/impl/WorkerWrapper.kt``):

* **2.9** (@aa889ef7, the future-based form equal to the 2.9 Java): a worker that throws, or
  whose own future is cancelled, leaves the default ``Result.failure()`` in place and goes
  through ``handleResult``, so a *periodic* work goes on to its next period (``resetPeriodic``)
  and only a one-time work becomes FAILED.
* **2.10** (@07c97258, the coroutine form: ``launch()`` resolving to a ``Resolution``): a worker
  that throws (``catch (throwable: Throwable) -> Resolution.Failed()``) or cancels itself
  (``catch (e: CancellationException) -> Resolution.Failed()``) is resolved by ``setFailed``,
  which marks the work FAILED whatever its kind: a periodic work that throws once never runs
  again.

* **2.11** (2.11.0 stable 2025-10-22; 2.11.1, 2.11.2): 2.10's coroutine ``WorkerWrapper`` with
  ``WorkRequest.Builder.setBackoffForSystemInterruptions`` (``@ExperimentalWorkRequestBuilderApi``)
  and ``WorkSpec.backOffOnSystemInterruptions`` (the ``backoff_on_system_interruptions`` column):
  ``resetWorkerStatus`` is ``reschedule(reason)`` for such a work, so a run stopped by the system
  (and an early start of periodic or backed-off work) waits its backoff. A request that sets it in
  an app pinned to 2.9 or 2.10 is an error: the method does not exist there (the app would not
  compile). Everything else behaves as in 2.10.

* **2.12** (2.12.0 stable 2026-09-23; the default): the API read in its signature file
  (``work/work-runtime/api/restricted_2.12.0-beta01.txt`` @71129988, against
  ``restricted_2.11.0-beta01.txt``) and ``WorkerWrapperTest`` (the events it pins):
  ``Configuration.Builder.setExecutionEventListener`` (``@ExperimentalEventsApi``: a run's
  ``onStarted``, ``onFinished``, ``onStopped`` and ``onException``),
  ``setScheduleEventListener`` (not modelled), ``setGreedySchedulerEnabled``
  (``@ExperimentalConfigurationApi``: turns the in-process ``GreedyScheduler`` off) and
  ``WorkInfo.workerClassName``. A ``Configuration`` using the first or the third in an app pinned
  before 2.12 is an error (the app would not compile). The runtime is the ``WorkerWrapper`` of
  the main branch after the 2.11 API freeze (``W/impl/WorkerWrapper.kt`` @a9b06aaf, the commit
  that holds ``restricted_2.11.0-beta01.txt``; the same rule in the later form of a fork of
  androidx, ``xiaocainiaooo/room3`` @00cac8b0): ``Resolution.Failed`` goes to ``onWorkFailed``,
  which sends a *periodic* work to its next period (``resetPeriodic``) and fails only one-time
  work (``setFailed``). So a periodic worker that throws, cancels itself or cannot be created
  (unknown class, a factory that throws or hands out a used instance) runs again next period.

2.9 to 2.11 make a worker that cannot be created (an unknown class name, a factory that throws
or returns a used instance) FAILED, periodic or not (2.9: ``setFailedAndResolve``; 2.10:
``Resolution.Failed``); 2.12 fails only one-time work. Stops, early starts of periodic or
backed-off work, retries and explicit ``Result`` values behave alike in all four.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final

from harness._exceptions import DefinitionError, InvalidRequestError

if TYPE_CHECKING:
    from harness.workmanager._configuration import Configuration
    from harness.workmanager._spec import WorkSpec


class WorkManagerVersion(enum.Enum):
    """An ``androidx.work`` release line the engine models (``versions.androidx_work``)."""

    V2_9 = "2.9"  # 2.9.x: WorkerWrapper's future-based form
    V2_10 = "2.10"  # 2.10.x: WorkerWrapper's coroutine form (launch() -> Resolution)
    V2_11 = "2.11"  # 2.11.x: 2.10's form + setBackoffForSystemInterruptions (resetWorkerStatus)
    V2_12 = "2.12"  # 2.12.x: onWorkFailed (periodic -> next period) + execution events, ...

    @property
    def worker_exception_fails_periodic(self) -> bool:
        """A periodic worker that throws (or cancels itself) becomes FAILED (2.10 on)."""
        return self is not WorkManagerVersion.V2_9

    @property
    def failed_run_resets_periodic(self) -> bool:
        """A periodic work whose run resolves as ``Resolution.Failed`` (the worker threw,
        cancelled itself or could not be created) goes on to its next period: 2.12's
        ``WorkerWrapper.onWorkFailed`` (``if (workSpec.isPeriodic) resetPeriodic()``)."""
        return self is WorkManagerVersion.V2_12

    @property
    def marks_jobs_important_while_foreground(self) -> bool:
        """``Configuration.isMarkingJobsAsImportantWhileForeground`` exists and defaults to true
        (2.11 on: ``restricted_2.11.0-beta01.txt``, absent from ``2.9.0-beta01.txt``; 2.10's API
        was not read): ``SystemJobInfoConverter`` sets ``setImportantWhileForeground(true)`` on a
        job that is not expedited and may run at once (API 29+)."""
        return self in (WorkManagerVersion.V2_11, WorkManagerVersion.V2_12)

    @property
    def has_backoff_for_system_interruptions(self) -> bool:
        """``WorkRequest.Builder.setBackoffForSystemInterruptions`` exists (2.11 on)."""
        return self not in (WorkManagerVersion.V2_9, WorkManagerVersion.V2_10)

    @property
    def has_configuration_events_api(self) -> bool:
        """``Configuration.Builder.setExecutionEventListener`` and ``setGreedySchedulerEnabled``
        exist (2.12 on: ``restricted_2.12.0-beta01.txt``; absent from 2.11.0-beta01's)."""
        return self is WorkManagerVersion.V2_12

    @classmethod
    def parse(cls, value: object, field: str = "versions.androidx_work") -> WorkManagerVersion:
        """``value`` ("2.9", "2.10", a patch release such as "2.10.1", or a member) as a member.

        Anything else is a :class:`DefinitionError` naming ``field``, the value and the allowed
        versions.
        """
        if isinstance(value, cls):
            return value
        text = str(value).strip()
        parts = text.split(".")
        if isinstance(value, str | int | float) and len(parts) >= 2 and all(parts):
            for member in cls:
                if ".".join(parts[:2]) == member.value and all(p.isdigit() for p in parts):
                    return member
        allowed = ", ".join(member.value for member in cls)
        raise DefinitionError(
            f"{field}: {value!r} is not a modelled androidx WorkManager version; allowed: "
            f"{allowed} (a patch release such as 2.10.1 selects its line; write it as a "
            'quoted string, "2.10", because YAML reads 2.10 as the number 2.1)'
        )


def check_request_api(version: WorkManagerVersion, spec: WorkSpec) -> None:
    """Raise :class:`InvalidRequestError` if ``spec`` uses a builder method ``version`` lacks.

    ``WorkRequest.Builder.setBackoffForSystemInterruptions`` was added in 2.11.0; an app pinned
    to 2.9 or 2.10 cannot call it (its ``WorkSpec`` has no ``backOffOnSystemInterruptions``).
    """
    if spec.backoff_on_system_interruptions and not version.has_backoff_for_system_interruptions:
        raise InvalidRequestError(
            f"set_backoff_for_system_interruptions() needs androidx.work 2.11 or later; this app "
            f"pins {version.value}, where WorkRequest.Builder.setBackoffForSystemInterruptions "
            'does not exist (pin versions.androidx_work: "2.11", or drop the call)'
        )


def check_configuration_api(version: WorkManagerVersion, configuration: Configuration) -> None:
    """Raise :class:`InvalidRequestError` if ``configuration`` uses a builder method ``version``
    lacks: ``setExecutionEventListener`` and ``setGreedySchedulerEnabled`` came in 2.12.0."""
    if version.has_configuration_events_api:
        return
    used = [
        name
        for name, value in (
            ("set_execution_event_listener", configuration.execution_event_listener),
            ("set_greedy_scheduler_enabled", configuration.greedy_scheduler_enabled),
        )
        if value is not None
    ]
    if used:
        raise InvalidRequestError(
            f"Configuration.builder().{used[0]}() needs androidx.work 2.12 or later; this app "
            f"pins {version.value}, where Configuration.Builder has no such method (pin "
            'versions.androidx_work: "2.12", or drop the call)'
        )


#: What a scenario gets when it pins nothing: 2.12, the newest stable line (2.12.0, 2026-09-23).
#: Its runtime rules are read from androidx's main branch after the 2.11 API freeze (see the
#: module docstring and docs/sources.md, "androidx 2.12 as the default").
DEFAULT_WORK_VERSION: Final = WorkManagerVersion.V2_12
