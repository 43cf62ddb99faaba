"""Fake servers: faults, rate limits, auth, strict routing and the request log."""

from __future__ import annotations

import httpx
import pytest
from respx.models import AllMockedAssertionError

from harness._exceptions import DefinitionError
from harness.backends import (
    FAULT_EXTENSION,
    SERVER_DELAY_MS,
    SERVER_HANGS,
    SERVER_RESETS,
    Backend,
    Internet,
    OutageKind,
    ServerLatency,
)
from harness.sim import RngStreams, Simulation

API = "https://api.example.com"


@pytest.fixture
def internet(sim: Simulation) -> Internet:
    return Internet(sim)


@pytest.fixture
def api(internet: Internet) -> Backend:
    return internet.backend(API)


def get(api: Backend, path: str, **headers: str) -> httpx.Response:
    return api.handle(httpx.Request("GET", API + path, headers=headers))


def test_static_route_answers(api: Backend) -> None:
    """route('GET', path, json=...) answers that request; the log records it."""
    api.route("GET", "/data", json={"items": 3})
    assert get(api, "/data").json() == {"items": 3}
    assert api.requests.count("GET", "/data") == 1
    assert api.requests[0].status == 200


def test_unmatched_request_fails_loudly_and_is_logged(sim: Simulation, api: Backend) -> None:
    """Strict routing: no matching route raises AllMockedAssertionError, never a silent 200."""
    with pytest.raises(AllMockedAssertionError, match=r"not mocked"):
        get(api, "/nothing")
    assert [entry.path for entry in api.requests.unmatched()] == ["/nothing"]
    assert sim.trace.of_kind("http.unmatched")[0]["url"] == API + "/nothing"


def test_unknown_origin_fails_loudly(internet: Internet) -> None:
    """A request to an origin no backend serves is unmatched too, naming the known origins."""
    internet.backend(API)
    with pytest.raises(AllMockedAssertionError, match=r"No backend serves https://other\.example"):
        internet.handle(httpx.Request("GET", "https://other.example/x"))
    assert internet.unrouted[0].unmatched


def test_backend_origin_must_be_an_origin(sim: Simulation) -> None:
    """A backend is an origin (scheme://host), not a URL with a path."""
    with pytest.raises(ValueError, match=r"must be scheme://host\[:port\] with no path"):
        Backend(sim, "https://api.example.com/v1")


def test_error_outage_answers_5xx_only_inside_its_window(sim: Simulation, api: Backend) -> None:
    """An outage answers 503 in [start, start + duration) and the routes outside it."""
    api.route("GET", "/data", json={})
    api.outage(start="1h", duration="30m")
    assert get(api, "/data").status_code == 200
    sim.run_for("1h")
    failed = get(api, "/data")
    assert (failed.status_code, failed.extensions[FAULT_EXTENSION]) == (503, "error")
    sim.run_for("30m")
    assert get(api, "/data").status_code == 200


@pytest.mark.parametrize(
    ("kind", "extension"),
    [(OutageKind.TIMEOUT, SERVER_HANGS), (OutageKind.RESET, SERVER_RESETS)],
)
def test_hang_and_reset_outages_mark_the_response(
    api: Backend, kind: OutageKind, extension: str
) -> None:
    """Hangs and resets are marked for the transport; the log shows no status was sent."""
    api.route("GET", "/data", json={})
    api.outage(start=0, duration="1h", kind=kind)
    assert get(api, "/data").extensions[extension] is True
    assert api.requests[0].status is None


def test_slow_outage_delays_the_real_answer(api: Backend) -> None:
    """A slow outage lets the routes answer and asks the transport to delay the answer."""
    api.route("GET", "/data", json={"ok": True})
    api.outage(start=0, duration="1h", kind="slow", delay="45s")
    response = get(api, "/data")
    assert response.json() == {"ok": True}
    assert response.extensions[SERVER_DELAY_MS] == 45_000


