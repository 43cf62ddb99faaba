"""``TestScheduler``: the in-process scheduler for unit tests (``T/TestScheduler.kt`` @04091f98).

A faithful port of work-testing's ``TestScheduler``, in both of its modes, plus a live
:class:`ConstraintState` in place of "constraints are met only when the test says so":

* ``time_based=True`` (the default; androidx's ``USE_TIME_BASED_SCHEDULING``): work starts when
  the virtual clock reaches ``calculate_next_run_time()`` and its constraints hold. Until then a
  timer waits (androidx's ``DelayedWorkTracker``: one per work, replaced on every ``schedule``,
  left running by ``cancel``; a stale one's start is refused by the worker's own checks).
  ``set_initial_delay_met``/``set_period_delay_met`` raise, as in androidx.
* ``time_based=False`` (androidx's default mode): the clock is ignored. Work without an initial
  delay or constraints runs at once; a delayed first run waits for ``set_initial_delay_met``, a
  later period for ``set_period_delay_met``; backed-off work scheduled early waits for a driver
  call. Before starting, the work's last enqueue time (or override) is rewound so that
  ``WorkerWrapper``'s early-start guard passes (``rewindNextRunTimeToNow``).

Constraints hold when the work has none, when ``set_all_constraints_met`` was called for it since
its last start, or when the :class:`ConstraintState` meets them. When the state changes, pending
work whose constraints now hold is started (or timed), and running work whose constraints no
longer hold is stopped with the stop reason of the first unmet constraint, as the in-process
``GreedyScheduler`` does (``WorkConstraintsTracker``); it re-runs when they hold again. A run
started through ``set_all_constraints_met`` is not stopped by the state. As in androidx, the
per-work flags are cleared at every start, and ``cancel`` stops a run this scheduler started with
``STOP_REASON_UNKNOWN``.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from harness._exceptions import InvalidRequestError
from harness.workmanager._constraint_state import ConstraintState
from harness.workmanager._constraints import Constraints
from harness.workmanager._enums import State, StopReason
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._scheduler import Scheduler, SchedulerFactory
from harness.workmanager._spec import WorkSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from harness.workmanager._manager import WorkManager


@dataclass(frozen=True, slots=True)
class _InternalWorkState:
    """``InternalWorkState``: what the test driver has declared met, and whether scheduled."""

    constraints_met: bool = False
    initial_delay_met: bool = False
    period_delay_met: bool = False
    is_scheduled: bool = False


_UNSCHEDULED = _InternalWorkState()
_SCHEDULED = _InternalWorkState(is_scheduled=True)


@dataclass(frozen=True, slots=True)
class _Run:
    """A run this scheduler started: the constraints to track, unless the driver forced it."""

    constraints: Constraints
    forced: bool


def _first_periodic_run(spec: WorkSpec) -> bool:
    """``isFirstPeriodicRun``; despite the name it also covers one-time work."""
    return (
        spec.period_count == 0
        and spec.run_attempt_count == 0
        and spec.next_schedule_time_override == LONG_MAX_VALUE
    )


class TestScheduler:
    """Runs work in process when it is due and allowed; also the backend of :class:`TestDriver`."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        workmanager: WorkManager,
        constraints: ConstraintState | None = None,
        *,
        time_based: bool = True,
    ) -> None:
        self._sim = workmanager.sim
        self._database = workmanager.database
        self._processor = workmanager.processor
        #: The device conditions this scheduler checks constraints against.
        self.constraints = constraints if constraints is not None else ConstraintState()
        self.time_based = time_based
        self._pending: dict[str, _InternalWorkState] = {}
        self._specs: dict[str, WorkSpec] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._runs: dict[str, _Run] = {}
        self._disconnect = self.constraints.changed.connect(self._on_constraints_changed)

    @classmethod
    def factory(
        cls, constraints: ConstraintState | None = None, *, time_based: bool = True
    ) -> SchedulerFactory:
        """A ``schedulers=`` argument for :class:`WorkManager` that makes one of these."""

        def make(workmanager: WorkManager) -> Sequence[Scheduler]:
            return [cls(workmanager, constraints, time_based=time_based)]

        return make

    # --- Scheduler ----------------------------------------------------------------------------

    @property
    def has_limited_scheduling_slots(self) -> bool:
        """``True``, as in androidx: it receives only the slot-limited list."""
        return True

    def schedule(self, *work_specs: WorkSpec) -> None:
        """Mark the specs scheduled and start (or time) each one that may run."""
        if not self._alive():
            return
        pending = self._pending
        specs = self._specs
        to_schedule = []
        for spec in work_specs:
            old = pending.get(spec.id, _UNSCHEDULED)
            state = (
                _SCHEDULED
                if old is _UNSCHEDULED or old is _SCHEDULED
                else _InternalWorkState(
                    old.constraints_met, old.initial_delay_met, old.period_delay_met, True
                )
            )  # dataclasses.replace(old, is_scheduled=True), without its field walk
            pending[spec.id] = state
            specs[spec.id] = spec
            to_schedule.append((spec, state))
        # A start only posts the run (Processor.start_work), so the process stays alive for the
        # whole loop: _schedule_one without _maybe_schedule's check.
        time_based = self.time_based
        for spec, state in to_schedule:
            if not time_based and self._waits_for_driver(spec):
                continue
            self._schedule_one(spec, state)

    def cancel(self, work_spec_id: str) -> None:
        """Stop a run this scheduler started (``STOP_REASON_UNKNOWN``); its timer stays."""
        if self._runs.pop(work_spec_id, None) is not None:
            self._processor.stop_work(work_spec_id, StopReason.STOP_REASON_UNKNOWN)

    def reconcile(self, scheduled_work_spec_ids: Sequence[str]) -> bool:
        """In-process state dies with the process: any id not held here needs rescheduling."""
        return any(
            work_id not in self._pending and work_id not in self._runs
            for work_id in scheduled_work_spec_ids
        )

    # --- TestDriver ---------------------------------------------------------------------------

    def set_all_constraints_met(self, work_spec_id: uuid.UUID | str) -> None:
        """Pretend the work's constraints are met (until its next start)."""
        work_id = str(work_spec_id)
        spec = self._load_spec(work_id)
        state = replace(self._pending.get(work_id, _InternalWorkState()), constraints_met=True)
        self._remember(spec, state)
        self._maybe_schedule(spec, state)

    def set_initial_delay_met(self, work_spec_id: uuid.UUID | str) -> None:
        """Pretend the work's initial delay has passed (not in time-based mode)."""
        self._check_not_time_based("set_initial_delay_met")
        work_id = str(work_spec_id)
        spec = self._load_spec(work_id)
        state = replace(self._pending.get(work_id, _InternalWorkState()), initial_delay_met=True)
        self._remember(spec, state)
        self._maybe_schedule(spec, state)

    def set_period_delay_met(self, work_spec_id: uuid.UUID | str) -> None:
        """Pretend the periodic work's interval has passed (not in time-based mode)."""
        self._check_not_time_based("set_period_delay_met")
        work_id = str(work_spec_id)
        spec = self._load_spec(work_id)
        if not spec.is_periodic:
            raise InvalidRequestError(
                f"Work with id {work_id} isn't periodic! set_period_delay_met() applies to "
                "PeriodicWorkRequests"
            )
        state = replace(self._pending.get(work_id, _InternalWorkState()), period_delay_met=True)
        self._remember(spec, state)
        self._maybe_schedule(spec, state)

    def _check_not_time_based(self, what: str) -> None:
        if self.time_based:
            raise InvalidRequestError(
                f"Can't use {what}() when the TestScheduler uses time-based scheduling; advance "
                "the simulation (sim.run_for) instead, or build the WorkManager with "
                "TestScheduler.factory(time_based=False)"
            )

    def _load_spec(self, work_id: str) -> WorkSpec:
        spec = self._database.work_spec_dao.get_work_spec(work_id)
        if spec is None:
            raise InvalidRequestError(
                f"Work with id {work_id} is not enqueued! Pass the id of a request given to "
                "enqueue()"
            )
        return spec

    def _remember(self, spec: WorkSpec, state: _InternalWorkState) -> None:
        self._pending[spec.id] = state
        self._specs[spec.id] = spec

    # --- deciding -----------------------------------------------------------------------------

    def _waits_for_driver(self, spec: WorkSpec) -> bool:
        """Non-time-based mode skips backed-off work scheduled before its time."""
        return (
            not self.time_based
            and spec.is_backed_off
            and spec.calculate_next_run_time() > self._sim.now_ms
        )

    def _constraints_met(self, spec: WorkSpec, state: _InternalWorkState) -> bool:
        return (
            not spec.has_constraints()
            or state.constraints_met
            or self.constraints.are_met(spec.constraints)
        )

    def _maybe_schedule(self, spec: WorkSpec, state: _InternalWorkState) -> None:
        if self._alive():
            self._schedule_one(spec, state)

    def _schedule_one(self, spec: WorkSpec, state: _InternalWorkState) -> None:
        """:meth:`_maybe_schedule` in a process known to be alive."""
        if self.time_based:
            # (most work has no constraints: Constraints.NONE itself, from the row)
            if state.is_scheduled and (
                spec.constraints is Constraints.NONE or self._constraints_met(spec, state)
            ):
                next_run = spec.calculate_next_run_time()
                if self._sim.now_ms >= next_run:
                    self._start(spec, state)
                else:
                    self._delay(spec, next_run)
            return
        first = _first_periodic_run(spec)
        initial_delay = spec.initial_delay == 0 or state.initial_delay_met or not first
        periodic = (state.period_delay_met or first) if spec.is_periodic else True
        if state.is_scheduled and self._constraints_met(spec, state) and periodic and initial_delay:
            self._rewind_next_run_time_to_now(spec.id)
            self._start(spec, state)

    def _rewind_next_run_time_to_now(self, work_id: str) -> None:
        """Move the last enqueue time (or the override) back so the work is due now."""
        spec = self._load_spec(work_id)
        now = self._sim.now_ms
        offset = spec.calculate_next_run_time() - now
        if offset > 0:
            work_specs = self._database.work_spec_dao
            with self._database.transaction():  # WorkManagerImpl.rewindLastEnqueueTime
                if spec.next_schedule_time_override != LONG_MAX_VALUE:
                    work_specs.set_next_schedule_time_override(work_id, now)
                else:
                    work_specs.set_last_enqueue_time(work_id, spec.last_enqueue_time - offset)

    def _start(self, spec: WorkSpec, state: _InternalWorkState) -> None:
        self._unschedule(spec.id)
        self._pending.pop(spec.id, None)  # the flags must be set again for the next run
        self._runs[spec.id] = _Run(spec.constraints, forced=state.constraints_met)
        self._processor.start_work(spec.id, generation=spec.generation)

    def _delay(self, spec: WorkSpec, next_run_ms: int) -> None:
        self._unschedule(spec.id)
        if next_run_ms >= LONG_MAX_VALUE:
            return  # never due
        due = max(next_run_ms, self._sim.now_ms)
        self._timers[spec.id] = self._sim.call_at(due, self._on_delay_met, spec)

    def _unschedule(self, work_id: str) -> None:
        timer = self._timers.pop(work_id, None)
        if timer is not None:
            timer.cancel()

    def _on_delay_met(self, spec: WorkSpec) -> None:
        self._timers.pop(spec.id, None)
        self.schedule(spec)  # DelayedWorkTracker calls schedule() again with its snapshot

    def _on_constraints_changed(self, _state: ConstraintState) -> None:
        if not self._alive():
            return
        for work_id, run in list(self._runs.items()):
            if not self._processor.is_enqueued(work_id):
                del self._runs[work_id]
                continue
            reason = None if run.forced else self.constraints.unmet_reason(run.constraints)
            if reason is not None:
                del self._runs[work_id]
                self._processor.stop_work(work_id, reason)
        for work_id, state in list(self._pending.items()):
            if self._database.work_spec_dao.get_state(work_id) is not State.ENQUEUED:
                del self._pending[work_id]
                self._specs.pop(work_id, None)
                continue
            spec = self._specs.get(work_id)
            if spec is not None and state.is_scheduled and not self._waits_for_driver(spec):
                self._maybe_schedule(spec, state)

    def _alive(self) -> bool:
        """Whether the process lives; after death, drop timers and stop listening."""
        if self._processor.alive:
            return True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._disconnect()
        return False
