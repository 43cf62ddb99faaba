"""Drawn server faults cover the catalogue the fake servers support and validate as scenarios."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from harness.scenario import load_data
from harness.strategies import FAULT_KINDS, server_faults


def _kind(fault: dict[str, Any]) -> str:
    return "rate_limit" if "rate_limit" in fault else str(fault["outage"]["kind"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(faults=server_faults(origin="https://api.example.com"))
def test_drawn_faults_are_valid_backend_faults(faults: list[dict[str, Any]]) -> None:
    """Every drawn fault is a valid ``backend.faults`` entry (harness.backends Outage/RateLimit)."""
    load_data(
        {
            "name": "drawn faults",
            "app": "examples.outbox",
            "backend": {"resources": [{"url": "https://api.example.com/notes"}], "faults": faults},
            "duration": "7d",
        }
    )


def test_the_whole_catalogue_is_drawn() -> None:
    """Error, timeout, slow, malformed (a partial body), reset and rate limits with and without
    a fixed Retry-After all appear."""
    seen: set[str] = set()
    retry_after: set[bool] = set()

    @settings(max_examples=200, database=None, derandomize=True)
    @given(faults=server_faults())
    def collect(faults: list[dict[str, Any]]) -> None:
        for fault in faults:
            seen.add(_kind(fault))
            if "rate_limit" in fault:
                retry_after.add("retry_after" in fault["rate_limit"])

    collect()
    assert seen == set(FAULT_KINDS)
    assert retry_after == {True, False}


def test_a_failing_fault_shrinks_to_the_mildest_shortest_earliest() -> None:
    """Shrinking a fault that fails any check gives one slow minute at 0 s with a 1 s delay."""
    shrunk: list[list[dict[str, Any]]] = []

    @settings(max_examples=100, database=None, derandomize=True)
    @given(faults=server_faults())
    def no_faults(faults: list[dict[str, Any]]) -> None:
        if faults:
            shrunk.append(faults)
            raise AssertionError

    with pytest.raises(AssertionError):
        no_faults()
    assert shrunk[-1] == [{"at": "0s", "for": "1m", "outage": {"kind": "slow", "delay": "1s"}}]


def test_an_unknown_kind_is_refused() -> None:
    """A misspelt kind names the choices."""
    with pytest.raises(ValueError, match=r"^server_faults\(kinds=\.\.\.\): \['outage'\]"):
        server_faults(kinds=("outage",)).validate()
