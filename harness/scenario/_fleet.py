"""Fleets: run every device of a scenario's ``population:`` in batches, on any executor.

Device ``i`` of the fleet with seed ``S`` is the scenario with part
:func:`~harness.scenario._population.assign_profile` ``(i)``'s device profile and overrides, run
with seed :func:`~harness.scenario._population.device_seed` ``(S, i)``: a pure function of the
file, ``S`` and ``i``, so every executor and worker count gives the same per-device digests.

:func:`run_fleet` deals devices into :class:`FleetBatch` es (a batch per task keeps the
per-task overhead small), hands them to an executor
(:mod:`harness.scenario._executors`), and passes each :class:`DeviceResult` to ``on_result`` as
its batch comes back, once: a batch retried after its worker died, or run twice by a cluster,
is counted once (a bitmap of done devices, one bit each, deduplicates by (device, seed)).
Nothing of a device is kept here after ``on_result`` returned, so memory does not grow with
the fleet.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness._exceptions import HarnessError, ScenarioError
from harness.device import load_profile
from harness.scenario._life_spec import LifeSpec, life_data
from harness.scenario._loader import Scenario, load
from harness.scenario._population import ProfileDeal, ProfileShare, assign_profile, device_seed
from harness.scenario._record import RunRecord
from harness.scenario._schema import DeviceSpec

if TYPE_CHECKING:
    from harness.scenario._executors import Executor
    from harness.scenario._runner import RunResult


@dataclass(frozen=True, slots=True)
class FleetBatch:
    """Devices ``start`` .. ``start + len(parts) - 1`` of one fleet, with each one's part."""

    path: str
    fleet_seed: int
    start: int
    parts: tuple[int, ...]

    @property
    def devices(self) -> range:
        """The device numbers of the batch."""
        return range(self.start, self.start + len(self.parts))


@dataclass(frozen=True, slots=True)
class DeviceResult:
    """One device of a fleet: what the fleet report folds. ``record`` is kept for failures only
    (with their check messages and notes); a passing device is its digest and metrics."""

    device: int
    seed: int
    part: int
    passed: bool
    digest: str
    real_seconds: float
    metrics: Mapping[str, int | float | None]
    failed_checks: tuple[str, ...] = ()
    record: RunRecord | None = None
    #: the run's latency samples, stop and deferral reasons, and virtual length (the fleet
    #: report's aggregate pools them)
    samples: Mapping[str, Sequence[int]] = field(default_factory=dict)
    reasons: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    duration_ms: int = 0

    @staticmethod
    def of(device: int, part: int, record: RunRecord) -> DeviceResult:
        """The result of ``record``, the run of ``device`` (in ``part``)."""
        failed = tuple(check.spec for check in record.failed_checks)
        if record.error is not None:
            failed = ("run error", *failed)
        return DeviceResult(
            device=device,
            seed=record.seed,
            part=part,
            passed=record.passed,
            digest=record.digest,
            real_seconds=record.real_seconds,
            metrics=dict(record.metrics),
            failed_checks=failed,
            record=None if record.passed else record,
            samples=record.samples,
            reasons=record.reasons,
            duration_ms=record.duration_ms,
        )


def fleet_replay_command(path: str, fleet_seed: int, device: int) -> str:
    """The command that re-runs exactly device ``device`` of the fleet with seed ``fleet_seed``."""
    return f"harness replay {path} --device {device} --seed {fleet_seed}"


def device_scenarios(scenario: Scenario) -> tuple[Scenario, ...]:
    """``scenario`` once per population part: the part's profile and overrides as its device."""
    population = scenario.spec.population
    if population is None:
        raise ScenarioError(
            "the scenario has no 'population:' section, so it is one device, not a fleet; "
            "add a population (docs/fleets.md) or run it without --devices/--device",
            file=scenario.path,
        )
    return tuple(
        dataclasses.replace(
            scenario,
            spec=scenario.spec.model_copy(
                update={
                    "device": DeviceSpec(profile=part.profile, overrides=dict(part.overrides)),
                    "life": _part_life(scenario, part),
                }
            ),
        )
        for part in population.profiles
    )


