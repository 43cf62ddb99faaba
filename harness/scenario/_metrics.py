"""A run's metrics: what ``summary.json`` shows per run and the report aggregates over seeds.

Read from the run's :class:`~harness.scenario._fold.RunFold` (gathered while the records were
written), the servers and the device after the run; never from the trace. Every run has every
key of :func:`run_metrics`; a measure that has nothing to measure (no server change, no
successful run) is ``None`` (``null`` in the file). Sync latencies are also kept as samples
(:func:`run_samples`), so the report can take percentiles over the pooled values of many seeds.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from harness._units import MS_PER_DAY, MS_PER_HOUR
from harness.backends import Internet
from harness.scenario._fold import RunFold
from harness.scenario._measures import TRANSPORTS

if TYPE_CHECKING:
    from harness.scenario._world import World

#: A metric's value; ``None`` when the run had nothing to measure.
Metric = int | float | None


def percentile(values: Sequence[int | float], p: float) -> int | float | None:
    """The nearest-rank ``p``-th percentile of ``values`` (sorted or not): the smallest value
    with at least ``p`` % of the values at or below it (Hyndman and Fan's definition 1, the
    "nearest rank" method); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def first_received(internet: Internet) -> dict[str, int]:
    """Each item id the servers received, with the time of its first upload."""
    received: dict[str, int] = {}
    for backend in internet.backends:
        for resource in backend.resources.values():
            for upload in resource.uploads:
                for item_id in upload.item_ids:
                    received.setdefault(item_id, upload.t_ms)
    return received


def sync_latencies(fold: RunFold) -> tuple[list[int], int]:
    """Time from each server-side change to the first successful fetch at or after it (the data
    on the phone, as ``synced_within`` measures it), and how many changes no fetch followed."""
    fetches = fold.successful_fetch_ms
    latencies: list[int] = []
    unsynced = 0
    for changed_ms, _path in fold.server_changes:
        position = bisect.bisect_left(fetches, changed_ms)
        if position < len(fetches):
            latencies.append(fetches[position] - changed_ms)
        else:
            unsynced += 1
    return latencies, unsynced


def upload_latencies(fold: RunFold, received: Mapping[str, int]) -> list[int]:
    """Time from each item the user created to its first upload (items never sent are lost)."""
    return [
        received[item_id] - created_ms
        for created_ms, item_id in fold.created_items
        if item_id in received
    ]


def staleness(fold: RunFold, duration_ms: int) -> tuple[int, float]:
    """The longest time without a successful fetch (as ``max_staleness`` counts it, from the
    start to the end), and the mean age of the phone's data over the run (time-weighted: a gap
    of ``g`` ms adds ``g**2 / 2`` to the integral of the age)."""
    marks = [0, *fold.successful_fetch_ms, duration_ms]
    gaps = [end - start for start, end in itertools.pairwise(marks)]
    worst = max(gaps, default=0)
    mean = sum(gap * gap for gap in gaps) / 2 / duration_ms if duration_ms > 0 else 0.0
    return worst, mean


