"""The fuzzing engine (harness/_fuzz.py): swarm examples around a scenario, distinct failures,
shrinking by hypothesis, reproducible sessions, saved failures that replay to the same digest."""

from __future__ import annotations

from typing import Any

import pytest

from harness._fuzz import ROBUST_CHECKS, FuzzExample, FuzzSession, failure_key, fuzz, swarm_kinds
from harness.scenario import load_data, run_scenario

#: A cheap scenario (a 3-hour run of the hourly sync) whose two custom checks fail on a 5xx and
#: on a reset connection: what a drawn ``error`` or ``reset`` fault causes.
SCENARIO: dict[str, Any] = {
    "name": "hourly sync under drawn faults",
    "app": "examples.hourly_sync",
    "backend": {"resources": [{"url": "https://api.example.com/items", "initial_items": 5}]},
    "duration": "3h",
    "timeline": [{"at": "0s", "do": "open app"}, {"at": "5m", "do": "leave app"}],
    "checks": [
        "no_crashes",
        {"custom": "tests.fuzz_checks:no_server_errors"},
        {"custom": "tests.fuzz_checks:no_resets"},
        {"max_staleness": "1h"},
    ],
}


@pytest.fixture(scope="module")
def error_and_reset() -> FuzzSession:
    """One search of 120 examples drawing errors and resets (read, never changed, by the tests
    below: a search is the costliest part of this module)."""
    return fuzz(load_data(SCENARIO), seed=0, max_examples=120, kinds=("error", "reset"))


def test_each_distinct_failure_is_found_once_and_shrunk(error_and_reset: FuzzSession) -> None:
    """Failures are distinct by the checks that failed: a 5xx and a reset are two failures, each
    shrunk by hypothesis to a single fault, no drawn device event, run seed 0."""
    session = error_and_reset
    keys = sorted(failure.key for failure in session.failures)
    assert keys == [
        "custom: tests.fuzz_checks:no_resets",
        "custom: tests.fuzz_checks:no_server_errors",
    ]
    for failure in session.failures:
        assert failure.example.events == ()
        assert len(failure.example.faults) == 1
        assert failure.example.seed == 0


def test_a_broken_invariant_is_a_failure_of_its_own_with_its_problem() -> None:
    """An invariant (Python over the live result) that finds a problem fails the example: the
    failure's key names it, and its record carries it as a failed check with the problem."""
    session = fuzz(
        load_data(SCENARIO),
        seed=0,
        max_examples=1,
        kinds=(),
        max_failures=1,
        invariants={"never_holds": lambda result: "broken on purpose", "holds": lambda _: None},
    )
    (failure,) = session.failures
    assert failure.key == "invariant never_holds"
    assert failure.record is not None
    (broken,) = [check for check in failure.record.checks if not check.passed]
    assert (broken.name, broken.message) == ("invariant never_holds", "broken on purpose")
    assert any("broken on purpose" in line for line in failure.lines)


def test_timing_checks_are_left_out_and_named() -> None:
    """Only checks that must hold whatever the phone and server do are kept; the others (here
    max_staleness) are listed as skipped, and --checks can keep them."""
    session = fuzz(load_data(SCENARIO), seed=0, max_examples=1, kinds=())
    assert "max_staleness: 1h" in session.skipped_checks
    assert "max_staleness: 1h" not in session.checks
    assert {"no_crashes", "custom"} <= ROBUST_CHECKS
    kept = fuzz(load_data(SCENARIO), max_examples=1, kinds=(), checks=["max_staleness"])
    assert kept.checks == ("max_staleness: 1h",)


# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_a_session_is_reproducible_from_its_seed() -> None:
    """The same seed and number of examples give the same failures, examples and digests."""

    def summary(session: FuzzSession) -> list[tuple[str, FuzzExample, str]]:
        return [(f.key, f.example, f.digest) for f in session.failures]

    first = fuzz(load_data(SCENARIO), seed=7, max_examples=30, kinds=("error", "open app"))
    again = fuzz(load_data(SCENARIO), seed=7, max_examples=30, kinds=("error", "open app"))
    assert summary(first) == summary(again)
    assert first.examples == again.examples


def test_the_shrunk_example_replays_to_the_same_digest(error_and_reset: FuzzSession) -> None:
    """The scenario written for a failure runs to the digest the fuzzer saw (issue 16 point 4):
    each of the search's failures, the 5xx and the reset."""
    from harness._fuzz import settle_ms

    session = error_and_reset
    scenario = load_data(SCENARIO)
    assert len(session.failures) == 2
    for failure in session.failures:
        times = [event.at for event in scenario.spec.timeline]
        data = failure.example.scenario_data(session.base, times, settle_ms=settle_ms(scenario))
        replayed = run_scenario(load_data(data, file="elsewhere.yaml"), failure.example.seed)
        assert replayed.record.digest == failure.digest
        assert failure_key(replayed) == failure.key


def test_ctrl_c_ends_the_session_with_what_it_found() -> None:
    """A KeyboardInterrupt mid-search ends it cleanly: the session says so and keeps it."""

    def interrupt(session: FuzzSession) -> None:
        if session.examples == 3:
            raise KeyboardInterrupt

    session = fuzz(load_data(SCENARIO), max_examples=50, kinds=("open app",), on_example=interrupt)
    assert session.stopped == "interrupted"
    assert isinstance(session.interrupt, KeyboardInterrupt)
    assert session.examples == 3


def test_the_swarm_draws_only_known_kinds() -> None:
    """The kinds a swarm may enable are the device events, the scenario's app actions, the fault
    kinds and a life; any other is refused naming the choices."""
    outbox = {"app": "examples.outbox", "timeline": [{"at": "0s", "do": "app edit note"}]}
    scenario = load_data({**SCENARIO, **outbox})
    kinds = swarm_kinds(scenario)
    assert {"app edit note", "rate_limit", "life", "open app"} <= set(kinds)
    with pytest.raises(ValueError, match=r"^nope: not a kind the swarm can draw here"):
        fuzz(scenario, max_examples=1, kinds=("nope",))
