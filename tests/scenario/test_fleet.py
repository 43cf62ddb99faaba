"""Fleets on every executor (harness/scenario/_fleet.py, _executors.py): one answer, each device
once, a dead worker's batch run again, Ctrl-C keeping what finished."""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from harness import WorkerLostError
from harness.report import FleetReport
from harness.scenario import (
    DeviceResult,
    Executor,
    InProcessExecutor,
    LocalPoolExecutor,
    load,
    run_device,
    run_fleet,
)
from tests.scenario.fleet_fixtures import always_dies, dies_once, write_fleet

T = TypeVar("T")
R = TypeVar("R")


def _fleet(
    path: Path, executor: Executor, **options: Any
) -> tuple[list[DeviceResult], FleetReport]:
    scenario = load(path)
    assert scenario.spec.population is not None
    report = FleetReport(scenario.name, scenario.path, 5, 12, scenario.spec.population.labels)
    results: list[DeviceResult] = []

    def take(result: DeviceResult) -> None:
        results.append(result)
        report.add(result)

    with executor:
        counted = run_fleet(
            scenario, fleet_seed=5, devices=12, executor=executor, on_result=take, **options
        )
    assert counted == len(results)
    return sorted(results, key=lambda result: result.device), report


def _digests(results: list[DeviceResult]) -> list[tuple[int, int, str]]:
    return [(result.device, result.seed, result.digest) for result in results]


def test_every_executor_and_batch_size_gives_the_same_answer(tmp_path: Path) -> None:
    """Device i of fleet S is a pure function of (file, S, i): in-process and on a 2-worker
    pool, in batches of 1 or 5, the per-device digests and the report are identical."""
    path = write_fleet(tmp_path)
    here, here_report = _fleet(path, InProcessExecutor(), batch_size=5)
    pooled, pool_report = _fleet(path, LocalPoolExecutor(2), batch_size=1)
    assert [result.device for result in here] == list(range(12))
    assert _digests(here) == _digests(pooled)
    assert here_report.to_json() == pool_report.to_json()
    assert [result.part for result in here] == [0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1]
    assert len({result.digest for result in here}) == 12  # every device lived its own run


def test_replaying_a_device_reproduces_its_fleet_run(tmp_path: Path) -> None:
    """`harness replay --device 6 --seed 5` runs device 6's part with device 6's seed: the
    same digest as in the fleet."""
    path = write_fleet(tmp_path)
    results, _ = _fleet(path, InProcessExecutor(), batch_size=4)
    result, part = run_device(load(path), 5, 6, keep_trace=False)
    assert part == 2
    assert result.record.digest == results[6].digest


def test_a_dead_pool_worker_loses_no_device_and_counts_none_twice(tmp_path: Path) -> None:
    """A worker killed in the middle of a batch breaks the pool: a new pool runs the batches
    that had not come back; every device is reported exactly once, with its usual digest."""
    path = write_fleet(tmp_path)
    expected, expected_report = _fleet(path, InProcessExecutor(), batch_size=3)
    runner = functools.partial(dies_once, str(tmp_path / "died"), 7)
    executor = LocalPoolExecutor(2)
    results, report = _fleet(path, executor, batch_size=3, runner=runner)
    assert (tmp_path / "died").exists()
    assert executor.pools_started == 2
    assert _digests(results) == _digests(expected)
    assert report.to_json() == expected_report.to_json()
    assert multiprocessing.active_children() == []


def test_a_batch_that_always_kills_its_worker_stops_the_fleet(tmp_path: Path) -> None:
    """A batch whose worker dies on each of its three attempts is not retried forever: the
    run stops with WorkerLostError, and no worker is left."""
    with pytest.raises(WorkerLostError, match=r"^a worker died 3 times while running FleetBatch"):
        _fleet(write_fleet(tmp_path), LocalPoolExecutor(1), batch_size=12, runner=always_dies)
    assert multiprocessing.active_children() == []


class _Twice(InProcessExecutor):
    """Hands every batch back twice, as a cluster may after it lost a finished task's worker."""

    def map_unordered(
        self, function: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        for item, result in super().map_unordered(function, items):
            yield item, result
            yield item, result


def test_a_batch_that_comes_back_twice_is_counted_once(tmp_path: Path) -> None:
    """Results are deduplicated by (device, seed): a batch run twice adds its devices once."""
    path = write_fleet(tmp_path)
    results, report = _fleet(path, _Twice(), batch_size=4)
    assert [result.device for result in results] == list(range(12))
    assert report.devices == 12


def test_ctrl_c_ends_the_pool_and_keeps_the_finished_devices(tmp_path: Path) -> None:
    """A KeyboardInterrupt while the fleet runs ends every pool worker before it propagates;
    the devices already handed over stay the caller's (the partial report)."""
    scenario = load(write_fleet(tmp_path))
    kept: list[DeviceResult] = []

    def stop_after_first(result: DeviceResult) -> None:
        kept.append(result)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), LocalPoolExecutor(2) as executor:
        run_fleet(
            scenario,
            fleet_seed=0,
            devices=12,
            executor=executor,
            on_result=stop_after_first,
            batch_size=1,
        )
    assert len(kept) == 1
    assert multiprocessing.active_children() == []


def test_the_report_does_not_depend_on_the_order_devices_arrive(tmp_path: Path) -> None:
    """Aggregates are exact sums: folding the devices in reverse gives the same fleet.json."""
    results, report = _fleet(write_fleet(tmp_path), InProcessExecutor(), batch_size=12)
    backwards = FleetReport(report.name, report.path, 5, 12, report.parts)
    for result in reversed(results):
        backwards.add(result)
    assert backwards.to_json() == report.to_json()
    data = report.to_json()
    assert data["devices"] == 12
    assert sum(part["devices"] for part in data["profiles"].values()) == 12
    assert data["metrics"]["requests"]["devices"] == 12
