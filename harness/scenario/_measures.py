"""``Measures``: what the report's metrics need beyond the checks, folded as records are written.

:class:`~harness.scenario._fold.RunFold` owns one and hands it the records it reads (the
kinds of :attr:`Measures.handlers`); like the fold it keeps only small facts: counts, sums,
per-day maxima, and one start time per running work. The metrics
(``harness.scenario._metrics``) read it when the run has ended.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Final

from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.sim import TraceRecord

#: The transports a request can use (``NetworkCapabilities.TRANSPORT_*``), as the trace names
#: them; bytes of a request with no transport (no network) count under ``other``.
TRANSPORTS: Final = ("WIFI", "CELLULAR", "ETHERNET")

#: Numbers, times and durations inside a deferral reason: two deferrals for one cause but
#: another instant or another count of seconds are one reason.
_NUMBERS: Final = re.compile(r"\d[\w:.]*")


def deferral_kind(reason: str) -> str:
    """A ``job.deferred`` reason without its particulars: the blocker and its first detail,
    numbers shown as ``#`` (``"out of quota: standby bucket RARE"``,
    ``"waiting until # (initial delay, period or backoff)"``)."""
    head = ": ".join(reason.split(": ")[:2])
    return _NUMBERS.sub("#", head)


class Measures:
    """Counters for the report's metrics (see the module docs)."""

    def __init__(self) -> None:
        #: request bytes (up + down) per transport name, ``other`` without one
        self.bytes_by_transport: Counter[str] = Counter()
        #: GET requests made (a run without any fetches nothing: its staleness is not measured)
        self.gets = 0
        #: ``device.wakeup`` records (the device leaving suspend) in the busiest virtual hour
        self.max_device_wakeups_per_hour = 0
        self._wakeup_hour = (-1, 0)
        #: cellular bytes of the busiest virtual day (records come in time order)
        self.max_cellular_bytes_per_day = 0
        self._cellular_day = (-1, 0)
        #: ``work.retry`` records, and the backoff each asked for: ``(t_ms, next_run_time_ms)``
        self.retries = 0
        self.backoffs: list[tuple[int, int]] = []
        #: ``work.stopped`` stop reasons and ``job.deferred`` reasons (:func:`deferral_kind`)
        self.stop_reasons: Counter[str] = Counter()
        self.deferral_reasons: Counter[str] = Counter()
        #: when each work was first enqueued, and how many runs of it ended (finished or failed
        #: to the end; a retry or a stop does not end a period)
        self.enqueued_at: dict[str, int] = {}
        self.runs_ended: Counter[str] = Counter()
        #: when each cancelled work was cancelled (its periods stop being requested then)
        self.cancelled_at: dict[str, int] = {}
        #: a running attempt's start per work id; the longest attempt; running time per day
        self._running: dict[str, int] = {}
        self.longest_run_ms = 0
        self.running_ms = 0
        self.max_running_ms_per_day = 0
        self._running_day = (-1, 0)
        self.handlers: dict[str, Callable[[TraceRecord], None]] = {
            "http.request": self._http_request,
            "work.enqueued": self._work_enqueued,
            "work.started": self._work_started,
            "work.finished": self._work_finished,
            "work.retry": self._work_retry,
            "work.stopped": self._work_stopped,
            "work.cancelled": self._work_cancelled,
            "device.wakeup": self._device_wakeup,
            "job.deferred": self._job_deferred,
        }

    def _http_request(self, record: TraceRecord) -> None:
        fields = record.fields
        size = int(fields.get("bytes_up", 0)) + int(fields.get("bytes_down", 0))
        self.gets += fields.get("method") == "GET"
        transport = fields.get("transport")
        name = transport if transport in TRANSPORTS else "other"
        self.bytes_by_transport[str(name)] += size
        if name == "CELLULAR" and size:
            day = record.t_ms // MS_PER_DAY
            current, total = self._cellular_day
            total = total + size if day == current else size
            self._cellular_day = (day, total)
            self.max_cellular_bytes_per_day = max(self.max_cellular_bytes_per_day, total)

    def _device_wakeup(self, record: TraceRecord) -> None:
        hour = record.t_ms // MS_PER_HOUR
        current, count = self._wakeup_hour
        count = count + 1 if hour == current else 1
        self._wakeup_hour = (hour, count)
        self.max_device_wakeups_per_hour = max(self.max_device_wakeups_per_hour, count)

    def _work_enqueued(self, record: TraceRecord) -> None:
        self.enqueued_at.setdefault(str(record.get("id")), record.t_ms)

    def _work_started(self, record: TraceRecord) -> None:
        self._running[str(record.get("id"))] = record.t_ms

    def _attempt_ended(self, record: TraceRecord) -> None:
        started = self._running.pop(str(record.get("id")), None)
        if started is None:
            return
        took = record.t_ms - started
        self.longest_run_ms = max(self.longest_run_ms, took)
        self.running_ms += took
        day = started // MS_PER_DAY  # an attempt counts on the day it started
        current, total = self._running_day
        total = total + took if day == current else took
        self._running_day = (day, total)
        self.max_running_ms_per_day = max(self.max_running_ms_per_day, total)

    def _work_finished(self, record: TraceRecord) -> None:
        self._attempt_ended(record)
        if record.get("result") is not None:
            self.runs_ended[str(record.get("id"))] += 1

    def _work_retry(self, record: TraceRecord) -> None:
        self._attempt_ended(record)
        self.retries += 1
        next_run = record.get("next_run_time_ms")
        if isinstance(next_run, int):
            self.backoffs.append((record.t_ms, next_run))

    def _work_stopped(self, record: TraceRecord) -> None:
        self._attempt_ended(record)
        self.stop_reasons[str(record.get("stop_reason"))] += 1

    def _work_cancelled(self, record: TraceRecord) -> None:
        self._attempt_ended(record)
        self.cancelled_at.setdefault(str(record.get("id")), record.t_ms)

    def _job_deferred(self, record: TraceRecord) -> None:
        self.deferral_reasons[deferral_kind(str(record.get("reason")))] += 1

    def backoff_ms(self, end_ms: int) -> int:
        """Time works spent waiting out a backoff, up to ``end_ms`` (each wait from the retry to
        the next run time it set; a wait still going at the end counts until then)."""
        return sum(max(min(until, end_ms) - at, 0) for at, until in self.backoffs)

    def still_running(self, end_ms: int) -> int:
        """The longest attempt still running at ``end_ms`` (a stuck job never ends)."""
        return max((end_ms - started for started in self._running.values()), default=0)
