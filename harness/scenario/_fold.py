"""``RunFold``: what the built-in checks and the metrics need, gathered as records are written.

The runner subscribes one fold to the trace before the world is built, so every record passes
through :meth:`RunFold.feed` once, as it is emitted, and the fold keeps only small facts (counts,
per-hour counters, the times of successful fetches, the first few violations). The built-in
checks and the metrics then read the fold, never the trace: a device-year's checks cost what a
month's do, and a streamed trace is not read back after the run.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from harness._units import MS_PER_HOUR
from harness.scenario._measures import Measures
from harness.sim import TraceRecord

#: How many violations of one kind a fold keeps for a check's details (the count is exact).
MAX_DETAILS: Final = 5

#: An HTTP record whose error starts so was cut off under the app (a stopped worker, a
#: destroyed engine), not by the process dying.
_CUT_PREFIX: Final = "cancelled: the caller"


@dataclass(frozen=True, slots=True)
class Violation:
    """One record a check reports: when, and what (``"GET https://..."``)."""

    t_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class Crash:
    """App code that raised: when it failed (``failed_at_ms`` for failures found at the end),
    the record's kind and its error."""

    failed_at_ms: int
    kind: str
    error: object


class _Firsts:
    """A count and the first :data:`MAX_DETAILS` violations."""

    __slots__ = ("count", "first")

    def __init__(self) -> None:
        self.count = 0
        self.first: list[Violation] = []

    def add(self, t_ms: int, text: str) -> None:
        self.count += 1
        if len(self.first) < MAX_DETAILS:
            self.first.append(Violation(t_ms, text))


#: The method of :class:`RunFold` that takes each kind it reads.
_HANDLERS: Final = {
    "http.request": "_http_request",
    "http.unmatched": "_http_unmatched",
    "device.network": "_network",
    "work.started": "_work_started",
    "work.finished": "_work_finished",
    "work.failed": "_work_failed",
    "work.enqueued": "_work_enqueued",
    "device.wakeup": "_wakeup",
    "flutter.engine_destroyed": "_engine_destroyed",
    "app.action": "_app_action",
    "app.crash": "_crash",
    "flutter.task_error": "_crash",
    "sim.task_error": "_crash",
    "backend.items_added": "_server_change",
    "backend.items_updated": "_server_change",
    # iOS: a background launch is a run, a task the app completed successfully a successful one
    "ios.launch": "_work_started",
    "ios.completed": "_ios_completed",
    # background_fetch on Android: an event is a run, a task finished in time a successful one
    # (on iOS its launches are counted by the ios.* records above)
    "bgfetch.event": "_fetch_event",
    "bgfetch.finished": "_fetch_finished",
}


def _both(
    first: Callable[[TraceRecord], None], second: Callable[[TraceRecord], None]
) -> Callable[[TraceRecord], None]:
    def handle(record: TraceRecord) -> None:
        first(record)
        second(record)

    return handle


