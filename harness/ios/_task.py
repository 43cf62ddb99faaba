"""``BGTask`` and friends: the object a background launch hands to the app's handler.

The app sets ``expiration_handler`` and must call ``set_task_completed(success=)`` before the
budget ends; not calling it "may get the app killed", and without an expiration handler the system
marks the task complete and unsuccessful when it expires (developer.apple.com/documentation/
backgroundtasks/bgtask/settaskcompleted(success:), .../bgtask/expirationhandler).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.ios._enums import FetchResult, TaskKind
from harness.ios._errors import InternalInconsistencyError

if TYPE_CHECKING:
    from harness.ios._launches import Activity


class BGTask:
    """One background launch's task: ``identifier``, ``expiration_handler``,
    ``set_task_completed``."""

    __slots__ = ("_activity", "expiration_handler", "identifier")

    kind: TaskKind = TaskKind.APP_REFRESH

    def __init__(self, identifier: str, activity: Activity) -> None:
        self.identifier = identifier
        #: Called (once, then set to ``None``) shortly before the task's time runs out or when the
        #: user starts using the device (a processing task).
        self.expiration_handler: Callable[[], object] | None = None
        self._activity = activity

    @property
    def completed(self) -> bool:
        """Whether the task has ended (completed by the app, expired without a handler, killed)."""
        return self._activity.ended

    def set_task_completed(self, *, success: bool) -> None:
        """``setTaskCompleted(success:)``: the work is done; the app may be suspended."""
        self._activity.complete(success=success)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.identifier!r}, completed={self.completed})"


class BGAppRefreshTask(BGTask):
    """``BGAppRefreshTask``: launched for a ``BGAppRefreshTaskRequest`` (about 30 s)."""

    __slots__ = ()
    kind = TaskKind.APP_REFRESH


class BGProcessingTask(BGTask):
    """``BGProcessingTask``: launched for a ``BGProcessingTaskRequest`` (minutes, idle only)."""

    __slots__ = ()
    kind = TaskKind.PROCESSING


class FetchCompletion:
    """The ``completionHandler`` of a legacy fetch or a silent push: call it once with a
    :class:`FetchResult` within 30 s, or the app is terminated."""

    __slots__ = ("_activity", "_called")

    def __init__(self, activity: Activity) -> None:
        self._activity = activity
        self._called = False

    @property
    def called(self) -> bool:
        """Whether the app has called the completion handler."""
        return self._called

    def __call__(self, result: FetchResult) -> None:
        if self._called:
            raise InternalInconsistencyError(
                f"the completion handler of {self._activity.identifier!r} was called twice"
            )
        self._called = True
        self._activity.complete(success=result is not FetchResult.FAILED, result=result)


def new_task(kind: TaskKind, identifier: str, activity: Activity) -> BGTask:
    """The task object of a BGTaskScheduler launch, its expiration handler read (and cleared:
    "set to nil after it runs", bgtask/expirationhandler) when the activity expires."""
    task: BGTask = (
        BGAppRefreshTask(identifier, activity)
        if kind is TaskKind.APP_REFRESH
        else BGProcessingTask(identifier, activity)
    )

    def take_handler() -> Callable[[], object] | None:
        handler = task.expiration_handler
        task.expiration_handler = None
        return handler

    activity.take_expiration_handler(take_handler)
    return task
