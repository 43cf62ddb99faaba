"""``BackgroundTransfers``: the system process that runs background ``URLSession`` tasks
(``nsurlsessiond``), and the rules Apple documents for it.

* The tasks belong to the system, not to the app's process: they go on while the app is
  suspended and after the system terminated it; a relaunched app that creates a session with the
  same identifier gets their events (urlsessionconfiguration/background(withidentifier:)).
* When tasks finish, their events reach the app directly or by a background launch
  (:mod:`harness.ios._session_events`).
* A force-quit (app switcher) cancels every background transfer of the app: each task completes
  with ``NSURLErrorCancelled`` and reason ``NSURLErrorCancelledReasonUserForceQuitApplication``,
  delivered when the app next creates the session; the system "does not automatically relaunch
  apps that were force quit by the user" (background(withidentifier:)).
* ``isDiscretionary`` (default false, treated as true for a task resumed while the app is in the
  background: urlsessionconfiguration/isdiscretionary) waits for good conditions
  (:mod:`harness.ios._transfer_policy`).
* Background sessions "always wait for connectivity" (urlsessionconfiguration/
  waitsforconnectivity); an attempt that fails at the transport level (a lost connection, a
  timeout) is tried again (timeoutintervalforrequest: background tasks "are automatically
  retried"), ``retry_delay_ms`` later (modelled); ``timeoutIntervalForResource`` (7 days) ends
  the task with ``NSURLErrorTimedOut`` whatever it was doing.
* A reboot: Apple documents nothing. The model keeps the tasks (the daemon's store is on disk),
  drops the attempt in flight and tries again after the first unlock, as other background work.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from harness._exceptions import DefinitionError
from harness.backends import SizedBody
from harness.ios._enums import AppState
from harness.ios._session_events import SessionEvents
from harness.ios._transfer_policy import TransferPolicy, why_waiting
from harness.ios._urlsession import (
    BackgroundTaskCancelledReason,
    TransferKind,
    URLError,
    URLErrorCode,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
    URLSessionTaskState,
)
from harness.sim import MS_PER_SECOND

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem

_Key = tuple[str, str]  # (bundle id, session identifier)
_T = TypeVar("_T")

#: ``timeoutIntervalForRequest``'s default: "The default value is 60."
#: (developer.apple.com/documentation/foundation/urlsessionconfiguration/timeoutintervalforrequest)
REQUEST_TIMEOUT_MS = 60 * MS_PER_SECOND


def _outside_app(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call ``function`` in an empty context: the timers and tasks of the system's transfers
    belong to no app process (one started from app code would otherwise die with it)."""
    return contextvars.Context().run(function, *args, **kwargs)


class TransferTransport(Protocol):
    """What the system's transfers go through: the device's network to the fake servers (the
    phone layer's ``DeviceTransport``, one per app)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Carry ``request`` over the simulated network."""
        ...

    def note_process_died(self, reason: str) -> None:
        """Requests in flight now die with ``reason`` (a force-quit, a shutdown)."""
        ...


