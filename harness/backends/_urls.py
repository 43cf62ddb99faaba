"""What the fake servers read of a request's URL, worked out once per parsed URL.

A device client parses an app's URL text once, and every request to it shares that parse:
``httpx.URL`` keeps it as ``_uri_reference``, an immutable named tuple that each request's
``URL`` copies by reference (``httpx/_urls.py``, ``URL.__init__``). A URL's text, decoded path,
origin and query parameters are functions of that tuple alone, yet ``URL.__str__``,
``URL.path``, ``URL.netloc`` and ``URL.params`` rebuild them on every read; the servers read
them for each request (routing by origin, faults and limits by path, the request log, a
resource's query), so they are kept per parse.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Final

import httpx

#: How many parses' facts are kept (an app asks for a handful of URLs, again and again; past
#: this the cache starts over rather than grow).
_CACHE_SIZE: Final = 256


@dataclass(frozen=True, slots=True)
class UrlFacts:
    """What the servers read of one URL: its text, decoded path, origin and query."""

    #: ``str(url)``, interned (a year's log repeats a few URLs: one copy of each text)
    text: str
    #: ``url.path`` (percent-decoded), interned
    path: str
    #: ``scheme://host[:port]``, as :func:`~harness.backends._backend.normalize_origin` keys
    #: backends
    origin: str
    #: ``url.params`` (immutable: every operation on one makes a new one)
    params: httpx.QueryParams


_FACTS: dict[object, UrlFacts] = {}


def url_facts(url: httpx.URL) -> UrlFacts:
    """The :class:`UrlFacts` of ``url``, from the cache when its parse was seen before."""
    parsed = getattr(url, "_uri_reference", None)  # None: an httpx that keeps it elsewhere
    facts = _FACTS.get(parsed) if parsed is not None else None
    if facts is None:
        facts = UrlFacts(
            text=sys.intern(str(url)),
            path=sys.intern(url.path),
            origin=f"{url.scheme}://{url.netloc.decode()}",
            params=url.params,
        )
        if parsed is not None:
            if len(_FACTS) >= _CACHE_SIZE:
                _FACTS.clear()
            _FACTS[parsed] = facts
    return facts
