"""``RunPicture``: one run's trace folded, in one pass, into what its timeline and work inspector
show: device lanes, markers, each work's story, HTTP requests and the app's failures.

The fold reads each record once (a streamed trace is never held whole) and keeps small facts.
Lists a person reads in a table are capped at :data:`TABLE_ROWS` rows with exact counts, so a
device-week stays a page, not a dump; what the picture draws with a tooltip is exactly what a
table lists (the tooltip's row), so nothing needs a mouse.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from harness._units import format_t_ms
from harness.report._reasons import ReasonClass, reason_class
from harness.sim import TraceRecord

#: Rows a table shows (per lane, per work's history, requests, markers); the rest are counted.
TABLE_ROWS: Final = 200

#: Segments of one work listed in its inspector (and given a tooltip in the picture).
SEGMENT_ROWS: Final = 60

#: Spans a lane or segments a work keeps for the picture (beyond: counted, not drawn).
MAX_SPANS: Final = 4000

#: Packages that get standby and process lanes (the ones with jobs first).
MAX_PACKAGES: Final = 3

#: The innermost ``File "...", line N`` of a Python traceback.
_FRAME: Final = re.compile(r'File "([^"]+)", line (\d+)')


#: History lines that end a run (drawn as a dot where the run ended).
_ENDS: Final = frozenset({"finished", "failed", "retry", "stopped", "raised", "cancelled"})


class MarkerKind(enum.Enum):
    """A moment drawn as a marker across the picture."""

    #: the app's process died (low-memory killer, an OEM policy, ``am kill``)
    KILL = "kill"
    #: the device shut down or rebooted, or finished booting
    REBOOT = "reboot"
    #: the user (or ``am force-stop``) force-stopped the app
    FORCE_STOP = "force-stop"
    #: the server had an outage, a rate limit, expired tokens, or a request matched no route
    SERVER_FAULT = "server fault"


@dataclass(frozen=True, slots=True)
class Span:
    """A state held from ``start_ms`` to ``end_ms`` (``label`` is what the state was)."""

    start_ms: int
    end_ms: int
    label: str


@dataclass(frozen=True, slots=True)
class Lane:
    """One horizontal band of device state: its spans, and how many more were not kept."""

    name: str
    #: what the lane's colours mean (``"network"`` colours by transport)
    kind: str
    spans: tuple[Span, ...]
    dropped: int = 0


@dataclass(frozen=True, slots=True)
class Marker:
    """A moment worth a vertical line: a kill, a reboot, a force-stop, a server fault."""

    t_ms: int
    kind: MarkerKind
    text: str


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the app's client saw it."""

    t_ms: int
    method: str
    url: str
    status: int | None
    error: str | None
    duration_ms: int | None
    fault: str | None

    @property
    def outcome(self) -> str:
        """``"200"``, ``"503"`` or the transport error."""
        if self.status is not None:
            return str(self.status)
        return self.error or "no answer"

    @property
    def colour_class(self) -> str:
        """``ok`` (below 400), ``limited`` (429), ``error`` (other statuses, no answer)."""
        if self.status is not None and self.status < 400:
            return "ok"
        return "limited" if self.status == 429 else "error"


@dataclass(frozen=True, slots=True)
class Failure:
    """App code that raised: where (``file``, ``line``), what, and the traceback."""

    t_ms: int
    kind: str
    error: str
    work_id: str | None
    file: str | None
    line: int | None
    traceback: str


class Phase(enum.Enum):
    """Where a work stood between two records."""

    BLOCKED = "blocked"
    ENQUEUED = "enqueued"
    WAITING = "waiting"
    RUNNING = "running"


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one work's life; a ``WAITING`` one carries JobScheduler's reason."""

    start_ms: int
    end_ms: int
    phase: Phase
    reason: str = ""
    reason_class: ReasonClass | None = None


@dataclass(frozen=True, slots=True)
class WorkEvent:
    """One line of a work's history."""

    t_ms: int
    what: str
    detail: str


