"""HTTP through the simulated device (harness/app/_http.py)."""

from __future__ import annotations

import asyncio
import importlib
import time
from typing import Any

import httpx
import pytest
from respx.models import AllMockedAssertionError

from harness.app._http import (
    DeviceTransport,
    Link,
    SyncDeviceTransport,
    device_async_client,
    device_sync_client,
)
from harness.backends import Internet
from harness.sim import Signal, Simulation, run_blocking

API = "https://api.example.com"


class FakeNetwork:
    """A network port with a fixed link that tests can switch off or change."""

    def __init__(self, link: Link | None) -> None:
        self._link = link
        self.changed: Signal[object] = Signal("test.network")
        self.transfers: list[tuple[int, int]] = []

    def link(self) -> Link | None:
        return self._link

    def switch(self, link: Link | None) -> None:
        self._link = link
        self.changed.emit(link)

    def note_transfer(self, bytes_up: int, bytes_down: int, link: Link) -> None:
        self.transfers.append((bytes_up, bytes_down))


WIFI = Link(
    "WIFI", False, latency_ms=20, up_bytes_per_s=1_000_000, down_bytes_per_s=2_000_000, loss=0.0
)


def setup(
    sim: Simulation, link: Link | None = WIFI
) -> tuple[FakeNetwork, Internet, DeviceTransport]:
    network = FakeNetwork(link)
    internet = Internet(sim)
    transport = DeviceTransport(sim, network, internet, package="com.example")
    return network, internet, transport


def test_request_costs_round_trips_and_transfer_time(sim: Simulation) -> None:
    """https: 2 RTT to connect, latency + upload, latency to first byte, then the download."""
    network, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/big", text="x" * 200_000)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(API + "/big")

    response = sim.run(fetch())
    assert response.status_code == 200
    assert len(response.text) == 200_000
    record = sim.trace.of_kind("http.request")[0]
    # connect 2*40 + send 20 + first byte 20 + download (200 000 + headers) / 2 MB/s = 100 ms
    assert record["duration_ms"] == sim.now_ms == 80 + 20 + 20 + record["bytes_down"] // 2000
    assert (record["status"], record["transport"], record["metered"]) == (200, "WIFI", False)
    assert network.transfers == [(record["bytes_up"], record["bytes_down"])]
    assert transport.bytes_unmetered == record["bytes_up"] + record["bytes_down"]


def test_offline_is_connect_error_and_reaches_no_server(sim: Simulation) -> None:
    """No usable network: httpx.ConnectError at once; the server never sees the request."""
    _, internet, transport = setup(sim, None)
    api = internet.backend(API)
    api.route("GET", "/data", json={})

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    with pytest.raises(httpx.ConnectError, match=r"Network is unreachable"):
        sim.run(fetch())
    assert len(api.requests) == 0
    assert sim.trace.of_kind("http.request")[0]["error"] == "ConnectError: network is unreachable"


@pytest.mark.parametrize(
    ("cut_at_ms", "error", "reached_server"),
    [(50, httpx.ConnectError, False), (90, httpx.WriteError, False), (110, httpx.ReadError, True)],
)
def test_network_change_mid_request_fails_it_like_httpx(
    sim: Simulation, cut_at_ms: int, error: type[Exception], reached_server: bool
) -> None:
    """A transition while connecting, sending or receiving fails with httpx's error for it."""
    network, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/data", text="y" * 1_000_000)
    sim.call_at(cut_at_ms, network.switch, None)

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    with pytest.raises(error, match=r"network changed while"):
        sim.run(fetch())
    assert sim.now_ms == cut_at_ms
    assert (len(api.requests) == 1) is reached_server


