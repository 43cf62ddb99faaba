"""What a fake server received: one entry per request, and questions asked of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from harness._units import MS_PER_HOUR
from harness.backends._body import EMPTY_SHA256


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """One request as the server saw it, and how it answered.

    ``fault`` names the injected fault that answered instead of the routes (``"error"``,
    ``"timeout"``, ``"slow"``, ``"malformed"``, ``"reset"``, ``"rate_limited"``,
    ``"unauthorized"``), or is ``None`` for a normal answer. ``status`` is ``None`` when the server
    never answered (a hang or a reset) and for a request no route matched (``unmatched``).

    ``request_bytes`` is the body's size and ``request_sha256`` the hex SHA-256 of its bytes (of
    its descriptor for a :class:`~harness.backends.SizedBody`); ``body`` holds the bytes only
    when the backend was asked to keep them (``keep_bodies=True``), else ``None``.
    """

    t_ms: int
    method: str
    url: str
    path: str
    status: int | None
    fault: str | None = None
    idempotency_key: str | None = None
    request_bytes: int = 0
    unmatched: bool = False
    too_early_after_429: bool = False
    request_sha256: str = EMPTY_SHA256
    body: bytes | None = None


class RequestLog:
    """Append-only list of :class:`ReceivedRequest` with counting helpers."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[ReceivedRequest] = []

    def append(self, entry: ReceivedRequest) -> None:
        """Record one request."""
        self._entries.append(entry)

    def __iter__(self) -> Iterator[ReceivedRequest]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> ReceivedRequest:
        return self._entries[index]

    def matching(self, method: str | None = None, path: str | None = None) -> list[ReceivedRequest]:
        """Requests with this method (any if ``None``) whose path equals or starts with ``path``.

        A ``path`` ending in ``/`` or ``*`` is a prefix (``"/items/*"``); otherwise it must match
        exactly.
        """
        wanted_method = method.upper() if method is not None else None
        prefix = path is not None and path.endswith(("*", "/"))
        stem = path.rstrip("*") if path is not None else None
        return [
            entry
            for entry in self._entries
            if (wanted_method is None or entry.method == wanted_method)
            and (stem is None or (entry.path.startswith(stem) if prefix else entry.path == stem))
        ]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests :meth:`matching` finds."""
        return len(self.matching(method, path))

    def per_hour(self) -> dict[int, int]:
        """Requests per virtual hour since the epoch: ``{hour_index: count}`` for busy hours."""
        return dict(Counter(entry.t_ms // MS_PER_HOUR for entry in self._entries))

    def max_per_hour(self) -> int:
        """The busiest hour's request count (0 with no requests)."""
        counts = self.per_hour()
        return max(counts.values()) if counts else 0

    def unmatched(self) -> list[ReceivedRequest]:
        """Requests no route matched: with strict routing each is a failure of the run."""
        return [entry for entry in self._entries if entry.unmatched]

    def statuses(self) -> Counter[int | None]:
        """How often each status was answered (``None``: never answered or unmatched)."""
        return Counter(entry.status for entry in self._entries)
