"""Async observation of work (_flows.py; WorkManagerImpl.get*Flow, WorkSpecDao.kt ``dedup``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from harness.sim import Simulation
from harness.workmanager import (
    Data,
    ExistingWorkPolicy,
    OneTimeWorkRequest,
    State,
    WorkInfo,
    WorkManager,
    WorkQuery,
)
from tests.workmanager.workers import Progress, Succeed


def test_work_info_by_id_flow_gives_the_current_value_then_each_distinct_change(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """getWorkInfoByIdFlow: the value now, then every committed change, duplicates dropped
    (distinctUntilChanged), ending here when the work is finished."""
    request = OneTimeWorkRequest.builder(Progress).set_initial_delay("1m").build()
    workmanager.enqueue(request)
    seen: list[tuple[int, State, Data]] = []

    async def collect() -> None:
        async for info in workmanager.get_work_info_by_id_flow(request.id):
            assert info is not None
            seen.append((sim.now_ms, info.state, info.progress))
            if info.state.is_finished:
                return

    task = sim.loop.create_task(collect())
    sim.run_for("2m")
    assert task.done()
    assert seen == [
        (0, State.ENQUEUED, Data.EMPTY),
        (60_000, State.RUNNING, Data.EMPTY),
        (60_000, State.RUNNING, Data({"percent": 50})),
        (70_000, State.RUNNING, Data({"percent": 100})),
        (80_000, State.SUCCEEDED, Data.EMPTY),
    ]


def test_flows_by_tag_unique_name_and_query_follow_the_database(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """getWorkInfosByTagFlow / ForUniqueWorkFlow / getWorkInfosFlow emit lists on each change,
    a pruned work too (Room re-queries after every write to the observed tables)."""
    request = OneTimeWorkRequest.builder(Succeed).add_tag("sync").build()
    by_tag: list[list[State]] = []
    by_name: list[list[State]] = []
    by_query: list[list[State]] = []

    async def collect(flow_of: AsyncIterator[list[WorkInfo]], out: list[list[State]]) -> None:
        async for infos in flow_of:
            out.append([info.state for info in infos])

    for flow, out in (
        (workmanager.get_work_infos_by_tag_flow("sync"), by_tag),
        (workmanager.get_work_infos_for_unique_work_flow("one"), by_name),
        (workmanager.get_work_infos_flow(WorkQuery.from_tags("sync")), by_query),
    ):
        sim.loop.create_task(collect(flow, out))
    sim.run_for(0)
    workmanager.enqueue_unique_work("one", ExistingWorkPolicy.KEEP, request)
    sim.run_for("1s")
    workmanager.prune_work()
    sim.run_for("1s")
    expected = [[], [State.ENQUEUED], [State.RUNNING], [State.SUCCEEDED], []]
    assert by_tag == expected
    assert by_name == expected
    assert by_query == expected


def test_a_flow_of_missing_work_gives_none_and_a_killed_process_delivers_nothing(
    sim: Simulation, workmanager: WorkManager
) -> None:
    """getWorkInfoByIdFlow emits null for unknown work; flows live in the process."""
    request = OneTimeWorkRequest.builder(Succeed).set_initial_delay("1m").build()
    seen: list[WorkInfo | None] = []

    async def collect() -> None:
        async for info in workmanager.get_work_info_by_id_flow(request.id):
            seen.append(info)

    task = sim.loop.create_task(collect())
    sim.run_for(0)
    workmanager.enqueue(request)
    sim.run_for(0)
    workmanager.kill()
    WorkManager(sim, workmanager.database)  # the next process runs it
    sim.run_for("2m")
    assert [None if info is None else info.state for info in seen] == [None, State.ENQUEUED]
    assert not task.done()  # waiting for changes that a dead process never hears of
    task.cancel()
    sim.run_for(0)
