"""The request log: entries read back as appended, questions answered from its columns."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from harness.backends import Internet, ReceivedRequest, RequestLog
from harness.sim import Simulation

API = "https://api.example.com"
OTHER = "https://cdn.example.com"


def _entries() -> list[ReceivedRequest]:
    return [
        ReceivedRequest(0, "GET", API + "/items", "/items", 200),
        ReceivedRequest(5, "POST", API + "/items", "/items", 201, idempotency_key="k-1"),
        ReceivedRequest(9, "GET", API + "/items", "/items", 429, fault="rate_limited"),
        ReceivedRequest(12, "GET", API + "/items", "/items", 200, too_early_after_429=True),
        ReceivedRequest(3_600_000, "PUT", API + "/photo/1", "/photo/1", 204, body=b"jpeg"),
        ReceivedRequest(3_600_001, "GET", API + "/nope", "/nope", None, unmatched=True),
        ReceivedRequest(3_600_002, "GET", API + "/items", "/items", 200),
    ]


@pytest.fixture
def log() -> RequestLog:
    log = RequestLog()
    for entry in _entries():
        log.append(entry)
    return log


def test_entries_read_back_equal_to_those_appended(log: RequestLog) -> None:
    """Iterating, indexing (negative too) and slicing give entries equal to the appended ones."""
    entries = _entries()
    assert list(log) == entries
    assert len(log) == len(entries)
    assert log[1].idempotency_key == "k-1"
    assert log[-3].body == b"jpeg"
    assert log[-1] == entries[-1]
    assert log[1:3] == entries[1:3]
    assert log[::-2] == entries[::-2]
    with pytest.raises(IndexError):
        log[len(entries)]


def test_questions_agree_with_the_entries(log: RequestLog) -> None:
    """matching, count, statuses, unmatched, too-early and per-hour answer as the entries say."""
    entries = _entries()
    assert log.matching("get", "/items") == [
        e for e in entries if e.method == "GET" and e.path == "/items"
    ]
    assert log.count(path="/photo/") == 1
    assert log.count("GET") == 4 + 1
    assert log.count() == len(entries)
    assert log.statuses() == Counter(e.status for e in entries)
    assert log.unmatched() == [entries[5]]
    assert log.too_early_after_429() == [entries[3]]
    assert log.per_hour() == {0: 4, 1: 3}
    assert list(log.times()) == [e.t_ms for e in entries]


def test_an_empty_log_answers_with_nothing() -> None:
    """A log with no requests counts zero everywhere."""
    log = RequestLog()
    assert (list(log), log.count(), log.max_per_hour(), log.matching("GET")) == ([], 0, 0, [])
    assert log.statuses() == Counter()


def test_internet_counts_across_backends(sim: Simulation) -> None:
    """The internet's per-hour, status and too-early counts add up every backend and the
    requests no backend serves."""
    internet = Internet(sim)
    for origin in (API, OTHER):
        internet.backend(origin).route("GET", "/x", json={})
    api = internet.backend(API)
    api.rate_limit(1, window="1h", retry_after="60s")
    for origin in (API, API, OTHER):
        internet.handle(httpx.Request("GET", origin + "/x"))
    sim.run_for("1h")
    with pytest.raises(Exception, match="not mocked"):
        internet.handle(httpx.Request("GET", "https://unknown.example.com/"))
    internet.handle(httpx.Request("GET", OTHER + "/x"))
    assert internet.requests_per_hour() == Counter({0: 3, 1: 2})
    assert internet.statuses() == Counter({200: 3, 429: 1, None: 1})
    assert internet.too_early_after_429() == []
    assert internet.statuses() == Counter(entry.status for entry in internet.requests())


def test_a_request_added_by_its_fields_reads_back_as_its_entry(sim: Simulation) -> None:
    """What a server logs by a request's fields (``RequestLog.add``) reads back as the entry
    ``append`` would have kept: every field, the idempotency key and a kept body included."""
    by_fields, by_entries = RequestLog(), RequestLog()
    for entry in _entries():
        shape = (
            entry.method,
            entry.url,
            entry.path,
            entry.status,
            entry.fault,
            entry.request_bytes,
            entry.unmatched,
            entry.too_early_after_429,
            entry.request_sha256,
        )
        by_fields.add(entry.t_ms, shape, entry.idempotency_key, entry.body)
        by_entries.append(entry)
    assert list(by_fields) == list(by_entries) == _entries()
    internet = Internet(sim)
    api = internet.backend(API, keep_bodies=True)
    api.route("POST", "/up", status=201)
    api.handle(httpx.Request("POST", API + "/up", content=b"abc", headers={"Idempotency-Key": "k"}))
    [logged] = api.requests
    assert (logged.idempotency_key, logged.body, logged.request_bytes) == ("k", b"abc", 3)
    assert logged.status == 201
