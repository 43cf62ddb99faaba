"""``BGTaskScheduler``: one app's view of iOS's background task scheduler (``.shared``).

Apple's documented rules (developer.apple.com/documentation/backgroundtasks/bgtaskscheduler/
submit(_:)): "There can be a total of 1 refresh task and 10 processing tasks scheduled at any
time"; submitting a request with the identifier of a pending one replaces it; an identifier not
in ``BGTaskSchedulerPermittedIdentifiers`` or a missing ``UIBackgroundModes`` entry is
``notPermitted``; Background App Refresh off is ``unavailable``. Launch handlers must be
registered before the app finishes launching, each identifier once
(register(forTaskWithIdentifier:using:launchHandler:)). *When* a pending request runs is the
system's (``IOSSystem`` and its modelled ``LaunchPolicy``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.ios._app import FETCH_MODE, PROCESSING_MODE, IOSApp
from harness.ios._continued_request import BGContinuedProcessingTaskRequest, wildcard_for
from harness.ios._enums import BackgroundRefreshStatus, BGTaskSchedulerErrorCode, TaskKind
from harness.ios._errors import BGTaskSchedulerError, InternalInconsistencyError
from harness.ios._requests import BGTaskRequest
from harness.ios._task import BGTask

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem

#: submit(_:): "a total of 1 refresh task and 10 processing tasks scheduled at any time".
MAX_PENDING: dict[TaskKind, int] = {TaskKind.APP_REFRESH: 1, TaskKind.PROCESSING: 10}

_MODE = {TaskKind.APP_REFRESH: FETCH_MODE, TaskKind.PROCESSING: PROCESSING_MODE}


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A submitted request not yet launched, and when it was submitted (virtual ms)."""

    request: BGTaskRequest
    submitted_ms: int

    @property
    def floor_ms(self) -> int:
        """Not before this instant: ``earliestBeginDate``, or the submission without one."""
        earliest = self.request.earliest_begin_ms
        return self.submitted_ms if earliest is None else max(earliest, self.submitted_ms)


