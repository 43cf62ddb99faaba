"""A run advanced in steps is the run advanced at once (harness/scenario/_session.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario import load, run_scenario
from harness.scenario._actions import parse_action
from harness.scenario._session import RunSession

ROOT = Path(__file__).resolve().parents[2]


# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
@pytest.mark.parametrize(
    "path", ["scenarios/outbox/killed_mid_sync.yaml", "scenarios/hourly_sync/life_week.yaml"]
)
def test_stepping_fires_the_same_callbacks_as_one_step(path: str) -> None:
    """Advancing hour by hour (resting the loop between steps) gives the same trace digest."""
    scenario = load(ROOT / path)
    whole = run_scenario(scenario, seed=1)
    session = RunSession(scenario, 1, isolate=True, rest_unpatched=True)
    for hour in range(1, scenario.spec.duration // 3_600_000 + 1):
        session.advance_to(min(hour * 3_600_000 - 1, scenario.spec.duration))
    session.advance_to(scenario.spec.duration)
    stepped = session.finish()
    assert stepped.record.digest == whole.record.digest
    assert stepped.record.checks == whole.record.checks


def test_a_performed_action_is_a_timeline_action_at_that_time() -> None:
    """perform(action, t) runs like the same action written in the timeline at t."""
    scenario = load(ROOT / "scenarios/outbox/happy_path.yaml").replace(
        timeline=[{"at": "0s", "do": "open app"}, {"at": "5m", "do": "app edit hello"}],
        duration="1h",
    )
    written = run_scenario(scenario, seed=0)
    bare = scenario.replace(timeline=[{"at": "0s", "do": "open app"}])
    session = RunSession(bare, 0, isolate=True)
    session.advance_to(5 * 60_000 - 1)
    session.perform(parse_action("app edit hello"), 5 * 60_000)
    live = session.view()
    assert live.duration_ms == 5 * 60_000
    assert [r["name"] for r in live.records("app.action")] == ["edit"]  # done at that instant
    session.advance_to(3_600_000)
    assert session.finish().record.digest == written.record.digest


# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_the_patches_are_lifted_between_steps_and_the_app_sees_one_run() -> None:
    """With rest_unpatched the real clock and random are back between steps, and the app's own
    random state carries on where it stopped (same digest as one step)."""
    import inspect
    import random
    import time

    scenario = load(ROOT / "scenarios/hourly_sync/life_week.yaml")
    session = RunSession(scenario, 2, isolate=True, rest_unpatched=True)
    session.advance_to(3_600_000)
    assert inspect.isbuiltin(time.time)  # unpatched between steps
    assert inspect.isbuiltin(time.perf_counter)
    outside = random.getstate()
    session.advance_to(7_200_000)
    assert random.getstate() == outside
    session.advance_to(scenario.spec.duration)
    assert session.finish().record.digest == run_scenario(scenario, seed=2).record.digest
