"""Continued-processing tasks (iOS 26): submitted in the foreground, run at once (or queued), go on
in the background with a Live Activity the user can cancel from.

Apple's documented rules (each cited where it is applied below): the request is submitted from
the foreground as the result of a person's action; the identifier matches a wildcard entry of
``BGTaskSchedulerPermittedIdentifiers``; launch handlers for it may be registered after launch;
under ``.fail`` a request that cannot start at once is refused with ``immediateRunIneligible``
(code 4), under ``.queue`` (the default) it waits at the back of a queue and queued requests are
cancelled when the user swipes the app away; GPU use needs the entitlement and a device that
supports it; the task must report progress and one that appears stalled may be expired; the user
cancelling it in the system UI runs its expiration handler; a force-quit ends it with no
indication. What Apple does not document is :class:`ContinuedProcessingPolicy` (docs/ios.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from harness._exceptions import DefinitionError
from harness.ios._app import IOSApp
from harness.ios._continued_request import (
    GPU_ENTITLEMENT,
    BGContinuedProcessingTaskRequest,
    ContinuedProcessingResources,
    SubmissionStrategy,
    wildcard_for,
)
from harness.ios._continued_task import BGContinuedProcessingTask
from harness.ios._enums import AppState, BGTaskSchedulerErrorCode, TaskKind
from harness.ios._errors import BGTaskSchedulerError, InternalInconsistencyError
from harness.sim import MS_PER_SECOND

if TYPE_CHECKING:
    from harness.ios._launches import Activity
    from harness.ios._system import AppStateChange, IOSSystem


@dataclass(frozen=True, slots=True, kw_only=True)
class ContinuedProcessingPolicy:
    """What Apple does not document about continued-processing tasks: the model's numbers."""

    #: Model: how many continued-processing tasks run at once on the phone (all apps). Apple:
    #: "when the system reaches a maximum number of concurrent tasks" (Performing long-running
    #: tasks on iOS and iPadOS), with no number given.
    max_running: int = 2
    #: Model: a task whose progress has not changed for this long is expired (0: never). Apple:
    #: "Tasks that appear stalled may be forcibly expired" (BGTask.h), no duration given; ~30 s
    #: without progress is what developers observe (developer.apple.com/forums/thread/808756).
    stall_timeout_ms: int = 30 * MS_PER_SECOND
    #: Model: after the expiration handler, how long the app has to call setTaskCompleted before
    #: iOS kills it (as for other BGTasks, "may get the app killed"; the time is not given).
    expiry_grace_ms: int = 5 * MS_PER_SECOND
    #: The device: ``BGTaskScheduler.supportedResources`` (GPU on devices that support it).
    supported_resources: ContinuedProcessingResources = ContinuedProcessingResources.GPU

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name != "supported_resources" and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise DefinitionError(
                    f"ContinuedProcessingPolicy.{item.name} = {value!r} must be a non-negative int"
                )
        if self.max_running < 1:
            raise DefinitionError(
                f"ContinuedProcessingPolicy.max_running = {self.max_running} must be at least 1"
            )


@dataclass(slots=True)
class _Running:
    """A continued-processing task holding one of the system's slots (``task`` ``None`` until
    its launch handler has been called)."""

    bundle_id: str
    request: BGContinuedProcessingTaskRequest
    task: BGContinuedProcessingTask | None = None
    stall_check: asyncio.TimerHandle | None = field(default=None, repr=False)


