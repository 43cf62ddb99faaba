"""A flutter-style app for runner tests: an hourly fetch, and a user 'edit' action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from harness.app import Hive, http
from harness.flutter import Workmanager

PACKAGE = "com.example.hourly"
API = "https://api.example.com"


def main() -> None:
    Workmanager().initialize(callback_dispatcher)
    Workmanager().register_periodic_task("sync", "sync", frequency=timedelta(hours=1))


def callback_dispatcher() -> None:
    async def handler(task: str, input_data: dict[str, Any]) -> bool:
        try:
            return await sync()
        except httpx.TransportError:
            return False

    Workmanager().execute_task(handler)


async def sync() -> bool:
    """Fetch the items, then upload the outbox."""
    response = await http.get(API + "/items")
    if response.status_code != 200:
        return False
    outbox = await Hive.open_box("outbox")
    if outbox.length:
        edits = [
            {"id": key, **value} for key, value in zip(outbox.keys, outbox.values, strict=True)
        ]
        upload = await http.post(API + "/items/batch", json={"items": edits})
        if upload.status_code != 200:
            return False
        await outbox.clear()
    return True


_counter = {"n": 0}


async def edit(text: str = "hello") -> str:
    """The user writes a note: it goes to the outbox; the next sync uploads it."""
    _counter["n"] += 1
    box = await Hive.open_box("outbox")
    note_id = f"note-{box.length + 1}-{text}"
    await box.put(note_id, {"text": text})
    return note_id


ACTIONS = {"edit": edit}
