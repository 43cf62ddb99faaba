"""Ready-made, seedable fake servers built on respx, for sync code to talk to.

Compose a server instead of hand-writing mocks::

    internet = Internet(sim)
    api = internet.backend("https://api.example.com")
    items = api.resource("/items", initial_items=45, page_size=20)   # pagination, ETag, since
    api.token_auth(lifetime="1h")                                     # 401 after expiry
    api.rate_limit(1, window="1m", start="2d8h", duration="2h")       # 429 + Retry-After
    api.outage(start="3d", duration="30m", kind="timeout")            # the server hangs
    api.route("GET", "/status", json={"ok": True})                    # a static answer
    api.route("GET", "/photo", body=SizedBody(1_000_000))             # 1 MB, never held

Bodies of a declared size (:class:`SizedBody`) are counted by their size and never built; the
request log keeps every body's size and SHA-256, and the bytes only with ``keep_bodies=True``.

After a run, ask the server what happened: ``api.requests.count("GET", "/items")``,
``items.received_ids()``, ``items.duplicate_ids()``, ``api.requests.max_per_hour()``.
"""

from harness.backends._backend import FAULT_EXTENSION, Backend, Internet, TokenAuth
from harness.backends._body import SIZED_BODY_EXTENSION, SizedBody
from harness.backends._faults import (
    DEFAULT_OUTAGE_DELAY_MS,
    SERVER_DELAY_MS,
    SERVER_HANGS,
    SERVER_RESETS,
    Outage,
    OutageKind,
    RateLimit,
)
from harness.backends._latency import ServerLatency
from harness.backends._log import ReceivedRequest, RequestLog
from harness.backends._resource import Item, RestResource, Upload

__all__ = [
    "DEFAULT_OUTAGE_DELAY_MS",
    "FAULT_EXTENSION",
    "SERVER_DELAY_MS",
    "SERVER_HANGS",
    "SERVER_RESETS",
    "SIZED_BODY_EXTENSION",
    "Backend",
    "Internet",
    "Item",
    "Outage",
    "OutageKind",
    "RateLimit",
    "ReceivedRequest",
    "RequestLog",
    "RestResource",
    "ServerLatency",
    "SizedBody",
    "TokenAuth",
    "Upload",
]
