"""check(): a scenario with drawn parts inside @given; failures shrink fast and replay exactly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from harness.cli import main
from harness.property import PHASES, check, early_stop, load_profile, save_failure, with_drawn
from harness.scenario import Scenario, load, load_data, run_scenario
from harness.strategies import timelines

_BUGGY: dict[str, Any] = {
    "name": "buggy sync",
    "app": "tests.property.buggy_sync",
    "backend": {"routes": ['GET https://api.example.com/status -> 200 {"ok": true}']},
    "duration": "7d",
    "timeline": [{"at": "0s", "do": "open app"}, {"at": "3d", "do": "use phone for 5m"}],
    "checks": ["no_crashes"],
}
_AIRPLANE = [
    {"at": "0s", "do": "open app"},
    {"at": "1m", "do": "adb shell cmd connectivity airplane-mode enable"},
    {"at": "30m", "do": "adb shell cmd connectivity airplane-mode disable"},
]


@pytest.fixture(scope="module")
def buggy() -> Scenario:
    return load_data(_BUGGY, file="<buggy sync>")


def test_drawn_events_join_the_written_timeline_in_time_order(buggy: Scenario) -> None:
    """The written events stay, the drawn ones join them by time, faults are added, and the
    drawn ``open app`` at 0 s is not repeated."""
    drawn = [*_AIRPLANE, {"at": "4d", "do": "reboot"}]
    faults = [{"at": "1h", "for": "5m", "outage": {"kind": "error"}}]
    example = with_drawn(buggy, timeline=drawn, faults=faults, life="homebody")
    assert [entry["do"] for entry in example.data["timeline"]] == [
        "open app",
        "adb shell cmd connectivity airplane-mode enable",
        "adb shell cmd connectivity airplane-mode disable",
        "use phone for 5m",
        "reboot",
    ]
    assert example.data["backend"]["faults"] == faults
    assert example.spec.life is not None


def test_a_failing_run_stops_at_the_failure(buggy: Scenario) -> None:
    """With early_stop the run ends at the crash no_crashes cannot forgive; the checks fail."""
    example = with_drawn(buggy, timeline=_AIRPLANE)
    stopped = run_scenario(example, 0, stop_when=early_stop(example))
    assert not stopped.passed
    assert stopped.world.sim.now_ms < 3_600_000
    full = run_scenario(example, 0)
    assert not full.passed
    assert full.world.sim.now_ms == 7 * 86_400_000


def test_check_returns_the_result_when_every_check_holds(buggy: Scenario) -> None:
    """A passing example returns the live result for more assertions."""
    result = check(buggy, timeline=[{"at": "0s", "do": "open app"}])
    assert result.passed
    assert result.backend.request_count() > 0


def test_a_failure_is_saved_and_replays_to_the_same_digest(
    buggy: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failing example is written as a scenario file; `harness replay FILE --seed S` prints
    the failing example's digest."""
    with pytest.raises(AssertionError) as failure:
        check(buggy, timeline=_AIRPLANE, seed=3, failures=tmp_path)
    message = str(failure.value)
    assert "✗ no_crashes: app code raised" in message
    match = re.search(r"replay it: harness replay (\S+) --seed 3\n  trace digest (\w+)$", message)
    assert match is not None, message
    path, digest = Path(match[1]), match[2]
    assert path.parent == tmp_path
    assert run_scenario(load(path), 3).record.digest == digest
    assert main(["replay", str(path), "--seed", "3"]) == 1
    assert f"digest {digest}" in capsys.readouterr().out


def test_save_failure_names_the_file_by_its_content(buggy: Scenario, tmp_path: Path) -> None:
    """The same failure is written once; the file is a valid scenario with the drawn parts."""
    example = with_drawn(buggy, timeline=_AIRPLANE)
    first = save_failure(example, 0, directory=tmp_path)
    assert save_failure(example, 0, directory=tmp_path) == first
    assert load(first).data["timeline"] == example.data["timeline"]


@pytest.mark.slow
# no_cover: its runs repeat paths the rest of the suite covers (no arc of its own, measured with
# --cov-context=test), and the coverage tracer makes them 2-3x slower
@pytest.mark.no_cover
def test_a_failing_week_is_found_and_shrunk_in_few_examples(tmp_path: Path) -> None:
    """A buggy app that crashes when a sync runs offline: found in a drawn week and shrunk to
    the event that takes the network away, in a few hundred examples at most (each a week, or
    the part of it before the crash; the seconds are in benchmarks/, case f)."""
    base = load_data({**_BUGGY, "timeline": [{"at": "0s", "do": "open app"}]}, file="<buggy>")
    runs: list[int] = []

    # report_multiple_bugs=False: hypothesis stops drawing at the first failure and shrinks it.
    # Otherwise it goes on drawing for up to 10 wall-clock seconds after it, so the examples
    # run (104 to 248) and the shrink's starting point, hence its result, depended on the
    # machine's load. benchmarks/bench_property.py's shrink is set the same way.
    @settings(
        max_examples=100,
        database=None,
        derandomize=True,
        phases=PHASES,
        report_multiple_bugs=False,
    )
    @given(timeline=timelines(days=7))
    def the_sync_never_crashes(timeline: list[dict[str, Any]]) -> None:
        runs.append(len(timeline))
        check(base, timeline=timeline, failures=tmp_path)

    with pytest.raises(AssertionError, match=r"replay it: harness replay "):
        the_sync_never_crashes()
    # 214 runs of the test body, finding and shrinking, the same on any machine
    assert len(runs) < 300, len(runs)
    (saved,) = tmp_path.iterdir()
    timeline = load(saved).data["timeline"]
    # left: the one event that takes the network away (airplane mode and its end, or a reboot:
    # a sync at boot runs before the network is back), the charges of a phone running low, and
    # at most one short use of the phone before it: a drawn event's time is a gap after the one
    # before, so deleting that use moves the airplane window off the first sync (at 5 min)
    events = [entry["do"] for entry in timeline[1:] if entry["do"] not in ("plug in ac", "unplug")]
    if events[:1] == ["use phone for 1m"]:
        events = events[1:]
    assert events in (
        [
            "adb shell cmd connectivity airplane-mode enable",
            "adb shell cmd connectivity airplane-mode disable",
        ],
        ["reboot"],
    ), timeline


def test_profiles_are_registered_and_chosen_by_name() -> None:
    """ci is derandomized with no deadline and no explain phase; an unknown name is refused."""
    load_profile("ci")
    try:
        current = settings()
        assert current.derandomize
        assert current.deadline is None
        assert current.max_examples == 50
        assert "explain" not in {phase.name for phase in current.phases}
    finally:
        settings.load_profile("harness")
    with pytest.raises(ValueError, match=r"^hypothesis profile 'weekly' is not one of harness's"):
        load_profile("weekly")