@dataclass(frozen=True, slots=True)
class Decision:
    """A unique-work policy decision: an enqueue kept, dropped (KEEP) or replacing another."""

    t_ms: int
    unique_name: str
    policy: str
    outcome: str
    work_ids: tuple[str, ...]


@dataclass
class WorkStory:
    """Everything the trace says about one work (mutable while the fold runs)."""

    id: str
    worker: str = ""
    unique_name: str | None = None
    policy: str | None = None
    tags: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    dependents: list[str] = field(default_factory=list)
    attempts: int = 0
    generation: int = 0
    state: str = ""
    output: dict[str, Any] | None = None
    backoffs_ms: list[int] = field(default_factory=list)
    stop_reasons: list[str] = field(default_factory=list)
    events: list[WorkEvent] = field(default_factory=list)
    events_dropped: int = 0
    #: how each run ended (``finished``, ``failed``, ``retry``, ``stopped``, ``raised``,
    #: ``cancelled``), all of them up to :data:`MAX_SPANS`, for the picture's dots
    ends: list[WorkEvent] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    segments_dropped: int = 0
    decisions: list[Decision] = field(default_factory=list)
    _open: tuple[int, Phase, str] | None = None

    @property
    def short_worker(self) -> str:
        """The worker class without its module."""
        return self.worker.rsplit(".", 1)[-1]

    @property
    def label(self) -> str:
        """``SyncWorker 1062e347`` (with its unique name when it has one)."""
        name = f" '{self.unique_name}'" if self.unique_name else ""
        return f"{self.short_worker}{name} {self.id[:8]}"

    @property
    def short_label(self) -> str:
        """``SyncWorker 1062e347``: the picture's row label."""
        return f"{self.short_worker} {self.id[:8]}"

    @property
    def anchor(self) -> str:
        """The id as an HTML id fragment."""
        return "work-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.id)

    def note(self, t_ms: int, what: str, detail: str) -> None:
        if what in _ENDS and len(self.ends) < MAX_SPANS:
            self.ends.append(WorkEvent(t_ms, what, detail))
        if len(self.events) < TABLE_ROWS:
            self.events.append(WorkEvent(t_ms, what, detail))
        else:
            self.events_dropped += 1

    def move(self, t_ms: int, phase: Phase | None, reason: str = "") -> None:
        """Close the open segment at ``t_ms`` and open ``phase`` (None: the work is done)."""
        current = self._open
        if current is not None and current[1] is phase and current[2] == reason:
            return
        if current is not None and t_ms > current[0]:
            start, old_phase, old_reason = current
            kind = reason_class(old_reason) if old_phase is Phase.WAITING else None
            if len(self.segments) < MAX_SPANS:
                self.segments.append(Segment(start, t_ms, old_phase, old_reason, kind))
            else:
                self.segments_dropped += 1
        self._open = None if phase is None else (t_ms, phase, reason)

    def finish(self, end_ms: int) -> None:
        self.move(end_ms, None)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _at(t_ms: object) -> str:
    """A virtual time from a record, formatted (``"?"`` when absent)."""
    return format_t_ms(t_ms) if isinstance(t_ms, int) else "?"


def _frame_of(traceback: str) -> tuple[str | None, int | None]:
    """The innermost frame a traceback names (its last ``File "...", line N``)."""
    frames = _FRAME.findall(traceback)
    if not frames:
        return None, None
    file, line = frames[-1]
    return file, int(line)


class _States:
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


@dataclass(frozen=True, slots=True)
class RunPicture:
    """One run, folded for the report (see the module docstring)."""

    duration_ms: int
    battery: tuple[tuple[int, float], ...]
    lanes: tuple[Lane, ...]
    markers: tuple[Marker, ...]
    works: tuple[WorkStory, ...]
    requests: tuple[Request, ...]
    requests_dropped: int
    decisions: tuple[Decision, ...]
    failures: tuple[Failure, ...]

    @property
    def chains(self) -> tuple[WorkStory, ...]:
        """Works that start a chain (no prerequisite known here) and have dependents."""
        return tuple(w for w in self.works if w.dependents and not w.prerequisites)

    def work(self, work_id: str) -> WorkStory | None:
        """The story of ``work_id``, if the trace named it."""
        return next((w for w in self.works if w.id == work_id), None)