def periodic_runs(fold: RunFold, world: World, duration_ms: int) -> tuple[int, int]:
    """Runs of periodic work that ended (finished or failed; a retry does not end a period) and
    the runs asked for: a period per ``interval`` from the first enqueue to the end of the run
    (or the work's cancellation)."""
    measures = fold.measures
    done = requested = 0
    for package in world.runtime.packages:
        for spec in world.runtime.database(package).work_spec_dao.all_work_specs():
            if not spec.is_periodic or spec.id not in measures.enqueued_at:
                continue
            until = measures.cancelled_at.get(spec.id, duration_ms)
            requested += max(until - measures.enqueued_at[spec.id], 0) // spec.interval_duration
            done += measures.runs_ended[spec.id]
    return done, requested


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def run_metrics(fold: RunFold, world: World, duration_ms: int) -> dict[str, Metric]:
    """Every metric of a run (docs/report-schema.md lists them)."""
    per_hour_requests = world.internet.requests_per_hour()
    measures = fold.measures
    received = first_received(world.internet)
    latencies, unsynced = sync_latencies(fold)
    uploads = upload_latencies(fold, received)
    worst_gap, mean_age = staleness(fold, duration_ms)
    done, requested = periodic_runs(fold, world, duration_ms)
    hours = duration_ms / MS_PER_HOUR
    days = duration_ms / MS_PER_DAY
    duplicates = sum(
        len(resource.duplicate_ids())
        for backend in world.internet.backends
        for resource in backend.resources.values()
    )
    metrics: dict[str, Metric] = {
        "requests": fold.requests,
        "request_errors": fold.request_errors,
        "work_runs": fold.work_runs,
        "successful_runs": fold.successful_runs,
        "wakeups": fold.wakeups,
        "max_wakeups_per_hour": fold.max_wakeups_per_hour,
        "max_requests_per_hour": max(per_hour_requests.values(), default=0),
        "bytes_metered": fold.bytes_metered,
        "bytes_unmetered": fold.bytes_unmetered,
        "notifications": len(world.runtime.notifications),
        "server_changes": len(fold.server_changes),
        "changes_unsynced": unsynced,
        "sync_latency_p50_ms": percentile(latencies, 50),
        "sync_latency_p90_ms": percentile(latencies, 90),
        "sync_latency_p99_ms": percentile(latencies, 99),
        "sync_latency_max_ms": max(latencies, default=None),
        "upload_latency_max_ms": max(uploads, default=None),
        "staleness_max_ms": worst_gap if measures.gets else None,
        "staleness_mean_ms": round(mean_age) if measures.gets else None,
        "periodic_runs": done,
        "periodic_runs_requested": requested,
        "retries": measures.retries,
        "backoff_ms": measures.backoff_ms(duration_ms),
        "stops": sum(measures.stop_reasons.values()),
        "deferrals": sum(measures.deferral_reasons.values()),
        "wakeups_per_hour": _rounded(fold.wakeups / hours if hours else None),
        "max_device_wakeups_per_hour": measures.max_device_wakeups_per_hour,
        **{f"bytes_{name.lower()}": measures.bytes_by_transport[name] for name in TRANSPORTS},
        "bytes_other": measures.bytes_by_transport["other"],
        "max_cellular_bytes_per_day": measures.max_cellular_bytes_per_day,
        "longest_work_run_ms": max(measures.longest_run_ms, measures.still_running(duration_ms)),
        "max_work_running_ms_per_day": measures.max_running_ms_per_day,
        "items_created": len(fold.created_items),
        "items_lost": sum(1 for _, item_id in fold.created_items if item_id not in received),
        "items_duplicated": duplicates,
    }
    metrics.update(world.metrics())
    used = metrics["battery_mah_used"] or 0
    by_work = metrics["battery_mah_used_by_work"] or 0
    metrics["battery_mah_per_day"] = _rounded(used / days if days else None)
    successes = fold.successful_runs
    metrics["battery_mah_per_sync"] = _rounded(by_work / successes if successes else None, 4)
    return metrics


def run_samples(fold: RunFold, world: World) -> dict[str, list[int]]:
    """The values behind the latency percentiles, for pooling over seeds and devices."""
    latencies, _ = sync_latencies(fold)
    return {
        "sync_latency_ms": latencies,
        "upload_latency_ms": upload_latencies(fold, first_received(world.internet)),
    }


def run_reasons(fold: RunFold) -> dict[str, dict[str, int]]:
    """Why works stopped (``work.stopped`` stop reasons) and why due jobs waited
    (``job.deferred`` reasons, particulars removed), with how often."""
    measures = fold.measures
    return {
        "stopped": dict(sorted(measures.stop_reasons.items())),
        "deferred": dict(sorted(measures.deferral_reasons.items())),
    }


def numeric(values: Iterable[Metric]) -> list[int | float]:
    """The values that were measured (``None`` left out)."""
    return [value for value in values if value is not None]
