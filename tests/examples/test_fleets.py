"""examples/fleets/: a realistic population for each example app, and the bug only a fleet finds
(issue 15 point 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario import DeviceResult, InProcessExecutor, load, run_device, run_fleet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APPS = sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "__init__")
FLEETS = sorted((EXAMPLES / "fleets").glob("*.yaml"))


def test_every_example_app_has_a_fleet() -> None:
    """Each example app has a population of its own (examples/fleets/APP.yaml)."""
    assert {p.stem for p in FLEETS} >= set(APPS)


@pytest.mark.parametrize("path", FLEETS, ids=lambda p: p.stem)
def test_every_bundled_fleet_loads_with_a_population(path: Path) -> None:
    """Every bundled fleet is valid (schema, profiles, overrides, lives) before it runs."""
    scenario = load(path)
    assert scenario.spec.population is not None
    assert sum(part.share for part in scenario.spec.population.profiles) == 1


# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_one_vendor_killer_in_a_hundred_loses_the_note_that_one_stock_phone_keeps() -> None:
    """The day of examples/vendor_killer/pixel.yaml passes on one stock phone; on a fleet of 100
    with one budget phone whose vendor denies autostart, exactly that device loses the note."""
    assert load(EXAMPLES / "vendor_killer" / "pixel.yaml").run(0).record.passed
    scenario = load(EXAMPLES / "fleets" / "vendor_killer.yaml")
    results: list[DeviceResult] = []
    with InProcessExecutor() as executor:
        run_fleet(scenario, fleet_seed=0, devices=100, executor=executor, on_result=results.append)
    failed = [result for result in results if not result.passed]
    assert len(results) == 100
    assert [(r.part, r.failed_checks) for r in failed] == [(1, ("no_data_lost",))]


@pytest.mark.slow
def test_on_the_hourly_fleet_a_stock_phone_keeps_fresh_and_a_vendor_killer_does_not() -> None:
    """A week of the hourly sync: device 0 (a stock phone) meets the freshness goals; device 1
    (a budget phone whose vendor kills the app and denies autostart) misses them."""
    freshness = {"synced_within: 6h", "max_staleness: 6h", "min_successful_runs: 40"}
    scenario = load(EXAMPLES / "fleets" / "hourly_sync.yaml")
    stock, stock_part = run_device(scenario, 0, 0)
    killer, killer_part = run_device(scenario, 0, 1)
    labels = scenario.spec.population.labels if scenario.spec.population else ()
    assert (labels[stock_part], labels[killer_part]) == (
        "stock phone",
        "budget phone, vendor killer",
    )
    assert not freshness & {check.spec for check in stock.record.failed_checks}
    assert freshness <= {check.spec for check in killer.record.failed_checks}
