"""Server actions (harness/scenario/_actions/_server.py): items, tokens, outages, rate limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends import OutageKind
from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._server import (
    ServerAddItems,
    ServerLatency,
    ServerOutage,
    ServerRateLimit,
)
from tests.scenario.actions._validate import assert_refused, validate


def test_a_slow_outage_takes_its_delay() -> None:
    """'server outage 30m slow 5s': answers take 5 s (shorter than a client's timeout)."""
    text = "server outage 30m slow 5s at https://api.example.com"
    assert parse_action(text) == ServerOutage(
        text,
        duration_ms=1_800_000,
        outage=OutageKind.SLOW,
        delay_ms=5_000,
        origin="https://api.example.com",
    )
    assert parse_action("server outage 30m slow").delay_ms is None  # type: ignore[attr-defined]
    with pytest.raises(ActionError, match=r"a delay goes with 'slow' or 'timeout'"):
        parse_action("server outage 30m error 5s")


def test_server_latency_takes_a_median_and_a_p99() -> None:
    """'server latency 120ms p99 2s': each answer waits a log-normal draw; 'off' ends it; a
    p99 below the median is refused with an example."""
    assert parse_action("server latency 120ms p99 2s") == ServerLatency(
        "server latency 120ms p99 2s", median_ms=120, p99_ms=2_000
    )
    fixed = parse_action("server latency 300ms at https://api.example.com")
    assert fixed == ServerLatency(
        "server latency 300ms at https://api.example.com",
        median_ms=300,
        p99_ms=300,
        origin="https://api.example.com",
    )
    assert parse_action("server latency off") == ServerLatency("server latency off")
    with pytest.raises(ActionError, match="the p99 at least the median"):
        parse_action("server latency 2s p99 100ms")
    with pytest.raises(ActionError, match="the median 'fast' is not a duration"):
        parse_action("server latency fast")
    with pytest.raises(ActionError, match="write 'server latency MEDIAN"):
        parse_action("server latency 1s p50 2s")


def test_typed_fields_of_items_and_rate_limits() -> None:
    """Counts are items, windows and durations milliseconds, each in its own field."""
    assert parse_action("server add 3 items to https://a.example/x") == ServerAddItems(
        "server add 3 items to https://a.example/x", count=3, url="https://a.example/x"
    )
    assert parse_action("server rate limit 2 per 1m for 2h") == ServerRateLimit(
        "server rate limit 2 per 1m for 2h", limit=2, window_ms=60_000, duration_ms=7_200_000
    )


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("server rate limit 0 per 1m for 1h", "the request limit 0 must be at least 1"),
        ("server rate limit 1 per 0s for 1h", "the window '0s' must be longer than zero"),
        ("server rate limit 1 per 1m for 0s", "the duration '0s' must be longer than zero"),
        ("server rate limit 1 per 1m", "write 'server rate limit N per WINDOW for DURATION"),
        ("server outage 0s", "the outage duration '0s' must be longer than zero"),
        ("server outage 1h slow 0s", "the delay '0s' must be longer than zero"),
        ("server outage soon", "the outage duration 'soon' is not a duration"),
        ("server outage 1h flaky", "KIND one of error, timeout, slow, malformed, reset"),
        ("server add 0 items to https://api.example.com/notes", "item count 0 must be at least 1"),
        (
            "server add 1000000 items to https://api.example.com/notes",
            "is more than the 100,000 one action may give",
        ),
        ("server update 0 items at https://api.example.com/notes", "must be at least 1"),
        ("server add 3 items to notes", "'notes' is not an http(s) URL"),
        ("server add 3 items to https://[bad/notes", "is not an http(s) URL"),
        ("server add 3 items to https://api.example.com:99999/notes", "is not an http(s) URL"),
        ("server add 3 items to https:///notes", "is not an http(s) URL"),
        ("server outage 1h at ftp://api.example.com", "is not an http(s) URL"),
        ("server outage 1h at https://api.example.com/notes", "has a path; give only the origin"),
        ("server expire tokens at api.example.com", "is not an http(s) URL"),
    ],
)
def test_values_out_of_range_fail_when_the_file_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, says: str
) -> None:
    """Zero or huge counts, zero durations, bad kinds and bad URLs are exit-2 errors (several
    used to validate and then crash the run with DefinitionError)."""
    code, output = validate(tmp_path, capsys, action)
    assert_refused(code, output, action, says)


@pytest.mark.parametrize(
    ("action", "says"),
    [
        (
            "server outage 1h at https://nothere.example.com",
            "no server at https://nothere.example.com (the scenario's servers: "
            "https://api.example.com, https://auth.example.com)",
        ),
        ("server rate limit 1 per 1m for 1h at https://nothere.example.com", "no server at"),
        ("server add 3 items to https://nothere.example.com/notes", "no server at"),
        ("server add 3 items to https://api.example.com/other", "no resource at"),
        ("server expire tokens at https://nothere.example.com", "no server at"),
        ("server expire tokens at https://api.example.com", "has no token auth"),
    ],
)
def test_servers_and_resources_the_backend_lacks_fail_preflight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, says: str
) -> None:
    """An action on a server, resource or auth the scenario does not have is an exit-2 error."""
    code, output = validate(tmp_path, capsys, action)
    assert_refused(code, output, action, says)


def test_outages_need_servers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An outage of 'all servers' in a scenario without servers would crash the run."""
    scenario = "name: no servers\napp: examples.outbox\nduration: 1d\ntimeline:\n" + (
        "  - at: 1h\n    do: {action}\n"
    )
    code, output = validate(tmp_path, capsys, "server outage 1h", scenario)
    where = "one.yaml:6: timeline[0].do:"
    assert_refused(code, output, "server outage 1h", "the scenario has no servers", where=where)


@pytest.mark.parametrize(
    "action",
    [
        "server add 3 items to https://api.example.com/notes",
        "server update 2 items at https://api.example.com/notes",
        "server expire tokens at https://auth.example.com",
        "server outage 30m timeout",
        "server outage 30m slow 5s at https://api.example.com",
        "server rate limit 1 per 1m for 2h at https://api.example.com",
        "server latency 120ms p99 2s at https://api.example.com",
    ],
)
def test_good_server_actions_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    """Actions on the scenario's own servers and resources validate."""
    code, output = validate(tmp_path, capsys, action)
    assert code == 0, output
