"""The fuzzer finds the classic sync mistakes (issue 16 point 8): each buggy app under
``tests/property/buggy_apps/`` is found within the ``ci`` budget and shrunk to a handful of
events, from a small scenario around it, as ``harness fuzz`` would from the command line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness._fuzz import fuzz
from harness.scenario import RunResult, load_data

#: Each bug shows within this many examples: the ``ci`` profile's ``max_examples``
#: (harness.property.PROFILES), counted, not timed.
FOUND_WITHIN = 50
#: Examples a search may take in all, finding and shrinking.
CI_EXAMPLES = 100
#: At most this many drawn events and faults in a shrunk failure.
HANDFUL = 4


def _database(result: RunResult, package: str, name: str) -> sqlite3.Connection:
    return result.world.device.storage.database(package, name)


def _catalog_complete(result: RunResult) -> str | None:
    """Every item of the server's catalog is in the app's database."""
    served = {item.id for item in _resource(result, "/catalog").items()}
    db = _database(result, "com.example.pageddownload", "catalog.db")
    try:
        stored = {row[0] for row in db.execute("SELECT id FROM items")}
    except sqlite3.OperationalError:
        stored = set()
    missing = served - stored
    return f"{len(missing)} of {len(served)} catalog items never stored" if missing else None


def _cache_matches_server(result: RunResult) -> str | None:
    """The app's cache holds every item the server changed before the phone was back to normal
    (two thirds into the run), at that version or a newer one."""
    settled_ms = result.record.duration_ms * 2 // 3
    db = _database(result, "com.example.conditional", "hive")
    try:
        rows = db.execute("SELECT key, value FROM box_entries WHERE box = 'items'").fetchall()
    except sqlite3.OperationalError:
        rows = []
    cached = {key: json.loads(value) for key, value in rows}
    stale = [
        item.id
        for item in _resource(result, "/items").items()
        if item.to_json()["updated_at_ms"] <= settled_ms
        and cached.get(item.id, {}).get("version", -1) < item.to_json()["version"]
    ]
    return f"{len(stale)} items stale or missing in the cache, e.g. {stale[0]}" if stale else None


def _resource(result: RunResult, path: str) -> Any:
    for backend in result.internet.backends:
        if path in backend.resources:
            return backend.resources[path]
    raise LookupError(path)


@dataclass(frozen=True)
class Case:
    """A buggy app in a small scenario, the failure the fuzzer must find, and what it draws."""

    data: Mapping[str, Any]
    key: str
    kinds: tuple[str, ...] | None = None
    invariants: Mapping[str, Callable[[RunResult], str | None]] = field(default_factory=dict)


_DAY = [
    {"at": "5m", "do": "open app"},
    {"at": "15m", "do": "leave app"},
]

CASES: dict[str, Case] = {
    "outbox_drops_on_429": Case(
        {
            "name": "outbox in pages",
            "app": "tests.property.buggy_apps.outbox_drops_on_429",
            "backend": {"resources": [{"url": "https://api.example.com/notes"}]},
            "duration": "8h",
            # four notes written on the plane: four pages to upload when it lands
            "timeline": [
                *_DAY,
                {"at": "1h", "do": "adb shell cmd connectivity airplane-mode enable"},
                {"at": "1h10m", "do": "app edit one"},
                {"at": "1h20m", "do": "app edit two"},
                {"at": "1h30m", "do": "app edit three"},
                {"at": "1h40m", "do": "app edit four"},
                {"at": "2h", "do": "adb shell cmd connectivity airplane-mode disable"},
            ],
            "checks": ["no_data_lost", "no_duplicate_uploads", "no_crashes"],
        },
        "no_data_lost",
        ("rate_limit",),
    ),
    "etag_before_body": Case(
        {
            "name": "conditional sync",
            "app": "tests.property.buggy_apps.etag_before_body",
            "backend": {
                "resources": [
                    {
                        "url": "https://api.example.com/items",
                        "initial_items": 20,
                    }
                ]
            },
            "duration": "1d",
            "timeline": _DAY,
            "checks": ["no_crashes"],
        },
        "invariant cache_matches_server",
        ("rate_limit",),
        {"cache_matches_server": _cache_matches_server},
    ),
    "ignores_retry_after": Case(
        {
            "name": "rate-limited fetch",
            "app": "tests.property.buggy_apps.ignores_retry_after",
            # the server allows two requests an hour (Retry-After: until the hour is over); the
            # drawn faults' per-minute limits never bite a fetch every 15 minutes
            "backend": {
                "routes": ['GET https://api.example.com/data -> 200 {"items": 3}'],
                "faults": [{"at": "0s", "for": "8h", "rate_limit": {"limit": 2, "window": "1h"}}],
            },
            "duration": "8h",
            "timeline": _DAY,
            "checks": ["no_crashes", "honours_retry_after"],
        },
        "honours_retry_after",
    ),
    "cursor_before_page": Case(
        {
            "name": "paged download",
            "app": "tests.property.buggy_apps.cursor_before_page",
            "backend": {
                "resources": [{"url": "https://api.example.com/catalog", "initial_items": 200}]
            },
            "duration": "8h",
            "timeline": _DAY,
            "checks": ["no_crashes"],
        },
        "invariant catalog_complete",
        ("rate_limit",),
        {"catalog_complete": _catalog_complete},
    ),
}


#: The cases whose search reaches code no other test does (--cov-context=test: the ignored
#: Retry-After's paths in the rate limiter and its check); the others run without the coverage
#: tracer (no_cover), which makes their searches 2-3x slower and adds nothing to the measure.
_TRACED: frozenset[str] = frozenset({"ignores_retry_after"})


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=() if name in _TRACED else (pytest.mark.no_cover,))
        for name in sorted(CASES)
    ],
)
def test_the_fuzzer_finds_and_shrinks_the_bug(name: str) -> None:
    """Each buggy variant of an example app fails the check its bug breaks within the ci
    profile's examples, and is shrunk (within 100 examples in all) to a handful of events."""
    case = CASES[name]
    session = fuzz(
        load_data(case.data, file=f"{name}.yaml"),
        seed=0,
        max_examples=CI_EXAMPLES,
        kinds=case.kinds,
        max_failures=1,
        invariants=case.invariants,
    )
    (failure,) = session.failures
    assert case.key in failure.key
    assert failure.found_after <= FOUND_WITHIN
    example = failure.example
    assert len(example.events) + len(example.faults) <= HANDFUL, example
