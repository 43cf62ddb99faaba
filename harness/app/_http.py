"""HTTP through the simulated device: httpx transports that cost virtual time and can fail.

Each app instance gets an ``httpx.AsyncClient`` (and a sync ``httpx.Client``) whose transport
applies the device network, then hands the request to the fake servers (:class:`Internet`):

* no usable network for the app -> ``httpx.ConnectError`` (nothing reaches the server);
* connecting costs round trips (two for https: TCP and TLS 1.3), sending costs the upload at the
  link's bandwidth, the answer costs half a round trip plus the server's own delay, and the body
  costs the download at the link's bandwidth; lost packets cost retransmission timeouts; every
  figure comes from the link sampled for the request from the device's network profile;
* a network change mid-request fails it the way httpx would: ``ConnectError`` while connecting,
  ``WriteError`` while sending, ``ReadError`` while waiting for or reading the answer;
* httpx timeouts are enforced in virtual time (``ConnectTimeout``, ``WriteTimeout``,
  ``ReadTimeout``): httpx leaves that to the transport;
* a server that hangs (``SERVER_HANGS``) answers only by the read timeout; one that resets the
  connection (``SERVER_RESETS``) gives ``ReadError``.

Every request becomes an ``http.request`` trace record: method, URL, status or error, bytes up
and down, virtual duration, network transport and whether it was metered, and the server fault
if one answered. The sync client runs the same transport from blocking code (a sync ``Worker``)
through :func:`harness.sim.wait_on_loop`.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final, Protocol

import httpx
from httpx._client import BaseClient  # the two clients' shared base (_merge_url)
from respx.models import AllMockedAssertionError

from harness.app._context import current_app
from harness.app._waits import Leg, Watch, _Cut, watch
from harness.backends import (
    FAULT_EXTENSION,
    SERVER_DELAY_MS,
    SERVER_HANGS,
    SERVER_RESETS,
    SIZED_BODY_EXTENSION,
    Internet,
    SizedBody,
)
from harness.sim import Signal, Simulation, VirtualEventLoop, in_blocking_thread, wait_on_loop

#: Minimum TCP retransmission timeout (RFC 6298 recommends 1 s; Linux uses 200 ms).
MIN_RTO_MS: Final = 200
#: Segment payload used to count packets for loss (Ethernet MTU 1500 - 40 bytes of headers).
SEGMENT_BYTES: Final = 1460


@dataclass(frozen=True, slots=True)
class Link:
    """The network as one request experiences it (sampled from the device's network profile)."""

    transport: str
    metered: bool
    latency_ms: int
    up_bytes_per_s: int
    down_bytes_per_s: int
    loss: float


class NetworkPort(Protocol):
    """What the transport needs from the device (and the platform's per-app network policy)."""

    @property
    def changed(self) -> Signal[object]:
        """Fires whenever the network the app can use changes (a transition, doze, a block)."""
        ...

    def link(self) -> Link | None:
        """The link for a new request now, or ``None`` when the app has no usable network."""
        ...

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        """Account the bytes (battery cost, radio activity)."""
        ...


#: How httpx reports a connection lost in each phase, and what the request was doing.
_CUT_ERRORS: Final[dict[str, tuple[type[httpx.TransportError], str]]] = {
    "connect": (httpx.ConnectError, "connecting"),
    "write": (httpx.WriteError, "sending"),
    "read": (httpx.ReadError, "receiving"),
}


def _header_bytes(headers: httpx.Headers) -> int:
    """The bytes ``headers`` take on the wire: ``name: value\\r\\n`` each."""
    raw = headers.raw
    return sum(map(len, chain.from_iterable(raw))) + 4 * len(raw)


class _Exchange:
    """What one request got back so far: the server's response, its body, the bytes read."""

    __slots__ = ("content", "download_bytes", "download_leg", "response", "sized")

    def __init__(self) -> None:
        self.response: httpx.Response | None = None
        self.content: bytes | None = None
        self.sized: SizedBody | None = None
        #: the bytes the answer brings down, read once ``download_leg`` turned to the body
        self.download_bytes = 0
        self.download_leg: Leg | None = None

    def bytes_down(self) -> int:
        """The bytes read so far: the whole answer once its first byte came, else none (what
        is in flight is counted as read, as the radio carried it)."""
        leg = self.download_leg
        return self.download_bytes if leg is not None and leg.turned() else 0


def _note_fault(fields: dict[str, Any], exchange: _Exchange) -> None:
    """Add the server fault that answered (if one did) to a request's record ``fields``."""
    if exchange.response is not None:
        fault = exchange.response.extensions.get(FAULT_EXTENSION)
        if fault is not None:
            fields["fault"] = fault


class DeviceTransport(httpx.AsyncBaseTransport):
    """An async httpx transport over the simulated device network to the fake servers."""

    def __init__(
        self,
        sim: Simulation,
        network: NetworkPort,
        internet: Internet,
        *,
        package: str,
        on_request: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._sim = sim
        #: the simulation's clock, read at each request's start and end
        self._clock = sim.clock
        self._network = network
        self._internet = internet
        self._package = package
        self._rng = sim.random(f"app.{package}.http")
        self._on_request = on_request
        self.bytes_by_transport: Counter[str] = Counter()
        self.bytes_metered = 0
        self.bytes_unmetered = 0
        self._process_deaths: list[str] = []
        #: per parsed URL: its text, its raw path's length, whether it is https
        self._urls: dict[object, tuple[str, int, bool]] = {}
        #: the loop the last request ran on and its watch of the network signal
        self._watching: tuple[VirtualEventLoop, Watch] | None = None

    def note_process_died(self, reason: str) -> None:
        """The app's process died (``reason``): requests in flight now die with it."""
        self._process_deaths.append(reason)

    def _leg(self, request: httpx.Request) -> Leg:
        """A new :class:`Leg` of ``request`` on the running loop, watching the app's network."""
        signal = self._network.changed
        watching = self._watching
        if (
            watching is None
            or watching[1].signal is not signal
            or watching[0] is not asyncio.get_running_loop()
        ):
            watching = self._watching = watch(signal)
        return Leg(*watching, request)

    def _url_facts(self, url: httpx.URL) -> tuple[str, int, bool]:
        """``str(url)``, the length of its raw path, and whether it is https: kept per parse
        (every request to a URL the client parsed once shares that parse, ``_uri_reference``,
        and ``URL.__str__`` and ``URL.raw_path`` rebuild their text on every read)."""
        parsed = getattr(url, "_uri_reference", None)
        facts = self._urls.get(parsed) if parsed is not None else None
        if facts is None:
            facts = (str(url), len(url.raw_path), url.scheme == "https")
            if parsed is not None:
                if len(self._urls) >= _URL_CACHE_SIZE:
                    self._urls.clear()
                self._urls[parsed] = facts
        return facts

    def _retransmit_ms(self, link: Link, packets: int) -> int:
        loss = link.loss
        if loss <= 0:
            return 0
        draw = self._rng.random
        lost = 0
        for _ in range(packets):  # one draw per packet, in order
            if draw() < loss:
                lost += 1
        return lost * max(MIN_RTO_MS, 2 * link.latency_ms) if lost else 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Carry ``request`` over the simulated network; see the module docs."""
        started_ms = self._clock.now_ms
        deaths_before = len(self._process_deaths)
        # a body of declared size counts by its size, unread (harness.backends.SizedBody)
        sent = request.stream
        if isinstance(sent, SizedBody):
            body_size = sent.size
        else:
            try:
                body_size = len(request.content)  # a body httpx loaded as it built the request
            except httpx.RequestNotRead:
                body_size = len(await request.aread())
        url_text, raw_path_bytes, https = self._url_facts(request.url)
        bytes_up = body_size + _header_bytes(request.headers) + 16 + raw_path_bytes
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        link = self._network.link()
        if link is None:
            fields: dict[str, Any] = {"method": request.method, "url": url_text}
            self._record(fields, started_ms, error="ConnectError: network is unreachable")
            raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)
        fields = {
            "method": request.method,
            "url": url_text,
            "transport": link.transport,
            "metered": link.metered,
        }
        rtt = 2 * link.latency_ms
        handshakes = 2 if https else 1
        read_timeout = timeouts.get("read")
        #: what the server answered, filled in by ``answer`` (or the task, for an async body)
        exchange = _Exchange()
        leg = self._leg(request)

        def answer() -> None:
            # Connected and sent: the server answers now. This runs in the timer callback that
            # ends the send; the task would resume right after it, before anything else runs
            # (the loop runs ready callbacks before it fires another timer), so handling the
            # request here, and arming the wait for its answer, happens at the same instant and
            # in the same order as if the task had resumed to do it (see harness.app._waits).
            response = exchange.response = self._internet.handle(request)
            stream = response.stream
            if isinstance(stream, SizedBody):
                # a body of declared size counts by its size, unread (harness.backends.SizedBody)
                exchange.sized = stream
            elif isinstance(stream, httpx.SyncByteStream):
                exchange.content = response.read()
            else:
                leg.future.set_result(None)  # an async-only body: the task reads it
                return
            self._await_answer(request, leg, exchange, link, read_timeout)

        try:
            # connecting and sending back to back, ended by one timer (see harness.app._waits)
            connect_ms = handshakes * rtt + self._retransmit_ms(link, 2 * handshakes)
            packets_up = max(1, math.ceil(bytes_up / SEGMENT_BYTES))
            send_ms = link.latency_ms + bytes_up * 1000 // max(link.up_bytes_per_s, 1)
            send_ms += self._retransmit_ms(link, packets_up)
            leg.wait(
                connect_ms,
                timeouts.get("connect"),
                "connect",
                answer,
                then_phase=(send_ms, timeouts.get("write"), "write"),
            )
            try:
                # whatever ends the await early (a cancellation) drops what the leg armed
                try:
                    await leg.future
                finally:
                    leg.close()
            except AllMockedAssertionError:
                self._record(fields, started_ms, error="unmatched: no route for this request")
                raise
            response = exchange.response
            assert response is not None
            if exchange.content is None and exchange.sized is None:
                exchange.content = await response.aread()
                leg = self._leg(request)
                self._await_answer(request, leg, exchange, link, read_timeout)
                try:
                    await leg.future
                finally:
                    leg.close()
            _note_fault(fields, exchange)
        except _Cut as cut:
            _note_fault(fields, exchange)
            phase = str(cut)
            self._account(bytes_up if phase != "connect" else 0, exchange.bytes_down(), link)
            error_type, doing = _CUT_ERRORS[phase]
            self._record(
                fields,
                started_ms,
                bytes_up=bytes_up,
                error=f"{error_type.__name__}: network changed while {doing}",
            )
            raise error_type(f"network changed while {doing}", request=request) from None
        except httpx.TransportError as transport_error:
            _note_fault(fields, exchange)
            self._account(bytes_up, exchange.bytes_down(), link)
            self._record(
                fields,
                started_ms,
                bytes_up=bytes_up,
                error=f"{type(transport_error).__name__}: {transport_error}",
            )
            raise
        except asyncio.CancelledError:
            _note_fault(fields, exchange)
            if len(self._process_deaths) > deaths_before:
                # nothing app code could have done: the process went away under the request
                reason = self._process_deaths[-1]
                error = f"cancelled: the app's process died ({reason}) before the response arrived"
            else:
                error = "cancelled: the caller was stopped before the response arrived"
            self._record(fields, started_ms, bytes_up=bytes_up, error=error)
            raise
        bytes_down = exchange.download_bytes
        self._account(bytes_up, bytes_down, link)
        self._record(
            fields,
            started_ms,
            status=response.status_code,
            bytes_up=bytes_up,
            bytes_down=bytes_down,
        )
        sized = exchange.sized
        if (
            sized is None
            and isinstance(response.stream, httpx.ByteStream)
            and getattr(response, "_request", None) is request
        ):
            # The server built this response for this request (respx clones a reused one) with
            # a body both clients can read, so it is handed over as it is rather than copied:
            # only its extensions, which carry the fake servers' notes to the transport, are
            # the app's own (none).
            response.extensions = {}
            return response
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"" if sized is not None else exchange.content,
            request=request,
            extensions={SIZED_BODY_EXTENSION: sized} if sized is not None else None,
        )

    def _await_answer(
        self,
        request: httpx.Request,
        leg: Leg,
        exchange: _Exchange,
        link: Link,
        read_timeout: float | None,
    ) -> None:
        """Arm the wait for the server's first byte and then its body, on ``leg``."""
        response = exchange.response
        assert response is not None
        extensions = response.extensions
        sized = exchange.sized
        content = exchange.content
        response_header_bytes = _header_bytes(response.headers)
        content_bytes_down = (
            (len(content or b"") if sized is None else sized.size) + response_header_bytes + 17
        )

        first_byte_ms = int(extensions.get(SERVER_DELAY_MS, 0)) + link.latency_ms
        if extensions.get(SERVER_HANGS):
            # the server never answers: only the read timeout (or a cut) ends the wait
            leg.wait(None, read_timeout, "read")
        elif extensions.get(SERVER_RESETS):

            def reset() -> None:
                raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)

            leg.wait(first_byte_ms, read_timeout, "read", reset)
        else:
            # the first byte and the body back to back, ended by one timer; each wait has the
            # whole read timeout (httpx's is per read), the body's from its first byte
            exchange.download_bytes = content_bytes_down
            exchange.download_leg = leg
            packets_down = max(1, math.ceil(content_bytes_down / SEGMENT_BYTES))
            download_ms = content_bytes_down * 1000 // max(link.down_bytes_per_s, 1)
            download_ms += self._retransmit_ms(link, packets_down)
            leg.wait(
                first_byte_ms, read_timeout, "read", then_phase=(download_ms, read_timeout, "read")
            )

    def _account(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        total = bytes_up + bytes_down
        self.bytes_by_transport[link.transport] += total
        if link.metered:
            self.bytes_metered += total
        else:
            self.bytes_unmetered += total
        self._network.note_transfer(bytes_up, bytes_down, link)

    def _record(
        self,
        fields: dict[str, Any],
        started_ms: int,
        *,
        status: int | None = None,
        error: str | None = None,
        bytes_up: int = 0,
        bytes_down: int = 0,
    ) -> None:
        sim = self._sim
        now_ms = self._clock.now_ms
        record = {
            "package": self._package,
            **fields,
            "status": status,
            "error": error,
            "bytes_up": bytes_up,
            "bytes_down": bytes_down,
            "duration_ms": now_ms - started_ms,
        }
        sim.trace.emit(now_ms, "http.request", **record)  # what sim.record does
        if self._on_request is not None:
            self._on_request(record)


class SyncDeviceTransport(httpx.BaseTransport):
    """The same transport for ``httpx.Client``, usable from blocking code (a sync ``Worker``)."""

    def __init__(self, inner: DeviceTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the async transport on the loop and wait for it in virtual time."""
        if not in_blocking_thread():
            raise RuntimeError(
                "the sync httpx.Client was used on the event loop, where it would block the "
                "simulation; use it from a sync Worker (which runs in virtual time), or use the "
                "async client (harness.app.http) from async code"
            )
        if not isinstance(request.stream, SizedBody):
            request.read()
        response: httpx.Response = wait_on_loop(self._inner.handle_async_request(request))
        return response


class _DeviceCookies(httpx.Cookies):
    """httpx's cookie store, minus the work for a response that sets no cookie.

    ``httpx.Cookies.extract_cookies`` wraps every response and its request for the standard
    library's jar (parsing the URL again, copying the headers into an ``email`` message) and the
    jar reads ``time.time()`` (the frozen wall clock, slow to read) before it finds that there
    is no ``Set-Cookie``, and then stores nothing (CPython's ``http/cookiejar.py``,
    ``make_cookies``' quick exit). Looking for the header first stores the same nothing.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies ``response`` sets; with no cookie header there are none."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


#: How many parsed absolute URLs a device client keeps (an app asks for a handful, again and
#: again; past this the cache starts over rather than grow).
_URL_CACHE_SIZE: Final = 256


class _ParsedUrls:
    """httpx's ``_merge_url`` of an absolute URL given as text, parsed once per text.

    ``httpx.URL(text)`` parses and validates the text anew on every request (about a fifth of
    a client's work on a small GET); an absolute URL does not depend on the client's
    ``base_url``, and a ``URL`` is immutable, so each request may share the parsed one.
    """

    __slots__ = ("_parsed",)

    def __init__(self) -> None:
        self._parsed: dict[str, httpx.URL] = {}

    def known(self, url: httpx.URL | str) -> httpx.URL | None:
        """The URL parsed from the text ``url`` before, if any."""
        return self._parsed.get(url) if type(url) is str else None

    def merge(
        self, url: httpx.URL | str, merge: Callable[[httpx.URL | str], httpx.URL]
    ) -> httpx.URL:
        """``merge(url)``, from the cache when ``url`` is the text of an absolute URL."""
        if type(url) is not str:
            return merge(url)
        parsed = self._parsed.get(url)
        if parsed is None:
            parsed = merge(url)
            if not httpx.URL(url).is_relative_url:
                if len(self._parsed) >= _URL_CACHE_SIZE:
                    self._parsed.clear()
                self._parsed[url] = parsed
        return parsed


class _ParsingOnceClient(BaseClient):
    """The part both device clients share: each absolute URL text parsed once
    (:class:`_ParsedUrls`). Listed before ``httpx.AsyncClient`` or ``httpx.Client``, so its
    ``_merge_url`` comes first and hands a new text on to httpx's."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parsed_urls = _ParsedUrls()

    def _merge_url(self, url: httpx.URL | str) -> httpx.URL:
        parsed = self._parsed_urls.known(url)
        return parsed if parsed is not None else self._parsed_urls.merge(url, super()._merge_url)


class _DeviceAsyncClient(_ParsingOnceClient, httpx.AsyncClient):
    """``httpx.AsyncClient`` that parses each absolute URL text once (:class:`_ParsedUrls`) and
    sends a request with no authentication straight on (see :meth:`_send_handling_auth`)."""

    async def _send_handling_auth(
        self,
        request: httpx.Request,
        auth: httpx.Auth,
        follow_redirects: bool,
        history: list[httpx.Response],
    ) -> httpx.Response:
        if type(auth) is httpx.Auth:
            # The base Auth (no authentication) reads no body and yields the request once, as
            # it is, then ends with the response (httpx/_auth.py, Auth.async_auth_flow and
            # auth_flow): the same as sending it on without running the flow's generators.
            return await self._send_handling_redirects(
                request, follow_redirects=follow_redirects, history=history
            )
        return await super()._send_handling_auth(request, auth, follow_redirects, history)


class _DeviceClient(_ParsingOnceClient, httpx.Client):
    """``httpx.Client`` that parses each absolute URL text once (:class:`_ParsedUrls`) and
    sends a request with no authentication straight on (see :meth:`_send_handling_auth`)."""

    def _send_handling_auth(
        self,
        request: httpx.Request,
        auth: httpx.Auth,
        follow_redirects: bool,
        history: list[httpx.Response],
    ) -> httpx.Response:
        if type(auth) is httpx.Auth:
            # as _DeviceAsyncClient's: the base Auth's flow sends the request once, as it is
            return self._send_handling_redirects(
                request, follow_redirects=follow_redirects, history=history
            )
        return super()._send_handling_auth(request, auth, follow_redirects, history)


def device_async_client(transport: DeviceTransport) -> httpx.AsyncClient:
    """An app instance's ``httpx.AsyncClient`` over ``transport``."""
    client = _DeviceAsyncClient(transport=transport)
    # httpx keeps a client's cookies in ``_cookies``, the ``cookies`` property's store
    client._cookies = _DeviceCookies(client.cookies.jar)
    return client


def device_sync_client(transport: DeviceTransport) -> httpx.Client:
    """An app instance's sync ``httpx.Client`` over ``transport`` (for sync Workers)."""
    client = _DeviceClient(transport=SyncDeviceTransport(transport))
    client._cookies = _DeviceCookies(client.cookies.jar)
    return client


class _Http:
    """Ambient HTTP for app code: ``await http.get(url)`` uses the running app's client."""

    @property
    def client(self) -> httpx.AsyncClient:
        """The running app instance's device-bound ``httpx.AsyncClient``."""
        return current_app().client

    @property
    def sync_client(self) -> httpx.Client:
        """The running app instance's device-bound sync ``httpx.Client`` (for sync Workers)."""
        return current_app().sync_client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """``client.request(method, url, ...)``; ``content=SizedBody(...)`` sends a body of
        declared size (counted by its size, never built)."""
        content = kwargs.get("content")
        if isinstance(content, SizedBody):
            client = self.client
            kwargs.pop("content")
            headers = {**content.headers(), **dict(kwargs.pop("headers", None) or {})}
            sending = client.build_request(method, url, headers=headers, **kwargs)
            sending.stream = content
            return await client.send(sending)
        return await self.client.request(method, url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """``client.get(url, ...)``."""
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """``client.post(url, ...)``; ``content`` may be a :class:`~harness.backends.SizedBody`."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        """``client.put(url, ...)``; ``content`` may be a :class:`~harness.backends.SizedBody`."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        """``client.patch(url, ...)``; ``content`` may be a :class:`~harness.backends.SizedBody`."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """``client.delete(url, ...)``."""
        return await self.client.delete(url, **kwargs)


#: ``from harness.app import http``; then ``await http.get("https://api.example.com/data")``.
http: Final = _Http()
