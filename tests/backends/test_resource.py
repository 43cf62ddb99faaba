"""The stateful REST resource (harness/backends/_resource.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from harness.backends import Backend, Internet
from harness.backends._pages import PageKey, loaded_response
from harness.sim import Simulation

API = "https://api.example.com"
#: a Last-Modified value (its header's place in the answer is what a test compares)
ANY_DATE = "Mon, 05 Jan 2026 00:00:00 GMT"


def get(backend: Backend, path: str, **headers: str) -> httpx.Response:
    return backend.handle(httpx.Request("GET", API + path, headers=headers))


def post(backend: Backend, path: str, body: Any, **headers: str) -> httpx.Response:
    return backend.handle(
        httpx.Request("POST", API + path, content=json.dumps(body).encode(), headers=headers)
    )


@pytest.fixture
def api(sim: Simulation) -> Backend:
    return Internet(sim).backend(API)


def test_page_pagination_walks_every_item_once(api: Backend) -> None:
    """?page=N&limit=M pages through live items by id; next_page is null on the last page."""
    api.resource("/items", initial_items=45)
    seen: list[str] = []
    page: int | None = 1
    while page is not None:
        body = get(api, f"/items?page={page}&limit=20").json()
        seen += [item["id"] for item in body["items"]]
        page = body["next_page"]
    assert seen == [f"item-{n:04d}" for n in range(1, 46)]
    assert body["total"] == 45


def test_cursor_pagination_walks_every_item_once(api: Backend) -> None:
    """?cursor=C&limit=M continues after the last id; next_cursor is null at the end."""
    api.resource("/items", initial_items=7)
    seen: list[str] = []
    cursor: str | None = ""
    while cursor is not None:
        body = get(api, f"/items?cursor={cursor}&limit=3").json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert len(seen) == 7 == len(set(seen))


def test_etag_and_if_none_match_give_304_until_something_changes(
    sim: Simulation, api: Backend
) -> None:
    """If-None-Match with the current ETag is 304; after a server change it is 200 again."""
    items = api.resource("/items", initial_items=3)
    first = get(api, "/items")
    etag = first.headers["etag"]
    assert get(api, "/items", **{"If-None-Match": etag}).status_code == 304
    sim.run_for("1h")
    items.add()
    assert get(api, "/items", **{"If-None-Match": etag}).status_code == 200


def test_if_modified_since_gives_304_when_nothing_is_newer(sim: Simulation, api: Backend) -> None:
    """If-Modified-Since not older than Last-Modified is 304 (HTTP dates, 1 s resolution)."""
    items = api.resource("/items", initial_items=1)
    sim.run_for("10m")
    last_modified = get(api, "/items").headers["last-modified"]
    assert get(api, "/items", **{"If-Modified-Since": last_modified}).status_code == 304
    sim.run_for("5s")
    items.update("item-0001")
    assert get(api, "/items", **{"If-Modified-Since": last_modified}).status_code == 200


def test_delta_sync_returns_changes_and_tombstones_since(sim: Simulation, api: Backend) -> None:
    """?since=T returns items changed after T, deletions as tombstones, and a new server time."""
    items = api.resource("/items", initial_items=3)
    since = get(api, "/items").json()["server_time_ms"]
    sim.run_for("1h")
    items.update("item-0002")
    items.delete("item-0003")
    new = items.add()
    body = get(api, f"/items?since={since}").json()
    assert [(i["id"], i.get("deleted", False)) for i in body["items"]] == [
        ("item-0002", False),
        ("item-0003", True),
        (new.id, False),
    ]
    assert body["server_time_ms"] == 3_600_000
    assert get(api, "/items?since=2026-01-05T00:30:00Z").json()["items"][0]["id"] == "item-0002"


def test_batch_upload_with_idempotency_key_is_applied_once(api: Backend) -> None:
    """A retried batch with the same Idempotency-Key replays the answer, applying nothing twice."""
    items = api.resource("/items")
    batch = {"items": [{"id": "edit-1", "text": "a"}, {"id": "edit-2", "text": "b"}]}
    first = post(api, "/items/batch", batch, **{"Idempotency-Key": "k1"})
    again = post(api, "/items/batch", batch, **{"Idempotency-Key": "k1"})
    assert first.json() == again.json() == {"accepted": 2, "ids": ["edit-1", "edit-2"]}
    assert again.headers["idempotent-replayed"] == "true"
    assert items.received_ids() == ["edit-1", "edit-2"]
    assert items.duplicate_ids() == []
    assert items.replayed_keys["k1"] == 1


def test_batch_upload_without_key_makes_duplicates_detectable(api: Backend) -> None:
    """The same item applied by two batches is a duplicate upload the checks can see."""
    items = api.resource("/items")
    post(api, "/items/batch", {"items": [{"id": "edit-1"}]})
    post(api, "/items/batch", {"items": [{"id": "edit-1"}, {"id": "edit-2"}]})
    assert items.received_ids() == ["edit-1", "edit-1", "edit-2"]
    assert items.duplicate_ids() == ["edit-1"]


def test_bad_requests_are_400_with_a_reason(api: Backend) -> None:
    """Malformed paging or bodies are answered 400 naming what is wrong."""
    api.resource("/items")
    assert get(api, "/items?limit=0").json()["error"] == "limit must be 1..100"
    assert get(api, "/items?page=x").status_code == 400
    assert post(api, "/items/batch", {"nope": 1}).status_code == 400


def test_single_item_routes(api: Backend) -> None:
    """GET/PUT/DELETE /items/{id} and POST /items behave as a REST API does."""
    items = api.resource("/items", initial_items=1)
    one = get(api, "/items/item-0001")
    assert one.status_code == 200
    assert get(api, "/items/item-0001", **{"If-None-Match": one.headers["etag"]}).status_code == 304
    put = httpx.Request("PUT", API + "/items/item-0001", json={"title": "changed"})
    assert api.handle(put).json()["version"] == 2
    assert post(api, "/items", {"id": "new-1", "title": "x"}).status_code == 201
    assert api.handle(httpx.Request("DELETE", API + "/items/item-0001")).status_code == 204
    assert get(api, "/items/item-0001").status_code == 404
    assert items.item_ids() == ["new-1"]


def test_generate_adds_items_on_a_schedule(sim: Simulation, api: Backend) -> None:
    """generate(every, count) adds items at exact virtual times and records it in the trace."""
    items = api.resource("/items")
    items.generate(every_ms=3_600_000, count=2, until_ms=3 * 3_600_000)
    sim.run_for("5h")
    assert len(items.items()) == 6
    assert [r.t_ms for r in sim.trace.of_kind("backend.items_added")] == [
        3_600_000,
        7_200_000,
        10_800_000,
    ]


def test_resource_content_is_seeded(sim: Simulation) -> None:
    """Generated item titles come from the run's RNG stream: same seed, same server."""

    def titles(seed: int) -> list[str]:
        sim.stop()
        with Simulation(seed=seed) as other:
            backend = Internet(other).backend(API)
            return [i.data["title"] for i in backend.resource("/items", initial_items=5).items()]

    assert titles(1) == titles(1)
    assert titles(1) != titles(2)


