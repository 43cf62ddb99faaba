"""A stateful REST collection: pagination, conditional requests, delta sync and batch upload.

Routes under the resource path ``P`` (e.g. ``/items``):

* ``GET P?page=N&limit=M`` (page numbers from 1) or ``GET P?cursor=C&limit=M``: a page of live
  items ordered by id, with ``next_page`` / ``next_cursor`` (``null`` on the last page).
* ``GET P?since=T``: delta sync: items changed after server time ``T`` (ms, as returned in
  ``server_time_ms``), deleted ones as tombstones ``{"id": ..., "deleted": true}``.
* ``GET P`` answers with ``ETag`` and ``Last-Modified``; ``If-None-Match`` with the current ETag
  or ``If-Modified-Since`` not older than the last change gives ``304 Not Modified``.
* ``GET P/{id}``, ``PUT P/{id}``, ``DELETE P/{id}``, ``POST P`` (one item).
* ``POST P/batch`` with ``{"items": [...]}`` and an ``Idempotency-Key`` header: a repeated key
  replays the first answer without applying anything again, so retries are safe; the same item id
  applied in two different batches is a *duplicate upload*, which checks detect.

Server-side changes (new items appearing, edits, deletions) are made with :meth:`add`,
:meth:`update`, :meth:`delete` or on a schedule with :meth:`generate`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx

from harness._exceptions import DefinitionError
from harness.backends._body import SizedBody
from harness.backends._pages import EncodedPages, PageKey
from harness.backends._urls import url_facts
from harness.sim import Simulation


@dataclass(slots=True)
class Item:
    """One server-side record."""

    id: str
    data: dict[str, Any]
    version: int
    updated_ms: int
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The item as the API returns it."""
        if self.deleted:
            return {"id": self.id, "deleted": True, "updated_at_ms": self.updated_ms}
        return {
            **self.data,
            "id": self.id,
            "version": self.version,
            "updated_at_ms": self.updated_ms,
        }


@dataclass(frozen=True, slots=True)
class Upload:
    """One batch upload the server applied (replays of an idempotency key are not uploads)."""

    t_ms: int
    idempotency_key: str | None
    item_ids: tuple[str, ...]


@dataclass(slots=True)
class _BatchOutcome:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


