"""Freezing a group of callbacks on the virtual loop (harness/sim/_freeze.py): a frozen process
gets no CPU time (AOSP ``CachedAppOptimizer``; a suspended iOS app), so its tasks, timers and
futures' callbacks wait, and run at the thaw with virtual time having moved on."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.sim import FreezeGroup, Simulation, current_group


def _ticker(sim: Simulation, log: list[tuple[str, int]], name: str, every_ms: int, n: int) -> None:
    async def tick() -> None:
        for _ in range(n):
            await asyncio.sleep(every_ms / 1000)
            log.append((name, sim.now_ms))

    sim.create_task(tick(), name=name)


def test_a_frozen_groups_task_makes_no_progress_and_resumes_at_the_thaw(sim: Simulation) -> None:
    """While frozen, a task of the group runs nothing; its sleep that fell due meanwhile ends at
    the thaw (a frozen process's timer fires when it thaws), then it goes on from there."""
    app = FreezeGroup(sim.loop, "app")
    log: list[tuple[str, int]] = []
    app.run(_ticker, sim, log, "app", 1_000, 3)
    sim.call_at(1_500, app.freeze)
    sim.call_at(10_000, app.thaw)
    sim.run_for("20s")
    assert log == [("app", 1_000), ("app", 10_000), ("app", 11_000)]


def test_other_groups_and_the_system_run_on_while_one_group_is_frozen(sim: Simulation) -> None:
    """Only the frozen group's callbacks wait: another app and system timers keep their times."""
    app, other = FreezeGroup(sim.loop, "app"), FreezeGroup(sim.loop, "other")
    log: list[tuple[str, int]] = []
    app.run(_ticker, sim, log, "app", 1_000, 2)
    other.run(_ticker, sim, log, "other", 1_000, 2)
    _ticker(sim, log, "system", 1_000, 2)
    app.freeze()  # before its task took its first step
    sim.run_for("5s")
    assert log == [("other", 1_000), ("system", 1_000), ("other", 2_000), ("system", 2_000)]
    app.thaw()
    sim.run_for("2s")
    assert log[4:] == [("app", 6_000), ("app", 7_000)]


def test_a_system_timer_set_from_app_code_is_not_frozen(sim: Simulation) -> None:
    """Simulation.call_at (the harness's system API) schedules outside any group: JobScheduler's
    timer set while app code enqueues work still fires while the app is frozen; a timer the app
    sets through asyncio belongs to the app and waits."""
    app = FreezeGroup(sim.loop, "app")
    fired: list[tuple[str, int]] = []

    def enqueue() -> None:
        assert current_group() is app
        sim.call_at(2_000, lambda: fired.append(("system", sim.now_ms)))
        sim.call_next(lambda: fired.append(("system next", sim.now_ms)))
        sim.loop.call_later(2, lambda: fired.append(("app", sim.now_ms)))

    app.run(enqueue)
    app.freeze()
    sim.run_for("3s")
    assert fired == [("system next", 0), ("system", 2_000)]
    app.thaw()
    sim.run_for(0)
    assert fired[2:] == [("app", 3_000)]


def test_a_future_completed_by_the_system_wakes_the_frozen_task_only_at_the_thaw(
    sim: Simulation,
) -> None:
    """A response that arrives while the process is frozen waits in the kernel: the future is
    done on time, the task that awaits it reads it at the thaw."""
    app = FreezeGroup(sim.loop, "app")
    future: asyncio.Future[str] = sim.loop.create_future()
    seen: list[tuple[str, int]] = []

    async def request() -> None:
        seen.append((await future, sim.now_ms))

    app.run(lambda: sim.create_task(request()))
    sim.run_for(0)
    app.freeze()
    sim.call_at(1_000, future.set_result, "answer")
    sim.run_for("5s")
    assert future.done()
    assert seen == []
    assert app.thaw() == 1
    sim.run_for(0)
    assert seen == [("answer", 5_000)]


def test_cancelling_a_frozen_task_and_dissolving_its_group_ends_it_as_a_kill(
    sim: Simulation,
) -> None:
    """A kill of a frozen process: its tasks are cancelled and the group dissolved, so each
    unwinds at once (a frozen process can be killed), and the group never freezes again."""
    app = FreezeGroup(sim.loop, "app")
    outcome: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(60)
            outcome.append("finished")
        except asyncio.CancelledError:
            outcome.append(f"cancelled at {sim.now_ms}")
            raise

    task = app.run(lambda: sim.create_task(work()))
    sim.run_for("1s")
    app.freeze()
    sim.run_for("2m")
    assert app.pending_tasks == [task]
    task.cancel()
    app.dissolve()
    sim.run_for(0)
    assert outcome == ["cancelled at 121000"]
    assert task.cancelled()
    assert not app.freeze()
    assert not app.frozen


def test_a_simulation_stops_cleanly_with_a_group_still_frozen() -> None:
    """At stop, a still-frozen group's tasks are cancelled like any other leftover task."""
    with Simulation(seed=1) as sim:
        app = FreezeGroup(sim.loop, "app")
        log: list[tuple[str, int]] = []
        app.run(_ticker, sim, log, "app", 1_000, 100)
        sim.run_for("1500ms")
        app.freeze()
        sim.run_for("1m")
    assert log == [("app", 1_000)]
    assert not app.frozen


def test_freezing_and_thawing_twice_is_harmless(sim: Simulation) -> None:
    """freeze() on a frozen group and thaw() on a running one change nothing."""
    app = FreezeGroup(sim.loop, "app")
    assert app.freeze()
    assert not app.freeze()
    assert (app.frozen, app.frozen_at_ms, sim.loop.frozen_groups()) == (True, 0, [app])
    assert [app.thaw(), app.thaw()] == [0, 0]
    assert (app.frozen, sim.loop.frozen_groups()) == (False, [])


_ACTORS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", None]),  # group
        st.lists(st.integers(0, 30), min_size=1, max_size=6),  # the task's sleeps, in ms
    ),
    min_size=1,
    max_size=6,
)
_CALLBACKS = st.lists(st.integers(0, 120), max_size=12)  # group a's raw timers: delays in ms
_FREEZES = st.lists(st.tuples(st.integers(0, 150), st.integers(0, 60)), max_size=4)


