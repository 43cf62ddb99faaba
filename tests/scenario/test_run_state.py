"""Checks read the app's storage and the servers' state, not only the trace
(``RunView.storage``, ``RunView.server``; harness/scenario/_world.py)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from harness import DefinitionError
from harness.scenario import RunView, loads, run_scenario

SCENARIO = """\
name: keeper
app: tests.scenario.apps.keeper
duration: 2h
backend:
  resources:
    - url: https://api.example.com/notes
timeline:
  - at: 0s
    do: wifi out of range
  - at: 0s
    do: cellular out of range
  - at: 1m
    do: app keep hello
  - at: 2m
    do: app keep world
{later}
checks:
  - custom: tests.scenario.test_run_state:{check}
"""
ONLINE = """  - at: 30m
    do: wifi in range"""


def stored_offline(run: RunView) -> bool:
    """Offline, every edit is on disk: the preference, the hive box and the sqlite rows."""
    storage = run.storage()
    assert storage.preferences() == {"last": "world"}
    assert storage.boxes() == ["notes"]
    assert [entry["text"] for entry in storage.box("notes").values()] == ["hello", "world"]
    assert storage.tables("notes.db") == ["notes"]
    rows = storage.query("notes.db", "SELECT text FROM notes ORDER BY rowid")
    assert rows == [("hello",), ("world",)]
    assert run.server("https://api.example.com").requests.count() == 0
    return True


def uploaded_online(run: RunView) -> bool:
    """Once online the work uploads and empties the table; the server holds both notes."""
    assert run.storage("com.example.keeper").query("notes.db", "SELECT id FROM notes") == []
    server = run.server("https://api.example.com/")
    resource = server.resources["/notes"]
    assert len(resource.received_ids()) == 2
    assert server.requests.count("POST", "/notes") == 2
    return True


def writes_refused(run: RunView) -> bool:
    """A check can never change what it checks: a writing statement is refused by sqlite."""
    run.storage().query("notes.db", "DELETE FROM notes")
    return True


def unknown_server(run: RunView) -> bool:
    """An origin the scenario does not serve is an error naming the servers it has."""
    run.server("https://other.example.com")
    return True


def _verdict(check: str, later: str = "") -> tuple[bool, str]:
    scenario = loads(SCENARIO.format(check=check, later=later), file="keeper.yaml")
    result = run_scenario(scenario, seed=0)
    (verdict,) = [c for c in result.record.checks if c.spec.startswith("custom")]
    return verdict.passed, verdict.message


def test_a_check_reads_preferences_boxes_and_sqlite() -> None:
    """run.storage() reads what the app wrote to disk, during no process of the app."""
    assert _verdict("stored_offline") == (True, "held")


def test_a_check_reads_the_server_state() -> None:
    """run.server(origin) is the fake backend: its resources and request log."""
    assert _verdict("uploaded_online", ONLINE) == (True, "held")


def test_a_check_cannot_write_the_storage() -> None:
    """query() is read-only (an sqlite authorizer denies writes)."""
    passed, message = _verdict("writes_refused")
    assert not passed
    assert re.search(r"not authorized", message)


def test_an_unknown_server_is_named() -> None:
    """run.server() of an origin not served names the servers the scenario has."""
    passed, message = _verdict("unknown_server")
    assert not passed
    assert re.search(
        r"no server at 'https://other.example.com'; the scenario's servers are: "
        r"https://api.example.com",
        message,
    )


def test_the_live_result_reads_the_same_storage() -> None:
    """RunResult.storage() and .server() read the world after the run, as checks do."""
    result = loads(SCENARIO.format(check="stored_offline", later=""), file="k.yaml").run(0)
    assert result.storage().preferences() == {"last": "world"}
    assert result.server("https://api.example.com").requests.count() == 0
    with pytest.raises(sqlite3.OperationalError, match=r"^no such table: missing$"):
        result.storage().query("notes.db", "SELECT * FROM missing")
    with pytest.raises(DefinitionError, match=r"^no server at 'https://x.example'"):
        result.server("https://x.example")
