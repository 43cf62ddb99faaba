"""The fake servers' trace kinds (``backend.*``, ``http.unmatched``).

Each class is the typed form of one kind's records (``t_ms`` plus the fields below; a field with a
default is absent from some records). Registered on import of the package; the reference is
``docs/trace.md`` (regenerate it with ``python -m tests.regen_trace_doc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from harness.sim import TraceKind, register_trace_kind


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendItemsAddedRecord(TraceKind):
    """Items were added to a server resource (by a scenario ``server_add`` action or the
    resource).
    """

    KIND: ClassVar[str] = "backend.items_added"
    path: str
    count: int
    ids: list[str] | None = None


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendItemsUpdatedRecord(TraceKind):
    """A scenario ``server_update`` action changed items of a server resource."""

    KIND: ClassVar[str] = "backend.items_updated"
    path: str
    count: int
    ids: list[str]


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendOutageRecord(TraceKind):
    """A scenario action started a server outage lasting until ``until_ms``."""

    KIND: ClassVar[str] = "backend.outage"
    action: str
    until_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendLatencyRecord(TraceKind):
    """A scenario action set (or ended) the servers' response-time distribution."""

    KIND: ClassVar[str] = "backend.latency"
    action: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendRateLimitRecord(TraceKind):
    """A scenario action started a server rate limit lasting until ``until_ms``."""

    KIND: ClassVar[str] = "backend.rate_limit"
    action: str
    until_ms: int


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class BackendTokensExpiredRecord(TraceKind):
    """A scenario action expired every token of the server at ``origin``."""

    KIND: ClassVar[str] = "backend.tokens_expired"
    origin: str


@register_trace_kind
@dataclass(frozen=True, slots=True, kw_only=True)
class HttpUnmatchedRecord(TraceKind):
    """A request reached a server but no route matched it (strict routing fails the run)."""

    KIND: ClassVar[str] = "http.unmatched"
    method: str
    url: str


__all__ = [
    "BackendItemsAddedRecord",
    "BackendItemsUpdatedRecord",
    "BackendLatencyRecord",
    "BackendOutageRecord",
    "BackendRateLimitRecord",
    "BackendTokensExpiredRecord",
    "HttpUnmatchedRecord",
]
