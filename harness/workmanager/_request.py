"""Work requests and their builders (``W/WorkRequest.kt``, ``OneTimeWorkRequest.kt``,
``PeriodicWorkRequest.kt``).

Android's ranges are enforced as WorkManager does: out-of-range values are *clamped* with a
logged warning (a periodic interval below 15 min, a flex below 5 min or above the interval, a
backoff delay outside 10 s .. 5 h; ``WorkSpec.setPeriodic``/``setBackoffDelayDuration``), and
each clamp is also kept in :attr:`WorkRequest.warnings` so reports can show it. What androidx
rejects with an exception (``require``/``check`` in ``build()``) raises
:class:`~harness.InvalidRequestError` here, naming the value and the fix.

Request ids are UUIDs drawn from the running simulation's ``"workmanager.ids"`` RNG stream (never
from the OS), so traces are deterministic. As in androidx, a builder holds the id of the next
request it builds, and every ``build()`` gives the builder a fresh id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from harness._exceptions import HarnessRuntimeError, InvalidRequestError
from harness._units import Duration, to_ms
from harness.sim import Simulation
from harness.workmanager._constraints import Constraints
from harness.workmanager._data import Data
from harness.workmanager._enums import BackoffPolicy, OutOfQuotaPolicy
from harness.workmanager._merger import InputMerger
from harness.workmanager._schedule import (
    DEFAULT_BACKOFF_DELAY_MILLIS,
    LONG_MAX_VALUE,
    MAX_BACKOFF_MILLIS,
    MIN_BACKOFF_MILLIS,
    MIN_PERIODIC_FLEX_MILLIS,
    MIN_PERIODIC_INTERVAL_MILLIS,
)
from harness.workmanager._spec import WorkSpec
from harness.workmanager._worker import ListenableWorker, class_name

_LOG = logging.getLogger("harness.workmanager")


@dataclass(frozen=True, slots=True)
class WorkRequest:
    """A built request: its id, the ``WorkSpec`` row it becomes, its tags and clamp warnings."""

    DEFAULT_BACKOFF_DELAY_MILLIS: ClassVar[int] = DEFAULT_BACKOFF_DELAY_MILLIS
    MIN_BACKOFF_MILLIS: ClassVar[int] = MIN_BACKOFF_MILLIS
    MAX_BACKOFF_MILLIS: ClassVar[int] = MAX_BACKOFF_MILLIS

    id: uuid.UUID
    work_spec: WorkSpec
    tags: frozenset[str]
    warnings: tuple[str, ...] = ()

    @property
    def string_id(self) -> str:
        """The id as the database stores it (``WorkRequest.stringId``, ``id.toString()``): the
        ``WorkSpec``'s id, which the builder makes from :attr:`id` (``WorkRequest.Builder``
        keeps ``workSpec = WorkSpec(id.toString(), ...)``, ``W/WorkRequest.kt`` @a9b06aaf), so
        the ``UUID`` is not formatted again."""
        return self.work_spec.id


@dataclass(frozen=True, slots=True)
class OneTimeWorkRequest(WorkRequest):
    """Work that runs once (retrying as its worker asks); it may be part of a chain."""

    @staticmethod
    def builder(worker_class: type[ListenableWorker]) -> OneTimeWorkRequestBuilder:
        """A ``OneTimeWorkRequest.Builder`` for ``worker_class``."""
        return OneTimeWorkRequestBuilder(worker_class)

    @staticmethod
    def from_(worker_class: type[ListenableWorker]) -> OneTimeWorkRequest:
        """A request with every default (``OneTimeWorkRequest.from``)."""
        return OneTimeWorkRequestBuilder(worker_class).build()


@dataclass(frozen=True, slots=True)
class PeriodicWorkRequest(WorkRequest):
    """Work that repeats every interval (at least 15 min) until cancelled."""

    MIN_PERIODIC_INTERVAL_MILLIS: ClassVar[int] = MIN_PERIODIC_INTERVAL_MILLIS
    MIN_PERIODIC_FLEX_MILLIS: ClassVar[int] = MIN_PERIODIC_FLEX_MILLIS

    @staticmethod
    def builder(
        worker_class: type[ListenableWorker],
        repeat_interval: Duration,
        flex_interval: Duration | None = None,
    ) -> PeriodicWorkRequestBuilder:
        """A ``PeriodicWorkRequest.Builder``; intervals as int ms, ``timedelta`` or ``"1h"``."""
        return PeriodicWorkRequestBuilder(worker_class, repeat_interval, flex_interval)


def _current_simulation() -> Simulation:
    try:
        return Simulation.current()
    except HarnessRuntimeError as error:
        raise InvalidRequestError(
            "work requests are built inside a running Simulation: their ids come from its "
            "'workmanager.ids' RNG stream, so traces are deterministic; build them within "
            "`with Simulation(...) as sim:`"
        ) from error


def _new_id(sim: Simulation) -> uuid.UUID:
    return uuid.UUID(int=sim.random("workmanager.ids").getrandbits(128), version=4)


class _WorkRequestBuilder:
    """``WorkRequest.Builder``: the setters shared by one-time and periodic requests."""

    def __init__(self, worker_class: type[ListenableWorker]) -> None:
        name = class_name(worker_class, ListenableWorker, "worker")
        self._sim = _current_simulation()
        self._id = _new_id(self._sim)
        self._fields: dict[str, Any] = {"worker_class_name": name}
        self._tags: dict[str, None] = {name: None}  # the class name is always a tag
        self._backoff_criteria_set = False
        self._warnings: list[str] = []

    def _warn(self, message: str) -> None:
        _LOG.warning(message)
        self._warnings.append(message)

    def set_id(self, id: uuid.UUID) -> Self:
        """Use ``id`` for the next request built (``WorkRequest.Builder.setId``)."""
        self._id = id
        return self

    def add_tag(self, tag: str) -> Self:
        """Add a tag (for ``cancel_all_work_by_tag``, ``get_work_infos_by_tag``)."""
        if not isinstance(tag, str):
            raise InvalidRequestError(f"tag {tag!r} is a {type(tag).__name__}; tags are str")
        self._tags[tag] = None
        return self

    def set_initial_delay(self, duration: Duration) -> Self:
        """Wait this long after enqueue before the first run (int ms, ``timedelta``, ``"10m"``)."""
        delay_ms = to_ms(duration)
        wall_now_ms = round(self._sim.now.timestamp() * 1000)
        # WorkRequest.kt: require(Long.MAX_VALUE - System.currentTimeMillis() > initialDelay)
        if not LONG_MAX_VALUE - wall_now_ms > delay_ms:
            raise InvalidRequestError(
                f"initial delay {delay_ms} ms is too large and would overflow the next run time "
                "(WorkRequest.setInitialDelay); use a delay below about 292 million years"
            )
        self._fields["initial_delay"] = delay_ms
        return self

    def set_input_data(self, input_data: Data | Mapping[str, object]) -> Self:
        """The worker's input (a ``Data``, or a mapping converted as ``Data(mapping)``)."""
        self._fields["input"] = input_data if isinstance(input_data, Data) else Data(input_data)
        return self

    def set_constraints(self, constraints: Constraints) -> Self:
        """Conditions that must hold for the work to run."""
        if not isinstance(constraints, Constraints):
            raise InvalidRequestError(f"constraints {constraints!r} is not a Constraints")
        self._fields["constraints"] = constraints
        return self

    def set_backoff_criteria(self, backoff_policy: BackoffPolicy, duration: Duration) -> Self:
        """How retries back off; the delay is clamped into 10 s .. 5 h (``WorkSpec.kt``)."""
        delay_ms = to_ms(duration)
        if delay_ms > MAX_BACKOFF_MILLIS:
            self._warn(
                f"backoff delay {delay_ms} ms exceeds the maximum of {MAX_BACKOFF_MILLIS} ms "
                f"(5 h); lowered to {MAX_BACKOFF_MILLIS} ms, as WorkManager does"
            )
        if delay_ms < MIN_BACKOFF_MILLIS:
            self._warn(
                f"backoff delay {delay_ms} ms is below the minimum of {MIN_BACKOFF_MILLIS} ms "
                f"(10 s); raised to {MIN_BACKOFF_MILLIS} ms, as WorkManager does"
            )
        self._backoff_criteria_set = True
        self._fields["backoff_policy"] = BackoffPolicy(backoff_policy)
        self._fields["backoff_delay_duration"] = min(
            max(delay_ms, MIN_BACKOFF_MILLIS), MAX_BACKOFF_MILLIS
        )
        return self

    def set_backoff_for_system_interruptions(self) -> Self:
        """Back off (per :meth:`set_backoff_criteria`) when the system stops the run.

        ``WorkRequest.Builder.setBackoffForSystemInterruptions`` (2.11, experimental): a run
        stopped by the system (constraints lost, the job's time limit, quota) goes back to
        ENQUEUED with its last enqueue time set to the stop, so its next run waits the backoff
        delay of its run attempt count instead of starting as soon as JobScheduler allows
        (``WorkerWrapper.resetWorkerStatus``).
        """
        self._fields["backoff_on_system_interruptions"] = True
        return self

    def set_expedited(self, policy: OutOfQuotaPolicy) -> Self:
        """Run as soon as possible; ``policy`` says what happens without expedited quota."""
        self._fields["expedited"] = True
        self._fields["out_of_quota_policy"] = OutOfQuotaPolicy(policy)
        return self

    def keep_results_for_at_least(self, duration: Duration) -> Self:
        """Keep the finished record at least this long before automatic pruning."""
        self._fields["minimum_retention_duration"] = to_ms(duration)
        return self

    def _build_internal(self, spec: WorkSpec) -> None:
        """Subclass checks that run before the common ones (``buildInternal``)."""
        # OneTimeWorkRequest.kt / PeriodicWorkRequest.kt: require(!(backoffCriteriaSet &&
        # constraints.requiresDeviceIdle())) on API 23+.
        if self._backoff_criteria_set and spec.constraints.requires_device_idle:
            raise InvalidRequestError(
                "Cannot set backoff criteria on an idle mode job: a request that requires device "
                "idle cannot call set_backoff_criteria (JobScheduler ignores backoff for idle "
                "jobs); drop one of the two"
            )

    def _build_spec(self) -> WorkSpec:
        spec = WorkSpec(id=str(self._id), **self._fields)
        self._build_internal(spec)
        # WorkRequest.kt build(): expedited jobs only support network and storage constraints
        # and cannot be delayed (require -> IllegalArgumentException).
        if spec.expedited:
            constraints = spec.constraints
            if (
                constraints.has_content_uri_triggers()
                or constraints.requires_battery_not_low
                or constraints.requires_charging
                or constraints.requires_device_idle
            ):
                raise InvalidRequestError(
                    "Expedited jobs only support network and storage constraints; remove the "
                    "charging, battery-not-low and device-idle constraints or do not expedite"
                )
            if spec.initial_delay > 0:
                raise InvalidRequestError(
                    f"Expedited jobs cannot be delayed (initial delay {spec.initial_delay} ms); "
                    "remove the initial delay or do not expedite"
                )
        return spec

    def _take_id(self) -> uuid.UUID:
        """The id of the request being built; the builder moves on to a fresh one."""
        built_id = self._id
        self._id = _new_id(self._sim)
        return built_id


