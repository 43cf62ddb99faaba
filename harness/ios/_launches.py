"""``Activity``: one background execution of an app (a BGTask, a legacy fetch, a silent push)
and its clock: the expiration warning, the deadline, the kill when the app overruns it.

A refresh task, a fetch and a push get ``refresh_budget_ms`` (30 s, Apple); a processing task
``processing_budget_ms`` (modelled "several minutes") and is expired at once when the user picks
up the phone (BGProcessingTask: "the system terminates the task when the user starts using the
device"). The expiration handler runs ``expiration_warning_ms`` before the deadline; a task with
no handler is then marked complete and unsuccessful; a task still running at the deadline gets its
app killed (developer.apple.com/documentation/backgroundtasks/bgtask/settaskcompleted(success:)).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from harness.ios._enums import FetchResult, TaskKind
from harness.ios._policy import LaunchPolicy
from harness.sim import Simulation


class Activity:
    """A running background execution of one app, until it completes, expires or is killed."""

    __slots__ = (
        "_deadline",
        "_expire_handler",
        "_on_end",
        "_sim",
        "_terminate",
        "_warning",
        "bundle_id",
        "ended",
        "identifier",
        "kind",
        "overrun",
        "started_ms",
    )

    def __init__(
        self,
        sim: Simulation,
        *,
        bundle_id: str,
        identifier: str,
        kind: TaskKind,
        policy: LaunchPolicy,
        on_end: Callable[[Activity], None],
        terminate: Callable[[str], None],
    ) -> None:
        self._sim = sim
        self.bundle_id = bundle_id
        self.identifier = identifier
        self.kind = kind
        self.started_ms = sim.now_ms
        self.ended = False
        #: The deadline passed with the activity still running.
        self.overrun = False
        self._on_end = on_end
        self._terminate = terminate
        #: the BGTask's expiration handler, read when the warning comes (None for fetch and push)
        self._expire_handler: Callable[[], Callable[[], object] | None] | None = None
        budget = (
            policy.processing_budget_ms if kind is TaskKind.PROCESSING else policy.refresh_budget_ms
        )
        self._warning: asyncio.TimerHandle | None = None
        if kind in (TaskKind.APP_REFRESH, TaskKind.PROCESSING):
            self._warning = sim.call_at(
                self.started_ms + budget - policy.expiration_warning_ms, self.expire, "budget"
            )
        self._deadline: asyncio.TimerHandle | None = None
        if kind is not TaskKind.CONTINUED_PROCESSING:
            # BGContinuedProcessingTask has no fixed budget ("minutes or more", Performing
            # long-running tasks on iOS and iPadOS): it ends when expired (harness.ios._continued)
            self._deadline = sim.call_at(self.started_ms + budget, self._on_deadline)

    def take_expiration_handler(self, reader: Callable[[], Callable[[], object] | None]) -> None:
        """How to read (and clear) the task's expiration handler when it expires."""
        self._expire_handler = reader

    def complete(
        self, *, success: bool, result: FetchResult | None = None, reason: str = ""
    ) -> None:
        """The app finished (``setTaskCompleted``, the completion handler); ignored once ended."""
        if self.ended:
            return
        self._finish()
        fields = {"reason": reason or ("completed" if result is None else result.name.lower())}
        self._sim.record(
            "ios.completed",
            bundle_id=self.bundle_id,
            identifier=self.identifier,
            task_kind=self.kind.value,
            success=success,
            elapsed_ms=self._sim.now_ms - self.started_ms,
            **fields,
        )
        self._on_end(self)

    def expire(self, reason: str, *, grace_ms: int | None = None) -> None:
        """Time is running out: run the expiration handler (once), or mark the task complete and
        unsuccessful when it has none; with ``grace_ms``, the deadline moves to now + grace."""
        if self.ended:
            return
        if self._warning is not None:
            self._warning.cancel()
            self._warning = None
        if grace_ms is not None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self._sim.call_at(self._sim.now_ms + grace_ms, self._on_deadline)
        handler = self._expire_handler() if self._expire_handler is not None else None
        self._sim.record(
            "ios.expired",
            bundle_id=self.bundle_id,
            identifier=self.identifier,
            task_kind=self.kind.value,
            reason=reason,
            handler=handler is not None,
        )
        if handler is None:
            # BGTask.setTaskCompleted(success:): "If you don't set an expiration handler, the
            # system marks your task as complete and unsuccessful instead of sending a warning."
            self.complete(success=False, reason="expired without an expiration handler")
            return
        handler()

    def kill(self) -> None:
        """The app died with the activity running: it just stops (no record of its own)."""
        if not self.ended:
            self._finish()

    def _on_deadline(self) -> None:
        self._deadline = None
        if not self.ended:
            self.overrun = True
            self._terminate(f"{self.kind.value} {self.identifier!r} not completed within its time")

    def _finish(self) -> None:
        self.ended = True
        for handle in (self._warning, self._deadline):
            if handle is not None:
                handle.cancel()
        self._warning = None
        self._deadline = None