def test_a_page_is_what_httpx_sends_for_its_json_and_encoded_once_per_version(
    sim: Simulation, api: Backend
) -> None:
    """A list page is byte for byte ``httpx.Response(json=body)`` with the server time as its
    last field; it is encoded once while the collection is unchanged, and anew after a change."""
    resource = api.resource("/items", initial_items=3, page_size=2)
    encoded: list[PageKey] = []
    encode = resource._encode_page

    def counting(key: PageKey) -> bytes:
        encoded.append(key)
        return encode(key)

    resource._encode_page = counting  # type: ignore[method-assign]
    answers = []
    for _ in range(3):
        sim.run_for(1_000)
        answers.append(get(api, "/items?page=1"))
    resource.add({"title": "ünïcode"})
    answers.append(get(api, "/items?page=1"))
    assert len(encoded) == 2
    for answer in answers:
        body = answer.json()
        expected = httpx.Response(
            200, json=body, headers={"etag": resource.etag, "last-modified": ANY_DATE}
        )
        assert answer.content == expected.content
        assert [name for name, _ in answer.headers.raw] == [
            name for name, _ in expected.headers.raw
        ]
    assert [answer.json()["server_time_ms"] for answer in answers] == [1_000, 2_000, 3_000, 3_000]
    assert answers[-1].json()["items"][0]["id"] == "item-0001"
    assert answers[-1].json()["total"] == 4


def test_a_loaded_page_response_is_what_httpx_builds_and_reads() -> None:
    """A page answered loaded has the status, headers, body and stream state that
    ``httpx.Response(content=...)`` has after reading its own stream."""
    request = httpx.Request("GET", "https://api.example.com/items")
    content = '{"items":[{"title":"é"}],"server_time_ms":5}'.encode()
    headers = {"etag": '"abc"', "Content-Length": str(len(content)), "Content-Type": "x/y"}
    built = httpx.Response(200, content=content, headers=headers, request=request)
    loaded = loaded_response(200, headers, content, request)

    def state(response: httpx.Response) -> tuple[object, ...]:
        return (
            response.status_code,
            response.headers.raw,
            response.content,
            response.is_closed,
            response.is_stream_consumed,
            response.num_bytes_downloaded,
            response.json(),
            type(response.stream),
            response.request is request,
        )

    assert state(loaded) == state(built)


def test_answers_share_no_headers_and_a_bare_list_is_the_first_default_page(
    sim: Simulation, api: Backend
) -> None:
    """Each answer has headers of its own (normalised once, copied per answer: changing one
    changes no other), and ``GET /items`` with no query is ``?page=1&limit=<page_size>``."""
    api.resource("/items", initial_items=30, page_size=10)
    first = get(api, "/items")
    first.headers["etag"] = "changed by the app"
    second = get(api, "/items")
    explicit = get(api, "/items?page=1&limit=10")
    assert second.headers["etag"] != "changed by the app"
    assert second.headers.raw == explicit.headers.raw
    assert second.content == explicit.content
    assert [item["id"] for item in second.json()["items"]] == [
        f"item-{n:04d}" for n in range(1, 11)
    ]
    sim.run_for(10_000_000)  # the server time grows a digit: Content-Length follows
    later = get(api, "/items")
    assert later.headers["content-length"] == str(len(later.content))
    assert get(api, "/items", **{"If-None-Match": second.headers["etag"]}).status_code == 304
