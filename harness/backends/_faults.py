"""Server faults on a schedule: outages (5xx, hangs, slowness, malformed JSON, resets), rate limits.

Faults are checked before the routes, in the order they were added; the first that applies
answers. Timing effects (a slow answer, a hang, a reset mid-body) are not waited out here: the
server is a pure function of the request and virtual time, and it marks the response with
extensions that the device-bound HTTP transport honours in virtual time:

* ``"harness.server_delay_ms"``: the server takes this long before the first byte;
* ``"harness.server_hangs"``: the server never answers (the client's read timeout fires, if any);
* ``"harness.server_resets"``: the connection is reset before the body (``httpx.ReadError``).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Final

import httpx

from harness._exceptions import DefinitionError

SERVER_DELAY_MS: Final = "harness.server_delay_ms"
SERVER_HANGS: Final = "harness.server_hangs"
SERVER_RESETS: Final = "harness.server_resets"

#: A JSON document cut off mid-way, as a proxy or a crashed server sends it.
MALFORMED_JSON: Final = b'{"items": [{"id": "item-0001", "title": "tru'


class OutageKind(enum.StrEnum):
    """How the server misbehaves during an outage."""

    ERROR = "error"  # answers every request with a 5xx status (default 503)
    TIMEOUT = "timeout"  # accepts the connection, never answers
    SLOW = "slow"  # answers correctly, after an extra delay
    MALFORMED = "malformed"  # answers 200 with a truncated JSON body
    RESET = "reset"  # resets the connection before the body (httpx.ReadError on the client)


#: How long a ``slow`` or ``timeout`` outage holds each request unless told otherwise.
DEFAULT_OUTAGE_DELAY_MS: Final = 30_000


@dataclass(frozen=True, slots=True)
class Outage:
    """A window ``[start_ms, end_ms)`` of virtual time in which requests under ``path`` fail."""

    start_ms: int
    end_ms: int
    kind: OutageKind = OutageKind.ERROR
    status: int = 503
    delay_ms: int = DEFAULT_OUTAGE_DELAY_MS
    path: str = "/"

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise DefinitionError(
                f"outage end {self.end_ms} ms is not after its start {self.start_ms} ms; "
                "give a positive duration"
            )
        if self.kind is OutageKind.ERROR and not 500 <= self.status <= 599:
            raise DefinitionError(f"outage status {self.status} is not a 5xx status; use 500..599")
        if self.delay_ms <= 0:
            raise DefinitionError(f"outage delay {self.delay_ms} ms must be positive")

    def applies(self, t_ms: int, path: str) -> bool:
        """Whether this outage answers a request for ``path`` at ``t_ms``."""
        return self.start_ms <= t_ms < self.end_ms and path.startswith(self.path)

    def respond(self, request: httpx.Request) -> httpx.Response | None:
        """The faulty answer; ``None`` for SLOW (the routes answer, then the delay applies)."""
        if self.kind is OutageKind.ERROR:
            return httpx.Response(
                self.status, json={"error": "service unavailable"}, request=request
            )
        if self.kind is OutageKind.MALFORMED:
            return httpx.Response(
                200,
                content=MALFORMED_JSON,
                headers={"content-type": "application/json"},
                request=request,
            )
        if self.kind is OutageKind.TIMEOUT:
            return httpx.Response(504, request=request, extensions={SERVER_HANGS: True})
        if self.kind is OutageKind.RESET:
            return httpx.Response(200, request=request, extensions={SERVER_RESETS: True})
        return None


@dataclass(slots=True)
class RateLimit:
    """At most ``limit`` requests per fixed ``window_ms`` under ``path``, else 429.

    Active in ``[start_ms, end_ms)``. A 429 carries ``Retry-After`` in whole seconds: the time
    until the window resets, or ``retry_after_ms`` when given. A client that comes back before the
    Retry-After it was given is noted (``too_early_after_429``), which is what
    "honours Retry-After" checks look at.
    """

    limit: int
    window_ms: int = 60_000
    retry_after_ms: int | None = None
    start_ms: int = 0
    end_ms: int | None = None
    path: str = "/"
    _window_start_ms: int = field(default=-1, init=False)
    _count_in_window: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise DefinitionError(
                f"rate limit {self.limit} must allow at least 1 request per window"
            )
        if self.window_ms <= 0:
            raise DefinitionError(f"rate-limit window {self.window_ms} ms must be positive")

    def active(self, t_ms: int, path: str) -> bool:
        """Whether the limit governs a request for ``path`` at ``t_ms``."""
        in_time = self.start_ms <= t_ms and (self.end_ms is None or t_ms < self.end_ms)
        return in_time and path.startswith(self.path)

    def admit(self, t_ms: int) -> int | None:
        """Count a request; ``None`` if admitted, else the Retry-After to send, in ms."""
        window_start = t_ms - (t_ms - self.start_ms) % self.window_ms
        if window_start != self._window_start_ms:
            self._window_start_ms = window_start
            self._count_in_window = 0
        self._count_in_window += 1
        if self._count_in_window <= self.limit:
            return None
        if self.retry_after_ms is not None:
            return self.retry_after_ms
        return window_start + self.window_ms - t_ms


def retry_after_header(retry_after_ms: int) -> str:
    """``Retry-After`` in whole seconds, rounded up so a client that obeys it is never early."""
    return str(max(1, math.ceil(retry_after_ms / 1000)))