class RestResource:
    """A collection of items served under ``path`` by a :class:`~harness.backends.Backend`."""

    def __init__(
        self,
        sim: Simulation,
        path: str,
        *,
        initial_items: int = 0,
        page_size: int = 20,
        max_page_size: int = 100,
        id_prefix: str = "item",
    ) -> None:
        if not path.startswith("/") or path.endswith("/"):
            raise DefinitionError(
                f"resource path {path!r} must start with '/' and not end with '/'"
            )
        if not 1 <= page_size <= max_page_size:
            raise DefinitionError(
                f"page_size {page_size} must be between 1 and max_page_size {max_page_size}"
            )
        self._sim = sim
        self.path = path
        self.page_size = page_size
        self.max_page_size = max_page_size
        self._id_prefix = id_prefix
        self._rng = sim.random(f"backend.resource{path}")
        self._items: dict[str, Item] = {}
        self._next_number = 1
        self._collection_version = 0
        self._last_modified_ms = 0
        self.uploads: list[Upload] = []
        self.replayed_keys: Counter[str] = Counter()
        self._answers_by_key: dict[str, _BatchOutcome] = {}
        self._item_pattern = re.compile(rf"^{re.escape(path)}/(?P<id>[^/]+)$")
        self._pages = EncodedPages()
        #: the collection version the validators below are for, its ETag, Last-Modified and headers
        self._validators: tuple[int, str, datetime, dict[str, str]] | None = None
        for _ in range(initial_items):
            self.add()

    # --- server-side changes --------------------------------------------------------------

    def add(self, data: Mapping[str, Any] | None = None, *, item_id: str | None = None) -> Item:
        """Create an item now (as if another user or the server made it)."""
        if item_id is None:
            item_id = f"{self._id_prefix}-{self._next_number:04d}"
            self._next_number += 1
        body = dict(data) if data is not None else {"title": self._title(), "body_size": 0}
        item = Item(item_id, body, version=1, updated_ms=self._sim.now_ms)
        self._items[item_id] = item
        self._touch()
        return item

    def update(self, item_id: str, data: Mapping[str, Any] | None = None) -> Item:
        """Change an item now: its version goes up and delta sync will return it."""
        item = self._items[item_id]
        item.data = dict(data) if data is not None else {**item.data, "title": self._title()}
        item.version += 1
        item.updated_ms = self._sim.now_ms
        item.deleted = False
        self._touch()
        return item

    def delete(self, item_id: str) -> None:
        """Delete an item now; delta sync returns a tombstone for it."""
        item = self._items[item_id]
        item.deleted = True
        item.version += 1
        item.updated_ms = self._sim.now_ms
        self._touch()

    def generate(self, every_ms: int, count: int = 1, *, until_ms: int | None = None) -> None:
        """Add ``count`` new items every ``every_ms`` from now (until ``until_ms`` if given)."""
        if every_ms <= 0 or count < 1:
            raise DefinitionError(
                f"generate needs every_ms > 0 and count >= 1, got {every_ms}, {count}"
            )

        def tick() -> None:
            for _ in range(count):
                self.add()
            self._sim.record("backend.items_added", path=self.path, count=count)
            due = self._sim.now_ms + every_ms
            if until_ms is None or due <= until_ms:
                self._sim.call_at(due, tick)

        self._sim.call_later(every_ms, tick)

    def _touch(self) -> None:
        self._collection_version += 1
        self._last_modified_ms = self._sim.now_ms

    def _title(self) -> str:
        words = ("sync", "cache", "note", "photo", "order", "draft", "report", "invoice")
        return f"{self._rng.choice(words)} {self._rng.randrange(10_000):04d}"

    # --- inspection -----------------------------------------------------------------------

    def items(self, *, include_deleted: bool = False) -> list[Item]:
        """Server-side items ordered by id."""
        return [
            item for _, item in sorted(self._items.items()) if include_deleted or not item.deleted
        ]

    def item_ids(self) -> list[str]:
        """Ids of the live items, ordered."""
        return [item.id for item in self.items()]

    def received_ids(self) -> list[str]:
        """Every item id applied by a batch upload, in order, repeats included."""
        return [item_id for upload in self.uploads for item_id in upload.item_ids]

    def duplicate_ids(self) -> list[str]:
        """Item ids applied by more than one batch: duplicates the client should have avoided."""
        counts = Counter(self.received_ids())
        return sorted(item_id for item_id, count in counts.items() if count > 1)

    @property
    def etag(self) -> str:
        """The collection's current strong ETag."""
        digest = hashlib.sha256(f"{self.path}:{self._collection_version}".encode()).hexdigest()
        return f'"{digest[:16]}"'

    @property
    def last_modified(self) -> datetime:
        """When the collection last changed, as a UTC datetime (HTTP dates have 1 s resolution)."""
        return self._sim.clock.to_datetime(self._last_modified_ms).replace(microsecond=0)

    # --- HTTP -----------------------------------------------------------------------------

    def install(
        self, add_route: Callable[[str, str, Callable[[httpx.Request], httpx.Response]], None]
    ) -> None:
        """Register this resource's routes through ``add_route(method, path_regex, handler)``."""
        path = re.escape(self.path)
        add_route("GET", rf"^{path}$", self._list)
        add_route("POST", rf"^{path}/batch$", self._batch)
        add_route("POST", rf"^{path}$", self._create)
        add_route("GET", rf"^{path}/[^/]+$", self._get_one)
        add_route("PUT", rf"^{path}/[^/]+$", self._put_one)
        add_route("DELETE", rf"^{path}/[^/]+$", self._delete_one)

    def _not_modified(self, request: httpx.Request, etag: str, modified: datetime) -> bool:
        # ``in`` first: headers.get raises and catches a KeyError for a header not there (most
        # requests have neither)
        headers = request.headers
        if "if-none-match" in headers:
            if_none_match = headers["if-none-match"]
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if "if-modified-since" in headers:
            if_modified_since = headers["if-modified-since"]
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return modified <= since.astimezone(UTC)
        return False

    def _cache_headers(self, etag: str, modified: datetime) -> dict[str, str]:
        return {"etag": etag, "last-modified": format_datetime(modified, usegmt=True)}

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = url_facts(request.url).params
        # most lists ask for the first page at the default size with no query at all: the
        # lookups below would each find nothing in an empty one
        query = bool(params)
        now_ms = self._sim.now_ms
        if query and "since" in params:
            since_ms = _parse_since(params["since"], self._sim)
            if since_ms is None:
                return _bad_request(request, f"since={params['since']!r} is not ms or ISO-8601")
            changed = [
                item.to_json()
                for item in self.items(include_deleted=True)
                if item.updated_ms > since_ms
            ]
            delta = {"items": changed, "server_time_ms": now_ms}
            return httpx.Response(200, json=delta, request=request)
        etag, modified, cache_headers = self._current_validators()
        if self._not_modified(request, etag, modified):
            return httpx.Response(304, headers=cache_headers, request=request)
        try:
            limit = int(params.get("limit", self.page_size) if query else self.page_size)
        except ValueError:
            return _bad_request(request, f"limit={params.get('limit')!r} is not an integer")
        if not 1 <= limit <= self.max_page_size:
            return _bad_request(request, f"limit must be 1..{self.max_page_size}")
        if query and "cursor" in params:
            key: PageKey = (self._collection_version, "cursor", params["cursor"], limit)
        else:
            try:
                page_number = int(params.get("page", "1")) if query else 1
            except ValueError:
                return _bad_request(request, f"page={params.get('page')!r} is not an integer")
            if page_number < 1:
                return _bad_request(request, "page numbers start at 1")
            key = (self._collection_version, "page", page_number, limit)
        # the page as httpx.Response(json=...) sends it, encoded once per collection version
        # (items change only through add, update and delete, each a new version)
        encoded = self._pages.get(key)
        if encoded is None:
            encoded = self._encode_page(key)
        return self._pages.response(encoded, now_ms, cache_headers, request)

    def _encode_page(self, key: PageKey) -> bytes:
        """The JSON of one list page up to its ``server_time_ms``, kept for the next answer."""
        _version, pagination, position, limit = key
        live = self.items()
        body: dict[str, Any]
        if pagination == "cursor":
            after = [item for item in live if item.id > str(position)]
            page = after[:limit]
            next_cursor = page[-1].id if len(after) > limit else None
            body = {"items": [item.to_json() for item in page], "next_cursor": next_cursor}
        else:
            page_number = int(position)
            start = (page_number - 1) * limit
            page = live[start : start + limit]
            has_more = start + limit < len(live)
            body = {
                "items": [item.to_json() for item in page],
                "page": page_number,
                "total": len(live),
                "next_page": page_number + 1 if has_more else None,
            }
        return self._pages.keep(key, body)

    def _current_validators(self) -> tuple[str, datetime, dict[str, str]]:
        """The collection's ETag, Last-Modified and their headers (computed once per version)."""
        validators = self._validators
        if validators is None or validators[0] != self._collection_version:
            etag, modified = self.etag, self.last_modified
            validators = (
                self._collection_version,
                etag,
                modified,
                self._cache_headers(etag, modified),
            )
            self._validators = validators
        return validators[1], validators[2], validators[3]

    def _item_or_404(self, request: httpx.Request) -> Item | httpx.Response:
        match = self._item_pattern.match(request.url.path)
        item = self._items.get(match.group("id")) if match else None
        if item is None or item.deleted:
            return httpx.Response(404, json={"error": "not found"}, request=request)
        return item

    def _get_one(self, request: httpx.Request) -> httpx.Response:
        item = self._item_or_404(request)
        if isinstance(item, httpx.Response):
            return item
        etag = f'"{item.id}-v{item.version}"'
        modified = self._sim.clock.to_datetime(item.updated_ms).replace(microsecond=0)
        if self._not_modified(request, etag, modified):
            return httpx.Response(304, headers=self._cache_headers(etag, modified), request=request)
        return httpx.Response(
            200, json=item.to_json(), headers=self._cache_headers(etag, modified), request=request
        )

    def _put_one(self, request: httpx.Request) -> httpx.Response:
        item = self._item_or_404(request)
        if isinstance(item, httpx.Response):
            return item
        data = _json_object(request)
        if data is None:
            return _bad_request(request, "body must be a JSON object")
        updated = self.update(item.id, {k: v for k, v in data.items() if k != "id"})
        self.uploads.append(Upload(self._sim.now_ms, None, (updated.id,)))
        return httpx.Response(200, json=updated.to_json(), request=request)

    def _delete_one(self, request: httpx.Request) -> httpx.Response:
        item = self._item_or_404(request)
        if isinstance(item, httpx.Response):
            return item
        self.delete(item.id)
        return httpx.Response(204, request=request)

    def _create(self, request: httpx.Request) -> httpx.Response:
        data = _json_object(request)
        if data is None:
            return _bad_request(request, "body must be a JSON object")
        item_id = data.get("id")
        item = self.add(
            {k: v for k, v in data.items() if k != "id"},
            item_id=item_id if isinstance(item_id, str) else None,
        )
        self.uploads.append(
            Upload(self._sim.now_ms, request.headers.get("idempotency-key"), (item.id,))
        )
        return httpx.Response(201, json=item.to_json(), request=request)

    def _batch(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key is not None and key in self._answers_by_key:
            self.replayed_keys[key] += 1
            answer = self._answers_by_key[key]
            return httpx.Response(
                answer.status,
                json=answer.body,
                headers={"idempotent-replayed": "true"},
                request=request,
            )
        data = _json_object(request)
        items = data.get("items") if data is not None else None
        if not isinstance(items, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("id"), str) for entry in items
        ):
            return _bad_request(request, 'body must be {"items": [{"id": "...", ...}, ...]}')
        applied = []
        for entry in items:
            item_id = entry["id"]
            fields = {k: v for k, v in entry.items() if k != "id"}
            if item_id in self._items:
                self.update(item_id, fields)
            else:
                self.add(fields, item_id=item_id)
            applied.append(item_id)
        self.uploads.append(Upload(self._sim.now_ms, key, tuple(applied)))
        outcome = _BatchOutcome(200, {"accepted": len(applied), "ids": applied})
        if key is not None:
            self._answers_by_key[key] = outcome
        return httpx.Response(outcome.status, json=outcome.body, request=request)


def _json_object(request: httpx.Request) -> dict[str, Any] | None:
    if isinstance(request.stream, SizedBody):
        return None  # a body of declared size is not JSON: the answer is a 400
    try:
        data = json.loads(request.content or b"null")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _bad_request(request: httpx.Request, message: str) -> httpx.Response:
    return httpx.Response(400, json={"error": message}, request=request)


def _parse_since(text: str, sim: Simulation) -> int | None:
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return sim.clock.from_datetime(moment.replace(microsecond=moment.microsecond // 1000 * 1000))
