"""What a fake server received: one entry per request, and questions asked of them."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import overload

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
    """Append-only log of :class:`ReceivedRequest` with counting helpers.

    A year of a 15-minute sync is 35,000 requests that repeat a few shapes (method, URL, status,
    body digest...), so the log keeps each entry as its time and the number of its shape in
    machine-integer arrays (12 bytes an entry, not a 200-byte object), with idempotency keys and
    kept bodies aside; an entry read back is a :class:`ReceivedRequest` equal to the one appended
    (not the same object). Counting helpers read the columns without building entries.
    """

    __slots__ = ("_bodies", "_keys", "_shape_ids", "_shapes", "_t_ms", "_which")

    def __init__(self) -> None:
        self._t_ms = array("q")
        #: per entry, the index of its shape in ``_shapes``
        self._which = array("I")
        self._shapes: list[_Shape] = []
        self._shape_ids: dict[_Shape, int] = {}
        #: entry index -> its idempotency key or its kept body (most entries have neither)
        self._keys: dict[int, str] = {}
        self._bodies: dict[int, bytes] = {}

    def append(self, entry: ReceivedRequest) -> None:
        """Record one request."""
        self.add(
            entry.t_ms,
            (
                entry.method,
                entry.url,
                entry.path,
                entry.status,
                entry.fault,
                entry.request_bytes,
                entry.unmatched,
                entry.too_early_after_429,
                entry.request_sha256,
            ),
            entry.idempotency_key,
            entry.body,
        )

    def add(
        self, t_ms: int, shape: _Shape, idempotency_key: str | None, body: bytes | None
    ) -> None:
        """Record one request from its fields (what :meth:`append` keeps of an entry, for a
        server that has no entry to build): ``shape`` is ``(method, url, path, status, fault,
        request_bytes, unmatched, too_early_after_429, request_sha256)``."""
        shape_id = self._shape_ids.get(shape)
        if shape_id is None:
            shape_id = self._shape_ids[shape] = len(self._shapes)
            self._shapes.append(shape)
        index = len(self._t_ms)
        self._t_ms.append(t_ms)
        self._which.append(shape_id)
        if idempotency_key is not None:
            self._keys[index] = idempotency_key
        if body is not None:
            self._bodies[index] = body

    def _entry(self, index: int) -> ReceivedRequest:
        method, url, path, status, fault, size, unmatched, early, sha256 = self._shapes[
            self._which[index]
        ]
        return ReceivedRequest(
            t_ms=self._t_ms[index],
            method=method,
            url=url,
            path=path,
            status=status,
            fault=fault,
            idempotency_key=self._keys.get(index),
            request_bytes=size,
            unmatched=unmatched,
            too_early_after_429=early,
            request_sha256=sha256,
            body=self._bodies.get(index),
        )

    def __iter__(self) -> Iterator[ReceivedRequest]:
        return map(self._entry, range(len(self._t_ms)))

    def __len__(self) -> int:
        return len(self._t_ms)

    @overload
    def __getitem__(self, index: int) -> ReceivedRequest: ...

    @overload
    def __getitem__(self, index: slice) -> list[ReceivedRequest]: ...

    def __getitem__(self, index: int | slice) -> ReceivedRequest | list[ReceivedRequest]:
        positions = range(len(self._t_ms))[index]
        if isinstance(positions, range):
            return [self._entry(position) for position in positions]
        return self._entry(positions)

    def _where(self, test: Callable[[_Shape], bool]) -> list[ReceivedRequest]:
        """The entries whose shape passes ``test``, in order."""
        chosen = {shape_id for shape_id, shape in enumerate(self._shapes) if test(shape)}
        if not chosen:
            return []
        return [self._entry(i) for i, shape_id in enumerate(self._which) if shape_id in chosen]

    def matching(self, method: str | None = None, path: str | None = None) -> list[ReceivedRequest]:
        """Requests with this method (any if ``None``) whose path equals or starts with ``path``.

        A ``path`` ending in ``/`` or ``*`` is a prefix (``"/items/*"``); otherwise it must match
        exactly.
        """
        return self._where(_matcher(method, path))

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests :meth:`matching` finds."""
        test = _matcher(method, path)
        per_shape = Counter(self._which)
        return sum(n for shape_id, n in per_shape.items() if test(self._shapes[shape_id]))

    def times(self) -> array[int]:
        """The arrival times (virtual ms) of every request, in order (a copy)."""
        return array("q", self._t_ms)

    def per_hour(self) -> dict[int, int]:
        """Requests per virtual hour since the epoch: ``{hour_index: count}`` for busy hours."""
        return dict(Counter(t_ms // MS_PER_HOUR for t_ms in self._t_ms))

    def max_per_hour(self) -> int:
        """The busiest hour's request count (0 with no requests)."""
        counts = self.per_hour()
        return max(counts.values()) if counts else 0

    def unmatched(self) -> list[ReceivedRequest]:
        """Requests no route matched: with strict routing each is a failure of the run."""
        return self._where(lambda shape: shape[6])

    def too_early_after_429(self) -> list[ReceivedRequest]:
        """Requests that came back before the Retry-After of a 429 had passed."""
        return self._where(lambda shape: shape[7])

    def statuses(self) -> Counter[int | None]:
        """How often each status was answered (``None``: never answered or unmatched)."""
        counts: Counter[int | None] = Counter()
        for shape_id, n in Counter(self._which).items():
            counts[self._shapes[shape_id][3]] += n
        return counts


#: What entries share: method, url, path, status, fault, request_bytes, unmatched,
#: too_early_after_429, request_sha256 (the order of :class:`ReceivedRequest`'s fields)
_Shape = tuple[str, str, str, int | None, str | None, int, bool, bool, str]


def _matcher(method: str | None, path: str | None) -> Callable[[_Shape], bool]:
    """The test of a shape for :meth:`RequestLog.matching`'s arguments."""
    wanted_method = method.upper() if method is not None else None
    prefix = path is not None and path.endswith(("*", "/"))
    stem = path.rstrip("*") if path is not None else None

    def test(shape: _Shape) -> bool:
        return (wanted_method is None or shape[0] == wanted_method) and (
            stem is None or (shape[2].startswith(stem) if prefix else shape[2] == stem)
        )

    return test