class RunFolder:
    """Folds trace records into a :class:`RunPicture` (:meth:`feed`, then :meth:`picture`)."""

    def __init__(self) -> None:
        self._battery: list[tuple[int, float]] = []
        self._charging = _States()
        self._saver = _States()
        self._screen = _States()
        self._network = _States()
        self._doze = _States()
        self._light = _States()
        self._standby: dict[str, _States] = {}
        self._process: dict[str, _States] = {}
        self._packages: dict[str, None] = {}
        self._markers: list[Marker] = []
        self._works: dict[str, WorkStory] = {}
        self._requests: list[Request] = []
        self._requests_dropped = 0
        self._decisions: list[Decision] = []
        self._failures: list[Failure] = []
        self._handlers: dict[str, Callable[[TraceRecord], None]] = {
            "device.battery": self._on_battery,
            "device.power": self._on_power,
            "device.screen": self._on_screen,
            "device.network": self._on_network,
            "device.doze": self._on_doze,
            "device.light_doze": self._on_light_doze,
            "device.standby": self._on_standby,
            "device.process": self._on_process,
            "device.boot": self._on_boot,
            "backend.outage": self._on_server_fault,
            "backend.rate_limit": self._on_server_fault,
            "backend.tokens_expired": self._on_server_fault,
            "http.unmatched": self._on_server_fault,
            "http.request": self._on_request,
            "job.deferred": self._on_job_deferred,
            "job.started": self._on_job,
            "job.scheduled": self._on_job,
            "job.stopped": self._on_job,
            "work.not_enqueued": self._on_not_enqueued,
            "work.failed": self._on_failure,
            "app.crash": self._on_failure,
            "flutter.task_error": self._on_failure,
            "sim.task_error": self._on_failure,
            "run.error": self._on_failure,
        }

    def feed(self, record: TraceRecord) -> None:
        """Take one record into account."""
        handler = self._handlers.get(record.kind)
        if handler is not None:
            handler(record)
        elif record.kind.startswith("work."):
            self._on_work(record)

    @classmethod
    def of(cls, records: Iterable[TraceRecord], duration_ms: int) -> RunPicture:
        """The picture of records already written."""
        folder = cls()
        for record in records:
            folder.feed(record)
        return folder.picture(duration_ms)

    # device lanes -----------------------------------------------------------------------

    def _on_battery(self, record: TraceRecord) -> None:
        level = record.get("level")
        if isinstance(level, int | float) and len(self._battery) < MAX_SPANS:
            self._battery.append((record.t_ms, float(level)))

    def _on_power(self, record: TraceRecord) -> None:
        if record.get("event") == "battery_saver" or record.get("battery_saver") is not None:
            saver = record.get("battery_saver")
            self._saver.set(record.t_ms, "on" if saver else "off")
        plugged = record.get("plugged")
        if plugged is not None:
            self._charging.set(record.t_ms, str(plugged).upper())

    def _on_screen(self, record: TraceRecord) -> None:
        on = record.get("on")
        locked = " locked" if record.get("locked") else ""
        self._screen.set(record.t_ms, f"on{locked}" if on else "off")

    def _on_network(self, record: TraceRecord) -> None:
        transport = str(record.get("transport") or record.get("type") or "NONE").upper()
        quality = []
        if transport != "NONE":
            quality.append("metered" if record.get("metered") else "unmetered")
            if record.get("validated") is False:
                quality.append("not validated")
            if record.get("roaming"):
                quality.append("roaming")
        self._network.set(record.t_ms, " ".join([transport, *quality]))

    def _on_doze(self, record: TraceRecord) -> None:
        self._doze.set(record.t_ms, str(record.get("state", "")).upper())

    def _on_light_doze(self, record: TraceRecord) -> None:
        self._light.set(record.t_ms, str(record.get("state", "")).upper())

    def _on_standby(self, record: TraceRecord) -> None:
        package = _text(record.get("package"))
        self._standby.setdefault(package, _States()).set(record.t_ms, str(record.get("bucket", "")))

    def _on_process(self, record: TraceRecord) -> None:
        event = record.get("event")
        package = _text(record.get("package"))
        if event == "state":
            self._process.setdefault(package, _States()).set(
                record.t_ms, str(record.get("state", ""))
            )
        elif event == "died":
            self._process.setdefault(package, _States()).set(record.t_ms, "dead")
            reason = _text(record.get("reason"))
            self._mark(record.t_ms, MarkerKind.KILL, f"{package} died ({reason})")
        elif event == "force_stopped":
            self._mark(record.t_ms, MarkerKind.FORCE_STOP, f"{package} force-stopped")

    def _on_boot(self, record: TraceRecord) -> None:
        event = record.get("event")
        if event in ("shutdown", "no_charge"):
            reason = _text(record.get("reason")) or _text(event)
            what = "reboot" if record.get("reboot") else "shutdown"
            self._mark(record.t_ms, MarkerKind.REBOOT, f"{what} ({reason})")
        elif event == "boot_completed" and (record.get("boot_count") or 1) > 1:
            self._mark(record.t_ms, MarkerKind.REBOOT, "boot completed")

    def _on_server_fault(self, record: TraceRecord) -> None:
        if record.kind == "http.unmatched":
            text = f"no route for {record.get('method')} {record.get('url')}"
        elif record.kind == "backend.tokens_expired":
            text = f"tokens expired at {record.get('origin')}"
        else:
            text = _text(record.get("action")) or record.kind
        self._mark(record.t_ms, MarkerKind.SERVER_FAULT, text)

    def _mark(self, t_ms: int, kind: MarkerKind, text: str) -> None:
        if len(self._markers) < MAX_SPANS:
            self._markers.append(Marker(t_ms, kind, text))

    def _on_request(self, record: TraceRecord) -> None:
        if len(self._requests) >= MAX_SPANS:
            self._requests_dropped += 1
            return
        status = record.get("status")
        duration = record.get("duration_ms")
        error = record.get("error")
        fault = record.get("fault")
        self._requests.append(
            Request(
                record.t_ms,
                _text(record.get("method")),
                _text(record.get("url")),
                status if isinstance(status, int) else None,
                None if error is None else str(error),
                duration if isinstance(duration, int) else None,
                None if fault is None else str(fault),
            )
        )

    # works --------------------------------------------------------------------------------

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
            reason = _text(record.get("stop_reason") or record.get("reason"))
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
        reason = _text(record.get("reason"))
        if story._open is None or story._open[2] != reason:
            story.note(record.t_ms, "waiting", reason)
        story.move(record.t_ms, Phase.WAITING, reason)

    def _on_not_enqueued(self, record: TraceRecord) -> None:
        ids = tuple(str(i) for i in record.get("ids") or ())
        existing = tuple(str(i) for i in record.get("existing") or ())
        decision = Decision(
            record.t_ms,
            _text(record.get("unique_name")),
            "",
            f"dropped: {_text(record.get('reason'))}",
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
            story.note(t_ms, kind.removeprefix("work."), _text(record.get("reason")))
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
                _text(story.policy),
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
            reason = _text(record.get("stop_reason"))
            cause = record.get("cause")
            story.stop_reasons.append(reason)
            story.note(t_ms, "stopped", f"{reason} ({cause})" if cause else reason)
        elif kind == "work.cancelled":
            story.note(t_ms, "cancelled", _text(record.get("cause")))
        elif kind in ("work.deleted", "work.pruned"):
            story.note(t_ms, kind.removeprefix("work."), _text(record.get("reason")))
        state = _text(record.get("state"))
        done = state in ("SUCCEEDED", "FAILED", "CANCELLED") or kind in (
            "work.deleted",
            "work.pruned",
        )
        story.move(t_ms, None if done else Phase.ENQUEUED)

    def _work_other(self, story: WorkStory, record: TraceRecord) -> None:
        kind = record.kind
        if kind == "work.unblocked":
            story.note(record.t_ms, "unblocked", f"after {_text(record.get('prerequisite'))[:8]}")
            story.move(record.t_ms, Phase.ENQUEUED)
        elif kind == "work.updated":
            story.note(record.t_ms, "updated", _text(record.get("result")))
        elif kind == "work.deferred":
            story.note(record.t_ms, "put back", f"not due before {_at(record.get('due_ms'))}")
            story.move(record.t_ms, Phase.ENQUEUED)
        elif kind == "work.progress":
            story.note(record.t_ms, "progress", _text(record.get("progress")))
        elif kind == "work.foreground":
            story.note(record.t_ms, "foreground", f"notification {record.get('notification_id')}")
        elif kind == "work.failed":
            story.note(record.t_ms, "raised", f"in {record.get('phase')}: {record.get('error')}")

    # failures ------------------------------------------------------------------------------

    def _on_failure(self, record: TraceRecord) -> None:
        if record.kind == "work.failed":
            self._on_work(record)
        traceback = _text(record.get("traceback"))
        file, line = record.get("file"), record.get("line")
        if not isinstance(file, str) or not isinstance(line, int):
            file, line = _frame_of(traceback)
        failed_at = record.get("failed_at_ms")
        work_id = record.get("id") or record.get("work_id")
        self._failures.append(
            Failure(
                failed_at if isinstance(failed_at, int) else record.t_ms,
                record.kind,
                _text(record.get("error")),
                work_id if isinstance(work_id, str) else None,
                file,
                line,
                traceback,
            )
        )

    def picture(self, duration_ms: int) -> RunPicture:
        """The folded run, its open spans closed at ``duration_ms``."""
        for story in self._works.values():
            story.finish(duration_ms)
        lanes = [
            self._charging.lane("charging", "charging", duration_ms),
            self._saver.lane("battery saver", "saver", duration_ms),
            self._screen.lane("screen", "screen", duration_ms),
            self._network.lane("network", "network", duration_ms),
            self._doze.lane("doze (deep)", "doze", duration_ms),
            self._light.lane("doze (light)", "doze", duration_ms),
        ]
        packages = list(self._packages) + [p for p in self._process if p not in self._packages]
        for package in packages[:MAX_PACKAGES]:
            if package in self._standby:
                lanes.append(
                    self._standby[package].lane(f"standby {package}", "standby", duration_ms)
                )
            if package in self._process:
                lanes.append(
                    self._process[package].lane(f"process {package}", "process", duration_ms)
                )
        return RunPicture(
            duration_ms=duration_ms,
            battery=tuple(self._battery),
            lanes=tuple(lane for lane in lanes if lane.spans),
            markers=tuple(self._markers),
            works=tuple(story for story in self._works.values() if story.worker or story.events),
            requests=tuple(self._requests),
            requests_dropped=self._requests_dropped,
            decisions=tuple(self._decisions),
            failures=tuple(self._failures),
        )


_WORK_HANDLERS: Final[dict[str, Callable[[RunFolder, WorkStory, TraceRecord], None]]] = {
    "work.enqueued": RunFolder._work_enqueued,
    "work.blocked": RunFolder._work_enqueued,
    "work.started": RunFolder._work_started,
    "work.finished": RunFolder._work_ended,
    "work.retry": RunFolder._work_ended,
    "work.stopped": RunFolder._work_ended,
    "work.cancelled": RunFolder._work_ended,
    "work.deleted": RunFolder._work_ended,
    "work.pruned": RunFolder._work_ended,
    "work.unblocked": RunFolder._work_other,
    "work.updated": RunFolder._work_other,
    "work.deferred": RunFolder._work_other,
    "work.progress": RunFolder._work_other,
    "work.foreground": RunFolder._work_other,
    "work.failed": RunFolder._work_other,
}
