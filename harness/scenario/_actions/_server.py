"""What happens on the servers: new or changed items, expired tokens, outages and rate limits.

``URL`` is a resource of the scenario's ``backend`` (origin + path); ``ORIGIN`` a server of it
(``scheme://host[:port]``). Outages and rate limits apply from the action's time on, to every
server or to the one at ``ORIGIN``; their effects are ``harness.backends``' fault windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Self

from harness.backends import DEFAULT_OUTAGE_DELAY_MS, Backend, OutageKind
from harness.scenario._actions._base import (
    Action,
    duration_ms,
    fail,
    http_url,
    positive_count,
    register,
)
from harness.scenario._servers import origin_of, resource_at

if TYPE_CHECKING:
    from harness.backends import RestResource
    from harness.scenario._world import World

#: Most items one ``server add``/``server update`` may touch (each is built in memory at once).
MAX_ITEMS_PER_ACTION: Final = 100_000
#: Most requests per window a ``server rate limit`` may allow.
MAX_RATE_LIMIT: Final = 1_000_000


def _known_backend(world: World, url: str, text: str) -> Backend:
    """The scenario's server at ``url``'s origin; an error naming the servers it has."""
    origin = origin_of(url)
    for backend in world.internet.backends:
        if backend.origin == origin:
            return backend
    known = ", ".join(backend.origin for backend in world.internet.backends) or "none"
    raise fail(
        text,
        f"no server at {origin} (the scenario's servers: {known}); add it to 'backend' "
        "(routes, resources or auth) or fix the URL",
    )


def _resource(world: World, url: str, text: str) -> RestResource:
    _known_backend(world, url, text)
    return resource_at(world.internet, url)


_ITEMS_RE: Final = re.compile(
    r"^server\s+(?P<verb>add|update)\s+(?P<count>\d+)\s+items?\s+(?:to|at|in)\s+(?P<url>\S+)$"
)


@dataclass(frozen=True, slots=True)
class _Items(Action):
    """``server VERB N items to URL``."""

    count: int = 0
    url: str = ""

    @classmethod
    def parse(cls, text: str) -> Self | None:
        match = _ITEMS_RE.match(text)
        if match is None or f"server_{match['verb']}" != cls.kind:
            return None
        count = positive_count(text, match["count"], "item count", most=MAX_ITEMS_PER_ACTION)
        return cls(text, count=count, url=http_url(text, match["url"], origin_only=False))

    def problem(self, world: World) -> str | None:
        _resource(world, self.url, self.text)
        return None


@register
@dataclass(frozen=True, slots=True)
class ServerAddItems(_Items):
    """N new items appear in the resource at URL (another device of the user wrote them)."""

    kind = "server_add"
    form = "server add N items to URL"
    summary = "N new items appear in the resource at URL"
    example = "server add 3 items to https://api.example.com/items"

    def apply(self, world: World) -> None:
        resource = resource_at(world.internet, self.url)
        ids = [resource.add().id for _ in range(self.count)]
        world.sim.record("backend.items_added", path=resource.path, count=self.count, ids=ids)


@register
@dataclass(frozen=True, slots=True)
class ServerUpdateItems(_Items):
    """The first N existing items of the resource at URL change (fewer if it has fewer)."""

    kind = "server_update"
    form = "server update N items at URL"
    summary = "N existing items change (the first N; fewer if there are fewer)"
    example = "server update 2 items at https://api.example.com/items"

    def apply(self, world: World) -> None:
        resource = resource_at(world.internet, self.url)
        ids = [item.id for item in resource.items()[: self.count]]
        for item_id in ids:
            resource.update(item_id)
        world.sim.record("backend.items_updated", path=resource.path, count=len(ids), ids=ids)


_EXPIRE_RE: Final = re.compile(r"^server\s+expire\s+tokens\s+at\s+(?P<origin>\S+)$")


@register
@dataclass(frozen=True, slots=True)
class ServerExpireTokens(Action):
    """Every bearer token of the server at ORIGIN stops working (clients must refresh)."""

    kind = "server_expire_tokens"
    form = "server expire tokens at ORIGIN"
    summary = "every token of that origin's auth stops working"
    example = "server expire tokens at https://api.example.com"

    origin: str = ""

    @classmethod
    def parse(cls, text: str) -> Self | None:
        match = _EXPIRE_RE.match(text)
        if match is None:
            return None
        return cls(text, origin=http_url(text, match["origin"], origin_only=True))

    def problem(self, world: World) -> str | None:
        backend = _known_backend(world, self.origin, self.text)
        if backend.auth is None:
            raise fail(
                self.text,
                f"{backend.origin} has no token auth; add it under 'backend.auth' "
                f"(origin: {backend.origin}) or remove the action",
            )
        return None

    def apply(self, world: World) -> None:
        backend = world.internet.backend(self.origin)
        auth = backend.auth
        if auth is None:
            raise fail(self.text, f"{backend.origin} has no token auth")
        auth.expire_all()
        world.sim.record("backend.tokens_expired", origin=backend.origin)


def _servers(world: World, origin: str | None, text: str) -> list[Backend]:
    """The server at ``origin``, or every server of the scenario."""
    if origin is not None:
        return [_known_backend(world, origin, text)]
    if not world.internet.backends:
        raise fail(text, "the scenario has no servers; add a 'backend' section")
    return world.internet.backends


_OUTAGE_RE: Final = re.compile(
    r"^server\s+outage\s+(?P<duration>\S+)"
    r"(?:\s+(?P<kind>error|timeout|slow|malformed|reset))?"
    r"(?:\s+(?P<delay>\d\S*))?(?:\s+at\s+(?P<origin>\S+))?$"
)


@register
@dataclass(frozen=True, slots=True)
class ServerOutage(Action):
    """From now, for ``duration_ms``, the servers fail as ``outage`` says."""

    kind = "server_outage"
    form = "server outage DURATION [KIND [DELAY]] [at ORIGIN]"
    summary = (
        "from now, for DURATION, the servers fail (KIND: error, timeout, slow, malformed, reset; "
        "slow and timeout wait DELAY, 30 s by default); all servers or ORIGIN"
    )
    example = "server outage 30m slow 5s at https://api.example.com"

    duration_ms: int = 0
    outage: OutageKind = OutageKind.ERROR
    #: How long ``slow``/``timeout`` answers wait, or ``None`` for the default (30 s).
    delay_ms: int | None = None
    origin: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.startswith("server outage"):
            return None
        match = _OUTAGE_RE.match(text)
        if match is None:
            raise fail(
                text,
                "write 'server outage DURATION [KIND [DELAY]] [at ORIGIN]', KIND one of error, "
                "timeout, slow, malformed, reset; e.g. 'server outage 30m slow 5s'",
            )
        if match["delay"] is not None and match["kind"] not in ("slow", "timeout"):
            raise fail(
                text, "a delay goes with 'slow' or 'timeout', e.g. 'server outage 30m slow 5s'"
            )
        delay = None if match["delay"] is None else duration_ms(text, match["delay"], "the delay")
        origin = match["origin"]
        return cls(
            text,
            duration_ms=duration_ms(text, match["duration"], "the outage duration"),
            outage=OutageKind(match["kind"] or "error"),
            delay_ms=delay,
            origin=None if origin is None else http_url(text, origin, origin_only=True),
        )

    def problem(self, world: World) -> str | None:
        _servers(world, self.origin, self.text)
        return None

    def apply(self, world: World) -> None:
        now = world.sim.now_ms
        delay = DEFAULT_OUTAGE_DELAY_MS if self.delay_ms is None else self.delay_ms
        for backend in _servers(world, self.origin, self.text):
            backend.outage(now, self.duration_ms, self.outage, delay=delay)
        world.sim.record("backend.outage", action=self.text, until_ms=now + self.duration_ms)


_LIMIT_RE: Final = re.compile(
    r"^server\s+rate\s+limit\s+(?P<limit>\d+)\s+per\s+(?P<window>\S+)\s+for\s+(?P<duration>\S+)"
    r"(?:\s+at\s+(?P<origin>\S+))?$"
)


@register
@dataclass(frozen=True, slots=True)
class ServerRateLimit(Action):
    """From now, for ``duration_ms``: ``limit`` requests per ``window_ms``, then 429."""

    kind = "server_rate_limit"
    form = "server rate limit N per WINDOW for DURATION [at ORIGIN]"
    summary = "from now, for DURATION: N requests per WINDOW, then 429; all servers or ORIGIN"
    example = "server rate limit 1 per 1m for 2h"

    limit: int = 1
    window_ms: int = 60_000
    duration_ms: int = 0
    origin: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.startswith("server rate limit"):
            return None
        match = _LIMIT_RE.match(text)
        if match is None:
            raise fail(
                text,
                "write 'server rate limit N per WINDOW for DURATION [at ORIGIN]', "
                "e.g. 'server rate limit 1 per 1m for 2h'",
            )
        origin = match["origin"]
        return cls(
            text,
            limit=positive_count(text, match["limit"], "the request limit", most=MAX_RATE_LIMIT),
            window_ms=duration_ms(text, match["window"], "the window"),
            duration_ms=duration_ms(text, match["duration"], "the duration"),
            origin=None if origin is None else http_url(text, origin, origin_only=True),
        )

    def problem(self, world: World) -> str | None:
        _servers(world, self.origin, self.text)
        return None

    def apply(self, world: World) -> None:
        now = world.sim.now_ms
        for backend in _servers(world, self.origin, self.text):
            backend.rate_limit(
                self.limit, window=self.window_ms, start=now, duration=self.duration_ms
            )
        world.sim.record("backend.rate_limit", action=self.text, until_ms=now + self.duration_ms)


_LATENCY_RE: Final = re.compile(
    r"^server\s+latency\s+(?:(?P<off>off)|(?P<median>\S+)(?:\s+p99\s+(?P<p99>\S+))?)"
    r"(?:\s+at\s+(?P<origin>\S+))?$"
)


@register
@dataclass(frozen=True, slots=True)
class ServerLatency(Action):
    """From now, each answer waits a log-normal draw (``median_ms``, ``p99_ms``), or none."""

    kind = "server_latency"
    form = "server latency MEDIAN [p99 P99] [at ORIGIN] | server latency off [at ORIGIN]"
    summary = (
        "from now, each answer waits a draw from a log-normal with this median and 99th "
        "percentile (a fixed wait without p99); 'off' ends it; all servers or ORIGIN"
    )
    example = "server latency 120ms p99 2s"

    #: ``None``: off
    median_ms: int | None = None
    p99_ms: int | None = None
    origin: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.startswith("server latency"):
            return None
        match = _LATENCY_RE.match(text)
        if match is None:
            raise fail(
                text,
                "write 'server latency MEDIAN [p99 P99] [at ORIGIN]' or 'server latency off', "
                "e.g. 'server latency 120ms p99 2s'",
            )
        origin = (
            None if match["origin"] is None else http_url(text, match["origin"], origin_only=True)
        )
        if match["off"]:
            return cls(text, origin=origin)
        median = duration_ms(text, match["median"], "the median")
        p99 = median if match["p99"] is None else duration_ms(text, match["p99"], "the p99")
        if median < 1 or p99 < median:
            raise fail(
                text,
                "the median must be at least 1ms and the p99 at least the median, e.g. "
                "'server latency 120ms p99 2s'",
            )
        return cls(text, median_ms=median, p99_ms=p99, origin=origin)

    def problem(self, world: World) -> str | None:
        _servers(world, self.origin, self.text)
        return None

    def apply(self, world: World) -> None:
        for backend in _servers(world, self.origin, self.text):
            backend.latency(self.median_ms, self.p99_ms)
        world.sim.record("backend.latency", action=self.text)
