"""``GreedyScheduler``: androidx's in-process scheduler (W/impl/background/greedy/, @09eb18a4).

WorkManager registers it next to ``SystemJobScheduler`` (``WorkManagerImpl`` schedulers:
``Schedulers.createBestAvailableBackgroundScheduler`` first, then ``GreedyScheduler``). It has no
limited slots, so ``Schedulers.schedule`` hands it every ENQUEUED row (at most 200), and it starts
work in the app's own process, outside JobScheduler's quota, batching and wake locks:

* due at ``max(calculateNextRunTime, throttle)``; earlier, a ``DelayedWorkTracker`` timer calls
  ``schedule`` again with its snapshot at that time (one timer per work, replaced on every
  ``schedule``, removed by ``cancel``);
* ``throttleIfNeeded``: the first time it sees a work in this process it remembers the run attempt
  count and the time; after ``NON_THROTTLE_RUN_ATTEMPT_COUNT`` (5) more attempts, each further
  attempt waits ``DEFAULT_BACKOFF_DELAY_MILLIS`` (30 s) more after that first sighting; a run that
  finishes without needing a reschedule forgets it (``onExecuted``);
* unconstrained work starts at once; constrained work is tracked by the process's own constraint
  trackers (``WorkConstraintsTracker``, here a :class:`ConstraintState` kept in step with the
  device by the phone layer) and starts when they report the constraints met, and is stopped with
  the first unmet constraint's stop reason when they no longer hold. Work that requires device
  idle, has content URI triggers or a network request is ignored (left to JobScheduler);
* every start is tracked by ``TimeLimiter``: a greedy run is stopped with STOP_REASON_TIMEOUT
  after 90 minutes;
* ``cancel`` forgets the timer and stops a run it started (``WorkLauncher.stopWork``:
  STOP_REASON_UNKNOWN); ``onExecuted`` forgets the run and its constraint tracking.

A greedy start of work that JobScheduler starts too is absorbed by the :class:`Processor`
(``Processor.startWork``: "Work ... is already enqueued for processing"), and the other way round.

Greedy code runs only in a process that is not frozen: the phone layer calls
:meth:`GreedyScheduler.set_frozen` when the cached-app freezer freezes or thaws the process. While
frozen no timer, constraint callback or schedule call acts; on thaw the timers that fell due and
the constraint state as it is then are delivered (a frozen process's messages run when it thaws).
A run already in progress when the process freezes is suspended with it by the loop (its tasks
belong to the process's ``harness.sim.FreezeGroup``) and resumes at the thaw; a ``TimeLimiter``
timeout that falls due meanwhile stops the run at the thaw. ``DelayedWorkTracker``
posts to a ``Handler`` (``DefaultRunnableScheduler``), whose messages run only while the CPU is
awake: a timer that falls due while the device sleeps (``cpu_awake()`` false) runs at the next
wake-up (:meth:`GreedyScheduler.cpu_woke`); a Handler counts its delay in uptime, so on a phone it
can run later still.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from harness.workmanager._constraint_state import ConstraintState
from harness.workmanager._enums import State, StopReason
from harness.workmanager._processor import Executed
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._scheduler import Scheduler, SchedulerFactory
from harness.workmanager._spec import WorkSpec

if TYPE_CHECKING:
    from harness.workmanager._manager import WorkManager

#: ``GreedyScheduler.NON_THROTTLE_RUN_ATTEMPT_COUNT``: attempts in one process before throttling.
NON_THROTTLE_RUN_ATTEMPT_COUNT: Final = 5
#: ``WorkRequest.DEFAULT_BACKOFF_DELAY_MILLIS``: the throttle step (30 s).
THROTTLE_STEP_MS: Final = 30_000
#: ``TimeLimiter``'s ``timeoutMs``: a greedy run is stopped after 90 minutes.
GREEDY_RUN_TIMEOUT_MS: Final = 90 * 60 * 1000


class GreedyScheduler:
    """androidx's ``GreedyScheduler`` in one app process (see the module docstring)."""

    def __init__(
        self,
        work_manager: WorkManager,
        constraints: ConstraintState,
        *,
        cpu_awake: Callable[[], bool] | None = None,
    ) -> None:
        self._sim = work_manager.sim
        self._database = work_manager.database
        self._processor = work_manager.processor
        #: The process's constraint trackers (``Trackers``) as this scheduler reads them.
        self.constraints = constraints
        self._frozen = False
        # DefaultRunnableScheduler posts to a Handler: a timer runs only while the CPU is awake
        self._cpu_awake: Callable[[], bool] = cpu_awake if cpu_awake is not None else _always
        self._deferred: dict[str, WorkSpec] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tracked: dict[str, WorkSpec] = {}  # mConstrainedWorkSpecs
        self._tokens: dict[str, int] = {}  # mStartStopTokens: work id -> generation
        self._limits: dict[str, asyncio.TimerHandle] = {}  # TimeLimiter
        self._limits_due: list[str] = []  # TimeLimiter timeouts that fell due while frozen
        # mFirstRunAttempts (keyed by WorkGenerationalId), here by id, then generation: a finished
        # run forgets every generation of its id without a scan of all the ids seen
        self._first_attempts: dict[str, dict[int, tuple[int, int]]] = {}
        self._disconnect_constraints = constraints.changed.connect(self._on_constraints_changed)
        self._disconnect_executed = self._processor.executed.connect(self._on_executed)

    @classmethod
    def factory(
        cls, constraints: ConstraintState, *, cpu_awake: Callable[[], bool] | None = None
    ) -> SchedulerFactory:
        """A ``schedulers=`` argument for :class:`WorkManager` that makes only one of these."""

        def make(work_manager: WorkManager) -> Sequence[Scheduler]:
            return [cls(work_manager, constraints, cpu_awake=cpu_awake)]

        return make

    # --- the freezer ----------------------------------------------------------------------

    @property
    def frozen(self) -> bool:
        """Whether the cached-app freezer holds the process (nothing greedy runs)."""
        return self._frozen

    def set_frozen(self, frozen: bool) -> None:
        """The process was frozen (``True``) or thawed: on thaw, what fell due is delivered."""
        if frozen == self._frozen:
            return
        self._frozen = frozen
        if frozen or not self._alive():
            return
        due, self._limits_due = self._limits_due, []
        for work_spec_id in due:
            if work_spec_id in self._tokens:
                self._processor.stop_work(work_spec_id, StopReason.STOP_REASON_TIMEOUT)
        self._deliver_deferred()
        self._on_constraints_changed(self.constraints)

    def cpu_woke(self) -> None:
        """The CPU woke up: timers that fell due while it slept run now (if not frozen)."""
        if not self._frozen and self._alive():
            self._deliver_deferred()

    def _deliver_deferred(self) -> None:
        deferred = list(self._deferred.values())
        self._deferred.clear()
        if deferred:
            self.schedule(*deferred)

    # --- Scheduler --------------------------------------------------------------------------

    @property
    def has_limited_scheduling_slots(self) -> bool:
        """``False``: ``Schedulers.schedule`` hands it every eligible row."""
        return False

    def schedule(self, *work_specs: WorkSpec) -> None:
        """``GreedyScheduler.schedule``: start due work, time future work, track constraints."""
        if not self._alive():
            return
        if self._frozen:
            for spec in work_specs:
                self._deferred[spec.id] = spec
            return
        now = self._sim.now_ms
        tokens = self._tokens  # (locals: Schedulers.schedule hands over up to 200 specs)
        enqueued = State.ENQUEUED
        for spec in work_specs:
            if tokens.get(spec.id) == spec.generation or spec.state is not enqueued:
                continue
            next_run = max(spec.calculate_next_run_time(), self._throttle(spec))
            if now < next_run:
                self._delay(spec, next_run)
            elif spec.has_constraints():
                constraints = spec.constraints
                # requiresDeviceIdle (API 23+), content URI triggers (API 24+) and a network
                # request (API 28+) are ignored here: JobScheduler handles those works.
                if constraints.requires_device_idle or _has_unsupported(spec):
                    continue
                if spec.id not in self._tracked:
                    self._tracked[spec.id] = spec
                    # listen(): the tracker's flow delivers the current state first
                    self._deliver(spec)
            else:
                self._start(spec)

    def cancel(self, work_spec_id: str) -> None:
        """``cancel``: unschedule the timer and stop a run this scheduler started (reason 0)."""
        if not self._processor.alive:
            return
        self._unschedule(work_spec_id)
        self._deferred.pop(work_spec_id, None)
        if self._tokens.pop(work_spec_id, None) is not None:
            self._cancel_limit(work_spec_id)
            self._processor.stop_work(work_spec_id, StopReason.STOP_REASON_UNKNOWN)

    def reconcile(self, scheduled_work_spec_ids: Sequence[str]) -> bool:
        """In-process state dies with the process; SystemJobScheduler reconciles the jobs."""
        del scheduled_work_spec_ids
        return False

    # --- internals --------------------------------------------------------------------------

    def _throttle(self, spec: WorkSpec) -> int:
        """``throttleIfNeeded``: the earliest time allowed by the in-process retry throttle."""
        generations = self._first_attempts.get(spec.id)
        if generations is None:
            generations = self._first_attempts[spec.id] = {}
        first = generations.get(spec.generation)
        if first is None:
            first = generations[spec.generation] = (spec.run_attempt_count, self._sim.now_ms)
        attempts, first_seen_ms = first
        extra = max(spec.run_attempt_count - attempts - NON_THROTTLE_RUN_ATTEMPT_COUNT, 0)
        return first_seen_ms + extra * THROTTLE_STEP_MS

    def _delay(self, spec: WorkSpec, next_run_ms: int) -> None:
        """``DelayedWorkTracker.schedule``: one timer per work, replacing the previous one."""
        self._unschedule(spec.id)
        if next_run_ms >= LONG_MAX_VALUE:
            return
        self._timers[spec.id] = self._sim.call_at(next_run_ms, self._on_delay_met, spec)

    def _on_delay_met(self, spec: WorkSpec) -> None:
        self._timers.pop(spec.id, None)
        if not self._cpu_awake():  # the Handler's message waits for the CPU to wake
            self._deferred[spec.id] = spec
            return
        self.schedule(spec)  # DelayedWorkTracker: mGreedyScheduler.schedule(workSpec)

    def _unschedule(self, work_spec_id: str) -> None:
        timer = self._timers.pop(work_spec_id, None)
        if timer is not None:
            timer.cancel()

    def _start(self, spec: WorkSpec) -> None:
        """``mTimeLimiter.track(token); mWorkLauncher.startWork(token)``."""
        self._tokens[spec.id] = spec.generation
        self._limits[spec.id] = self._sim.call_later(
            GREEDY_RUN_TIMEOUT_MS, self._on_time_limit, spec.id
        )
        # a run JobScheduler already started absorbs this start (Processor.startWork)
        self._processor.start_work(spec.id, generation=spec.generation)

    def _on_time_limit(self, work_spec_id: str) -> None:
        self._limits.pop(work_spec_id, None)
        if not self._alive():
            return
        if self._frozen:  # TimeLimiter's Handler message runs when the process thaws
            self._limits_due.append(work_spec_id)
            return
        self._processor.stop_work(work_spec_id, StopReason.STOP_REASON_TIMEOUT)

    def _cancel_limit(self, work_spec_id: str) -> None:
        handle = self._limits.pop(work_spec_id, None)
        if handle is not None:
            handle.cancel()

    def _deliver(self, spec: WorkSpec) -> None:
        """``onConstraintsStateChanged`` for one tracked work."""
        reason = self.constraints.unmet_reason(spec.constraints)
        if reason is None:
            if self._tokens.get(spec.id) != spec.generation:
                self._start(spec)
        elif self._tokens.pop(spec.id, None) is not None:
            self._cancel_limit(spec.id)
            self._processor.stop_work(spec.id, reason)

    def _on_constraints_changed(self, _state: ConstraintState) -> None:
        if not self._alive() or self._frozen:
            return
        for spec in list(self._tracked.values()):
            if self._tracked.get(spec.id) is spec:
                self._deliver(spec)

    def _on_executed(self, executed: Executed) -> None:
        """``onExecuted``: forget the run and its tracking; a finished run forgets its attempts."""
        work_id = executed.work_spec_id
        self._tokens.pop(work_id, None)
        self._cancel_limit(work_id)
        self._tracked.pop(work_id, None)  # removeConstraintTrackingFor
        if not executed.needs_reschedule:  # finished rather than interrupted
            self._first_attempts.pop(work_id, None)

    def _alive(self) -> bool:
        """Whether the process lives; after death, drop timers and stop listening."""
        if self._processor.alive:
            return True
        for handle in [*self._timers.values(), *self._limits.values()]:
            handle.cancel()
        self._timers.clear()
        self._limits.clear()
        self._disconnect_constraints()
        return False


def _always() -> bool:
    return True


def _has_unsupported(spec: WorkSpec) -> bool:
    """Content URI triggers or a network request: ``GreedyScheduler.schedule`` ignores the work."""
    constraints = spec.constraints
    return (
        constraints.has_content_uri_triggers() or constraints.required_network_request is not None
    )
