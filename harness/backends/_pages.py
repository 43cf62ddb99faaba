"""List pages of a :class:`~harness.backends.RestResource`, encoded once per collection version.

A page's JSON changes only when the collection does, except for its last field, the server
time of the answer. :class:`EncodedPages` keeps each page encoded up to that field, and
:meth:`EncodedPages.response` completes it: the same bytes and headers, in the same order, as
``httpx.Response(json=body)`` sends (httpx's ``encode_json``: ``json.dumps`` with
``ensure_ascii=False`` and compact separators, UTF-8, ``Content-Length`` then ``Content-Type``).
"""

from __future__ import annotations

import json
from typing import Any, Final

import httpx

#: (collection version, pagination ``"page"`` or ``"cursor"``, page number or cursor, limit)
PageKey = tuple[int, str, str | int, int]

#: At most this many encoded pages are kept for one version of a collection.
PAGES_KEPT: Final = 64


class EncodedPages:
    """The pages of one collection answered since it last changed, encoded up to the time."""

    __slots__ = ("_headers", "_pages")

    def __init__(self) -> None:
        self._pages: dict[PageKey, bytes] = {}
        #: the headers last answered: for these validator headers and this body length
        self._headers: tuple[dict[str, str], int, httpx.Headers] | None = None

    def get(self, key: PageKey) -> bytes | None:
        """The page ``key`` as encoded when first answered, or ``None``."""
        return self._pages.get(key)

    def keep(self, key: PageKey, body: dict[str, Any]) -> bytes:
        """Encode ``body`` (every field but the server time) and keep it for ``key``."""
        whole = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        encoded = whole[:-1].encode("utf-8") + b',"server_time_ms":'
        pages = self._pages
        if len(pages) >= PAGES_KEPT or any(kept[0] != key[0] for kept in pages):
            pages.clear()  # the collection changed (those pages are gone), or many pages
        pages[key] = encoded
        return encoded

    def response(
        self, encoded: bytes, now_ms: int, cache_headers: dict[str, str], request: httpx.Request
    ) -> httpx.Response:
        """The 200 answer of a page ``encoded`` by :meth:`keep`, at ``now_ms``; ``cache_headers``
        are the collection's validators (one dict per collection version)."""
        content = b"%b%d}" % (encoded, now_ms)
        length = len(content)
        kept = self._headers
        if kept is None or kept[0] is not cache_headers or kept[1] != length:
            # a response copies the headers it is given (httpx.Headers(headers)): one set,
            # normalised once, serves every answer with the same validators and length
            headers = httpx.Headers(
                {
                    **cache_headers,
                    "Content-Length": str(length),
                    "Content-Type": "application/json",
                }
            )
            kept = self._headers = (cache_headers, length, headers)
        return loaded_response(200, kept[2], content, request)


def loaded_response(
    status: int, headers: dict[str, str] | httpx.Headers, content: bytes, request: httpx.Request
) -> httpx.Response:
    """``httpx.Response(status, content=content, headers=headers, request=request)`` where
    ``headers`` already hold the content's ``Content-Length`` and no ``Content-Encoding``.

    httpx would add that header (already there) and read its own stream at once, through its
    decoders (the identity, for a body with no encoding), so the body is ``content`` as it is:
    the response is built loaded, as read would leave it (``httpx/_models.py``,
    ``Response.__init__``, ``read``, ``iter_raw`` and ``close``; ``__init__`` then counts no byte
    downloaded).
    """
    response = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(content), request=request
    )
    response._content = content
    response.is_stream_consumed = True
    response.is_closed = True
    return response
