"""Random enqueue/complete/retry/cancel/kill/reboot sequences against a reference model.

The model is deliberately small and obviously right: per work its state, run attempt count n,
last enqueue time L, period count P and stop reason, moved by the rules of
``WorkSpec.calculateNextRunTime``, ``WorkerWrapper`` and ``ForceStopRunnable`` as the reference
states them. The engine must agree with it on every row after every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from harness.sim import Simulation
from harness.workmanager import (
    BackoffPolicy,
    OneTimeWorkRequest,
    PeriodicWorkRequest,
    Result,
    State,
    StopReason,
    WorkDatabase,
    WorkManager,
)
from tests.workmanager import workers
from tests.workmanager.workers import Controlled

BACKOFF_MS = 10_000
INTERVAL_MS = 900_000
MAX_WORKS = 6
NEVER = 2**63 - 1


@dataclass
class ModelWork:
    """What the reference model knows about one work."""

    periodic: bool
    initial_delay: int
    state: State = State.ENQUEUED
    attempts: int = 0
    last_enqueue: int = 0
    periods: int = 0
    stop_reason: StopReason = StopReason.STOP_REASON_NOT_STOPPED

    def due(self) -> int:
        """The next run time, as the reference states it (section 2)."""
        if self.attempts > 0:
            backoff: int = BACKOFF_MS * 2 ** (self.attempts - 1)
            return self.last_enqueue + min(backoff, 18_000_000)
        if self.periodic and self.periods > 0:
            return self.last_enqueue + INTERVAL_MS
        return self.last_enqueue + self.initial_delay


class WorkManagerMachine(RuleBasedStateMachine):
    """Drives a WorkManager and the model side by side."""

    def __init__(self) -> None:
        super().__init__()
        workers.reset()
        self.sim = Simulation(seed=5).start()
        self.database = WorkDatabase()
        self.workmanager = WorkManager(self.sim, self.database)
        self.model: dict[str, ModelWork] = {}

    def teardown(self) -> None:
        self.sim.stop()
        self.database.close()

    # --- model helpers ------------------------------------------------------------------------

    def _run(self, duration_ms: int) -> None:
        """Advance the simulation; in the model every due ENQUEUED work starts when due."""
        end = self.sim.now_ms + duration_ms
        self.sim.run_until(end)
        self._start_due(end)

    def _start_due(self, now: int) -> None:
        for work in self.model.values():
            if work.state is State.ENQUEUED and work.due() <= now:
                work.state = State.RUNNING
                work.attempts += 1
                work.stop_reason = StopReason.STOP_REASON_NOT_STOPPED

    def _running(self) -> list[str]:
        return sorted(i for i, w in self.model.items() if w.state is State.RUNNING)

    # --- rules --------------------------------------------------------------------------------

    @precondition(lambda self: len(self.model) < MAX_WORKS)
    @rule(periodic=st.booleans(), delay=st.sampled_from([0, 5_000, 60_000]))
    def enqueue(self, periodic: bool, delay: int) -> None:
        if periodic:
            builder = PeriodicWorkRequest.builder(Controlled, INTERVAL_MS)
        else:
            builder = OneTimeWorkRequest.builder(Controlled)  # type: ignore[assignment]
        request = (
            builder.set_initial_delay(delay)
            .set_backoff_criteria(BackoffPolicy.EXPONENTIAL, BACKOFF_MS)
            .build()
        )
        self.workmanager.enqueue(request)
        self.model[request.string_id] = ModelWork(
            periodic=periodic, initial_delay=delay, last_enqueue=self.sim.now_ms
        )
        self._run(0)

    @rule(duration=st.sampled_from([1_000, 10_000, 60_000, 1_200_000]))
    def advance(self, duration: int) -> None:
        self._run(duration)

    @precondition(lambda self: any(w.state is State.RUNNING for w in self.model.values()))
    @rule(data=st.data(), outcome=st.sampled_from(["success", "retry", "failure"]))
    def complete(self, data: st.DataObject, outcome: str) -> None:
        work_id = data.draw(st.sampled_from(self._running()))
        result = {"success": Result.success(), "retry": Result.retry(), "failure": Result.failure()}
        workers.PENDING[work_id].set_result(result[outcome])
        work = self.model[work_id]
        now = self.sim.now_ms
        if outcome == "retry":
            work.state, work.last_enqueue = State.ENQUEUED, now
        elif work.periodic:
            work.state, work.last_enqueue = State.ENQUEUED, now
            work.attempts, work.periods = 0, work.periods + 1
        else:
            work.state = State.SUCCEEDED if outcome == "success" else State.FAILED
        self._run(0)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        work_id = data.draw(st.sampled_from(sorted(self.model)))
        self.workmanager.cancel_work_by_id(work_id)
        work = self.model[work_id]
        if work.state not in (State.SUCCEEDED, State.FAILED):
            work.stop_reason = (
                StopReason.STOP_REASON_CANCELLED_BY_APP
                if work.state is State.RUNNING
                else StopReason.STOP_REASON_NOT_STOPPED
            )
            work.state = State.CANCELLED
        self._run(0)

    @rule(
        downtime=st.sampled_from([0, 30_000, 1_200_000]),
        force_stopped=st.booleans(),
        reboot=st.booleans(),
    )
    def kill_and_restart(self, downtime: int, force_stopped: bool, reboot: bool) -> None:
        """Process death, or a reboot (the device asks for a full reschedule), then an app start."""
        self.workmanager.kill()
        if reboot:
            self.database.mark_reschedule_needed()
        self.sim.run_until(self.sim.now_ms + downtime)  # nothing runs while the app is dead
        for work in self.model.values():
            if work.state is State.RUNNING:  # ForceStopRunnable: reset, n and L kept
                work.state = State.ENQUEUED
                work.stop_reason = StopReason.STOP_REASON_UNKNOWN
        self.workmanager = WorkManager(self.sim, self.database, force_stopped=force_stopped)
        self._run(0)

    # --- the engine agrees with the model ------------------------------------------------

    @invariant()
    def rows_match_the_model(self) -> None:
        for work_id, work in self.model.items():
            spec = self.database.work_spec_dao.get_work_spec(work_id)
            assert spec is not None, work_id
            info = self.workmanager.get_work_info_by_id(work_id)
            assert info is not None
            expected_due = work.due() if work.state is State.ENQUEUED else NEVER
            assert (spec.state, spec.run_attempt_count, spec.stop_reason) == (
                work.state,
                work.attempts,
                work.stop_reason,
            ), work_id
            assert info.next_schedule_time_millis == expected_due, work_id
            assert spec.last_enqueue_time == work.last_enqueue, work_id
            assert spec.period_count == work.periods, work_id

    @invariant()
    def running_workers_are_alive(self) -> None:
        assert sorted(workers.PENDING) == self._running()


WorkManagerMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
TestWorkManagerModel = WorkManagerMachine.TestCase
TestWorkManagerModel.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]
