"""A minimal iOS port for the plugin tests: pending requests and launches on demand.

It keeps Apple's documented pending limits (1 refresh, 10 processing; error 2) and the
Background App Refresh status; it has no scheduling policy: a test launches a task itself, as
the debugger's ``_simulateLaunchForTaskWithIdentifier:`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.flutter import (
    BackgroundRefreshStatus,
    BGTaskKind,
    BGTaskRequest,
    BGTaskSchedulerError,
)


@dataclass(eq=False)
class FakeTask:
    """A launched task."""

    identifier: str
    expiration_handler: Callable[[], None] | None = None
    completed: list[bool] = field(default_factory=list)

    def set_task_completed(self, success: bool) -> None:
        self.completed.append(success)


class FakeIOS:
    """``IOSPort`` with no timing policy."""

    def __init__(self) -> None:
        self.status = BackgroundRefreshStatus.AVAILABLE
        self.handlers: dict[tuple[str, str], Callable[[FakeTask], None]] = {}
        self.requests: dict[tuple[str, str], BGTaskRequest] = {}
        self.submitted: list[BGTaskRequest] = []

    def background_refresh_status(self, package: str) -> BackgroundRefreshStatus:
        return self.status

    def register(self, package: str, identifier: str, handler: Callable[[FakeTask], None]) -> bool:
        self.handlers[(package, identifier)] = handler
        return True

    def submit(self, package: str, request: BGTaskRequest) -> None:
        if self.status is not BackgroundRefreshStatus.AVAILABLE:
            raise BGTaskSchedulerError(1, "unavailable")
        same_kind = [
            r
            for (p, i), r in self.requests.items()
            if p == package and r.kind is request.kind and i != request.identifier
        ]
        limit = 1 if request.kind is BGTaskKind.APP_REFRESH else 10
        if len(same_kind) >= limit:
            raise BGTaskSchedulerError(2, "tooManyPendingTaskRequests")
        self.requests[(package, request.identifier)] = request
        self.submitted.append(request)

    def cancel(self, package: str, identifier: str) -> None:
        self.requests.pop((package, identifier), None)

    def cancel_all(self, package: str) -> None:
        for key in [k for k in self.requests if k[0] == package]:
            del self.requests[key]

    def pending(self, package: str) -> list[BGTaskRequest]:
        return [r for (p, _), r in sorted(self.requests.items()) if p == package]

    def launch(self, package: str, identifier: str) -> FakeTask | None:
        """Launch the pending request ``identifier`` (``None`` if it has no handler)."""
        self.requests.pop((package, identifier), None)
        handler = self.handlers.get((package, identifier))
        if handler is None:
            return None
        task = FakeTask(identifier)
        handler(task)
        return task