class BackgroundTransfers:
    """``nsurlsessiond`` on one iPhone: every app's background tasks, run and delivered."""

    def __init__(self, ios: IOSSystem, policy: TransferPolicy | None = None) -> None:
        self._ios = ios
        self._sim = ios.sim
        self._device = ios.device
        self.policy = policy or TransferPolicy()
        #: How transfers reach the network: ``transport_for(bundle_id)`` (the phone layer sets
        #: it; without one, resuming a task is a definition error).
        self.transport_for: Callable[[str], TransferTransport] | None = None
        self._clients: dict[str, tuple[TransferTransport, httpx.AsyncClient]] = {}
        self._tasks: dict[_Key, list[URLSessionTask]] = {}
        self._next_id: dict[_Key, int] = {}
        self._configs: dict[_Key, URLSessionConfiguration] = {}
        #: The session objects and the events waiting for them.
        self.events = SessionEvents(ios, self._configs, self._delivered)
        self._attempts: dict[URLSessionTask, asyncio.Task[None]] = {}
        self._attempt_counts: dict[URLSessionTask, int] = {}
        self._discretionary: set[URLSessionTask] = set()
        self._retry_at: dict[URLSessionTask, int] = {}
        self._waiting: dict[URLSessionTask, str] = {}
        self._timeouts: dict[URLSessionTask, asyncio.TimerHandle] = {}
        self._wake: tuple[int, asyncio.TimerHandle] | None = None
        ios.app_state_changed.connect(lambda change: self._on_app_state(change.bundle_id))
        self._device.shutting_down.connect(lambda _s: self._on_shutdown())

    # --- the app's side ---------------------------------------------------------------------

    def session(
        self, bundle_id: str, configuration: URLSessionConfiguration, delegate: URLSessionDelegate
    ) -> URLSession:
        """``URLSession(configuration:delegate:)`` in the app's process; pending events of that
        identifier are delivered to it once the app is running."""
        app = self._ios.app(bundle_id)
        if app.state is AppState.NOT_RUNNING and not app.launching:
            raise DefinitionError(
                f"app {bundle_id!r} is not running: only its own code (at launch, in main(), "
                "in a handler) can create a URLSession"
            )
        key = (bundle_id, configuration.identifier)
        session = URLSession(self, bundle_id, configuration, delegate)
        self._configs[key] = configuration
        self.events.add_session(session)
        return session

    def new_task(
        self,
        session: URLSession,
        kind: TransferKind,
        method: str,
        url: str,
        body: SizedBody | bytes | None,
        headers: Mapping[str, str],
    ) -> URLSessionTask:
        """A new (suspended) task of ``session``; ``taskIdentifier`` unique in the session."""
        key = (session.bundle_id, session.identifier)
        task_id = self._next_id.get(key, 0) + 1
        self._next_id[key] = task_id
        task = URLSessionTask(
            self,
            bundle_id=session.bundle_id,
            session_identifier=session.identifier,
            task_identifier=task_id,
            kind=kind,
            method=method,
            url=url,
            body=body,
            headers=headers,
        )
        self._tasks.setdefault(key, []).append(task)
        return task

    def tasks_of(self, bundle_id: str, identifier: str) -> tuple[URLSessionTask, ...]:
        """The session's tasks not completed."""
        return tuple(
            task
            for task in self._tasks.get((bundle_id, identifier), ())
            if task.state is not URLSessionTaskState.COMPLETED
        )

    def held(self, bundle_id: str) -> dict[str, tuple[URLSessionTask, ...]]:
        """Read-only, for ``harness why``: the app's sessions (every identifier it configured)
        and the tasks the system holds for each (resumed and not yet delivered to the app, a
        completed one included), in creation order."""
        held: dict[str, tuple[URLSessionTask, ...]] = {}
        for bundle, identifier in (*self._configs, *self._tasks):
            if bundle == bundle_id:
                held[identifier] = tuple(
                    task
                    for task in self._tasks.get((bundle, identifier), ())
                    if task.state is not URLSessionTaskState.SUSPENDED
                )
        return held

    def configuration(self, bundle_id: str, identifier: str) -> URLSessionConfiguration | None:
        """Read-only: the configuration session ``identifier`` of the app was last made with."""
        return self._configs.get((bundle_id, identifier))

    def attempt_of(self, task: URLSessionTask) -> tuple[bool, int]:
        """Read-only: whether an attempt of ``task`` is in flight now, and how many began."""
        return task in self._attempts, self._attempt_counts.get(task, 0)

    def why_waiting(self, task: URLSessionTask) -> tuple[str | None, int | None]:
        """Read-only: :func:`~harness.ios._transfer_policy.why_waiting` for a resumed task, the
        rule ``pump`` starts it by (``None``: nothing holds it back)."""
        return why_waiting(
            self._ios,
            self.policy,
            task,
            self._configs[(task.bundle_id, task.session_identifier)],
            discretionary=task in self._discretionary,
            retry_at=self._retry_at.get(task),
        )

    def resume(self, task: URLSessionTask) -> None:
        """The app resumed ``task``: the system owns it from now on."""
        if self.transport_for is None:
            raise DefinitionError(
                "this iPhone has no network stack for background transfers; build it with "
                "harness.phone.bind_ios_phone (a scenario run does)"
            )
        key = (task.bundle_id, task.session_identifier)
        config = self._configs[key]
        app = self._ios.app(task.bundle_id)
        now = self._sim.now_ms
        task.state = URLSessionTaskState.RUNNING
        task.resumed_ms = now
        # isDiscretionary: "For transfers started while your app is in the background, the
        # system ... assumes this property is true" (urlsessionconfiguration/isdiscretionary)
        discretionary = config.is_discretionary or app.state is not AppState.FOREGROUND
        if discretionary:
            self._discretionary.add(task)
        self._timeouts[task] = _outside_app(
            self._sim.call_at,
            now + config.timeout_interval_for_resource_ms,
            lambda: self._timed_out(task),
        )
        self._record(task, "resumed", reason="discretionary" if discretionary else "")
        self.pump()

    def cancel(self, task: URLSessionTask, error: URLError, *, process_died: str = "") -> None:
        """End ``task`` with ``error`` (its attempt in flight stops)."""
        attempt = self._attempts.pop(task, None)
        if attempt is not None:
            if process_died:
                self._client(task.bundle_id)[0].note_process_died(process_died)
            attempt.cancel()
        self._complete(task, None, error, "cancelled")

    # --- the system's side ------------------------------------------------------------------

    def force_quit(self, bundle_id: str) -> None:
        """The user swiped the app away: every background transfer of it is cancelled
        (background(withidentifier:): "the system cancels all of the session's background
        transfers"); the events wait for the user to open the app."""
        error = URLError(
            URLErrorCode.CANCELLED,
            "the user force-quit the app: the system cancelled its background transfers",
            BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION,
        )
        for (bundle, _identifier), tasks in list(self._tasks.items()):
            if bundle == bundle_id:
                for task in list(tasks):
                    if task.state is URLSessionTaskState.RUNNING:
                        self.cancel(task, error, process_died="force-quit in the app switcher")

    def pump(self) -> None:
        """Start what may start now and deliver what may be delivered (after any change)."""
        if not self._tasks and not self.events.pending:
            return
        wake: int | None = None
        for tasks in list(self._tasks.values()):
            for task in list(tasks):
                if task.state is not URLSessionTaskState.RUNNING or task in self._attempts:
                    continue
                reason, at = self.why_waiting(task)
                if reason is None:
                    self._start(task)
                    continue
                if at is not None:
                    wake = at if wake is None else min(wake, at)
                if self._waiting.get(task) != reason:
                    self._waiting[task] = reason
                    self._record(task, "waiting", reason=reason)
        self.events.offer_all()
        self._set_wake(wake)

    def _set_wake(self, at: int | None) -> None:
        if self._wake is not None and (at is None or self._wake[0] != at):
            self._wake[1].cancel()
            self._wake = None
        if at is not None and self._wake is None:
            self._wake = (at, _outside_app(self._sim.call_at, at, self._on_wake))

    def _on_wake(self) -> None:
        self._wake = None
        self.pump()

    def _client(self, bundle_id: str) -> tuple[TransferTransport, httpx.AsyncClient]:
        client = self._clients.get(bundle_id)
        if client is None:
            assert self.transport_for is not None
            transport = self.transport_for(bundle_id)
            # timeoutIntervalForRequest (60 s) is a wait for *more* data, reset as data flows:
            # a slow upload never hits it; the model applies it to connecting only (a server
            # that never answers waits for the resource timeout)
            timeout = httpx.Timeout(None, connect=REQUEST_TIMEOUT_MS / 1000)
            client = (
                transport,
                httpx.AsyncClient(transport=transport, timeout=timeout),  # type: ignore[arg-type]
            )
            self._clients[bundle_id] = client
        return client

    def _start(self, task: URLSessionTask) -> None:
        self._waiting.pop(task, None)
        self._retry_at.pop(task, None)
        attempt = self._attempt_counts.get(task, 0) + 1
        self._attempt_counts[task] = attempt
        _transport, client = self._client(task.bundle_id)
        body = task.body
        if isinstance(body, SizedBody):
            request = client.build_request(
                task.method, task.url, headers={**body.headers(), **task.headers}
            )
            request.stream = body
        else:
            request = client.build_request(
                task.method, task.url, headers=task.headers, content=body
            )
        self._record(task, "started", attempt=attempt)

        async def run() -> None:
            try:
                response = await client.send(request)
            except httpx.TransportError as error:
                self._attempt_failed(task, f"{type(error).__name__}: {error}")
            else:
                self._attempts.pop(task, None)
                self._complete(task, response, None, "completed")

        self._attempts[task] = _outside_app(
            self._sim.create_task,
            run(),
            name=f"{task.bundle_id} background transfer {task.task_identifier}",
        )

    def _attempt_failed(self, task: URLSessionTask, reason: str) -> None:
        self._attempts.pop(task, None)
        if task.state is URLSessionTaskState.COMPLETED:
            return
        self._retry_at[task] = self._sim.now_ms + self.policy.retry_delay_ms
        self._record(task, "interrupted", reason=reason)
        self.pump()

    def _timed_out(self, task: URLSessionTask) -> None:
        self._timeouts.pop(task, None)
        if task.state is URLSessionTaskState.COMPLETED:
            return
        config = self._configs[(task.bundle_id, task.session_identifier)]
        limit = config.timeout_interval_for_resource_ms
        error = URLError(
            URLErrorCode.TIMED_OUT,
            f"not transferred within timeoutIntervalForResource ({limit} ms)",
        )
        attempt = self._attempts.pop(task, None)
        if attempt is not None:
            attempt.cancel()
        self._complete(task, None, error, "failed")

    def _complete(
        self,
        task: URLSessionTask,
        response: httpx.Response | None,
        error: URLError | None,
        event: str,
    ) -> None:
        if task.state is URLSessionTaskState.COMPLETED:
            return
        task.state = URLSessionTaskState.COMPLETED
        task.response = response
        task.error = error
        self._discretionary.discard(task)
        self._retry_at.pop(task, None)
        self._waiting.pop(task, None)
        self._attempt_counts.pop(task, None)
        timeout = self._timeouts.pop(task, None)
        if timeout is not None:
            timeout.cancel()
        self._record(
            task,
            event,
            **({"status": response.status_code} if response is not None else {}),
            **(
                {"error_code": int(error.code), "reason": error.message}
                if error is not None
                else {}
            ),
        )
        self.events.add(task)

    def _delivered(self, task: URLSessionTask) -> None:
        """The app's delegate is about to hear of ``task``: the system forgets it."""
        key = (task.bundle_id, task.session_identifier)
        tasks = self._tasks.get(key, [])
        if task in tasks:
            tasks.remove(task)
        if not tasks and not self.events.waiting(key):
            self._tasks.pop(key, None)
        self._record(task, "delivered")

    # --- the app's process and the device ---------------------------------------------------

    def _on_app_state(self, bundle_id: str) -> None:
        if self._ios.app(bundle_id).state is AppState.NOT_RUNNING:
            # the tasks never resumed die with the process (its session objects too)
            for key, tasks in list(self._tasks.items()):
                if key[0] == bundle_id:
                    tasks[:] = [
                        task for task in tasks if task.state is not URLSessionTaskState.SUSPENDED
                    ]
                    if not tasks and not self.events.waiting(key):
                        del self._tasks[key]
        self.events.app_changed(bundle_id)

    def _on_shutdown(self) -> None:
        # modelled: the tasks survive in the daemon's store; the attempt in flight is dropped
        for task, attempt in list(self._attempts.items()):
            self._client(task.bundle_id)[0].note_process_died("shutdown")
            attempt.cancel()
            del self._attempts[task]
            self._record(task, "interrupted", reason="the phone shut down")

    def _record(self, task: URLSessionTask, event: str, **extra: Any) -> None:
        self._sim.record(
            "ios.transfer",
            bundle_id=task.bundle_id,
            session=task.session_identifier,
            task_id=task.task_identifier,
            transfer_kind=task.kind.value,
            url=task.url,
            event=event,
            **extra,
        )
