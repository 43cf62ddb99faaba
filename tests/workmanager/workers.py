"""Workers the WorkManager tests run; at module level, because WorkManager imports them by name."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from harness.sim import Simulation
from harness.workmanager import CoroutineWorker, Data, Result, Worker, WorkerParameters

#: Parameters every ``Recording`` worker was created with, in run order.
SEEN: list[WorkerParameters] = []
#: ``Controlled`` runs waiting for the test to finish them, by work id.
PENDING: dict[str, asyncio.Future[Result]] = {}
#: What happened inside workers that the tests look at: ``(event, work id, virtual ms)``.
EVENTS: list[tuple[str, str, int]] = []


def reset() -> None:
    """Forget everything recorded (called before each test)."""
    SEEN.clear()
    PENDING.clear()
    EVENTS.clear()


def _now_ms() -> int:
    return Simulation.current().now_ms


class Succeed(Worker):
    """Succeeds with output ``{"done": true}``."""

    def do_work(self) -> Result:
        return Result.success(Data({"done": True}))


class AlwaysRetry(Worker):
    """Always asks to retry."""

    def do_work(self) -> Result:
        return Result.retry()


class AlwaysFail(Worker):
    """Fails with output ``{"error": "boom"}``."""

    def do_work(self) -> Result:
        return Result.failure(Data({"error": "boom"}))


class Raise(Worker):
    """Raises from do_work."""

    def do_work(self) -> Result:
        raise RuntimeError("boom from do_work")


class ReturnsTrue(Worker):
    """Returns a bool instead of a Result (a porting bug)."""

    def do_work(self) -> Result:
        return True  # type: ignore[return-value]


class Echo(Worker):
    """Succeeds with its input as output."""

    def do_work(self) -> Result:
        return Result.success(self.input_data)


class Recording(Worker):
    """Remembers its parameters and succeeds."""

    def do_work(self) -> Result:
        SEEN.append(self.worker_parameters)
        return Result.success()


class RetryTwiceThenSucceed(Worker):
    """Retries on its first two attempts, then succeeds."""

    def do_work(self) -> Result:
        return Result.retry() if self.run_attempt_count < 2 else Result.success()


class Sleep(CoroutineWorker):
    """Sleeps ``sleep_ms`` (default 130 s) of virtual time, then returns ``result``."""

    async def do_work(self) -> Result:
        EVENTS.append(("start", str(self.id), _now_ms()))
        try:
            await asyncio.sleep(self.input_data.get_int("sleep_ms", 130_000) / 1000)
        except asyncio.CancelledError:
            EVENTS.append(("cancelled", str(self.id), _now_ms()))
            raise
        outcome = self.input_data.get_string("result") or "success"
        if outcome == "retry":
            return Result.retry()
        if outcome == "failure":
            return Result.failure()
        return Result.success()

    def on_stopped(self) -> None:
        EVENTS.append((f"stopped:{self.stop_reason.name}", str(self.id), _now_ms()))


class SyncSleep(Worker):
    """Blocks 60 s of virtual time with time.sleep, noting whether it saw a stop."""

    def do_work(self) -> Result:
        time.sleep(60)
        EVENTS.append((f"done:stopped={self.is_stopped}", str(self.id), 0))
        return Result.success(Data({"finished": True}))


class Progress(CoroutineWorker):
    """Sets progress 50, waits 10 s, sets progress 100, waits 10 s, succeeds."""

    async def do_work(self) -> Result:
        await self.set_progress(Data({"percent": 50}))
        await asyncio.sleep(10)
        await self.set_progress(Data({"percent": 100}))
        await asyncio.sleep(10)
        return Result.success()


class Controlled(CoroutineWorker):
    """Waits until the test finishes it through :data:`PENDING`."""

    async def do_work(self) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        PENDING[str(self.id)] = future
        try:
            return await future
        finally:
            PENDING.pop(str(self.id), None)


@dataclass
class Reused:
    """A factory that hands out the same worker twice (androidx fails the second run)."""

    worker: Succeed | None = None

    def create_worker(self, worker_class_name: str, params: WorkerParameters) -> Succeed:
        if self.worker is None:
            self.worker = Succeed(params)
        return self.worker