class RunFold:
    """Facts about a run, folded from its trace records one at a time (:meth:`feed`)."""

    def __init__(self) -> None:
        self.requests = 0
        self.request_errors = 0
        self.bytes_metered = 0
        self.bytes_unmetered = 0
        self.work_runs = 0
        #: times a job or an alarm woke the device (``device.wakeup`` records)
        self.wakeups = 0
        self.successful_runs = 0
        #: virtual hours with work starts or device wake-ups, and how many each had (records
        #: come in time order, so an hour's count is final once the next hour starts)
        self._wakeup_hours = array("q")
        self._wakeup_counts = array("q")
        #: times of GETs answered 2xx or 304, in order (machine integers: a year holds 20,000)
        self.successful_fetch_ms = array("q")
        #: requests cut off under the app (``responses_processed``)
        self.cut_requests = _Firsts()
        #: requests cut at the instant the network they used went away: the connection was
        #: lost under them, which no app code could have prevented
        self.connections_lost = 0
        #: the last network change: its time and the transports connected after it
        self._network_change = (-1, frozenset[str]())
        #: ``(t_ms, reason)`` of engines destroyed with tasks in flight
        self.engines_destroyed: list[tuple[int, str]] = []
        #: ``(t_ms, item_id)`` of items the user created, in order
        self.created_items: list[tuple[int, str]] = []
        #: ``(t_ms, path)`` of server-side changes
        self.server_changes: list[tuple[int, str]] = []
        self.crashes: list[Crash] = []
        self.unmatched = _Firsts()
        #: WorkManager's warnings on enqueue (clamped intervals), first occurrence order
        self.enqueue_warnings: dict[str, None] = {}
        #: what the report's metrics need besides (bytes per transport, retries, reasons, ...)
        self.measures = Measures()
        self._handlers: dict[str, Callable[[TraceRecord], None]] = {
            kind: getattr(self, method) for kind, method in _HANDLERS.items()
        }
        for kind, measure in self.measures.handlers.items():
            own = self._handlers.get(kind)
            self._handlers[kind] = measure if own is None else _both(own, measure)

    #: The kinds a fold reads (every other record passes through untouched).
    KINDS: Final = tuple(sorted({*_HANDLERS, *Measures().handlers}))

    def feed(self, record: TraceRecord) -> None:
        """Take one record into account (a trace subscriber: called as each is emitted)."""
        handler = self._handlers.get(record.kind)
        if handler is not None:
            handler(record)

    @classmethod
    def of(cls, records: Iterable[TraceRecord]) -> RunFold:
        """A fold of records already written (a trace read back)."""
        fold = cls()
        for record in records:
            fold.feed(record)
        return fold

    def _http_request(self, record: TraceRecord) -> None:
        fields = record.fields
        self.requests += 1
        error = fields.get("error")
        if error:
            self.request_errors += 1
            if not str(error).startswith(_CUT_PREFIX):
                pass
            elif self._lost_network_under(record.t_ms, fields.get("transport")):
                self.connections_lost += 1
            else:
                self.cut_requests.add(record.t_ms, f"{fields['method']} {fields['url']}")
        metered = fields.get("metered")
        if metered is not None:
            size = fields.get("bytes_up", 0) + fields.get("bytes_down", 0)
            if metered:
                self.bytes_metered += size
            elif metered is False:
                self.bytes_unmetered += size
        status = fields.get("status")
        if (
            fields.get("method") == "GET"
            and isinstance(status, int)
            and (200 <= status < 300 or status == 304)
        ):
            self.successful_fetch_ms.append(record.t_ms)

    def _network(self, record: TraceRecord) -> None:
        self._network_change = (record.t_ms, frozenset(record.fields.get("connected", ())))

    def _lost_network_under(self, t_ms: int, transport: object) -> bool:
        """Whether the network a request used went away at the instant it was cut: the stop
        that cut it (JobScheduler's connectivity constraint) and the lost connection are one
        event, and on a phone the request fails with the network either way."""
        changed_at, connected = self._network_change
        return changed_at == t_ms and transport not in connected

    def _http_unmatched(self, record: TraceRecord) -> None:
        self.unmatched.add(record.t_ms, f"{record['method']} {record['url']}")

    @property
    def wakeups_per_hour(self) -> Counter[int]:
        """Work starts and device wake-ups per virtual hour (busy hours only)."""
        return Counter(dict(zip(self._wakeup_hours, self._wakeup_counts, strict=True)))

    @property
    def max_wakeups_per_hour(self) -> int:
        """The busiest hour's work starts and wake-ups (0 with none)."""
        return max(self._wakeup_counts, default=0)

    def _work_started(self, record: TraceRecord) -> None:
        self.work_runs += 1
        self._wakeup(record)

    def _wakeup(self, record: TraceRecord) -> None:
        if record.kind == "device.wakeup":
            self.wakeups += 1
        hour = record.t_ms // MS_PER_HOUR
        if self._wakeup_hours and self._wakeup_hours[-1] == hour:
            self._wakeup_counts[-1] += 1
        else:
            self._wakeup_hours.append(hour)
            self._wakeup_counts.append(1)

    def _work_finished(self, record: TraceRecord) -> None:
        if record.get("result") == "success":
            self.successful_runs += 1

    def _ios_completed(self, record: TraceRecord) -> None:
        if record.get("success") is True:
            self.successful_runs += 1

    def _fetch_event(self, record: TraceRecord) -> None:
        if record.get("platform") == "android" and not record.get("timeout"):
            self._work_started(record)

    def _fetch_finished(self, record: TraceRecord) -> None:
        if record.get("platform") == "android" and not record.get("timed_out"):
            self.successful_runs += 1

    def _work_failed(self, record: TraceRecord) -> None:
        if record.get("phase") != "on_stopped":
            self._crash(record)

    def _work_enqueued(self, record: TraceRecord) -> None:
        for warning in record.get("warnings") or ():
            self.enqueue_warnings.setdefault(str(warning), None)

    def _engine_destroyed(self, record: TraceRecord) -> None:
        if record.get("cut_off_tasks"):
            self.engines_destroyed.append((record.t_ms, str(record.get("reason"))))

    def _app_action(self, record: TraceRecord) -> None:
        self.created_items.extend(
            (record.t_ms, str(item_id)) for item_id in record.get("created_ids") or ()
        )

    def _crash(self, record: TraceRecord) -> None:
        # a failure nobody awaited is recorded when the run stops, with the time it happened
        failed_at_ms = record.get("failed_at_ms")
        self.crashes.append(
            Crash(
                failed_at_ms if isinstance(failed_at_ms, int) else record.t_ms,
                record.kind,
                record.get("error"),
            )
        )

    def _server_change(self, record: TraceRecord) -> None:
        self.server_changes.append((record.t_ms, str(record.get("path"))))
