"""(fleet) A fleet on each executor: device-days per real second, 1 and 2 workers, Dask's cost.

Each side runs the example fleet (``examples/fleets/hourly_fleet.yaml``, a device-day each)
with :func:`~harness.scenario.run_fleet` on one executor, in wall time (what workers buy): the
in-process executor, the local pool with 1 and 2 workers, and a Dask ``LocalCluster`` with 1 and
2 workers when Dask is installed (the ``dask`` extra). A cluster or pool is started before its
side's clock starts and closed after it stops: the rows compare running devices, not starting
clusters. The rows are ratios measured in one run: 2 workers against 1 on each executor, and
Dask's wall time per device against the local pool's (its per-device overhead, printed in ms).

Issue 15 gives no targets for this case: the rows are information and the case exits 0.
``--quick``: 4 devices, the in-process and pool executors only (no Dask: no sockets in tests).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from pathlib import Path

from benchmarks._measure import ROOT, interleave
from benchmarks._result import Result, Samples
from harness._units import MS_PER_DAY
from harness.scenario import (
    DeviceResult,
    Executor,
    ExecutorKind,
    load,
    make_executor,
    run_fleet,
)
from harness.sim import real_perf_counter

CASE = "fleet"
TITLE = "a fleet on each executor: device-days per second, 1 and 2 workers, Dask's overhead"
REPEATS = 2
#: The fleet every side runs (tests point this at a smaller one).
FLEET = ROOT / "examples" / "fleets" / "hourly_fleet.yaml"
DEVICES = 200
QUICK_DEVICES = 4
#: Whether the Dask sides run (the ``dask`` extra is installed).
HAVE_DASK = importlib.util.find_spec("distributed") is not None


def _side(
    path: Path, kind: ExecutorKind, workers: int, devices: int
) -> Callable[[], Mapping[str, float]]:
    name = f"{kind.value}_{workers}"

    def side() -> Mapping[str, float]:
        scenario = load(path)
        failed: list[DeviceResult] = []

        def take(result: DeviceResult) -> None:
            if not result.passed:
                failed.append(result)

        executor: Executor = make_executor(kind, workers=workers)
        with executor:
            began = real_perf_counter()
            run_fleet(scenario, fleet_seed=0, devices=devices, executor=executor, on_result=take)
            wall = real_perf_counter() - began
        if failed:
            raise RuntimeError(f"{len(failed)} devices failed their checks; the timing is void")
        return {name: wall}

    return side


def run(*, quick: bool, repeats: int | None = None) -> list[Result]:
    """Run the fleet on every executor, interleaved."""
    devices = QUICK_DEVICES if quick else DEVICES
    repeats = repeats or (1 if quick else REPEATS)
    kinds = [ExecutorKind.INPROCESS, ExecutorKind.POOL]
    if HAVE_DASK and not quick:
        kinds.append(ExecutorKind.DASK)
    sides = [_side(FLEET, ExecutorKind.INPROCESS, 1, devices)]
    for kind in kinds[1:]:
        sides += [_side(FLEET, kind, 1, devices), _side(FLEET, kind, 2, devices)]
    samples = interleave(sides, repeats)
    days = devices * load(FLEET).spec.duration / MS_PER_DAY
    rates = {
        name: Samples(tuple(days / value for value in values.values))
        for name, values in samples.items()
    }
    results = [
        Result(
            CASE,
            f"{kind.value} executor, {workers} worker{'s' if workers > 1 else ''}: device-days per "
            f"real second ({devices} devices)",
            rates[f"{kind.value}_{workers}"],
            "device-days/s",
            compares="information: no target (issue 15 gives none)",
        )
        for kind in kinds
        for workers in ((1,) if kind is ExecutorKind.INPROCESS else (1, 2))
    ]
    for kind in kinds[1:]:
        results.append(
            Result(
                CASE,
                f"  {kind.value} executor, 2 workers vs 1",
                samples[f"{kind.value}_2"],
                "s",
                samples[f"{kind.value}_1"],
                None,
                "ratio: wall seconds with 1 worker / wall seconds with 2 workers (the speed-up)",
                inverted=True,
            )
        )
    if ExecutorKind.DASK in kinds:
        per_device = 1000 / devices
        results.append(
            Result(
                CASE,
                "  Dask vs the local pool, 2 workers, wall ms per device",
                samples["dask_2"].scaled(per_device),
                "ms",
                samples["pool_2"].scaled(per_device),
                None,
                "ratio: Dask's wall ms per device / the local pool's (Dask's per-device overhead)",
            )
        )
    return results
