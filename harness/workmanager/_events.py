"""Every change to a work goes to the trace, and to the listeners, in the order it happens.

:class:`WorkEvents` is the one place the engine reports changes: after a database write it reads
the row back and records ``sim.record(kind, ...)`` with the common fields (``id``, ``worker``,
``tags``, ``state``, ``run_attempt_count``, ``generation``, ``period_count``,
``next_run_time_ms``) plus the kind's own fields, then hands the fresh :class:`WorkInfo` to the
listeners. The kinds are documented in the package docstring.
"""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from harness._tracebacks import relative_path
from harness.sim import Signal, Simulation
from harness.workmanager._database import WorkDatabase
from harness.workmanager._enums import ENQUEUED, StopReason
from harness.workmanager._info import WorkInfo
from harness.workmanager._schedule import LONG_MAX_VALUE
from harness.workmanager._spec import WorkSpec


def stop_reason_fields(stop_reason: StopReason) -> dict[str, Any]:
    """The trace fields of a stop reason: its name and its value."""
    return {"stop_reason": stop_reason.name, "stop_reason_value": int(stop_reason)}


def format_traceback(error: BaseException) -> str:
    """The traceback of ``error`` with machine-independent file paths."""
    lines = ["Traceback (most recent call last):\n"]
    for frame in traceback.extract_tb(error.__traceback__):
        lines.append(
            f'  File "{relative_path(frame.filename)}", line {frame.lineno}, in {frame.name}\n'
        )
        if frame.line:
            lines.append(f"    {frame.line.strip()}\n")
    lines.extend(traceback.format_exception_only(type(error), error))
    return "".join(lines)


#: Where Python's own modules and installed libraries live: a frame there is not app code.
_LIBRARY_ROOTS = tuple(
    PurePath(path)
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (path := sysconfig.get_paths().get(key))
)
_HARNESS_ROOT = PurePath(__file__).parents[1]


def raising_frame(error: BaseException) -> tuple[str, int] | None:
    """Where app code raised ``error``: the innermost frame outside harness, the standard
    library and installed packages (else the innermost frame), as a machine-independent
    ``(file, line)``; None without a traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return None

    def is_app(frame: traceback.FrameSummary) -> bool:
        path = PurePath(frame.filename)
        return not any(path.is_relative_to(root) for root in (_HARNESS_ROOT, *_LIBRARY_ROOTS))

    chosen = next((frame for frame in reversed(frames) if is_app(frame)), frames[-1])
    return relative_path(chosen.filename), chosen.lineno or 0


class WorkEvents:
    """Reports work changes to the trace and to listeners (one per WorkManager instance)."""

    def __init__(self, sim: Simulation, database: WorkDatabase) -> None:
        self._sim = sim
        self._database = database
        #: Emits a fresh :class:`WorkInfo` after every change, in order.
        self.changed: Signal[WorkInfo] = Signal("workmanager.work_info")
        #: Emits after every reported change, a deleted or pruned row too (what flows wait for).
        self.invalidated: Signal[None] = Signal("workmanager.invalidated")
        self.alive = True

    def add_listener(self, listener: Callable[[WorkInfo], None]) -> Callable[[], None]:
        """Call ``listener(info)`` after every change; returns a function that removes it."""
        return self.changed.connect(listener)

    def emit(self, kind: str, work_spec_id: str, /, **fields: Any) -> None:
        """Record ``kind`` for the work as it is now in the database, then tell listeners."""
        if not self.alive:
            return
        if self.changed.subscribed:
            self._emit_with_info(kind, work_spec_id, fields)
            return
        # Without listeners, the same fields without a WorkInfo no one reads: the record only,
        # its fields read from the row without building an up-to-date WorkSpec unless the next
        # run time needs one.
        database = self._database
        work_specs = database.work_spec_dao
        written = work_specs.get_written_work_spec(work_spec_id)
        sim = self._sim  # sim.record(kind, ...) without its call (3 records per run)
        if written is None:
            sim.record(kind, id=work_spec_id, **fields)
            self.invalidated.emit(None)
            return
        spec, changes = written
        tags = database.work_tag_dao.get_tags_for_work_spec_id(work_spec_id)
        state = changes.get("state", spec.state)
        if state is ENQUEUED:  # WorkInfo's next run time reads the whole row
            spec = work_specs.get_work_spec(work_spec_id) or spec
            common = _fields(spec, tags, spec.calculate_next_run_time())
        else:  # the columns a run writes may be newer than the spec; the others are not
            common = {
                "id": spec.id,
                "worker": spec.worker_class_name,
                "tags": sorted(tags),
                "state": state._name_,  # type: ignore[attr-defined]  # .name, no descriptor
                "run_attempt_count": changes.get("run_attempt_count", spec.run_attempt_count),
                "generation": spec.generation,
                "period_count": changes.get("period_count", spec.period_count),
                "next_run_time_ms": None,
            }
        sim.trace.emit(sim.now_ms, kind, **common, **fields)
        self.invalidated.emit(None)

    def _emit_with_info(self, kind: str, work_spec_id: str, fields: dict[str, Any]) -> None:
        """:meth:`emit` with listeners: the record from the row's ``WorkInfo``, which they hear."""
        database = self._database
        spec = database.work_spec_dao.get_work_spec(work_spec_id)
        if spec is None:
            self._sim.record(kind, id=work_spec_id, **fields)
            self.invalidated.emit(None)
            return
        tags = database.work_tag_dao.get_tags_for_work_spec_id(spec.id)
        info = WorkInfo.from_spec(
            spec, tags, database.work_progress_dao.get_progress_for_work_spec_id(spec.id)
        )
        self._sim.record(kind, **self.common_fields(spec, info), **fields)
        self.changed.emit(info)
        self.invalidated.emit(None)

    def emit_snapshot(self, kind: str, spec: WorkSpec, info: WorkInfo, /, **fields: Any) -> None:
        """Record ``kind`` for a row about to disappear (deleted, pruned), from its snapshot."""
        if not self.alive:
            return
        self._sim.record(kind, **self.common_fields(spec, info), **fields)
        self.invalidated.emit(None)

    @staticmethod
    def common_fields(spec: WorkSpec, info: WorkInfo) -> dict[str, Any]:
        """The fields every ``work.*`` record carries."""
        return _fields(spec, info.tags, info.next_schedule_time_millis)


def _fields(spec: WorkSpec, tags: frozenset[str], next_run: int) -> dict[str, Any]:
    """The common fields of a ``work.*`` record (``next_run``: ``WorkInfo``'s
    ``next_schedule_time_millis``)."""
    return {
        "id": spec.id,
        "worker": spec.worker_class_name,
        "tags": sorted(tags),
        "state": spec.state._name_,  # .name without enum's descriptor (two calls)
        "run_attempt_count": spec.run_attempt_count,
        "generation": spec.generation,
        "period_count": spec.period_count,
        "next_run_time_ms": None if next_run == LONG_MAX_VALUE else next_run,
    }