def test_timeouts_are_enforced_in_virtual_time(sim: Simulation) -> None:
    """A slow server beyond the client's read timeout gives ReadTimeout at that timeout."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/slow", json={})
    api.outage(start=0, duration="1h", kind="slow", delay="30s")

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            await client.get(API + "/slow")

    with pytest.raises(httpx.ReadTimeout):
        sim.run(fetch())
    assert sim.now_ms == 80 + 20 + 5000


def test_hanging_server_answers_only_by_the_read_timeout(sim: Simulation) -> None:
    """A server that never answers: ReadTimeout after the read timeout; the fault is traced."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/data", json={})
    api.outage(start=0, duration="1h", kind="timeout")

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport, timeout=10.0) as client:
            await client.get(API + "/data")

    with pytest.raises(httpx.ReadTimeout):
        sim.run(fetch())
    record = sim.trace.of_kind("http.request")[0]
    assert (record["fault"], record["error"].split(":")[0]) == ("timeout", "ReadTimeout")


def test_reset_is_read_error(sim: Simulation) -> None:
    """A connection reset by the server is httpx.ReadError."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/data", json={})
    api.outage(start=0, duration="1h", kind="reset")

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    with pytest.raises(httpx.ReadError, match=r"reset by peer"):
        sim.run(fetch())


def test_unmatched_request_fails_loudly(sim: Simulation) -> None:
    """Strict routing reaches the app as AllMockedAssertionError, not an httpx error."""
    _, internet, transport = setup(sim)
    internet.backend(API)

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/nothing")

    with pytest.raises(AllMockedAssertionError):
        sim.run(fetch())
    assert sim.trace.of_kind("http.request")[0]["error"].startswith("unmatched")


def test_cancelled_request_is_recorded(sim: Simulation) -> None:
    """A request whose caller is cancelled mid-flight is recorded as cancelled."""
    _, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", json={})

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    task = sim.create_task(fetch())
    sim.call_at(30, task.cancel)
    sim.run_for(1000)
    assert sim.trace.of_kind("http.request")[0]["error"].startswith("cancelled")


def test_loss_costs_retransmission_time(sim: Simulation) -> None:
    """Lost packets cost retransmission timeouts: a lossy link is slower, never faster."""
    lossy = Link(
        "CELLULAR", True, latency_ms=50, up_bytes_per_s=100_000, down_bytes_per_s=200_000, loss=0.3
    )
    _, internet, transport = setup(sim, lossy)
    internet.backend(API).route("GET", "/data", text="z" * 50_000)

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    sim.run(fetch())
    record = sim.trace.of_kind("http.request")[0]
    lossless_ms = 200 + 50 + 50 + record["bytes_down"] * 1000 // 200_000
    assert record["duration_ms"] > lossless_ms
    assert record["metered"] is True
    assert transport.bytes_metered > 50_000


def test_sync_client_waits_in_virtual_time_from_blocking_code(sim: Simulation) -> None:
    """The sync client works from blocking code (a sync Worker) and costs virtual time."""
    _, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", json={"ok": True})
    client = httpx.Client(transport=SyncDeviceTransport(transport))

    def sync_fetch() -> tuple[object, int]:
        return client.get(API + "/data").json(), sim.now_ms

    assert sim.run(run_blocking(sync_fetch)) == ({"ok": True}, 120)


def test_sync_client_on_the_loop_is_refused(sim: Simulation) -> None:
    """Using the sync client on the event loop would block the simulation: refused with a fix."""
    _, _internet, transport = setup(sim)
    client = httpx.Client(transport=SyncDeviceTransport(transport))

    async def misuse() -> None:
        client.get(API + "/data")

    with pytest.raises(RuntimeError, match=r"use it from a sync Worker"):
        sim.run(misuse())


def test_requests_interleave_on_the_loop(sim: Simulation) -> None:
    """Two concurrent requests overlap in virtual time (the loop is not blocked)."""
    _, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", json={})

    async def both() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await asyncio.gather(client.get(API + "/data"), client.get(API + "/data"))

    sim.run(both())
    assert [r.t_ms for r in sim.trace.of_kind("http.request")] == [120, 120]


@pytest.mark.parametrize(("cut_at_ms", "bytes_received"), [(110, False), (130, True)])
def test_cut_counts_the_download_only_once_the_first_byte_arrived(
    sim: Simulation, cut_at_ms: int, bytes_received: bool
) -> None:
    """A cut before the first byte accounts no bytes down; one while downloading, the answer's."""
    network, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", text="y" * 1_000_000)
    sim.call_at(cut_at_ms, network.switch, None)

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    with pytest.raises(httpx.ReadError):
        sim.run(fetch())
    [(bytes_up, bytes_down)] = network.transfers
    assert bytes_up > 0
    assert (bytes_down > 1_000_000) is bytes_received


