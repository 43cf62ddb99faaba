"""Drawn timelines are ones a phone can produce, validate as scenarios and run without refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness._units import MS_PER_DAY, parse_duration
from harness.scenario import load_data
from harness.strategies import DEVICE_EVENTS, timeline_problems, timelines

_BASE: dict[str, Any] = {
    "name": "a drawn timeline",
    "app": "examples.outbox",
    "backend": {"resources": [{"url": "https://api.example.com/notes"}]},
    "duration": "7d",
    "checks": ["no_crashes"],
}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(timeline=timelines(days=7, app_actions=("app edit note",)))
def test_every_drawn_timeline_is_legal(timeline: list[dict[str, Any]]) -> None:
    """Replaying a drawn timeline through the phone model finds no event out of place."""
    assert timeline_problems(timeline, app_actions=("app edit note",)) == []
    times = [parse_duration(event["at"]) for event in timeline]
    assert times == sorted(times)
    assert times[-1] < 7 * MS_PER_DAY


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(timeline=timelines(days=7, app_actions=("app edit note",)))
def test_every_drawn_timeline_validates_as_a_scenario(timeline: list[dict[str, Any]]) -> None:
    """A drawn timeline is a valid ``timeline:`` (schema, actions, preflight)."""
    load_data({**_BASE, "timeline": timeline})


@pytest.mark.slow
# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
@settings(max_examples=12, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(timeline=timelines(days=7, app_actions=("app edit note",)))
def test_the_phone_carries_out_every_drawn_event(timeline: list[dict[str, Any]]) -> None:
    """Run on the simulated phone, no drawn event is refused and no adb command fails."""
    result = load_data({**_BASE, "timeline": timeline}).run(seed=0)
    assert result.record.error is None, result.record.error
    assert result.trace.of_kind("scenario.action_refused") == []
    assert result.trace.of_kind("device.shell_error") == []
    shutdowns = [r for r in result.trace.of_kind("device.boot") if r.get("event") == "shutdown"]
    assert len(shutdowns) == sum(event["do"] == "reboot" for event in timeline)


@given(timeline=timelines(days=1, max_events=3, events=("use phone for {D}", "reboot")))
def test_events_and_max_events_limit_what_is_drawn(timeline: list[dict[str, Any]]) -> None:
    """``events=`` keeps to a subset and ``max_events`` bounds the drawn events (the charges of a
    phone running low come on top)."""
    drawn = [e for e in timeline[1:] if e["do"] not in ("plug in ac", "unplug")]
    assert len(drawn) <= 3
    assert all(e["do"] == "reboot" or e["do"].startswith("use phone for ") for e in drawn)


def test_an_unknown_event_is_refused_with_the_choices() -> None:
    """A misspelt event names itself and the events there are."""
    with pytest.raises(ValueError, match=r"^timelines\(events=\.\.\.\): 'reboot now' not in"):
        timelines(events=("reboot now",))


# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_a_failing_week_shrinks_to_the_events_it_needs() -> None:
    """Shrinking goes to the fewest, earliest events and shortest windows: a failure that needs
    Wi-Fi and data turned off shrinks to those two and their ends, in the first minutes."""
    offline = {"adb shell svc wifi disable", "adb shell svc data disable"}
    found: list[list[dict[str, Any]]] = []

    @settings(max_examples=300, database=None, derandomize=True)
    @given(timeline=timelines(days=7))
    def needs_offline(timeline: list[dict[str, Any]]) -> None:
        if offline <= {event["do"] for event in timeline}:
            found.append(timeline)
            raise AssertionError("offline")

    with pytest.raises(AssertionError):
        needs_offline()
    shrunk = found[-1]
    assert offline <= {event["do"] for event in shrunk}
    # the charges of a phone running low (days later) are all that is left besides
    drawn = [e for e in shrunk if parse_duration(e["at"]) <= 5 * 60_000]
    assert len(drawn) <= 5, shrunk
    assert all(e["do"] in ("plug in ac", "unplug") for e in shrunk[len(drawn) :]), shrunk


def test_device_events_name_every_transition() -> None:
    """DEVICE_EVENTS lists each event of the model once."""
    assert len(DEVICE_EVENTS) == len(set(DEVICE_EVENTS))
    assert "use phone for {D}" in DEVICE_EVENTS


@given(st.data())
def test_a_drawn_timeline_starts_by_opening_the_app(data: st.DataObject) -> None:
    """Every timeline opens the app at 0 s, as a user does before anything else."""
    timeline = data.draw(timelines(days=1))
    assert timeline[0] == {"at": "0s", "do": "open app"}
