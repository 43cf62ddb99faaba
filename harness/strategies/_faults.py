"""``server_faults()``: scheduled server faults, the whole catalogue the fake servers support.

A fault is a ``backend.faults`` entry (``harness.backends``: ``Outage``, ``RateLimit``): an
outage of a kind, mildest first, ``slow`` (correct answers after a delay), ``error`` (a 5xx),
``malformed`` (a 200 whose JSON body is cut off mid-way: a partial body), ``reset`` (the
connection reset before the body, ``httpx.ReadError``), ``timeout`` (no answer at all); or a
rate limit (429 with ``Retry-After``: the time until the window resets, or a fixed number of
seconds). Every draw shrinks towards 0, which means an earlier start, a shorter fault, the
mildest kind, the commonest status (503), the shortest delay, the laxest limit and the shortest
Retry-After.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from hypothesis import strategies as st

from harness._units import MS_PER_DAY, MS_PER_MINUTE, format_duration_ms, parse_duration

#: The kinds of fault, mildest first (the first is what a shrinking kind becomes).
FAULT_KINDS: Final = ("slow", "rate_limit", "error", "malformed", "reset", "timeout")
#: 5xx statuses an ``error`` outage answers, commonest first (``Outage``: 503 by default).
_STATUSES: Final = (503, 500, 502, 504)
#: The most requests per minute a drawn rate limit allows (the laxest).
_MAX_PER_MINUTE: Final = 10


def _at(t_ms: int) -> str:
    return format_duration_ms(t_ms) if t_ms else "0s"


def server_faults(
    *,
    days: int = 7,
    max_faults: int = 4,
    max_length: str | int = "6h",
    kinds: Collection[str] = FAULT_KINDS,
    origin: str | None = None,
    path: str | None = None,
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Up to ``max_faults`` server faults inside ``days``, each at most ``max_length`` long.

    ``kinds`` picks from :data:`FAULT_KINDS`; ``origin`` and ``path`` limit every fault to one
    server or path (default: all servers, every path). Returns ``backend.faults`` entries, as
    a scenario file writes them.
    """
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown or not kinds:
        raise ValueError(
            f"server_faults(kinds=...): {unknown or 'nothing'} is not a choice; choose from "
            f"{', '.join(FAULT_KINDS)}"
        )
    ordered = tuple(kind for kind in FAULT_KINDS if kind in kinds)
    length_ms = max_length if isinstance(max_length, int) else parse_duration(max_length)
    return _faults(days, max_faults, max(length_ms // MS_PER_MINUTE, 1), ordered, origin, path)


@st.composite
def _faults(
    draw: st.DrawFn,
    days: int,
    max_faults: int,
    max_minutes: int,
    ordered: tuple[str, ...],
    origin: str | None,
    path: str | None,
) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=0, max_value=max_faults))
    faults: list[dict[str, Any]] = []
    for _ in range(count):
        start = draw(st.integers(min_value=0, max_value=days * MS_PER_DAY // MS_PER_MINUTE - 1))
        minutes = 1 + draw(st.integers(min_value=0, max_value=max_minutes - 1))
        fault: dict[str, Any] = {"at": _at(start * MS_PER_MINUTE), "for": f"{minutes}m"}
        if origin is not None:
            fault["origin"] = origin
        if path is not None:
            fault["path"] = path
        # every fault draws the same five integers whatever its kind, so a kind that shrinks
        # to a milder one leaves the other draws meaning what they meant
        kind = ordered[draw(st.integers(0, len(ordered) - 1))]
        status = _STATUSES[draw(st.integers(0, len(_STATUSES) - 1))]
        delay_s = 1 + draw(st.integers(0, 59))
        per_minute = _MAX_PER_MINUTE - draw(st.integers(0, _MAX_PER_MINUTE - 1))
        retry_after_s = draw(st.integers(0, 600))
        if kind == "rate_limit":
            limit: dict[str, Any] = {"per_minute": per_minute}
            if retry_after_s:  # 0: Retry-After is the time until the window resets
                limit["retry_after"] = f"{retry_after_s}s"
            fault["rate_limit"] = limit
        else:
            outage: dict[str, Any] = {"kind": kind}
            if kind == "error":
                outage["status"] = status
            if kind in ("slow", "timeout"):
                outage["delay"] = f"{delay_s}s"
            fault["outage"] = outage
        faults.append(fault)
    return faults
