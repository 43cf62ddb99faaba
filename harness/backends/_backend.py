"""Fake servers: a strict respx router per origin, with faults, rate limits, auth and a log.

``Internet`` is every server a simulated device can reach: origins (``https://api.example.com``)
map to :class:`Backend` objects. The device-bound HTTP transport hands each request to
:meth:`Internet.handle`, synchronously, at the virtual instant the request reaches the server.

A :class:`Backend` answers in this order: scheduled outages, token auth, rate limits, then its
respx router (stateful resources and static routes, or any respx routes the user adds to
``backend.router``). Routing is strict: a request that matches no route raises respx's
``AllMockedAssertionError`` (an ``AssertionError``, so app code catching ``httpx.HTTPError``
cannot swallow it) and is kept in the log as ``unmatched`` so the run fails.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import respx
from respx.models import AllMockedAssertionError, SideEffectError

from harness._exceptions import DefinitionError
from harness._units import MS_PER_HOUR, Duration, to_ms
from harness.backends._body import SizedBody, body_facts
from harness.backends._faults import (
    DEFAULT_OUTAGE_DELAY_MS,
    Outage,
    OutageKind,
    RateLimit,
    retry_after_header,
)
from harness.backends._latency import ServerLatency
from harness.backends._log import ReceivedRequest, RequestLog
from harness.backends._resource import RestResource
from harness.backends._urls import UrlFacts, url_facts
from harness.sim import Simulation

#: Response extension naming the fault that answered (the HTTP transport copies it to the trace).
FAULT_EXTENSION = "harness.fault"


class TokenAuth:
    """Bearer tokens from ``POST token_path`` that expire after ``lifetime_ms``.

    Every path under ``protect`` except the token path needs ``Authorization: Bearer <token>``
    with a live token, else ``401`` with ``WWW-Authenticate: Bearer error="invalid_token"``.
    """

    def __init__(self, sim: Simulation, lifetime_ms: int, token_path: str, protect: str) -> None:
        if lifetime_ms <= 0:
            raise DefinitionError(f"token lifetime {lifetime_ms} ms must be positive")
        self._sim = sim
        self.lifetime_ms = lifetime_ms
        self.token_path = token_path
        self.protect = protect
        self._rng = sim.random(f"backend.auth{token_path}")
        self._expiry_by_token: dict[str, int] = {}
        self.issued = 0
        self.rejected = 0

    def issue(self, request: httpx.Request) -> httpx.Response:
        """Answer a token request with a fresh token."""
        self.issued += 1
        token = f"tok-{self.issued}-{self._rng.getrandbits(48):012x}"
        self._expiry_by_token[token] = self._sim.now_ms + self.lifetime_ms
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime_ms // 1000,
        }
        return httpx.Response(200, json=body, request=request)

    def expire_all(self) -> None:
        """Invalidate every issued token now (a server-side key rotation)."""
        self._expiry_by_token.clear()

    def rejects(self, request: httpx.Request) -> bool:
        """Whether ``request`` lacks a live token for a protected path."""
        path = request.url.path
        if path == self.token_path or not path.startswith(self.protect):
            return False
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expiry = self._expiry_by_token.get(token) if scheme.lower() == "bearer" else None
        if expiry is not None and self._sim.now_ms < expiry:
            return False
        self.rejected += 1
        return True


class _HandlerRoute(respx.Route):
    """A route answered by a harness handler, ``handler(request)`` (a resource's routes).

    respx inspects a side effect's signature on every call to see whether it wants the
    ``route`` (``respx/models.py``, ``Route._call_side_effect``); a harness handler never does,
    so it is called directly, its errors wrapped and its result checked as respx does.
    """

    def _call_side_effect(self, effect: Any, request: httpx.Request, **kwargs: Any) -> Any:
        try:
            result = effect(request, **kwargs)
        except Exception as error:
            raise SideEffectError(self, origin=error) from error
        if not isinstance(result, httpx.Response):
            raise TypeError(f"a harness handler must return an httpx.Response, not {result!r}")
        return result


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` of ``origin``; ``ValueError`` naming the fix if it is not one."""
    url = httpx.URL(origin)
    if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
        raise DefinitionError(
            f"backend origin {origin!r} must be scheme://host[:port] with no path, "
            "e.g. 'https://api.example.com'"
        )
    return f"{url.scheme}://{url.netloc.decode()}"


def _idempotency_key(request: httpx.Request) -> str | None:
    """``request.headers.get("idempotency-key")``, without the ``KeyError`` that raises and
    catches for a header that is not there (most requests have none)."""
    headers = request.headers
    return headers.get("idempotency-key") if "idempotency-key" in headers else None


def _received(
    request: httpx.Request,
    t_ms: int,
    url: UrlFacts,
    *,
    keep_body: bool = False,
    status: int | None,
    fault: str | None = None,
    unmatched: bool = False,
    too_early_after_429: bool = False,
) -> ReceivedRequest:
    """The log entry of ``request`` (whose URL's facts are ``url``) as it arrived at ``t_ms``,
    with how it was answered: its body's size and digest, and its bytes only when
    ``keep_body`` (what :meth:`Backend._log` adds to a log by its fields)."""
    size, sha256, content = body_facts(request)
    return ReceivedRequest(
        t_ms=t_ms,
        method=sys.intern(request.method),
        url=url.text,
        path=url.path,
        idempotency_key=_idempotency_key(request),
        request_bytes=size,
        request_sha256=sys.intern(sha256),
        body=content if keep_body else None,
        status=status,
        fault=fault,
        unmatched=unmatched,
        too_early_after_429=too_early_after_429,
    )


class _Router(respx.Router):
    """A strict respx router that keeps no call history: the backend's :class:`RequestLog` is
    the history (sizes and digests), so a year of requests does not hold every request and
    response object (respx's ``Router.record`` keeps each ``Call``)."""

    def record(
        self,
        request: httpx.Request,
        *,
        response: httpx.Response | None = None,
        route: respx.Route | None = None,
    ) -> None:
        return None


class Backend:
    """One origin's fake server: ``backend.router`` plus faults, limits, auth and a request log.

    The log keeps each request's body size and SHA-256; ``keep_bodies=True`` keeps the bytes too
    (:attr:`ReceivedRequest.body`). A router the backend makes keeps no respx call history
    (the log is the history); a ``router`` you pass keeps whatever respx keeps."""

    def __init__(
        self,
        sim: Simulation,
        origin: str,
        *,
        router: respx.Router | None = None,
        keep_bodies: bool = False,
    ) -> None:
        self._sim = sim
        #: the simulation's clock, read as each request arrives
        self._clock = sim.clock
        self.origin = normalize_origin(origin)
        self.host = httpx.URL(self.origin).host
        self.router = (
            router
            if router is not None
            else _Router(assert_all_called=False, assert_all_mocked=True)
        )
        #: Whether the request log keeps each request's body bytes (else sizes and digests)
        self.keep_bodies = keep_bodies
        self.requests = RequestLog()
        self.resources: dict[str, RestResource] = {}
        self._outages: list[Outage] = []
        self._rate_limits: list[RateLimit] = []
        self._auth: TokenAuth | None = None
        #: per rate limit's path: the end of the Retry-After it last sent
        self._retry_not_before_ms: dict[str, int] = {}
        self._latency: ServerLatency | None = None
        #: the named stream latency draws come from (made with the first latency set)
        self._latency_rng: random.Random | None = None

    @property
    def auth(self) -> TokenAuth | None:
        """The token auth, if :meth:`token_auth` set one up."""
        return self._auth

    # --- composing the server -------------------------------------------------------------

    def resource(self, path: str, **options: Any) -> RestResource:
        """Serve a stateful :class:`RestResource` under ``path`` (see its docs for options)."""
        if path in self.resources:
            raise DefinitionError(f"{self.origin} already serves a resource at {path!r}")
        resource = RestResource(self._sim, path, **options)
        resource.install(self._add_route)
        self.resources[path] = resource
        return resource

    def _add_route(
        self, method: str, path_regex: str, handler: Callable[[httpx.Request], httpx.Response]
    ) -> None:
        route = _HandlerRoute(method=method, host=self.host, path__regex=path_regex)
        self.router.add(route).mock(side_effect=handler)

    def route(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        text: str | None = None,
        headers: dict[str, str] | None = None,
        body: SizedBody | None = None,
    ) -> respx.Route:
        """A static answer for ``METHOD origin+path`` (query strings in ``path`` match exactly);
        ``body`` answers with a body of declared size (a download), never materialised."""
        route = self.router.request(method.upper(), self.origin + path)
        if body is not None:
            return route.respond(status, stream=body, headers={**body.headers(), **(headers or {})})
        if text is not None:
            return route.respond(status, text=text, headers=headers)
        return route.respond(status, json=json, headers=headers)

    def latency(self, median: Duration | None, p99: Duration | None = None) -> None:
        """From now, every answer waits a log-normal draw with this median and 99th percentile
        (:class:`ServerLatency`; ``p99`` defaults to the median: a fixed wait); ``None``: none.
        Slow outages add their delay to it."""
        if median is None:
            self._latency = None
            return
        median_ms = to_ms(median)
        self._latency = ServerLatency(median_ms, median_ms if p99 is None else to_ms(p99))
        if self._latency_rng is None:
            self._latency_rng = self._sim.random(f"backend.latency {self.origin}")

    def outage(
        self,
        start: Duration,
        duration: Duration,
        kind: OutageKind | str = OutageKind.ERROR,
        *,
        status: int = 503,
        delay: Duration = DEFAULT_OUTAGE_DELAY_MS,
        path: str = "/",
    ) -> Outage:
        """From ``start`` for ``duration``, requests under ``path`` fail as ``kind`` says."""
        start_ms = to_ms(start)
        outage = Outage(
            start_ms,
            start_ms + to_ms(duration),
            OutageKind(kind),
            status=status,
            delay_ms=to_ms(delay),
            path=path,
        )
        self._outages.append(outage)
        return outage

    def rate_limit(
        self,
        limit: int,
        *,
        window: Duration = 60_000,
        retry_after: Duration | None = None,
        start: Duration = 0,
        duration: Duration | None = None,
        path: str = "/",
    ) -> RateLimit:
        """At most ``limit`` requests per ``window`` from ``start`` for ``duration``, else 429."""
        start_ms = to_ms(start)
        limiter = RateLimit(
            limit,
            window_ms=to_ms(window),
            retry_after_ms=None if retry_after is None else to_ms(retry_after),
            start_ms=start_ms,
            end_ms=None if duration is None else start_ms + to_ms(duration),
            path=path,
        )
        self._rate_limits.append(limiter)
        return limiter

    def token_auth(
        self, lifetime: Duration = "1h", *, token_path: str = "/auth/token", protect: str = "/"
    ) -> TokenAuth:
        """Require bearer tokens, issued by ``POST token_path``, that expire after ``lifetime``."""
        self._auth = TokenAuth(self._sim, to_ms(lifetime), token_path, protect)
        self.router.route(method="POST", host=self.host, path=token_path).mock(
            side_effect=self._auth.issue
        )
        return self._auth

    # --- answering ------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` at the current virtual instant (faults first, then routes)."""
        return self._handle(request, url_facts(request.url))

    def _handle(self, request: httpx.Request, url: UrlFacts) -> httpx.Response:
        now_ms = self._clock.now_ms
        path = url.path
        # A Retry-After covers what its rate limit governs: a request for another path, which
        # that limit never refused, is not a retry (RFC 9110 section 10.2.3: the client ought to
        # wait "before making a follow-up request").
        retry_not_before_ms = self._retry_not_before_ms
        too_early = bool(retry_not_before_ms) and any(
            now_ms < not_before and path.startswith(scope)
            for scope, not_before in retry_not_before_ms.items()
        )
        response, fault = self._answer(request, now_ms, path)
        if response is None:
            self._log(
                request, url, now_ms, None, fault="unmatched", unmatched=True, too_early=too_early
            )
            self._sim.record("http.unmatched", method=request.method, url=str(request.url))
            raise AllMockedAssertionError(f"RESPX: {request!r} not mocked!")
        if fault is not None:
            response.extensions[FAULT_EXTENSION] = fault
        answered = fault not in ("timeout", "reset")
        self._log(
            request,
            url,
            now_ms,
            response.status_code if answered else None,
            fault=fault,
            too_early=too_early,
        )
        return response

    def _answer(
        self, request: httpx.Request, now_ms: int, path: str
    ) -> tuple[httpx.Response | None, str | None]:
        slow_delay_ms = 0
        for outage in self._outages:
            if outage.applies(now_ms, path):
                if outage.kind is OutageKind.SLOW:
                    slow_delay_ms = max(slow_delay_ms, outage.delay_ms)
                    continue
                faulty = outage.respond(request)
                assert faulty is not None
                return faulty, outage.kind.value
        if self._auth is not None and self._auth.rejects(request):
            return (
                httpx.Response(
                    401,
                    json={"error": "invalid_token"},
                    headers={"www-authenticate": 'Bearer error="invalid_token"'},
                    request=request,
                ),
                "unauthorized",
            )
        for limiter in self._rate_limits:
            if limiter.active(now_ms, path):
                retry_after_ms = limiter.admit(now_ms)
                if retry_after_ms is not None:
                    header = retry_after_header(retry_after_ms)
                    self._retry_not_before_ms[limiter.path] = now_ms + int(header) * 1000
                    return (
                        httpx.Response(
                            429,
                            json={"error": "rate limited"},
                            headers={"retry-after": header},
                            request=request,
                        ),
                        "rate_limited",
                    )
        try:
            response = self.router.handler(request)
        except AllMockedAssertionError:
            return None, None
        wait_ms = slow_delay_ms
        if self._latency is not None and self._latency_rng is not None:
            wait_ms += self._latency.draw(self._latency_rng)
        if wait_ms:
            response.extensions["harness.server_delay_ms"] = wait_ms
        return response, "slow" if slow_delay_ms else None

    def _log(
        self,
        request: httpx.Request,
        url: UrlFacts,
        now_ms: int,
        status: int | None,
        *,
        fault: str | None,
        unmatched: bool = False,
        too_early: bool = False,
    ) -> None:
        # what self.requests.append(_received(...)) keeps, added by its fields: the log keeps
        # columns (RequestLog), so no entry is built to be taken apart again
        size, sha256, content = body_facts(request)
        # a log of a year's requests repeats a few URLs: one copy of each text (interned)
        shape = (
            sys.intern(request.method),
            url.text,
            url.path,
            status,
            None if unmatched else fault,
            size,
            unmatched,
            too_early,
            sys.intern(sha256),
        )
        body = content if self.keep_bodies else None
        self.requests.add(now_ms, shape, _idempotency_key(request), body)


class Internet:
    """Every server the device can reach, by origin. Unknown origins fail loudly.

    ``keep_bodies`` is the default for the backends it creates: their request logs keep each
    request's body bytes, not only its size and SHA-256."""

    def __init__(self, sim: Simulation, *, keep_bodies: bool = False) -> None:
        self._sim = sim
        self._backends: dict[str, Backend] = {}
        self.keep_bodies = keep_bodies
        self.unrouted: list[ReceivedRequest] = []

    def backend(
        self,
        origin: str,
        *,
        router: respx.Router | None = None,
        keep_bodies: bool | None = None,
    ) -> Backend:
        """The backend serving ``origin``, created on first use (``keep_bodies``: see
        :class:`Backend`; ``None`` takes the internet's default)."""
        key = normalize_origin(origin)
        existing = self._backends.get(key)
        if existing is not None:
            if router is not None and existing.router is not router:
                raise DefinitionError(f"{key} already has a backend with another router")
            if keep_bodies is not None:
                existing.keep_bodies = keep_bodies
            return existing
        backend = Backend(
            self._sim,
            key,
            router=router,
            keep_bodies=self.keep_bodies if keep_bodies is None else keep_bodies,
        )
        self._backends[key] = backend
        return backend

    @property
    def backends(self) -> list[Backend]:
        """All backends, in the order they were created."""
        return list(self._backends.values())

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Route ``request`` to its origin's backend; an unknown origin is an unmatched request."""
        url = url_facts(request.url)
        origin = url.origin
        backend = self._backends.get(origin)
        if backend is None:
            self.unrouted.append(
                _received(request, self._sim.now_ms, url, status=None, unmatched=True)
            )
            self._sim.record("http.unmatched", method=request.method, url=str(request.url))
            known = ", ".join(self._backends) or "none"
            raise AllMockedAssertionError(
                f"RESPX: {request!r} not mocked! No backend serves {origin} (known: {known}); "
                "add one with internet.backend(origin)"
            )
        return backend._handle(request, url)

    def requests(self) -> list[ReceivedRequest]:
        """Every request any backend received, in arrival order."""
        merged = [entry for backend in self._backends.values() for entry in backend.requests]
        merged.extend(self.unrouted)
        return sorted(merged, key=lambda entry: entry.t_ms)

    def requests_per_hour(self) -> Counter[int]:
        """Requests any backend received per virtual hour since the epoch (busy hours only),
        counted from the logs' columns without building an entry per request."""
        counts: Counter[int] = Counter()
        for backend in self._backends.values():
            counts.update(backend.requests.per_hour())
        counts.update(entry.t_ms // MS_PER_HOUR for entry in self.unrouted)
        return counts

    def statuses(self) -> Counter[int | None]:
        """How often any backend answered each status (``None``: never answered or unmatched)."""
        counts: Counter[int | None] = Counter(entry.status for entry in self.unrouted)
        for backend in self._backends.values():
            counts.update(backend.requests.statuses())
        return counts

    def too_early_after_429(self) -> list[ReceivedRequest]:
        """Requests that came back before the Retry-After of a 429 had passed, by arrival."""
        early = [
            entry
            for backend in self._backends.values()
            for entry in backend.requests.too_early_after_429()
        ]
        return sorted(early, key=lambda entry: entry.t_ms)
