"""``RunPicture``: what one run's timeline and work inspector show (device lanes, markers, each
work's story, HTTP requests and the app's failures), as ``RunFolder`` (``_folder.py``) folds
them from the trace in one pass.

Lists a person reads in a table are capped at :data:`TABLE_ROWS` rows with exact counts, so a
device-week stays a page, not a dump; what the picture draws with a tooltip is exactly what a
table lists (the tooltip's row), so nothing needs a mouse.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any, Final

from harness.report._reasons import ReasonClass, reason_class

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
    #: the row's name when it is not a WorkManager work (an iOS task: ``BGAppRefreshTask ID``)
    title: str = ""
    _open: tuple[int, Phase, str] | None = None

    @property
    def short_worker(self) -> str:
        """The worker class without its module."""
        return self.worker.rsplit(".", 1)[-1]

    @property
    def label(self) -> str:
        """``SyncWorker 1062e347`` (with its unique name when it has one); an iOS task's
        ``title``."""
        if self.title:
            return self.title
        name = f" '{self.unique_name}'" if self.unique_name else ""
        return f"{self.short_worker}{name} {self.id[:8]}"

    @property
    def short_label(self) -> str:
        """``SyncWorker 1062e347``: the picture's row label (an iOS task's identifier)."""
        if self.title:
            return self.unique_name or self.title
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
