"""Metrics aggregated over runs (a scenario's seeds, a fleet's devices, a whole report).

A :class:`Pool` takes one run at a time and keeps exact sums (``Fraction``), maxima, reason
counts and the pooled latency values, so the aggregate does not depend on the order runs come
in. :meth:`Pool.to_json` is the ``aggregate`` object of ``summary.json`` and ``fleet.json``::

    {"metrics": [{"name", "label", "value", "low", "high", "unit"}, ...],
     "flags": [{"name", "message"}, ...]}

``low``/``high`` bound a 95 % interval (Wilson's for proportions, Student's t for means) or are
``null`` where none is meaningful (percentiles, maxima, counts). A metric no run measured
(no server change, say) is left out. Flags follow Android vitals' thresholds (:data:`FLAGS`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

from harness._units import MS_PER_DAY, MS_PER_HOUR, format_duration_ms
from harness.report._stats import counted_percentile, mean_interval, three_digits, wilson
from harness.scenario import RunRecord

Metrics = Mapping[str, int | float | None]


@dataclass(frozen=True, slots=True)
class Flag:
    """A threshold in the spirit of an Android vitals bad behaviour, checked per run."""

    name: str
    #: the run metric compared, and the limit it must not reach
    metric: str
    limit: float
    #: what crossing it means, completed with how many runs did
    words: str
    source: str


#: The flags, each with the Android vitals page whose threshold it applies to one run:
#:
#: * excessive wakeups: "more than 10 wakeups per hour" (Play Developer Reporting API,
#:   ``vitals.excessivewakeuprate``; developer.android.com/topic/performance/vitals/wakeup);
#:   here the busiest virtual hour's ``device.wakeup`` records (the device leaving suspend for
#:   an alarm or a job; work started while the user has the phone awake does not count);
#: * excessive background network: "a combined total of 50 MB per day while running in the
#:   background" on the mobile network (developer.android.com/topic/performance/vitals/
#:   bg-network-usage); here cellular bytes in the busiest virtual day (50 MB = 50,000,000 B);
#: * stuck jobs: a partial wake lock is stuck when "at least one, hour-long, while in the
#:   background, partial wake lock occurs in a 24-hour period" (…/vitals/stuck-wakelock); a
#:   running job holds JobScheduler's wake lock, so a work attempt of an hour or more;
#: * excessive wake locks: partial wake locks "held for at least two hours within a 24-hour
#:   period" (Android vitals' excessive partial wake lock metric, 2025); here the work
#:   attempts started in the busiest virtual day, added up.
FLAGS: Final = (
    Flag(
        "excessive_wakeups",
        "max_device_wakeups_per_hour",
        10,
        "had more than 10 wake-ups in an hour (Android vitals: excessive wakeups)",
        "developer.android.com/topic/performance/vitals/wakeup",
    ),
    Flag(
        "excessive_background_network",
        "max_cellular_bytes_per_day",
        50_000_000,
        "used more than 50 MB of mobile data in a day (Android vitals: excessive "
        "background network usage)",
        "developer.android.com/topic/performance/vitals/bg-network-usage",
    ),
    Flag(
        "stuck_jobs",
        "longest_work_run_ms",
        MS_PER_HOUR - 1,
        "had a work attempt running an hour or more (Android vitals: stuck partial wake "
        "locks; a running job holds a wake lock)",
        "developer.android.com/topic/performance/vitals/stuck-wakelock",
    ),
    Flag(
        "excessive_wake_locks",
        "max_work_running_ms_per_day",
        2 * MS_PER_HOUR - 1,
        "ran work two hours or more in a day (Android vitals: excessive partial wake locks)",
        "developer.android.com/topic/performance/vitals/excessive-wakelock",
    ),
)


@dataclass(slots=True)
class _Sum:
    count: int = 0
    total: Fraction = field(default_factory=Fraction)
    squares: Fraction = field(default_factory=Fraction)
    high: float | None = None

    def add(self, value: float) -> None:
        exact = Fraction(value)
        self.count += 1
        self.total += exact
        self.squares += exact * exact
        self.high = value if self.high is None else max(self.high, value)


#: Metrics shown as a mean over runs with a t interval: (run metric, label, unit, per day).
_MEANS: Final = (
    ("staleness_mean_ms", "mean age of the phone's data", "ms", False),
    ("retries", "retries per run", "count", False),
    ("backoff_ms", "time in backoff per run", "ms", False),
    ("wakeups_per_hour", "wake-ups per hour", "1/h", False),
    ("battery_mah_per_day", "battery per day", "mAh/day", False),
    ("battery_mah_per_sync", "battery per successful run", "mAh", False),
    ("bytes_wifi", "Wi-Fi bytes per day", "B/day", True),
    ("bytes_cellular", "cellular bytes per day", "B/day", True),
    ("bytes_ethernet", "Ethernet bytes per day", "B/day", True),
)
#: Metrics shown as the largest over runs.
_MAXIMA: Final = (
    ("staleness_max_ms", "longest time without fresh data", "ms"),
    ("max_wakeups_per_hour", "wake-ups and work starts in the busiest hour", "count"),
    ("max_device_wakeups_per_hour", "device wake-ups in the busiest hour", "count"),
    ("longest_work_run_ms", "longest work attempt", "ms"),
)
#: Metrics shown as a sum over runs.
_SUMS: Final = (
    ("changes_unsynced", "server changes never fetched", "count"),
    ("items_lost", "items lost (never reached a server)", "count"),
    ("items_duplicated", "items applied twice", "count"),
)
#: Pooled samples and their percentiles.
_PERCENTILES: Final = (
    ("sync_latency_ms", "sync_latency", "server change to phone", (50, 90, 99)),
    ("upload_latency_ms", "upload_latency", "item created to server", (50, 90)),
)


class Pool:
    """Runs folded one at a time (see the module docs). ``coarse`` keeps latency values at three
    significant digits (:func:`three_digits`): a fleet's memory stays bounded."""

    def __init__(self, *, coarse: bool = False) -> None:
        self._round: Callable[[int], int] = three_digits if coarse else int
        self.runs = 0
        self.passed = 0
        self._sums: dict[str, _Sum] = {}
        self._samples: dict[str, Counter[int]] = {}
        self._reasons: dict[str, Counter[str]] = {}
        self._flagged: Counter[str] = Counter()
        self._worst: dict[str, float] = {}

    def add(
        self,
        passed: bool,
        metrics: Metrics,
        samples: Mapping[str, Sequence[int]] | None = None,
        reasons: Mapping[str, Mapping[str, int]] | None = None,
        duration_ms: int = 0,
    ) -> None:
        """Fold one run: whether it passed, its metrics, samples, reasons and length."""
        self.runs += 1
        self.passed += passed
        days = duration_ms / MS_PER_DAY
        for name, _label, _unit, per_day in _MEANS:
            value = metrics.get(name)
            if value is not None and (not per_day or days > 0):
                self._sum(name).add(value / days if per_day else value)
        for name in ("successful_runs", "work_runs", "periodic_runs", "periodic_runs_requested"):
            self._sum(name).add(metrics.get(name) or 0)
        for name, *_ in (*_MAXIMA, *_SUMS):
            value = metrics.get(name)
            if value is not None:
                self._sum(name).add(value)
        for name, values in (samples or {}).items():
            self._samples.setdefault(name, Counter()).update(self._round(v) for v in values)
        for kind, counts in (reasons or {}).items():
            self._reasons.setdefault(kind, Counter()).update(counts)
        for flag in FLAGS:
            value = metrics.get(flag.metric)
            if value is not None and value > flag.limit:
                self._flagged[flag.name] += 1
                self._worst[flag.name] = max(self._worst.get(flag.name, value), value)

    def _sum(self, name: str) -> _Sum:
        return self._sums.setdefault(name, _Sum())

    def metrics(self) -> list[dict[str, Any]]:
        """The ``aggregate.metrics`` list."""
        out: list[dict[str, Any]] = []
        if self.runs:
            low, high = wilson(self.passed, self.runs)
            out.append(
                _metric("pass_rate", "runs passing", self.passed / self.runs, "ratio", low, high)
            )
        started = self._sums.get("work_runs")
        succeeded = self._sums.get("successful_runs")
        if started is not None and succeeded is not None and started.total > 0:
            trials, successes = int(started.total), min(int(succeeded.total), int(started.total))
            low, high = wilson(successes, trials)
            label = "sync success rate (successful work runs / runs started)"
            out.append(_metric("sync_success_rate", label, successes / trials, "ratio", low, high))
        for sample, name, words, percentiles in _PERCENTILES:
            counts = self._samples.get(sample)
            if not counts:
                continue
            for p in percentiles:
                value = counted_percentile(counts, p)
                out.append(_metric(f"{name}_p{p}_ms", f"{words}, p{p}", value, "ms"))
            out.append(_metric(f"{name}_max_ms", f"{words}, max", max(counts), "ms"))
        done, asked = self._sums.get("periodic_runs"), self._sums.get("periodic_runs_requested")
        if done is not None and asked is not None and asked.total > 0:
            ratio = float(done.total / asked.total)
            out.append(
                _metric("periodic_run_ratio", "periodic runs / periods asked", ratio, "ratio")
            )
        for name, label, unit, _ in _MEANS:
            summed = self._sums.get(name)
            if summed is not None and summed.count:
                mean, low, high = mean_interval(summed.count, summed.total, summed.squares)
                # every mean here is of values that cannot be negative (ages, counts, charge,
                # bytes): a t interval reaching below zero (few runs, most of them at zero) is
                # cut at zero, the least such a mean can be
                out.append(_metric(name, label, mean, unit, max(low, 0.0), high))
        for name, label, unit in _MAXIMA:
            summed = self._sums.get(name)
            if summed is not None and summed.high is not None:
                out.append(_metric(name, label, summed.high, unit))
        for name, label, unit in _SUMS:
            summed = self._sums.get(name)
            if summed is not None and summed.count:
                out.append(_metric(name, label, int(summed.total), unit))
        for kind, words in (("stopped", "stopped"), ("deferred", "deferred")):
            for reason, count in sorted(self._reasons.get(kind, Counter()).items()):
                out.append(_metric(f"{kind}:{reason}", f"{words}: {reason}", count, "count"))
        return out

    def flags(self) -> list[dict[str, str]]:
        """The ``aggregate.flags`` list: each threshold some run crossed, with how many did."""
        out: list[dict[str, str]] = []
        for flag in FLAGS:
            count = self._flagged.get(flag.name, 0)
            if not count:
                continue
            worst = self._worst[flag.name]
            shown = format_duration_ms(int(worst)) if flag.metric.endswith("_ms") else f"{worst:g}"
            out.append(
                {
                    "name": flag.name,
                    "message": f"{count} of {self.runs} runs {flag.words}; worst {shown} "
                    f"({flag.source})",
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``aggregate`` object."""
        return {"metrics": self.metrics(), "flags": self.flags()}


def _metric(
    name: str,
    label: str,
    value: float | None,
    unit: str,
    low: float | None = None,
    high: float | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "value": _tidy(value),
        "low": _tidy(low),
        "high": _tidy(high),
        "unit": unit,
    }


def _tidy(value: float | None) -> float | int | None:
    """Integers stay integers; floats keep six significant digits (a stable, readable file)."""
    if value is None or isinstance(value, int):
        return value
    if float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return float(f"{value:.6g}")


def pool_of(records: Sequence[RunRecord]) -> Pool:
    """The pool of finished runs (exact latency values)."""
    pool = Pool()
    for record in records:
        pool.add(record.passed, record.metrics, record.samples, record.reasons, record.duration_ms)
    return pool
