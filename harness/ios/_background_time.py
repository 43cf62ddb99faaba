"""``BackgroundTime``: ``beginBackgroundTask(expirationHandler:)`` for one app.

An app that leaves the foreground (or is launched in the background) gets about 30 s of
background time *in total*, however many background tasks it begins; when it runs out every
outstanding task's expiration handler runs, and an app that still holds a task about 1 s later is
killed (Apple forums thread 85066, Quinn "The Eskimo!"; policy ``background_task_budget_ms``,
``background_task_expiry_grace_ms``). In the foreground the time is unlimited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from harness.ios._policy import LaunchPolicy
from harness.sim import Simulation

#: ``UIBackgroundTaskInvalid``: what beginBackgroundTask returns when no time is left.
INVALID_BACKGROUND_TASK = 0


class BackgroundTime:
    """The background tasks of one app and its shared background time."""

    __slots__ = (
        "_bundle_id",
        "_expiry",
        "_kill",
        "_next_id",
        "_on_idle",
        "_policy",
        "_sim",
        "_tasks",
        "_terminate",
        "_window_start_ms",
    )

    def __init__(
        self,
        sim: Simulation,
        policy: LaunchPolicy,
        bundle_id: str,
        *,
        terminate: Callable[[str], None],
        on_idle: Callable[[], None],
    ) -> None:
        self._sim = sim
        self._policy = policy
        self._bundle_id = bundle_id
        self._terminate = terminate
        self._on_idle = on_idle
        self._tasks: dict[int, tuple[str, Callable[[], object] | None]] = {}
        self._next_id = 1
        self._window_start_ms: int | None = None  # None: in the foreground (unlimited)
        self._expiry: asyncio.TimerHandle | None = None
        self._kill: asyncio.TimerHandle | None = None

    @property
    def outstanding(self) -> int:
        """How many background tasks the app has begun and not ended."""
        return len(self._tasks)

    def remaining_ms(self) -> int | None:
        """``backgroundTimeRemaining``: ms left, ``None`` in the foreground (``DBL_MAX``)."""
        if self._window_start_ms is None:
            return None
        end = self._window_start_ms + self._policy.background_task_budget_ms
        return max(0, end - self._sim.now_ms)

    def begin(self, name: str = "", expiration_handler: Callable[[], object] | None = None) -> int:
        """``beginBackgroundTask(withName:expirationHandler:)``: a task id, or
        :data:`INVALID_BACKGROUND_TASK` when the app's background time has run out."""
        remaining = self.remaining_ms()
        if remaining == 0:
            return INVALID_BACKGROUND_TASK
        task_id = self._next_id
        self._next_id += 1
        self._tasks[task_id] = (name, expiration_handler)
        self._record(task_id, name, "begin")
        return task_id

    def end(self, task_id: int) -> None:
        """``endBackgroundTask(_:)``; unknown ids are ignored (iOS logs them)."""
        entry = self._tasks.pop(task_id, None)
        if entry is None:
            return
        self._record(task_id, entry[0], "end")
        if not self._tasks:
            self._cancel_kill()
            self._on_idle()

    def enter_background(self) -> None:
        """The app left the foreground or was launched in the background: the clock starts."""
        if self._window_start_ms is not None:
            return
        self._window_start_ms = self._sim.now_ms
        self._expiry = self._sim.call_at(
            self._sim.now_ms + self._policy.background_task_budget_ms, self._expire
        )

    def enter_foreground(self) -> None:
        """The user opened the app: unlimited time again."""
        self._window_start_ms = None
        self._cancel_expiry()
        self._cancel_kill()

    def drop(self) -> None:
        """The process died: its background tasks are gone."""
        self._tasks.clear()
        self.enter_foreground()

    def _expire(self) -> None:
        self._expiry = None
        for task_id, (name, handler) in list(self._tasks.items()):
            self._record(task_id, name, "expired")
            if handler is not None:
                handler()
        if self._tasks:
            self._kill = self._sim.call_at(
                self._sim.now_ms + self._policy.background_task_expiry_grace_ms, self._on_kill
            )

    def _on_kill(self) -> None:
        self._kill = None
        if self._tasks:
            names = ", ".join(repr(name) for name, _ in self._tasks.values())
            self._terminate(f"background task(s) {names} not ended after their time expired")

    def _cancel_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None

    def _cancel_kill(self) -> None:
        if self._kill is not None:
            self._kill.cancel()
            self._kill = None

    def _record(self, task_id: int, name: str, event: str) -> None:
        self._sim.record(
            "ios.background_task",
            bundle_id=self._bundle_id,
            task_id=task_id,
            name=name,
            event=event,
        )
