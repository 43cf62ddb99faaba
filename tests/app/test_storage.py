"""App storage: shared_preferences, hive boxes, sqlite, notifications (harness/app/_storage.py)."""

from __future__ import annotations

import pytest

from harness._exceptions import NoAppRunningError
from harness.app._context import Notification, app_context
from harness.app._storage import Hive, SharedPreferences, notifications, open_database
from harness.sim import Simulation
from tests.app.helpers import MemoryDataArea, make_instance


def test_preferences_survive_a_new_instance(sim: Simulation) -> None:
    """Values written in one isolate are read by the next one's first get_instance()."""
    data = MemoryDataArea()

    async def write() -> None:
        prefs = await SharedPreferences.get_instance()
        await prefs.set_string("token", "abc")
        await prefs.set_int("count", 3)
        await prefs.set_double("ratio", 0.5)
        await prefs.set_bool("flag", True)
        await prefs.set_string_list("ids", ["a", "b"])

    async def read() -> tuple[object, ...]:
        prefs = await SharedPreferences.get_instance()
        return (
            prefs.get_string("token"),
            prefs.get_int("count"),
            prefs.get_double("ratio"),
            prefs.get_bool("flag"),
            prefs.get_string_list("ids"),
            prefs.get_string("missing"),
            sorted(prefs.get_keys()),
        )

    with app_context(make_instance(sim, data, instance_id=1)):
        sim.run(write())
    with app_context(make_instance(sim, data, instance_id=2)):
        assert sim.run(read()) == (
            "abc",
            3,
            0.5,
            True,
            ["a", "b"],
            None,
            ["count", "flag", "ids", "ratio", "token"],
        )


def test_other_isolates_writes_are_stale_until_reload(sim: Simulation) -> None:
    """Each isolate caches preferences; another's writes show only after reload() (issue #220)."""
    data = MemoryDataArea()
    ui = make_instance(sim, data, instance_id=1)
    worker = make_instance(sim, data, instance_id=2)

    async def get() -> SharedPreferences:
        return await SharedPreferences.get_instance()

    with app_context(ui):
        ui_prefs = sim.run(get())
        sim.run(ui_prefs.set_string("last_sync", "never"))
    with app_context(worker):
        sim.run(sim.run(get()).set_string("last_sync", "08:00"))
    with app_context(ui):
        assert ui_prefs.get_string("last_sync") == "never"
        sim.run(ui_prefs.reload())
        assert ui_prefs.get_string("last_sync") == "08:00"


def test_preference_types_are_checked(sim: Simulation) -> None:
    """Reading a value with the wrong typed getter, or storing the wrong type, is a TypeError."""
    with app_context(make_instance(sim, MemoryDataArea())):
        prefs = sim.run(SharedPreferences.get_instance())
        sim.run(prefs.set_int("n", 1))
        with pytest.raises(TypeError, match=r"preference 'n' holds a int, not a string"):
            prefs.get_string("n")
        with pytest.raises(TypeError, match=r"not a str"):
            sim.run(prefs.set_string("s", 5))  # type: ignore[arg-type]
        sim.run(prefs.remove("n"))
        assert not prefs.contains_key("n")
        sim.run(prefs.set_bool("b", False))
        sim.run(prefs.clear())
        assert prefs.get_keys() == set()


def test_hive_box_round_trip_and_per_isolate_snapshot(sim: Simulation) -> None:
    """A box reads storage once per isolate and writes through; a new isolate sees the writes."""
    data = MemoryDataArea()
    with app_context(make_instance(sim, data, instance_id=1)):
        box = sim.run(Hive.open_box("outbox"))
        sim.run(box.put("edit-1", {"text": "hello", "n": 1}))
        sim.run(box.put_all({"edit-2": [1, 2], "edit-3": None}))
        sim.run(box.delete("edit-3"))
        assert box.keys == ["edit-1", "edit-2"]
        with pytest.raises(TypeError, match=r"is not storable"):
            sim.run(box.put("bad", object()))
    with app_context(make_instance(sim, data, instance_id=2)):
        again = sim.run(Hive.open_box("outbox"))
        assert (again.length, again.get("edit-1"), again.get("nope", 0)) == (
            2,
            {"n": 1, "text": "hello"},
            0,
        )
        assert sim.run(again.clear()) == 2


def test_sqlite_database_is_shared_and_durable(sim: Simulation) -> None:
    """open_database() is the app's device-owned sqlite database."""
    data = MemoryDataArea()
    with app_context(make_instance(sim, data, instance_id=1)):
        db = open_database()
        db.execute("CREATE TABLE items (id TEXT)")
        db.execute("INSERT INTO items VALUES ('a')")
        db.commit()
    with app_context(make_instance(sim, data, instance_id=2)):
        assert open_database().execute("SELECT id FROM items").fetchall() == [("a",)]


def test_notifications_are_recorded_with_their_time(sim: Simulation) -> None:
    """What the app showed the user is kept with the virtual time it was shown."""
    shown: list[Notification] = []
    with app_context(make_instance(sim, MemoryDataArea(), shown=shown)):
        sim.run_for("2h")
        sim.run(notifications.show(7, "3 new items", "tap to open"))
    assert [(n.t_ms, n.notification_id, n.title) for n in shown] == [(7_200_000, 7, "3 new items")]


def test_accessors_outside_app_code_explain_themselves(sim: Simulation) -> None:
    """Using an ambient accessor outside app code says where it works."""
    with pytest.raises(NoAppRunningError, match=r"no app is running here"):
        open_database()


def test_hive_put_all_is_one_write(sim: Simulation) -> None:
    """Box.putAll writes every entry in one batch (hive BoxBaseImpl.putAll): one commit, and a
    value that cannot be stored leaves the box and its storage unchanged."""
    data = MemoryDataArea()
    with app_context(make_instance(sim, data, instance_id=1)):
        box = sim.run(Hive.open_box("cache"))
        statements: list[str] = []
        data.database("hive").set_trace_callback(statements.append)
        sim.run(box.put_all({f"item-{n}": {"n": n} for n in range(50)}))
        assert statements.count("COMMIT") == 1
        with pytest.raises(TypeError, match=r"^box 'cache' key 'bad': .* is not storable"):
            sim.run(box.put_all({"good": 1, "bad": object()}))
        assert not box.contains_key("good")
    with app_context(make_instance(sim, data, instance_id=2)):
        again = sim.run(Hive.open_box("cache"))
        assert (again.length, again.get("item-49")) == (50, {"n": 49})