class ContinuedProcessing:
    """iOS's continued-processing tasks, all apps: the running ones, the queue, the Live
    Activities' cancel buttons (``IOSSystem.continued``)."""

    def __init__(self, system: IOSSystem) -> None:
        self._system = system
        #: The model's numbers; replace it to model another phone or iOS release.
        self.policy = ContinuedProcessingPolicy()
        self._running: list[_Running] = []
        self._queue: list[tuple[str, BGContinuedProcessingTaskRequest]] = []
        system.app_state_changed.connect(self._on_app_state)

    # --- what apps see ----------------------------------------------------------------------

    def submit(self, app: IOSApp, request: BGContinuedProcessingTaskRequest) -> None:
        """``BGTaskScheduler.submit`` of a continued-processing request (see the module doc)."""
        code, message = self._refusal(app, request)
        if code is not None:
            self._record_submit(app.bundle_id, request, code.name)
            raise BGTaskSchedulerError(code, f"{app.bundle_id} {request.identifier!r}: {message}")
        if self._handler(app, request.identifier) is None:
            # forums/thread/799126: submit raises NSInternalInconsistencyException "No launch
            # handler registered for task with identifier ..." (the app crashes)
            raise InternalInconsistencyError(
                f"{app.bundle_id}: No launch handler registered for task with identifier "
                f"{request.identifier!r}; register it (or its wildcard) before submitting"
            )
        if len(self._running) < self.policy.max_running:
            self._record_submit(app.bundle_id, request, "accepted")
            entry = _Running(app.bundle_id, request)
            self._running.append(entry)
            # "The framework begins processing the task immediately" (BGContinuedProcessingTask
            # Request): the launch handler runs right after submit returns
            self._system.sim.call_at(self._system.sim.now_ms, self._start, entry)
            return
        if request.strategy is SubmissionStrategy.FAIL:
            # BGTaskScheduler.Error.Code.immediateRunIneligible: "a BGContinuedProcessingTask
            # Request ... with strategy set to .fail isn't able to begin right away"
            self._record_submit(app.bundle_id, request, "IMMEDIATE_RUN_INELIGIBLE")
            raise BGTaskSchedulerError(
                BGTaskSchedulerErrorCode.IMMEDIATE_RUN_INELIGIBLE,
                f"{app.bundle_id} {request.identifier!r}: {len(self._running)} continued-"
                "processing task(s) already running, the most the system runs at once; cancel "
                "one of yours and submit again, or use the .queue strategy",
            )
        # SubmissionStrategy.queue: "adds the task request to the back of a queue"; submitting
        # the identifier of a request not yet run replaces it (BGTaskScheduler submit(_:))
        replaced = self._drop_queued(app.bundle_id, request.identifier)
        self._queue.append((app.bundle_id, request))
        self._record_submit(app.bundle_id, request, "replaced" if replaced else "queued")
        self._record(app.bundle_id, request, "queued", reason="no room: waits for a running task")

    def _drop_queued(self, bundle_id: str, identifier: str) -> bool:
        before = len(self._queue)
        self.cancel_queued(bundle_id, identifier)
        return len(self._queue) < before

    def queued(self, bundle_id: str) -> tuple[BGContinuedProcessingTaskRequest, ...]:
        """The app's queued requests, in queue order."""
        return tuple(request for owner, request in self._queue if owner == bundle_id)

    def cancel_queued(self, bundle_id: str, identifier: str | None = None) -> None:
        """``cancel(taskRequestWithIdentifier:)`` / ``cancelAllTaskRequests`` for queued ones."""
        self._queue = [
            (owner, request)
            for owner, request in self._queue
            if owner != bundle_id or (identifier is not None and request.identifier != identifier)
        ]

    def running(self, bundle_id: str | None = None) -> tuple[BGContinuedProcessingTask, ...]:
        """The running tasks (of ``bundle_id``, or all), oldest first: their Live Activities."""
        return tuple(
            entry.task
            for entry in self._running
            if entry.task is not None and bundle_id in (None, entry.bundle_id)
        )

    def slots(self) -> tuple[tuple[str, str, BGContinuedProcessingTask | None], ...]:
        """Read-only, for ``harness why``: who holds the system's slots, oldest first (bundle,
        identifier, the task; ``None`` while its launch handler is about to be called)."""
        return tuple((e.bundle_id, e.request.identifier, e.task) for e in self._running)

    def queue(self) -> tuple[tuple[str, BGContinuedProcessingTaskRequest], ...]:
        """Read-only: the queued requests of every app, in queue order."""
        return tuple(self._queue)

    # --- the user ---------------------------------------------------------------------------

    def user_cancel(
        self, bundle_id: str | None = None, identifier: str | None = None
    ) -> BGContinuedProcessingTask | None:
        """The user taps cancel on a task's Live Activity (the oldest running one of
        ``bundle_id``, or with ``identifier``): "the framework invokes the task's expiration
        handler" (Performing long-running tasks on iOS and iPadOS). ``None`` when none runs."""
        for entry in self._running:
            task = entry.task
            if task is None or task.completed or bundle_id not in (None, entry.bundle_id):
                continue
            if identifier not in (None, task.identifier):
                continue
            self._expire(entry, "cancelled by the user in the Live Activity", "user_cancelled")
            return task
        return None

    # --- the system -------------------------------------------------------------------------

    def _refusal(
        self, app: IOSApp, request: BGContinuedProcessingTaskRequest
    ) -> tuple[BGTaskSchedulerErrorCode | None, str]:
        permitted = app.info.permitted_identifiers
        if wildcard_for(request.identifier, permitted, app.bundle_id) is None:
            # init(identifier:title:subtitle:): "The identifier must leverage a base wildcard
            # notation"; an identifier not permitted is notPermitted (error/code/notpermitted)
            return BGTaskSchedulerErrorCode.NOT_PERMITTED, (
                "a continued-processing identifier must match a wildcard entry "
                f"'{app.bundle_id}.<context>.*' of BGTaskSchedulerPermittedIdentifiers "
                f"{list(permitted)}"
            )
        if request.required_resources & ContinuedProcessingResources.GPU:
            # BGTaskRequest.h: "Task submissions will be rejected if the submitting app does not
            # have the correct entitlement"; BGTaskScheduler.h notPermitted: "The task requested
            # additional BGContinuedProcessingTaskRequestResources that are unavailable"
            if GPU_ENTITLEMENT not in app.info.entitlements:
                return BGTaskSchedulerErrorCode.NOT_PERMITTED, (
                    f"requiredResources .gpu needs the {GPU_ENTITLEMENT} entitlement"
                )
            if not self.policy.supported_resources & ContinuedProcessingResources.GPU:
                return BGTaskSchedulerErrorCode.NOT_PERMITTED, (
                    "requiredResources .gpu: this device does not support background GPU use "
                    "(check BGTaskScheduler.supportedResources first)"
                )
        if app.state is not AppState.FOREGROUND:
            # BGContinuedProcessingTaskRequest: "The app submits this request from the
            # foreground" (the error code is not documented: the model's notPermitted)
            return BGTaskSchedulerErrorCode.NOT_PERMITTED, (
                f"submitted while the app is {app.state.value}; a continued-processing request "
                "is submitted from the foreground, when the user acts (e.g. taps a button)"
            )
        return None, ""

    def _handler(self, app: IOSApp, identifier: str) -> Callable[..., object] | None:
        handler = app.handlers.get(identifier)
        if handler is None:
            entry = wildcard_for(identifier, app.info.permitted_identifiers, app.bundle_id)
            handler = None if entry is None else app.handlers.get(entry)
        return handler

    def _start(self, entry: _Running) -> None:
        system = self._system
        if entry not in self._running:
            return  # the app died before its task could start
        app = system.app(entry.bundle_id)
        handler = self._handler(app, entry.request.identifier)
        if handler is None or app.state is AppState.NOT_RUNNING:
            self._running.remove(entry)
            self._next()
            return
        slot = system._slot(entry.bundle_id)
        activity = system._begin(
            slot, TaskKind.CONTINUED_PROCESSING, entry.request.identifier, handler=True
        )
        task = BGContinuedProcessingTask(
            entry.request.identifier,
            activity,
            title=entry.request.title,
            subtitle=entry.request.subtitle,
            now=lambda: system.sim.now_ms,
        )

        def take_handler() -> Callable[[], object] | None:
            handler = task.expiration_handler
            task.expiration_handler = None  # "cleared after it is called by the system"
            return handler

        activity.take_expiration_handler(take_handler)
        entry.task = task
        self._record(entry.bundle_id, entry.request, "started", task=task)
        self._arm_stall_check(entry)
        system._call_app(slot, handler, task)

    def _arm_stall_check(self, entry: _Running) -> None:
        task = entry.task
        timeout = self.policy.stall_timeout_ms
        if task is None or timeout == 0 or task.completed:
            return
        due = task.last_progress_ms + timeout
        entry.stall_check = self._system.sim.call_at(due, self._check_stall, entry)

    def _check_stall(self, entry: _Running) -> None:
        entry.stall_check = None
        task = entry.task
        if task is None or task.completed or entry not in self._running:
            return
        if self._system.sim.now_ms - task.last_progress_ms < self.policy.stall_timeout_ms:
            self._arm_stall_check(entry)  # progress came since: look again a timeout after it
            return
        # BGTask.h: "Tasks that appear stalled may be forcibly expired by the scheduler"
        seconds = self.policy.stall_timeout_ms // MS_PER_SECOND
        self._expire(entry, f"no progress reported for {seconds} s", "stalled")

    def _expire(self, entry: _Running, reason: str, event: str) -> None:
        task = entry.task
        assert task is not None
        if entry.stall_check is not None:
            entry.stall_check.cancel()
            entry.stall_check = None
        self._record(entry.bundle_id, entry.request, event, task=task, reason=reason)
        activity = self._activity(task)
        activity.expire(reason, grace_ms=self.policy.expiry_grace_ms)

    @staticmethod
    def _activity(task: BGContinuedProcessingTask) -> Activity:
        return task._activity

    def task_ended(self, activity: Activity) -> None:
        """A task's activity ended (completed, or expired without a handler): its slot frees."""
        for entry in list(self._running):
            if entry.task is not None and self._activity(entry.task) is activity:
                self._release(entry)
        self._next()

    def _release(self, entry: _Running) -> None:
        if entry.stall_check is not None:
            entry.stall_check.cancel()
            entry.stall_check = None
        self._running.remove(entry)

    def _next(self) -> None:
        """Start queued requests while there is room ("The system runs the task as soon as
        possible", SubmissionStrategy.queue)."""
        while self._queue and len(self._running) < self.policy.max_running:
            bundle_id, request = self._queue.pop(0)
            entry = _Running(bundle_id, request)
            self._running.append(entry)
            # started from the system's loop, not inside the code that freed the room
            self._system.sim.call_at(self._system.sim.now_ms, self._start, entry)

    def _on_app_state(self, change: AppStateChange) -> None:
        if change.state is not AppState.NOT_RUNNING:
            return
        # "The system cancels any running tasks if a person closes the app in the app switcher,
        # but the app doesn't receive an indication of cancellation" (Performing long-running
        # tasks): the process died with them. Queued requests "will be cancelled when the user
        # removes your app from the app switcher" (SubmissionStrategy.queue); the model drops
        # them whenever the process ends, as their launch handler went with it.
        for entry in [e for e in self._running if e.bundle_id == change.bundle_id]:
            self._record(
                entry.bundle_id, entry.request, "ended", task=entry.task, reason=change.reason
            )
            self._release(entry)
        for owner, request in [q for q in self._queue if q[0] == change.bundle_id]:
            self._record(owner, request, "dropped", reason=change.reason)
        self.cancel_queued(change.bundle_id)
        self._next()

    # --- records ----------------------------------------------------------------------------

    def _record_submit(
        self, bundle_id: str, request: BGContinuedProcessingTaskRequest, outcome: str
    ) -> None:
        self._system.sim.record(
            "ios.submit",
            bundle_id=bundle_id,
            identifier=request.identifier,
            task_kind=request.kind.value,
            outcome=outcome,
        )

    def _record(
        self,
        bundle_id: str,
        request: BGContinuedProcessingTaskRequest,
        event: str,
        *,
        task: BGContinuedProcessingTask | None = None,
        reason: str = "",
    ) -> None:
        fields_: dict[str, object] = {}
        if task is not None:
            fields_["completed_units"] = task.progress.completed_unit_count
            fields_["total_units"] = task.progress.total_unit_count
        self._system.sim.record(
            "ios.continued",
            bundle_id=bundle_id,
            identifier=request.identifier,
            event=event,
            title=request.title if task is None else task.title,
            subtitle=request.subtitle if task is None else task.subtitle,
            strategy=request.strategy.name.lower(),
            reason=reason,
            **fields_,
        )
