"""``constraints()`` and ``work_requests()``: androidx requests that ``build()`` accepts.

``constraints()`` draws :class:`~harness.workmanager.Constraints` values. ``work_requests()``
draws :class:`WorkRequestPlan` values, what a builder is told, because a request is built inside
a running simulation (its id comes from the simulation's RNG stream): ``plan.build(Worker)``
there. Every plan is one androidx builds without an exception and without clamping: expedited
work only with network and storage constraints and no delay, never periodic (``WorkRequest.kt``
``build()``; ``PeriodicWorkRequest.kt``), no backoff criteria on an idle-mode job
(``OneTimeWorkRequest.kt``), backoff delays in 10 s .. 5 h and periodic intervals of at least
15 min with a flex of at least 5 min (``WorkSpec.kt``). Shrinks towards no constraints, no
delay, one-time, default backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from hypothesis import strategies as st

from harness._units import MS_PER_MINUTE, MS_PER_SECOND
from harness.workmanager import (
    BackoffPolicy,
    Constraints,
    ListenableWorker,
    NetworkType,
    OneTimeWorkRequest,
    OutOfQuotaPolicy,
    PeriodicWorkRequest,
    WorkRequest,
)

#: Network types, the commonest first (a shrinking one becomes NOT_REQUIRED).
_NETWORKS: Final = (
    NetworkType.NOT_REQUIRED,
    NetworkType.CONNECTED,
    NetworkType.UNMETERED,
    NetworkType.NOT_ROAMING,
    NetworkType.METERED,
    NetworkType.TEMPORARILY_UNMETERED,
)
#: ``WorkSpec.kt``: MIN_BACKOFF_MILLIS (10 s), MAX_BACKOFF_MILLIS (5 h),
#: MIN_PERIODIC_INTERVAL_MILLIS (15 min), MIN_PERIODIC_FLEX_MILLIS (5 min).
_MIN_BACKOFF_S: Final = 10
_MAX_BACKOFF_S: Final = 5 * 3600
_MIN_INTERVAL_MIN: Final = 15
_MIN_FLEX_MIN: Final = 5


@st.composite
def constraints(draw: st.DrawFn, *, network: bool = True, device_idle: bool = True) -> Constraints:
    """A :class:`~harness.workmanager.Constraints`: a network type and the four flags.

    ``network=False`` keeps NOT_REQUIRED; ``device_idle=False`` never requires device idle.
    """
    network_type = _NETWORKS[draw(st.integers(0, len(_NETWORKS) - 1))] if network else _NETWORKS[0]
    return Constraints(
        required_network_type=network_type,
        requires_charging=draw(st.booleans()),
        requires_device_idle=device_idle and draw(st.booleans()),
        requires_battery_not_low=draw(st.booleans()),
        requires_storage_not_low=draw(st.booleans()),
    )


@dataclass(frozen=True, slots=True)
class WorkRequestPlan:
    """What to tell a request builder: a drawn request, built with :meth:`build`.

    Times are in ms; ``interval_ms`` is ``None`` for one-time work. ``backoff`` is ``None`` for
    androidx's default (exponential, 30 s); ``expedited`` the out-of-quota policy, or ``None``.
    """

    constraints: Constraints
    initial_delay_ms: int = 0
    interval_ms: int | None = None
    flex_ms: int | None = None
    backoff: tuple[BackoffPolicy, int] | None = None
    expedited: OutOfQuotaPolicy | None = None
    tags: tuple[str, ...] = ()

    def build(self, worker_class: type[ListenableWorker]) -> WorkRequest:
        """The androidx request for ``worker_class`` (inside a running simulation)."""
        if self.interval_ms is None:
            one_time = OneTimeWorkRequest.builder(worker_class)
            if self.expedited is not None:
                one_time.set_expedited(self.expedited)
            self._common(one_time)
            return one_time.build()
        periodic = PeriodicWorkRequest.builder(worker_class, self.interval_ms, self.flex_ms)
        self._common(periodic)
        return periodic.build()

    def _common(self, builder: _Builder) -> None:
        builder.set_constraints(self.constraints)
        if self.initial_delay_ms:
            builder.set_initial_delay(self.initial_delay_ms)
        if self.backoff is not None:
            builder.set_backoff_criteria(*self.backoff)
        for tag in self.tags:
            builder.add_tag(tag)


class _Builder(Protocol):
    def set_constraints(self, constraints: Constraints) -> object: ...
    def set_initial_delay(self, duration: int) -> object: ...
    def set_backoff_criteria(self, backoff_policy: BackoffPolicy, duration: int) -> object: ...
    def add_tag(self, tag: str) -> object: ...


@st.composite
def work_requests(
    draw: st.DrawFn,
    *,
    periodic: bool | None = None,
    expedited: bool = True,
    max_delay: int = 6 * 3_600_000,
    tags: tuple[str, ...] = (),
) -> WorkRequestPlan:
    """A :class:`WorkRequestPlan` androidx accepts as it is (no exception, no clamping).

    ``periodic``: ``True`` periodic only, ``False`` one-time only, ``None`` either (one-time
    first); ``expedited=False`` never expedites; initial delays up to ``max_delay`` ms; each
    plan carries ``tags``.
    """
    is_periodic = draw(st.booleans()) if periodic is None else periodic
    wants_expedited = expedited and not is_periodic and draw(st.booleans())
    # WorkRequest.kt build(): expedited work supports network and storage constraints only
    drawn = draw(constraints(device_idle=not wants_expedited))
    if wants_expedited:
        drawn = Constraints(
            required_network_type=drawn.required_network_type,
            requires_storage_not_low=drawn.requires_storage_not_low,
        )
    delay_ms = 0 if wants_expedited else draw(st.integers(0, max_delay // MS_PER_SECOND)) * 1000
    interval_ms = flex_ms = None
    if is_periodic:
        interval_ms = (_MIN_INTERVAL_MIN + draw(st.integers(0, 24 * 60))) * MS_PER_MINUTE
        flex_min = _MIN_FLEX_MIN + draw(
            st.integers(0, interval_ms // MS_PER_MINUTE - _MIN_FLEX_MIN)
        )
        flex_ms = min(flex_min * MS_PER_MINUTE, interval_ms)
    backoff = None
    # OneTimeWorkRequest.kt/PeriodicWorkRequest.kt: no backoff criteria on an idle-mode job
    if not drawn.requires_device_idle and draw(st.booleans()):
        policy = (BackoffPolicy.EXPONENTIAL, BackoffPolicy.LINEAR)[draw(st.integers(0, 1))]
        seconds = _MIN_BACKOFF_S + draw(st.integers(0, _MAX_BACKOFF_S - _MIN_BACKOFF_S))
        backoff = (policy, seconds * MS_PER_SECOND)
    return WorkRequestPlan(
        constraints=drawn,
        initial_delay_ms=delay_ms,
        interval_ms=interval_ms,
        flex_ms=flex_ms,
        backoff=backoff,
        expedited=(
            (
                OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST,
                OutOfQuotaPolicy.DROP_WORK_REQUEST,
            )[draw(st.integers(0, 1))]
            if wants_expedited
            else None
        ),
        tags=tags,
    )
