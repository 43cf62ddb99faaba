"""An app whose main() starts a task nobody awaits; it fails two hours later."""

from __future__ import annotations

import asyncio

PACKAGE = "com.example.stray"


async def main() -> None:
    async def refresh_cache() -> None:
        await asyncio.sleep(2 * 3600)
        raise ValueError("cache refresh failed")

    _background.append(asyncio.get_running_loop().create_task(refresh_cache()))


_background: list[asyncio.Task[None]] = []
