"""The errors iOS hands to app code: ``BGTaskSchedulerErrorDomain`` errors and the exceptions
UIKit and BackgroundTasks raise for misuse (``NSInternalInconsistencyException``)."""

from __future__ import annotations

from harness._exceptions import HarnessError
from harness.ios._enums import BGTaskSchedulerErrorCode


class BGTaskSchedulerError(HarnessError):
    """``submitTaskRequest:error:`` failed: an ``NSError`` of ``BGTaskSchedulerErrorDomain``.

    ``code`` is the :class:`BGTaskSchedulerErrorCode`; the message names the request and why.
    """

    def __init__(self, code: BGTaskSchedulerErrorCode, message: str) -> None:
        self.code = code
        super().__init__(f"BGTaskSchedulerErrorDomain code {int(code)} ({code.name}): {message}")


class InternalInconsistencyError(HarnessError):
    """``NSInternalInconsistencyException``: the app broke an API rule and would crash on a
    phone (a launch handler registered twice or after launch, a task completed twice)."""
