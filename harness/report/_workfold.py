"""The work half of the fold behind :class:`RunPicture`: each work's story, its waiting
reasons from ``job.deferred`` and the unique-work decisions (``work.not_enqueued`` included).

:class:`WorkFolding` is a base of :class:`~harness.report._folder.RunFolder`; it keeps its
state in the folder's ``_works`` and ``_decisions`` and its packages in ``_packages``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from harness._units import format_t_ms
from harness.report._runview import (
    MAX_SPANS,
    Decision,
    Lane,
    Phase,
    Span,
    WorkStory,
)
from harness.sim import TraceRecord

#: The innermost ``File "...", line N`` of a Python traceback.
_FRAME: Final = re.compile(r'File "([^"]+)", line (\d+)')


def text_of(value: object) -> str:
    return "" if value is None else str(value)


def _at(t_ms: object) -> str:
    """A virtual time from a record, formatted (``"?"`` when absent)."""
    return format_t_ms(t_ms) if isinstance(t_ms, int) else "?"


def frame_of(traceback: str) -> tuple[str | None, int | None]:
    """The innermost frame a traceback names (its last ``File "...", line N``)."""
    frames = _FRAME.findall(traceback)
    if not frames:
        return None, None
    file, line = frames[-1]
    return file, int(line)


class StateSpans:
    """Spans of one value over time, one record at a time."""

    __slots__ = ("_current", "dropped", "spans")

    def __init__(self) -> None:
        self._current: tuple[int, str] | None = None
        self.spans: list[Span] = []
        self.dropped = 0

    def set(self, t_ms: int, label: str) -> None:
        current = self._current
        if current is not None and current[1] == label:
            return
        if current is not None and t_ms > current[0]:
            if len(self.spans) < MAX_SPANS:
                self.spans.append(Span(current[0], t_ms, current[1]))
            else:
                self.dropped += 1
        self._current = (t_ms, label)

    def lane(self, name: str, kind: str, end_ms: int) -> Lane:
        self.set(end_ms, "\0end")
        return Lane(name, kind, tuple(self.spans), self.dropped)


class WorkFolding:
    """The works' side of a run's fold (see the module docstring)."""

    def __init__(self) -> None:
        self._works: dict[str, WorkStory] = {}
        self._decisions: list[Decision] = []
        self._packages: dict[str, None] = {}

    def _story(self, work_id: str) -> WorkStory:
        story = self._works.get(work_id)
        if story is None:
            story = self._works[work_id] = WorkStory(work_id)
        return story

    def _on_job(self, record: TraceRecord) -> None:
        package = record.get("package")
        if isinstance(package, str):
            self._packages.setdefault(package, None)
        work_id = record.get("work_id")
        if not isinstance(work_id, str):
            return
        story = self._story(work_id)
        if record.kind == "job.stopped":
            reason = text_of(record.get("stop_reason") or record.get("reason"))
            story.note(record.t_ms, "job stopped", reason)
        elif record.kind == "job.scheduled":
            story.note(
                record.t_ms, "job scheduled", f"runnable from {_at(record.get('earliest_ms'))}"
            )

    def _on_job_deferred(self, record: TraceRecord) -> None:
        self._on_job(record)
        work_id = record.get("work_id")
        if not isinstance(work_id, str):
            return
        story = self._story(work_id)
        if story._open is not None and story._open[1] is Phase.RUNNING:
            return  # a stale deferral while the in-process scheduler runs it
        reason = text_of(record.get("reason"))
        if story._open is None or story._open[2] != reason:
            story.note(record.t_ms, "waiting", reason)
        story.move(record.t_ms, Phase.WAITING, reason)

    def _on_not_enqueued(self, record: TraceRecord) -> None:
        ids = tuple(str(i) for i in record.get("ids") or ())
        existing = tuple(str(i) for i in record.get("existing") or ())
        decision = Decision(
            record.t_ms,
            text_of(record.get("unique_name")),
            "",
            f"dropped: {text_of(record.get('reason'))}",
            ids,
        )
        self._decisions.append(decision)
        for work_id in existing:
            self._story(work_id).decisions.append(decision)

    def _on_work(self, record: TraceRecord) -> None:
        work_id = record.get("id")
        if not isinstance(work_id, str):
            return
        story = self._story(work_id)
        kind = record.kind
        t_ms = record.t_ms
        worker = record.get("worker")
        if isinstance(worker, str):
            story.worker = worker
        generation = record.get("generation")
        if isinstance(generation, int):
            story.generation = generation
        state = record.get("state")
        if isinstance(state, str):
            story.state = state
        attempts = record.get("run_attempt_count")
        handler = _WORK_HANDLERS.get(kind)
        if handler is not None:
            handler(self, story, record)
        else:
            story.note(t_ms, kind.removeprefix("work."), text_of(record.get("reason")))
        if kind == "work.started" and isinstance(attempts, int):
            story.attempts = max(story.attempts, attempts)

    def _work_enqueued(self, story: WorkStory, record: TraceRecord) -> None:
        story.unique_name = record.get("unique_name") or story.unique_name
        story.policy = record.get("policy") or story.policy
        story.tags = tuple(str(tag) for tag in record.get("tags") or ())
        story.prerequisites = tuple(str(p) for p in record.get("prerequisites") or ())
        for prerequisite in story.prerequisites:
            self._story(prerequisite).dependents.append(story.id)
        blocked = record.kind == "work.blocked"
        due = record.get("next_run_time_ms")
        detail = (
            "BLOCKED behind " + ", ".join(p[:8] for p in story.prerequisites)
            if blocked
            else (f"{record.get('state', 'ENQUEUED')}, due {_at(due)}" if due is not None else "")
        )
        story.note(record.t_ms, "enqueued", detail)
        if story.unique_name:
            decision = Decision(
                record.t_ms,
                story.unique_name,
                text_of(story.policy),
                "enqueued (blocked)" if blocked else "enqueued",
                (story.id,),
            )
            self._decisions.append(decision)
            story.decisions.append(decision)
        story.move(record.t_ms, Phase.BLOCKED if blocked else Phase.ENQUEUED)

    def _work_started(self, story: WorkStory, record: TraceRecord) -> None:
        attempt = record.get("run_attempt_count")
        story.note(
            record.t_ms,
            "started",
            f"attempt {attempt}, generation {record.get('generation', 0)}",
        )
        story.move(record.t_ms, Phase.RUNNING)

    def _work_ended(self, story: WorkStory, record: TraceRecord) -> None:
        kind = record.kind
        t_ms = record.t_ms
        if kind == "work.finished":
            output = record.get("output")
            if isinstance(output, dict):
                story.output = output
            result = record.get("result") or record.get("cause") or ""
            what = "failed" if record.get("state") == "FAILED" else "finished"
            story.note(t_ms, what, f"{result} -> {record.get('state', '')}".strip())
        elif kind == "work.retry":
            due = record.get("next_run_time_ms")
            if isinstance(due, int):
                story.backoffs_ms.append(due - t_ms)
            story.note(t_ms, "retry", f"backoff until {_at(due)}")
        elif kind == "work.stopped":
            reason = text_of(record.get("stop_reason"))
            cause = record.get("cause")
            story.stop_reasons.append(reason)
            story.note(t_ms, "stopped", f"{reason} ({cause})" if cause else reason)
        elif kind == "work.cancelled":
            story.note(t_ms, "cancelled", text_of(record.get("cause")))
        elif kind in ("work.deleted", "work.pruned"):
            story.note(t_ms, kind.removeprefix("work."), text_of(record.get("reason")))
        state = text_of(record.get("state"))
        done = state in ("SUCCEEDED", "FAILED", "CANCELLED") or kind in (
            "work.deleted",
            "work.pruned",
        )
        story.move(t_ms, None if done else Phase.ENQUEUED)

    def _work_other(self, story: WorkStory, record: TraceRecord) -> None:
        kind = record.kind
        if kind == "work.unblocked":
            story.note(record.t_ms, "unblocked", f"after {text_of(record.get('prerequisite'))[:8]}")
            story.move(record.t_ms, Phase.ENQUEUED)
        elif kind == "work.updated":
            story.note(record.t_ms, "updated", text_of(record.get("result")))
        elif kind == "work.deferred":
            story.note(record.t_ms, "put back", f"not due before {_at(record.get('due_ms'))}")
            story.move(record.t_ms, Phase.ENQUEUED)
        elif kind == "work.progress":
            story.note(record.t_ms, "progress", text_of(record.get("progress")))
        elif kind == "work.foreground":
            story.note(record.t_ms, "foreground", f"notification {record.get('notification_id')}")
        elif kind == "work.foreground_refused":
            story.note(record.t_ms, "foreground refused", text_of(record.get("exception")))
        elif kind == "work.failed":
            story.note(record.t_ms, "raised", f"in {record.get('phase')}: {record.get('error')}")


_WORK_HANDLERS: Final[dict[str, Callable[[WorkFolding, WorkStory, TraceRecord], None]]] = {
    "work.enqueued": WorkFolding._work_enqueued,
    "work.blocked": WorkFolding._work_enqueued,
    "work.started": WorkFolding._work_started,
    "work.finished": WorkFolding._work_ended,
    "work.retry": WorkFolding._work_ended,
    "work.stopped": WorkFolding._work_ended,
    "work.cancelled": WorkFolding._work_ended,
    "work.deleted": WorkFolding._work_ended,
    "work.pruned": WorkFolding._work_ended,
    "work.unblocked": WorkFolding._work_other,
    "work.updated": WorkFolding._work_other,
    "work.deferred": WorkFolding._work_other,
    "work.progress": WorkFolding._work_other,
    "work.foreground": WorkFolding._work_other,
    "work.foreground_refused": WorkFolding._work_other,
    "work.failed": WorkFolding._work_other,
}
