"""Async observation of work: ``getWorkInfoByIdFlow`` and friends as async iterators.

androidx 2.9+ ``WorkManager.getWorkInfoByIdFlow``, ``getWorkInfosByTagFlow``,
``getWorkInfosForUniqueWorkFlow`` and ``getWorkInfosFlow`` (``W/impl/WorkManagerImpl.java``) are
Room flows over the work tables mapped to ``WorkInfo`` and ``dedup``'d
(``W/impl/model/WorkSpecDao.kt``: ``distinctUntilChanged().flowOn(dispatcher)``): a collector gets
the current value at once, then a new value after each committed change that alters it. Here a flow
reads the database when it starts and again after every change the engine reports (a ``work.*``
record, a deleted or pruned row): the read happens on a later loop step, when the transaction that
made the change has committed, as Room's invalidation tracker runs after the commit; a value equal
to the last one is not delivered again.

Use them with ``async for`` in a coroutine on the simulation's loop (a ``CoroutineWorker``, an app
task)::

    async for info in work_manager.get_work_info_by_id_flow(request.id):
        if info is not None and info.state.is_finished:
            break

A flow lives in the process: after ``WorkManager.kill`` it delivers nothing more.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from harness.sim import Signal

_T = TypeVar("_T")
_UNSET = object()


async def distinct_flow(changed: Signal[None], read: Callable[[], _T]) -> AsyncIterator[_T]:
    """``read()`` now, then after every ``changed`` emit, skipping values equal to the last."""
    wake = asyncio.Event()
    disconnect = changed.connect(lambda _: wake.set())
    last: object = _UNSET
    try:
        while True:
            wake.clear()
            value = read()
            if value != last:
                last = value
                yield value
            await wake.wait()
    finally:
        disconnect()