class BGTaskScheduler:
    """``BGTaskScheduler.shared`` inside one app: register, submit, cancel, pending requests."""

    __slots__ = ("_app", "_pending", "_system")

    def __init__(self, system: IOSSystem, app: IOSApp) -> None:
        self._system = system
        self._app = app
        self._pending: dict[str, PendingRequest] = {}

    # --- the app's API ----------------------------------------------------------------------

    def register(self, identifier: str, launch_handler: Callable[[BGTask], object]) -> bool:
        """``register(forTaskWithIdentifier:using:launchHandler:)``: ``launch_handler(task)``
        runs for each launch of ``identifier``; ``False`` when the identifier is not permitted.

        Raises :class:`InternalInconsistencyError` (the app would crash) after the app finished
        launching or for an identifier registered twice in this process.
        """
        app = self._app
        # a continued-processing identifier (one a wildcard entry permits) may be registered at
        # any time: "BGContinuedProcessingTask registrations are exempt from this requirement"
        # (BGTaskScheduler.h, registerForTaskWithIdentifier:usingQueue:launchHandler:)
        continued = (
            wildcard_for(identifier, app.info.permitted_identifiers, app.bundle_id) is not None
        )
        if not app.launching and not continued:
            raise InternalInconsistencyError(
                f"{app.bundle_id}: launch handler for {identifier!r} registered after the app "
                "finished launching; register every handler in did_finish_launching"
            )
        if identifier in app.handlers:
            raise InternalInconsistencyError(
                f"{app.bundle_id}: launch handler for task with identifier {identifier!r} has "
                "already been registered"
            )
        if identifier not in app.info.permitted_identifiers and not continued:
            return False
        app.handlers[identifier] = launch_handler
        return True

    def submit(self, request: BGTaskRequest) -> None:
        """``submit(_:)``: add ``request`` to the pending ones (replacing one with its id).

        Raises :class:`BGTaskSchedulerError`: ``NOT_PERMITTED`` (id not in
        ``permitted_identifiers`` or the background mode missing), ``UNAVAILABLE`` (Background
        App Refresh off, globally or for the app, or Low Power Mode),
        ``TOO_MANY_PENDING_TASK_REQUESTS`` (1 refresh / 10 processing pending already).
        """
        app = self._app
        if isinstance(request, BGContinuedProcessingTaskRequest):
            # its own rules: run now or queue, code 4 under .fail (harness.ios._continued)
            self._system.continued.submit(app, request)
            return
        kind = request.kind
        code: BGTaskSchedulerErrorCode | None = None
        message = ""
        if (
            request.identifier not in app.info.permitted_identifiers
            or _MODE[kind] not in app.info.background_modes
        ):
            code = BGTaskSchedulerErrorCode.NOT_PERMITTED
            message = (
                f"{request.identifier!r} needs to be in BGTaskSchedulerPermittedIdentifiers "
                f"{list(app.info.permitted_identifiers)} and {_MODE[kind]!r} in UIBackgroundModes"
            )
        elif self._system.background_refresh_status(app.bundle_id) is not (
            BackgroundRefreshStatus.AVAILABLE
        ):
            code = BGTaskSchedulerErrorCode.UNAVAILABLE
            message = f"Background App Refresh is off for {app.bundle_id} (or Low Power Mode)"
        elif request.identifier not in self._pending and (
            sum(1 for p in self._pending.values() if p.request.kind is kind) >= MAX_PENDING[kind]
        ):
            code = BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS
            message = (
                f"{MAX_PENDING[kind]} {kind.value} request(s) already pending; cancel one or "
                "resubmit with the same identifier to replace it"
            )
        if code is not None:
            self._record_submit(request, code.name)
            raise BGTaskSchedulerError(code, f"{app.bundle_id} {request.identifier!r}: {message}")
        replaced = self._pending.pop(request.identifier, None) is not None
        self._pending[request.identifier] = PendingRequest(request, self._system.sim.now_ms)
        self._record_submit(request, "replaced" if replaced else "accepted")
        self._system.reconsider()

    def cancel(self, identifier: str) -> None:
        """``cancel(taskRequestWithIdentifier:)``: drop the pending request (no error if none)."""
        self._system.sim.record("ios.cancel", bundle_id=self._app.bundle_id, identifier=identifier)
        self._system.continued.cancel_queued(self._app.bundle_id, identifier)
        if self._pending.pop(identifier, None) is not None:
            self._system.reconsider()

    def cancel_all(self) -> None:
        """``cancelAllTaskRequests()``."""
        self._system.sim.record("ios.cancel", bundle_id=self._app.bundle_id, identifier=None)
        self._system.continued.cancel_queued(self._app.bundle_id)
        self._pending.clear()
        self._system.reconsider()

    def pending_task_requests(self) -> tuple[BGTaskRequest, ...]:
        """``getPendingTaskRequests(completionHandler:)``: the pending requests, oldest first."""
        queued = self._system.continued.queued(self._app.bundle_id)
        return tuple(p.request for p in self._pending.values()) + queued

    # --- the system's side ------------------------------------------------------------------

    def pending(self) -> tuple[PendingRequest, ...]:
        """The pending requests with their submission times, oldest first."""
        return tuple(self._pending.values())

    def take(self, identifier: str) -> PendingRequest | None:
        """Remove a request the system is about to launch (a launched request is no longer
        pending: the app submits again for the next one)."""
        return self._pending.pop(identifier, None)

    def _record_submit(self, request: BGTaskRequest, outcome: str) -> None:
        fields = {}
        if request.earliest_begin_ms is not None:
            fields["earliest_begin_ms"] = request.earliest_begin_ms
        self._system.sim.record(
            "ios.submit",
            bundle_id=self._app.bundle_id,
            identifier=request.identifier,
            task_kind=request.kind.value,
            outcome=outcome,
            **fields,
        )