def test_a_cut_fails_requests_in_the_order_they_entered_their_phase(sim: Simulation) -> None:
    """One change fails in-flight requests in the order each began the phase it is in."""
    network, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", json={})
    sim.call_at(105, network.switch, None)

    async def fetch(delay_ms: int) -> None:
        await asyncio.sleep(delay_ms / 1000)
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    async def both() -> tuple[BaseException | None, BaseException | None]:
        return await asyncio.gather(fetch(0), fetch(10), return_exceptions=True)

    first, second = sim.run(both())
    # the first is waiting for its answer since 100 ms, the second sending since 90 ms
    assert (type(first), type(second)) == (httpx.ReadError, httpx.WriteError)
    errors = [record["error"].split(":")[0] for record in sim.trace.of_kind("http.request")]
    assert errors == ["WriteError", "ReadError"]


def test_httpx_times_requests_on_the_frozen_clock_app_code_reads() -> None:
    """httpx's timer reads virtual time directly, the value freezegun gives; real time after."""
    httpx_client: Any = importlib.import_module("httpx._client")  # the module whose clock it is

    async def read() -> tuple[float, float, bool]:
        await asyncio.sleep(1.234)
        return httpx_client.time.perf_counter(), time.perf_counter(), httpx_client.time is time

    with Simulation(seed=1) as sim:
        httpx_seconds, app_seconds, real_module = sim.run(read())
    assert (httpx_seconds, real_module) == (app_seconds, False)
    assert httpx_client.time is time


def test_device_clients_keep_cookies_like_httpx(sim: Simulation) -> None:
    """A cookie the server sets is sent back; answers without one leave the jar as it was."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/login", json={}, headers={"set-cookie": "session=abc; Path=/"})
    sent: list[str | None] = []

    def data(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(200, json={})

    api.router.get(API + "/data").mock(side_effect=data)
    seen: list[str | None] = []

    async def fetch() -> None:
        async with device_async_client(transport) as client:
            await client.get(API + "/data")
            seen.append(client.cookies.get("session"))
            await client.get(API + "/login")
            await client.get(API + "/data")
            seen.append(client.cookies.get("session"))

    sim.run(fetch())
    assert (seen, sent) == ([None, "abc"], [None, "session=abc"])
    assert isinstance(device_sync_client(transport).cookies, httpx.Cookies)


@pytest.mark.parametrize(
    ("scheduled_first", "error"), [(True, "ConnectError"), (False, "WriteError")]
)
def test_a_cut_at_the_instant_a_phase_ends_goes_by_timer_order(
    sim: Simulation, scheduled_first: bool, error: str
) -> None:
    """A change due as connecting ends cuts the connect if scheduled first, else the send."""
    network, internet, transport = setup(sim)
    internet.backend(API).route("GET", "/data", json={})
    if scheduled_first:
        sim.call_at(80, network.switch, None)
    else:
        sim.call_at(10, lambda: sim.call_at(80, network.switch, None))

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(API + "/data")

    with pytest.raises(httpx.TransportError):
        sim.run(fetch())
    assert sim.trace.of_kind("http.request")[0]["error"].split(":")[0] == error


def test_the_app_gets_the_response_the_server_built_without_its_notes(sim: Simulation) -> None:
    """The server's response for this request reaches the app as it is (httpx's own transports
    hand over the response they built), minus the fake servers' notes (its extensions)."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.latency("30ms")
    built: list[httpx.Response] = []

    def data(request: httpx.Request) -> httpx.Response:
        built.append(httpx.Response(200, json={"n": 1}, request=request))
        return built[-1]

    api.router.get(API + "/data").mock(side_effect=data)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(API + "/data")

    response = sim.run(fetch())
    assert response is built[0]
    assert (response.json(), response.extensions) == ({"n": 1}, {})
    assert sim.trace.of_kind("http.request")[0]["duration_ms"] == 80 + 20 + 30 + 20 + 0


