"""Blocking code on virtual time (harness/sim/_blocking.py)."""

from __future__ import annotations

import asyncio
import contextvars
import time

import pytest

from harness.sim import Simulation, in_blocking_thread, run_blocking, wait_on_loop

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def test_blocking_code_waits_in_virtual_time(sim: Simulation) -> None:
    """A sync function that sleeps 5 s twice finishes 10 s later in virtual time, instantly."""

    def sync_work() -> list[int]:
        marks = []
        for _ in range(2):
            time.sleep(5)
            marks.append(sim.now_ms)
        return marks

    assert sim.run(run_blocking(sync_work)) == [5000, 10_000]


def test_loop_runs_other_tasks_while_blocking_code_waits(sim: Simulation) -> None:
    """While the blocking code waits, other coroutines run at their virtual times."""
    seen: list[tuple[str, int]] = []

    async def ticker() -> None:
        for _ in range(3):
            await asyncio.sleep(1)
            seen.append(("tick", sim.now_ms))

    def sync_work() -> None:
        wait_on_loop(asyncio.sleep(2.5))
        seen.append(("sync", sim.now_ms))

    async def both() -> None:
        await asyncio.gather(ticker(), run_blocking(sync_work))

    sim.run(both())
    assert seen == [("tick", 1000), ("tick", 2000), ("sync", 2500), ("tick", 3000)]


def test_exceptions_cross_both_ways(sim: Simulation) -> None:
    """An awaited failure is raised in the blocking code; its failure reaches the awaiting task."""

    async def failing() -> None:
        raise ValueError("from the loop")

    def sync_work() -> str:
        try:
            wait_on_loop(failing())
        except ValueError as error:
            raise KeyError(f"seen: {error}") from error
        return "no"

    with pytest.raises(KeyError, match=r"seen: from the loop"):
        sim.run(run_blocking(sync_work))


def test_context_variables_carry_into_the_thread(sim: Simulation) -> None:
    """The blocking code sees the caller's context variables (the current app, say)."""

    async def caller() -> str:
        REQUEST_ID.set("r-42")
        return await run_blocking(REQUEST_ID.get)

    assert sim.run(caller()) == "r-42"


def test_cancelling_stops_the_blocking_code_at_its_next_wait(sim: Simulation) -> None:
    """A stopped worker's blocking code gets CancelledError at its wait; the task then ends."""
    steps: list[str] = []

    def sync_work() -> None:
        try:
            time.sleep(100)
        except asyncio.CancelledError:
            steps.append(f"cancelled at {sim.now_ms}")
            try:
                time.sleep(1)
            except asyncio.CancelledError:
                steps.append("later waits are refused too")
            raise

    task = sim.create_task(run_blocking(sync_work))
    sim.call_at(30_000, task.cancel)
    sim.run_for(200_000)
    assert task.cancelled()
    assert steps == ["cancelled at 30000", "later waits are refused too"]


def test_blocking_flag_and_misuse() -> None:
    """wait_on_loop outside blocking code and time.sleep on the loop are refused with a fix."""
    with Simulation() as sim:
        assert sim.run(run_blocking(in_blocking_thread)) is True
        assert in_blocking_thread() is False
        with pytest.raises(RuntimeError, match=r"outside run_blocking"):
            wait_on_loop(asyncio.sleep(1))

        async def sleeps_on_loop() -> None:
            time.sleep(1)

        with pytest.raises(RuntimeError, match=r"would block real time"):
            sim.run(sleeps_on_loop())