def _program(
    sim: Simulation,
    actors: list[tuple[str | None, list[int]]],
    callbacks: list[int],
    freezes: list[tuple[int, int]],
) -> tuple[dict[str | None, list[str]], list[tuple[str, int]], list[int]]:
    groups = {"a": FreezeGroup(sim.loop, "a"), "b": FreezeGroup(sim.loop, "b")}
    by_group: dict[str | None, list[str]] = {"a": [], "b": [], None: []}
    timed: list[tuple[str, int]] = []  # what groups b and the system did, and when
    ran_frozen: list[int] = []

    def note(group: str | None, label: str) -> None:
        by_group[group].append(label)
        if group == "a" and groups["a"].frozen:
            ran_frozen.append(sim.now_ms)
        if group != "a":
            timed.append((label, sim.now_ms))

    for number, (group, sleeps) in enumerate(actors):

        async def actor(
            number: int = number, group: str | None = group, sleeps: list[int] = sleeps
        ) -> None:
            for step, sleep_ms in enumerate(sleeps):
                await asyncio.sleep(sleep_ms / 1000)
                note(group, f"actor {number} step {step}")

        if group is None:
            sim.create_task(actor())
        else:
            groups[group].run(sim.create_task, actor())
    loop = sim.loop
    for number, delay_ms in enumerate(callbacks):
        groups["a"].run(loop.call_later, delay_ms / 1000, note, "a", f"callback {number}")
    for start_ms, length_ms in freezes:
        sim.call_at(start_ms, groups["a"].freeze)
        sim.call_at(start_ms + length_ms, groups["a"].thaw)
    sim.run_for(500)
    groups["a"].thaw()
    sim.run_for(500)
    return by_group, timed, ran_frozen


@settings(max_examples=80, deadline=None)
@given(_ACTORS, _CALLBACKS, _FREEZES)
def test_freezing_never_reorders_or_loses_a_groups_callbacks(
    actors: list[tuple[str | None, list[int]]],
    callbacks: list[int],
    freezes: list[tuple[int, int]],
) -> None:
    """Whatever the freezes: every callback of group a runs (none lost), never while a is frozen;
    each of its tasks takes its steps in order and its timers fire in their (due, order) order;
    group b and the system do exactly what they do without freezes, at the same times."""
    with Simulation(seed=0) as plain_sim:
        plain, plain_timed, _ = _program(plain_sim, actors, callbacks, [])
    with Simulation(seed=0) as frozen_sim:
        frozen, frozen_timed, ran_frozen = _program(frozen_sim, actors, callbacks, freezes)
    assert ran_frozen == []
    assert frozen_timed == plain_timed
    assert (frozen["b"], frozen[None]) == (plain["b"], plain[None])
    assert sorted(frozen["a"]) == sorted(plain["a"])  # nothing lost

    def only(labels: list[str], prefix: str) -> list[str]:
        return [label for label in labels if label.startswith(prefix)]

    assert only(frozen["a"], "callback") == only(plain["a"], "callback")
    for number in range(len(actors)):
        prefix = f"actor {number} "
        assert only(frozen["a"], prefix) == only(plain["a"], prefix)


def test_the_same_freezes_give_the_same_trace(tmp_path: pytest.TempPathFactory) -> None:
    """Deterministic: the same program and freezes, run twice, log the same things at the same
    times."""
    actors: list[tuple[str | None, list[int]]] = [("a", [3, 0, 7]), ("b", [5, 5]), (None, [1])]
    runs = []
    for _ in range(2):
        with Simulation(seed=3) as sim:
            runs.append(_program(sim, actors, [0, 4, 4, 9], [(2, 5), (8, 20)]))
    assert runs[0] == runs[1]