def test_an_async_only_body_is_read_and_timed_like_the_same_bytes(sim: Simulation) -> None:
    """A handler's async-only stream is read by the request's task; it costs what its bytes do."""
    _, internet, transport = setup(sim)
    api = internet.backend(API)
    api.route("GET", "/bytes", text="z" * 50_000, headers={"content-length": "50000"})

    async def chunks() -> Any:
        yield b"z" * 25_000
        yield b"z" * 25_000

    def streamed(request: httpx.Request) -> httpx.Response:
        headers = {"content-length": "50000", "content-type": "text/plain; charset=utf-8"}
        return httpx.Response(200, content=chunks(), headers=headers)

    api.router.get(API + "/stream").mock(side_effect=streamed)

    async def fetch(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(API + path)

    assert sim.run(fetch("/stream")).text == "z" * 50_000
    assert sim.run(fetch("/bytes")).text == "z" * 50_000
    streamed_record, bytes_record = sim.trace.of_kind("http.request")
    assert streamed_record["bytes_down"] == bytes_record["bytes_down"]
    assert streamed_record["duration_ms"] == bytes_record["duration_ms"]


def test_the_sync_client_reads_an_async_only_body(sim: Simulation) -> None:
    """A handler's async-only stream reaches a sync Worker's client as its bytes."""
    _, internet, transport = setup(sim)

    async def chunks() -> Any:
        yield b'{"ok": '
        yield b"true}"

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks(), request=request)

    internet.backend(API).router.get(API + "/stream").mock(side_effect=streamed)
    client = httpx.Client(transport=SyncDeviceTransport(transport))

    def sync_fetch() -> object:
        return client.get(API + "/stream").json()

    assert sim.run(run_blocking(sync_fetch)) == {"ok": True}


def test_device_clients_send_auth_and_urls_as_httpx_does(sim: Simulation) -> None:
    """A device client sends what httpx's sends: absolute and relative URLs (its parsed URLs
    are kept per text), no Authorization without auth, the auth flow's header with it."""
    _, internet, transport = setup(sim)
    seen: list[tuple[str, str | None]] = []

    def data(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("authorization")))
        return httpx.Response(200, json={})

    internet.backend(API).router.route(host="api.example.com").mock(side_effect=data)

    async def fetch() -> None:
        async with device_async_client(transport) as client:
            await client.get(API + "/a")
            await client.get(API + "/a", auth=httpx.BasicAuth("u", "p"))
            await client.get(API + "/b")
            client.base_url = httpx.URL(API + "/v1/")
            await client.get("c")

    sim.run(fetch())
    basic = httpx.BasicAuth("u", "p")._auth_header
    assert seen == [
        (API + "/a", None),
        (API + "/a", basic),
        (API + "/b", None),
        (API + "/v1/c", None),
    ]


def test_a_streamed_request_body_counts_as_the_same_bytes_loaded(sim: Simulation) -> None:
    """A request body sent as a stream (not loaded when httpx built the request) is read and
    counted as the same bytes sent loaded: the same bytes up, the same time on the wire."""
    _, internet, transport = setup(sim)
    internet.backend(API).route("POST", "/upload", json={"ok": True})

    async def chunks() -> Any:
        yield b"a" * 3_000
        yield b"b" * 3_000

    async def send() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.post(API + "/upload", content=chunks())
            await client.post(API + "/upload", content=b"a" * 3_000 + b"b" * 3_000)

    sim.run(send())
    streamed, loaded = sim.trace.of_kind("http.request")
    # a stream goes out chunked (a Transfer-Encoding header), a loaded body with its length
    headers_delta = len("transfer-encoding: chunked\r\n") - len("content-length: 6000\r\n")
    assert streamed["bytes_up"] - loaded["bytes_up"] == headers_delta
    assert streamed["status"] == loaded["status"] == 200
