"""The example apps, end to end for a virtual week: what the server received, what the app kept."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from harness.scenario import RunResult, World, load
from harness.scenario._actions import parse_action
from harness.sim import Simulation

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def run(name: str, seed: int = 0) -> RunResult:
    result: RunResult = load(SCENARIOS / name).run(seed)
    assert result.record.error is None, result.record.error
    failed = [f"{c.spec}: {c.message}" for c in result.record.failed_checks]
    assert not failed, failed
    return result


def hive_box(result: RunResult, package: str, box: str) -> dict[str, object]:
    db = result.world.runtime.data_area(package).database("hive")
    rows = db.execute("SELECT key, value FROM box_entries WHERE box = ?", (box,)).fetchall()
    return {key: json.loads(value) for key, value in rows}


@pytest.mark.slow
# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_hourly_sync_keeps_the_cache_equal_to_the_server() -> None:
    """After a week of hourly syncs the cache holds every item the server had at the last sync."""
    result = run("hourly_sync/happy_path.yaml")
    resource = result.internet.backends[0].resources["/items"]
    last_sync = max(r.t_ms for r in result.trace.of_kind("work.finished"))
    expected = {item.id for item in resource.items() if item.updated_ms <= last_sync}
    assert set(hive_box(result, "com.example.hourlysync", "items")) == expected
    assert len(expected) == 120 + 4 * 27


def test_paged_download_stores_the_whole_catalog_once() -> None:
    """500 items in pages of 25, over a week: 20 page requests, every item stored once."""
    result = run("paged_download/happy_path.yaml")
    db = result.world.runtime.data_area("com.example.pageddownload").database("catalog.db")
    assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 500
    assert result.backend.request_count("GET", "/catalog") == 20


@pytest.mark.slow
# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_conditional_sync_mirrors_changes_with_few_full_fetches() -> None:
    """The cache follows the server's items and versions; most checks are 304s."""
    result = run("conditional_sync/happy_path.yaml")
    resource = result.internet.backends[0].resources["/items"]
    cache = hive_box(result, "com.example.conditional", "items")
    last_sync = max(r.t_ms for r in result.trace.of_kind("work.finished"))
    assert {key: value["version"] for key, value in cache.items()} == {  # type: ignore[index]
        item.id: item.version for item in resource.items() if item.updated_ms <= last_sync
    }
    statuses = result.internet.backends[0].requests.statuses()
    assert statuses[304] > statuses[200] / 2


@pytest.mark.slow
# no_cover: repeats paths the rest of the suite covers (--cov-context=test); the tracer costs 2-3x
@pytest.mark.no_cover
def test_rate_limited_fetch_stores_data_and_honours_retry_after() -> None:
    """The fixed fetch stores the data and never comes back early after a 429."""
    result = run("rate_limited_fetch/happy_path.yaml")
    db = result.world.runtime.data_area("com.example.ratelimited").database(
        "FlutterSharedPreferences"
    )
    value = db.execute("SELECT value FROM preferences WHERE key = 'data'").fetchone()
    assert json.loads(json.loads(value[0])) == {"items": 3}
    assert result.internet.backends[0].requests.statuses()[429] >= 1


def test_outbox_delivers_every_edit_exactly_once() -> None:
    """Every note the user wrote reached the server once; the outbox is empty."""
    result = run("outbox/happy_path.yaml")
    created = result.app.created_ids()
    assert len(created) == 7 + 7 + 5
    assert sorted(result.backend.received_ids()) == sorted(created)
    db = result.world.runtime.data_area("com.example.outbox").database("outbox.db")
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


@pytest.mark.slow
def test_notifier_notifies_once_per_batch_of_new_items() -> None:
    """Each time items appear, one notification follows within the hour."""
    result = run("notify_new_data/happy_path.yaml")
    titles = result.app.notifications()
    assert titles.count("2 new items") == 7
    assert titles.count("1 new item") == 7
    # what the server received: delta requests, each 'since' the server time of an earlier
    # successful answer (the first asks for everything)
    requests = list(result.internet.backends[0].requests)
    sinces = [int(httpx.URL(r.url).params["since"]) for r in requests]
    answered = [r.t_ms for r in requests if r.status == 200]
    assert sinces[0] == 0
    assert sinces == sorted(sinces)
    assert all(since == 0 or since in answered for since in sinces)
    # what the app kept: the server time of its last successful answer
    prefs = result.world.runtime.data_area("com.example.notifier").database(
        "FlutterSharedPreferences"
    )
    (stored,) = prefs.execute("SELECT value FROM preferences WHERE key = 'since'").fetchone()
    assert json.loads(stored) == answered[-1]


@pytest.mark.parametrize("interruption", ["kill app", "reboot"])
@pytest.mark.parametrize("moment", ["before the server applied it", "after the server applied it"])
def test_outbox_loses_nothing_when_interrupted_mid_upload(interruption: str, moment: str) -> None:
    """A kill or a reboot while a batch is on the wire: after the next launch, exactly once."""
    scenario = load(SCENARIOS / "outbox/happy_path.yaml").replace(
        timeline=[{"at": "0s", "do": "open app"}, {"at": "5m", "do": "leave app"}], duration="1d"
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("1h")
        notes = world.internet.backends[0].resources["/notes"]
        world.execute(parse_action("open app"))  # the user writes the note in the app...
        sim.run_for("2s")
        world.execute(parse_action("app edit first"))
        world.execute(parse_action("leave app"))  # ...and leaves it while the upload runs
        applied = moment.startswith("after")
        for _ in range(60_000):  # step 1 ms at a time to the moment of the interruption
            sim.run_for(1)
            started = bool(sim.trace.of_kind("work.started"))
            if (applied and notes.uploads) or (not applied and started):
                break
        assert started, "the upload never started"
        assert bool(notes.uploads) is applied
        assert not sim.trace.of_kind("http.request"), "the upload finished before the interruption"
        world.execute(parse_action(interruption))
        sim.run_for("1h")
        world.execute(parse_action("open app"))
        sim.run_for("1h")
        assert len(notes.received_ids()) == 1
        assert notes.received_ids()[0].startswith("note-")
        assert notes.duplicate_ids() == []
        # retried with the same Idempotency-Key: the server replays instead of applying twice
        assert sum(notes.replayed_keys.values()) == (1 if applied else 0)