def _part_life(scenario: Scenario, part: ProfileShare) -> LifeSpec | None:
    """The life a part's devices draw: the part's own ``life:``, else the scenario's, else the
    one its device profile carries (as a one-phone scenario takes its profile's)."""
    if part.life is not None:
        return part.life
    if scenario.spec.life is not None:
        return scenario.spec.life
    try:
        life = load_profile(part.profile, dict(part.overrides) or None).life
    except HarnessError:  # a bad profile or override: the preflight reports it at the part
        return None
    return None if life is None else LifeSpec.model_validate(life_data(life))


def run_device(
    scenario: Scenario,
    fleet_seed: int,
    device: int,
    *,
    trace_path: str | Path | None = None,
    keep_trace: bool = True,
) -> tuple[RunResult, int]:
    """Run device ``device`` of the fleet with seed ``fleet_seed`` in this process (``harness
    replay --device``); the live result and the device's part."""
    from harness.scenario._runner import run_scenario

    variants = device_scenarios(scenario)
    assert scenario.spec.population is not None  # device_scenarios raised otherwise
    part = assign_profile(scenario.spec.population.shares, device)
    seed = device_seed(fleet_seed, device)
    result = run_scenario(variants[part], seed, trace_path=trace_path, keep_trace=keep_trace)
    return result, part


@functools.lru_cache(maxsize=16)
def _variants_once(path: str) -> tuple[Scenario, ...]:
    """A worker runs many devices of few fleets: load and check each file once per process."""
    return device_scenarios(load(path))


def run_batch(batch: FleetBatch) -> tuple[DeviceResult, ...]:
    """Run every device of ``batch`` (in a worker: a pool process, a Dask worker, or here)."""
    from harness.scenario._runner import run_scenario

    variants = _variants_once(batch.path)
    results = []
    for device, part in zip(batch.devices, batch.parts, strict=True):
        seed = device_seed(batch.fleet_seed, device)
        # a failing device is not run again to explain it (a fleet's failures can be many):
        # `harness replay --device` and `harness why` do that for one device
        record = run_scenario(variants[part], seed, keep_trace=False, explain=False).record
        results.append(DeviceResult.of(device, part, record))
    return tuple(results)


def batches(
    scenario: Scenario, fleet_seed: int, devices: int, batch_size: int
) -> Iterator[FleetBatch]:
    """The fleet's devices 0 .. ``devices - 1`` dealt into batches of ``batch_size``, lazily."""
    population = scenario.spec.population
    if population is None:
        device_scenarios(scenario)  # raises the error that says what to do
        return
    deal = ProfileDeal(population.shares)
    for start in range(0, devices, batch_size):
        stop = min(start + batch_size, devices)
        parts = tuple(deal.next() for _ in range(start, stop))
        yield FleetBatch(scenario.path, fleet_seed, start, parts)


def default_batch_size(devices: int, workers: int) -> int:
    """About eight batches per worker (a slow batch at the end waits less), 1 to 32 devices."""
    return max(1, min(32, devices // max(1, workers * 8)))


def run_fleet(
    scenario: Scenario,
    *,
    fleet_seed: int,
    devices: int,
    executor: Executor,
    on_result: Callable[[DeviceResult], None],
    batch_size: int | None = None,
    runner: Callable[[FleetBatch], tuple[DeviceResult, ...]] = run_batch,
) -> int:
    """Run devices 0 .. ``devices - 1`` of the fleet on ``executor``; each device's result goes
    to ``on_result`` once, in the order batches finish. Returns how many devices ran.

    An exception (Ctrl-C's ``KeyboardInterrupt``) propagates after the executor ended its
    workers; ``on_result`` has had every device that finished. ``runner`` runs one batch in a
    worker (tests pass one that kills its worker once).
    """
    size = batch_size or default_batch_size(devices, executor.workers)
    done = bytearray((devices + 7) // 8)
    counted = 0
    for batch, results in executor.map_unordered(
        runner, batches(scenario, fleet_seed, devices, size)
    ):
        for result in results:
            expected = device_seed(batch.fleet_seed, result.device)
            if result.seed != expected:  # pragma: no cover - a worker ran another fleet
                raise RuntimeError(f"device {result.device} ran with seed {result.seed}")
            byte, bit = divmod(result.device, 8)
            if done[byte] >> bit & 1:
                continue  # the batch ran twice (retried after a worker died): count it once
            done[byte] |= 1 << bit
            counted += 1
            on_result(result)
    return counted