class OneTimeWorkRequestBuilder(_WorkRequestBuilder):
    """``OneTimeWorkRequest.Builder``."""

    def set_input_merger(self, input_merger: type[InputMerger]) -> Self:
        """How prerequisites' outputs merge into the input (``OverwritingInputMerger`` default)."""
        self._fields["input_merger_class_name"] = class_name(
            input_merger, InputMerger, "input merger"
        )
        return self

    def build(self) -> OneTimeWorkRequest:
        """The request; raises :class:`~harness.InvalidRequestError` where androidx throws."""
        spec = self._build_spec()
        built_id = self._take_id()
        return OneTimeWorkRequest(
            id=built_id,
            work_spec=spec,  # built with this id (_build_spec reads self._id)
            tags=frozenset(self._tags),
            warnings=tuple(self._warnings),
        )


class PeriodicWorkRequestBuilder(_WorkRequestBuilder):
    """``PeriodicWorkRequest.Builder``: interval and flex clamped as ``WorkSpec.setPeriodic``."""

    def __init__(
        self,
        worker_class: type[ListenableWorker],
        repeat_interval: Duration,
        flex_interval: Duration | None = None,
    ) -> None:
        super().__init__(worker_class)
        interval_ms = to_ms(repeat_interval)
        if interval_ms < MIN_PERIODIC_INTERVAL_MILLIS:
            self._warn(
                f"periodic interval {interval_ms} ms is below the minimum of "
                f"{MIN_PERIODIC_INTERVAL_MILLIS} ms (15 min); raised to "
                f"{MIN_PERIODIC_INTERVAL_MILLIS} ms, as WorkManager does"
            )
        interval_ms = max(interval_ms, MIN_PERIODIC_INTERVAL_MILLIS)
        # WorkSpec.setPeriodic(interval) sets flex = interval; the two-argument form clamps the
        # flex into [5 min, the already clamped interval].
        flex_ms = interval_ms if flex_interval is None else to_ms(flex_interval)
        if flex_ms < MIN_PERIODIC_FLEX_MILLIS:
            self._warn(
                f"flex interval {flex_ms} ms is below the minimum of {MIN_PERIODIC_FLEX_MILLIS} "
                f"ms (5 min); raised to {MIN_PERIODIC_FLEX_MILLIS} ms, as WorkManager does"
            )
        if flex_ms > interval_ms:
            self._warn(
                f"flex interval {flex_ms} ms is longer than the interval {interval_ms} ms; "
                f"lowered to {interval_ms} ms, as WorkManager does"
            )
        self._fields["interval_duration"] = interval_ms
        self._fields["flex_duration"] = min(max(flex_ms, MIN_PERIODIC_FLEX_MILLIS), interval_ms)

    def set_next_schedule_time_override(self, next_schedule_time_ms: int) -> Self:
        """Run the next period at this virtual time instead (2.9+; covers one run only)."""
        if next_schedule_time_ms == LONG_MAX_VALUE:
            raise InvalidRequestError(
                "Cannot set Long.MAX_VALUE as the schedule override time; call "
                "clear_next_schedule_time_override() to remove an override"
            )
        self._fields["next_schedule_time_override"] = next_schedule_time_ms
        self._fields["next_schedule_time_override_generation"] = 1  # a marker for WorkerUpdater
        return self

    def clear_next_schedule_time_override(self) -> Self:
        """Remove an override set earlier (applies through ``update_work``)."""
        self._fields["next_schedule_time_override"] = LONG_MAX_VALUE
        self._fields["next_schedule_time_override_generation"] = 1
        return self

    def _build_internal(self, spec: WorkSpec) -> None:
        super()._build_internal(spec)
        if spec.expedited:  # PeriodicWorkRequest.kt: require(!workSpec.expedited)
            raise InvalidRequestError(
                "PeriodicWorkRequests cannot be expedited; use a OneTimeWorkRequest for "
                "expedited work"
            )

    def build(self) -> PeriodicWorkRequest:
        """The request; raises :class:`~harness.InvalidRequestError` where androidx throws."""
        spec = self._build_spec()
        built_id = self._take_id()
        return PeriodicWorkRequest(
            id=built_id,
            work_spec=spec,  # built with this id (_build_spec reads self._id)
            tags=frozenset(self._tags),
            warnings=tuple(self._warnings),
        )
