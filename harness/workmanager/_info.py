"""What the app can observe about work: ``WorkInfo`` and ``WorkQuery`` (``W/WorkInfo.kt``,
``W/WorkQuery.kt``)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from harness._exceptions import InvalidRequestError
from harness.workmanager._constraints import Constraints
from harness.workmanager._data import Data
from harness.workmanager._enums import State, StopReason
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._spec import WorkSpec


@dataclass(frozen=True, slots=True)
class PeriodicityInfo:
    """``WorkInfo.PeriodicityInfo``: a periodic work's interval and flex, in ms."""

    repeat_interval_millis: int
    flex_interval_millis: int


_State = State
_PeriodicityInfo = PeriodicityInfo


@functools.lru_cache(maxsize=256)
def _work_id(work_spec_id: str) -> uuid.UUID:
    """The ``UUID`` of a stored id, memoised (a ``UUID`` is immutable; every change to a work
    builds a ``WorkInfo`` for it)."""
    return uuid.UUID(work_spec_id)


@dataclass(frozen=True, slots=True)
class WorkInfo:
    """A snapshot of one work (``androidx.work.WorkInfo``).

    ``output_data`` is empty until one-time work finishes (periodic work never stores output);
    ``progress`` is the last ``set_progress`` of the current run; ``next_schedule_time_millis``
    is ``WorkSpec.calculateNextRunTime`` while ENQUEUED, else ``Long.MAX_VALUE`` (virtual ms).
    """

    State: ClassVar[type[_State]] = _State
    PeriodicityInfo: ClassVar[type[_PeriodicityInfo]] = _PeriodicityInfo

    id: uuid.UUID
    state: _State
    tags: frozenset[str]
    output_data: Data = Data.EMPTY
    progress: Data = Data.EMPTY
    run_attempt_count: int = 0
    generation: int = 0
    constraints: Constraints = Constraints.NONE
    initial_delay_millis: int = 0
    periodicity_info: _PeriodicityInfo | None = None
    next_schedule_time_millis: int = LONG_MAX_VALUE
    stop_reason: StopReason = StopReason.STOP_REASON_NOT_STOPPED
    #: ``WorkInfo.workerClassName`` (2.12: ``restricted_2.12.0-beta01.txt``); set whatever the
    #: version pinned (a Python attribute read by no 2.11 app), ``None`` for a hand-made value.
    worker_class_name: str | None = None

    @classmethod
    def from_spec(cls, spec: WorkSpec, tags: Iterable[str], progress: Data) -> WorkInfo:
        """``WorkInfoPojo.toWorkInfo`` (``W/impl/model/WorkSpec.kt``)."""
        periodicity = (
            _PeriodicityInfo(spec.interval_duration, spec.flex_duration)
            if spec.is_periodic
            else None
        )
        next_run = (
            spec.calculate_next_run_time() if spec.state is _State.ENQUEUED else LONG_MAX_VALUE
        )
        return cls(
            id=_work_id(spec.id),
            state=spec.state,
            tags=frozenset(tags),
            output_data=spec.output,
            progress=progress,
            run_attempt_count=spec.run_attempt_count,
            generation=spec.generation,
            constraints=spec.constraints,
            initial_delay_millis=spec.initial_delay,
            periodicity_info=periodicity,
            next_schedule_time_millis=next_run,
            stop_reason=spec.stop_reason,
            worker_class_name=spec.worker_class_name,
        )


def _values(values: object) -> tuple[object, ...]:
    """A field's values: one value (a string, id or state is one, not a sequence) or many."""
    if isinstance(values, str | uuid.UUID | State) or not isinstance(values, Iterable):
        return (values,)
    return tuple(values)


def _flatten(values: tuple[object, ...]) -> tuple[object, ...]:
    """``from_tags("a", "b")`` and ``from_tags(["a", "b"])`` mean the same."""
    flat: list[object] = []
    for value in values:
        flat.extend(_values(value))
    return tuple(flat)


def _as_uuid(work_id: object) -> uuid.UUID:
    if isinstance(work_id, uuid.UUID):
        return work_id
    try:
        return uuid.UUID(str(work_id))
    except ValueError:
        raise InvalidRequestError(
            f"WorkQuery id {work_id!r} is not a work id; pass request.id (a UUID)"
        ) from None


@dataclass(frozen=True, slots=True)
class WorkQuery:
    """Which work ``get_work_infos`` returns (``androidx.work.WorkQuery``).

    Within a field the values are alternatives (OR); across fields all must match (AND), as
    ``RawQueries.toRawQuery`` builds the SQL. At least one field must be given.
    """

    ids: tuple[uuid.UUID, ...] = ()
    unique_work_names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    states: tuple[State, ...] = ()

    def __post_init__(self) -> None:
        for name in ("ids", "unique_work_names", "tags", "states"):
            object.__setattr__(self, name, _values(getattr(self, name)))
        object.__setattr__(self, "ids", tuple(_as_uuid(work_id) for work_id in self.ids))
        object.__setattr__(self, "states", tuple(State(state) for state in self.states))
        if not (self.ids or self.unique_work_names or self.tags or self.states):
            raise InvalidRequestError(
                "Must specify ids, uniqueNames, tags or states when building a WorkQuery"
            )

    @classmethod
    def from_ids(cls, *ids: uuid.UUID | str | Iterable[uuid.UUID | str]) -> WorkQuery:
        """Work with any of these ids (given one by one or as one list, like androidx's)."""
        return cls(ids=_flatten(ids))  # type: ignore[arg-type]

    @classmethod
    def from_unique_work_names(cls, *names: str | Iterable[str]) -> WorkQuery:
        """Work enqueued under any of these unique names (one by one or as one list)."""
        return cls(unique_work_names=_flatten(names))  # type: ignore[arg-type]

    @classmethod
    def from_tags(cls, *tags: str | Iterable[str]) -> WorkQuery:
        """Work with any of these tags (one by one or as one list)."""
        return cls(tags=_flatten(tags))  # type: ignore[arg-type]

    @classmethod
    def from_states(cls, *states: State | Iterable[State]) -> WorkQuery:
        """Work in any of these states (one by one or as one list)."""
        return cls(states=_flatten(states))  # type: ignore[arg-type]
