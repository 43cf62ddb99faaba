"""Bodies of a declared size (harness/backends/_body.py) through the device and the servers."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from harness._exceptions import DefinitionError, ScenarioError
from harness.app._http import DeviceTransport
from harness.backends import Internet, SizedBody
from harness.backends._body import CHUNK_BYTES, EMPTY_SHA256
from harness.scenario import loads, run_scenario
from harness.sim import Simulation
from tests.app.test_http import API, WIFI, FakeNetwork

PHOTO = SizedBody(1_000_000, content_type="image/jpeg", name="photo-1.jpg")


def _transport(sim: Simulation, internet: Internet) -> tuple[FakeNetwork, DeviceTransport]:
    network = FakeNetwork(WIFI)
    return network, DeviceTransport(sim, network, internet, package="com.example")


def test_upload_counts_its_declared_size_and_is_never_read(sim: Simulation) -> None:
    """A SizedBody upload costs its size in transfer time and accounting; the server logs its
    size and the SHA-256 of its descriptor, and holds no bytes."""
    internet = Internet(sim)
    internet.backend(API).route("POST", "/photos", status=201, json={"ok": True})
    network, transport = _transport(sim, internet)

    async def upload() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            request = httpx.Request("POST", API + "/photos", stream=PHOTO, headers=PHOTO.headers())
            return await client.send(request)

    assert sim.run(upload()).status_code == 201
    record = sim.trace.of_kind("http.request")[0]
    assert record["bytes_up"] > 1_000_000
    assert network.transfers == [(record["bytes_up"], record["bytes_down"])]
    # upload at 1 MB/s: at least a second of virtual time
    assert record["duration_ms"] >= 1_000
    (entry,) = internet.requests()
    assert (entry.request_bytes, entry.request_sha256, entry.body) == (
        1_000_000,
        hashlib.sha256(b"sized:1000000:image/jpeg:photo-1.jpg").hexdigest(),
        None,
    )


def test_request_log_keeps_digests_by_default_and_bytes_when_asked(sim: Simulation) -> None:
    """The request log keeps each body's size and SHA-256; the bytes only with keep_bodies."""
    internet = Internet(sim)
    api = internet.backend(API)
    api.route("POST", "/notes", json={})
    api.route("GET", "/notes", json={})
    internet.backend("https://keep.example.com", keep_bodies=True).route("POST", "/notes", json={})
    _, transport = _transport(sim, internet)

    async def post() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.post(API + "/notes", content=b"hello")
            await client.post("https://keep.example.com/notes", content=b"hello")
            await client.get(API + "/notes")

    sim.run(post())
    digest = hashlib.sha256(b"hello").hexdigest()
    assert [(e.request_bytes, e.request_sha256, e.body) for e in internet.requests()] == [
        (5, digest, None),
        (5, digest, b"hello"),
        (0, EMPTY_SHA256, None),
    ]


def test_route_answers_with_a_body_of_declared_size(sim: Simulation) -> None:
    """A route answering with a SizedBody costs its size to download; the app's response has no
    bytes, and SizedBody.of_response gives the body back."""
    internet = Internet(sim)
    internet.backend(API).route("GET", "/photo", body=PHOTO)
    network, transport = _transport(sim, internet)

    async def download() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(API + "/photo")

    response = sim.run(download())
    assert (response.status_code, response.content) == (200, b"")
    assert SizedBody.of_response(response) == PHOTO
    assert response.headers["content-type"] == "image/jpeg"
    record = sim.trace.of_kind("http.request")[0]
    assert record["bytes_down"] > 1_000_000
    assert network.transfers == [(record["bytes_up"], record["bytes_down"])]


def test_sized_body_reads_as_zero_chunks_and_checks_its_size() -> None:
    """Read anyway, a SizedBody yields its size in zero-filled chunks, never all at once."""
    chunks = list(SizedBody(CHUNK_BYTES * 2 + 3))
    assert [len(chunk) for chunk in chunks] == [CHUNK_BYTES, CHUNK_BYTES, 3]
    assert not any(b"".join(chunks))
    assert SizedBody(5, name="a") != SizedBody(5, name="b")
    with pytest.raises(DefinitionError, match=r"^a sized body's size -1 must be a whole number"):
        SizedBody(-1)


def test_resource_rejects_a_body_of_declared_size(sim: Simulation) -> None:
    """A REST resource takes JSON: a SizedBody sent to it gets a 400, not a crash."""
    internet = Internet(sim)
    internet.backend(API).resource("/items")
    _, transport = _transport(sim, internet)

    async def create() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            request = httpx.Request("POST", API + "/items", stream=PHOTO, headers=PHOTO.headers())
            return await client.send(request)

    assert sim.run(create()).status_code == 400


PHOTO_SCENARIO = """\
name: photo uploads
app: benchmarks._apps.photo_upload
backend:
  keep_bodies: {keep}
  routes:
    - method: POST
      url: https://api.example.com/photos
      status: 201
      json: {{"ok": true}}
    - method: GET
      url: https://api.example.com/photo
      body_size: 5000000
      content_type: image/jpeg
duration: 1h
timeline:
  - at: 0s
    do: open app
"""


def test_scenario_routes_and_uploads_of_declared_size() -> None:
    """In YAML, a route's body_size answers with a body of declared size, and an app's
    SizedBody uploads reach the server log by size and digest, with no bytes even when the
    backend keeps bodies (there are none to keep)."""
    result = run_scenario(loads(PHOTO_SCENARIO.format(keep="true"), file="photos.yaml"), 0)
    assert result.passed
    backend = result.internet.backend(API)
    assert backend.keep_bodies
    uploads = backend.requests.matching("POST", "/photos")
    assert uploads
    assert {(e.request_bytes, e.body) for e in uploads} == {(1_000_000, None)}
    answer = backend.handle(httpx.Request("GET", API + "/photo"))
    assert answer.stream == SizedBody(5_000_000, content_type="image/jpeg")
    assert answer.headers["content-length"] == "5000000"


def test_a_route_has_one_body() -> None:
    """A route gives json, text or body_size, not two of them."""
    text = PHOTO_SCENARIO.format(keep="false").replace(
        "      body_size: 5000000", "      body_size: 5000000\n      text: hello"
    )
    with pytest.raises(ScenarioError, match=r"give one body: json, text or body_size"):
        loads(text, file="photos.yaml")
