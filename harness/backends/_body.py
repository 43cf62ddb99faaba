"""Bodies of a declared size: a photo or a file upload that is counted, never materialised.

A :class:`SizedBody` stands for ``size`` bytes of ``content_type``. The device's HTTP transport
counts its size (upload time, transfer accounting, battery) without reading it; the fake servers
log its size and the SHA-256 of its descriptor; a route can answer with one (a download). A year
of 1 MB photo uploads then costs what a year of small requests does, not gigabytes.

Anything that does read one (an httpx client reading a response it was handed, a user route
matching on content) gets ``size`` zero bytes in chunks of :data:`CHUNK_BYTES`, never all at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Final

import httpx

from harness._exceptions import DefinitionError

#: The size of the zero-filled chunks a :class:`SizedBody` yields to a reader.
CHUNK_BYTES: Final = 64 * 1024
#: SHA-256 of no bytes (the digest of an empty body, computed once).
EMPTY_SHA256: Final = hashlib.sha256(b"").hexdigest()
#: Response extension holding the :class:`SizedBody` a server answered with.
SIZED_BODY_EXTENSION: Final = "harness.sized_body"


class SizedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """``size`` bytes of ``content_type`` (``name``: e.g. the photo's file name), not held.

    Send one as a request body with ``await http.post(url, content=body)`` (the app's ambient
    client) or ``client.send(httpx.Request("POST", url, stream=body, headers=body.headers()))``;
    a response of declared size arrives with ``content == b""`` and
    :meth:`of_response` returning its body.
    """

    __slots__ = ("content_type", "name", "size")

    def __init__(
        self, size: int, *, content_type: str = "application/octet-stream", name: str = ""
    ) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise DefinitionError(f"a sized body's size {size!r} must be a whole number of bytes")
        self.size = size
        self.content_type = content_type
        self.name = name

    @property
    def descriptor(self) -> str:
        """What the body stands for, as text: ``sized:<size>:<content type>:<name>``."""
        return f"sized:{self.size}:{self.content_type}:{self.name}"

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of :attr:`descriptor` (what a server's request log keeps for it)."""
        return hashlib.sha256(self.descriptor.encode("utf-8")).hexdigest()

    def headers(self) -> dict[str, str]:
        """``Content-Length`` and ``Content-Type`` for a request or response carrying it."""
        return {"content-length": str(self.size), "content-type": self.content_type}

    @staticmethod
    def of_response(response: httpx.Response) -> SizedBody | None:
        """The body of declared size ``response`` carried, or ``None`` for an ordinary one."""
        body = response.extensions.get(SIZED_BODY_EXTENSION)
        return body if isinstance(body, SizedBody) else None

    def _chunks(self) -> Iterator[bytes]:
        full, rest = divmod(self.size, CHUNK_BYTES)
        chunk = bytes(CHUNK_BYTES) if full else b""
        for _ in range(full):
            yield chunk
        if rest:
            yield bytes(rest)

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SizedBody) and self.descriptor == other.descriptor

    def __hash__(self) -> int:
        return hash(self.descriptor)

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"SizedBody({self.size}, content_type={self.content_type!r}{name})"


def body_facts(request: httpx.Request) -> tuple[int, str, bytes | None]:
    """``(size, sha256, bytes)`` of ``request``'s body: a :class:`SizedBody` by its declared
    size and the digest of its descriptor (no bytes); any other body read and hashed."""
    stream = request.stream
    if isinstance(stream, SizedBody):
        return stream.size, stream.sha256, None
    content = request.content
    if not content:
        return 0, EMPTY_SHA256, content
    return len(content), hashlib.sha256(content).hexdigest(), content