def test_latency_draws_each_answer_s_wait_from_its_distribution(
    sim: Simulation, api: Backend
) -> None:
    """backend.latency(median, p99): answers wait log-normal draws (about half below the
    median, about 1 % above the p99), from a named stream, so the same seed draws the same
    waits; a slow outage adds its delay; latency(None) ends it."""
    api.route("GET", "/data", json={})
    api.latency("100ms", "2s")
    waits = [get(api, "/data").extensions[SERVER_DELAY_MS] for _ in range(2_000)]
    assert 900 <= sum(wait < 100 for wait in waits) <= 1_100
    assert 5 <= sum(wait > 2_000 for wait in waits) <= 45
    assert max(waits) <= 20_000  # capped at ten times the p99
    stream = RngStreams(sim.seed).stream(f"backend.latency {API}")
    assert [ServerLatency(100, 2_000).draw(stream) for _ in range(50)] == waits[:50]
    api.outage(start=sim.now_ms, duration="1h", kind="slow", delay="45s")
    assert get(api, "/data").extensions[SERVER_DELAY_MS] > 45_000
    api.latency(None)
    assert get(api, "/data").extensions[SERVER_DELAY_MS] == 45_000


def test_latency_refuses_a_p99_below_the_median(api: Backend) -> None:
    """A p99 below the median is no distribution: an error naming both and an example."""
    with pytest.raises(DefinitionError, match="p99 at least the median"):
        api.latency("2s", "100ms")


def test_malformed_outage_sends_truncated_json(api: Backend) -> None:
    """A malformed outage answers 200 with JSON that does not parse."""
    api.route("GET", "/data", json={})
    api.outage(start=0, duration="1m", kind="malformed")
    with pytest.raises(ValueError, match=r"Unterminated string|Expecting"):
        get(api, "/data").json()


def test_rate_limit_answers_429_with_retry_after(sim: Simulation, api: Backend) -> None:
    """Over the limit in a window: 429 with Retry-After (seconds to the window's end)."""
    api.route("GET", "/data", json={})
    api.rate_limit(2, window="1m")
    sim.run_for("10s")
    statuses = [get(api, "/data").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.requests[2].fault == "rate_limited"
    assert get(api, "/data").headers["retry-after"] == "50"
    sim.run_for("50s")
    assert get(api, "/data").status_code == 200


def test_requests_before_retry_after_are_noted(sim: Simulation, api: Backend) -> None:
    """Coming back before the Retry-After elapsed is recorded, so checks can catch it."""
    api.route("GET", "/data", json={})
    api.rate_limit(1, window="1h", retry_after="60s")
    get(api, "/data")
    assert get(api, "/data").headers["retry-after"] == "60"
    sim.run_for("30s")
    get(api, "/data")  # too early: and its own 429 says come back at 90 s
    sim.run_for("61s")
    get(api, "/data")
    assert [entry.too_early_after_429 for entry in api.requests] == [False, False, True, False]


def test_token_auth_expires_tokens(sim: Simulation, api: Backend) -> None:
    """Tokens from POST /auth/token work until they expire, then 401 with WWW-Authenticate."""
    api.route("GET", "/data", json={})
    auth = api.token_auth(lifetime="1h")
    assert get(api, "/data").status_code == 401
    token = api.handle(httpx.Request("POST", API + "/auth/token")).json()["access_token"]
    assert get(api, "/data", Authorization=f"Bearer {token}").status_code == 200
    sim.run_for("1h")
    expired = get(api, "/data", Authorization=f"Bearer {token}")
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert auth.rejected == 2


def test_request_log_counts_per_hour(sim: Simulation, api: Backend) -> None:
    """The log answers 'how many requests per hour' for checks."""
    api.route("GET", "/data", json={})
    for _ in range(3):
        get(api, "/data")
    sim.run_for("1h")
    get(api, "/data")
    assert api.requests.per_hour() == {0: 3, 1: 1}
    assert api.requests.max_per_hour() == 3
    assert api.requests.count(path="/da*") == 4


def test_users_can_add_their_own_respx_routes(api: Backend) -> None:
    """backend.router is a respx router: users' own routes and side effects work as in respx."""
    api.router.get(API + "/custom").mock(side_effect=[httpx.Response(500), httpx.Response(204)])
    assert [get(api, "/custom").status_code for _ in range(2)] == [500, 204]


def test_retry_after_covers_only_what_its_rate_limit_governs(sim: Simulation, api: Backend) -> None:
    """A Retry-After from a limit on /data does not make a request for /status early (RFC 9110
    10.2.3: the wait is before "a follow-up request"); one for /data is."""
    api.route("GET", "/data", json={})
    api.route("GET", "/status", json={})
    api.rate_limit(1, window="1h", retry_after="60s", path="/data")
    get(api, "/data")
    assert get(api, "/data").status_code == 429
    sim.run_for("10s")
    get(api, "/status")
    get(api, "/data")
    assert [entry.too_early_after_429 for entry in api.requests] == [False, False, False, True]
