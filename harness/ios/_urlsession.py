"""Background ``URLSession``: the app-facing objects (configuration, session, tasks, delegate).

A session made with ``URLSessionConfiguration.background(identifier)`` hands its upload and
download tasks to the system, which runs them in a separate process (``nsurlsessiond``, here
:class:`~harness.ios._transfers.BackgroundTransfers`): "transfers continue even when the app
itself is suspended or terminated" (developer.apple.com/documentation/foundation/
urlsessionconfiguration/background(withidentifier:)). The session object belongs to the app's
process; the tasks belong to the system, keyed by the app and the session identifier, so a
relaunched app that creates a session with the same identifier gets its tasks' events.

The app reads them through :meth:`IOSSystem.url_session`::

    config = URLSessionConfiguration.background("com.example.upload")
    session = ios.url_session(PACKAGE, config, URLSessionDelegate(did_complete=on_done))
    session.upload_task("https://api.example.com/photos", body).resume()
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from harness._exceptions import DefinitionError
from harness.backends import SizedBody
from harness.sim import MS_PER_DAY

if TYPE_CHECKING:
    from harness.ios._transfers import BackgroundTransfers

#: ``timeoutIntervalForResource``'s default: "The default value is 7 days."
#: (developer.apple.com/documentation/foundation/urlsessionconfiguration/timeoutintervalforresource)
DEFAULT_RESOURCE_TIMEOUT_MS = 7 * MS_PER_DAY


class URLErrorCode(enum.IntEnum):
    """``URLError.Code`` (``NSURLError*``) values a background task can end with."""

    CANCELLED = -999  # NSURLErrorCancelled: the app cancelled it, or a force-quit did
    TIMED_OUT = -1001  # NSURLErrorTimedOut: timeoutIntervalForResource ran out


class BackgroundTaskCancelledReason(enum.IntEnum):
    """``NSURLErrorBackgroundTaskCancelledReasonKey``: why the system cancelled a task."""

    USER_FORCE_QUIT_APPLICATION = 0  # the user swiped the app away in the app switcher
    BACKGROUND_UPDATES_DISABLED = 1  # Background App Refresh off (not modelled)
    INSUFFICIENT_SYSTEM_RESOURCES = 2  # the system ran short of resources (not modelled)


class URLSessionTaskState(enum.IntEnum):
    """``URLSessionTask.State``, Apple's raw values."""

    RUNNING = 0  # resumed: the system runs it, or waits for the right conditions to
    SUSPENDED = 1  # created and not resumed yet (tasks start suspended)
    CANCELING = 2  # cancel() was called; the delegate has not heard yet (unused: instant)
    COMPLETED = 3  # finished: succeeded (any HTTP status), failed or cancelled


class TransferKind(enum.Enum):
    """What a background task moves."""

    UPLOAD = "upload"  # uploadTask(with:fromFile:): a request body to the server
    DOWNLOAD = "download"  # downloadTask(with:): the response body to a file


@dataclass(frozen=True, slots=True)
class URLError:
    """The ``Error`` a task completed with (``didCompleteWithError``); ``reason`` is the
    ``NSURLErrorBackgroundTaskCancelledReasonKey`` of a cancellation by the system."""

    code: URLErrorCode
    message: str
    reason: BackgroundTaskCancelledReason | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class URLSessionConfiguration:
    """``URLSessionConfiguration.background(withIdentifier:)`` and the properties that matter in
    the background; each default is Apple's."""

    #: The session identifier, unique within the app; never empty.
    identifier: str
    #: ``isDiscretionary`` (default false): the system picks the time (Wi-Fi and power, see
    #: ``TransferPolicy``). Always true for a task resumed while the app is in the background.
    is_discretionary: bool = False
    #: ``sessionSendsLaunchEvents`` (default true): the system resumes or launches the app in
    #: the background when the session's tasks finish.
    session_sends_launch_events: bool = True
    #: ``timeoutIntervalForResource`` (default 7 days): a task not done by then fails.
    timeout_interval_for_resource_ms: int = DEFAULT_RESOURCE_TIMEOUT_MS
    #: ``allowsCellularAccess`` (default true): false waits for a non-cellular network.
    allows_cellular_access: bool = True

    def __post_init__(self) -> None:
        if not self.identifier:
            # background(withIdentifier:): "This parameter must not be nil or an empty string."
            raise DefinitionError(
                "URLSessionConfiguration.background identifier is empty; give the session a "
                "fixed name unique within the app, e.g. 'com.example.upload'"
            )
        if self.timeout_interval_for_resource_ms <= 0:
            raise DefinitionError(
                f"timeout_interval_for_resource_ms = {self.timeout_interval_for_resource_ms} "
                f"must be positive; the default is {DEFAULT_RESOURCE_TIMEOUT_MS} (7 days)"
            )

    @classmethod
    def background(cls, identifier: str, **options: bool | int) -> URLSessionConfiguration:
        """``URLSessionConfiguration.background(withIdentifier:)`` with optional properties."""
        return cls(identifier=identifier, **options)  # type: ignore[arg-type]


class URLSessionTask:
    """A ``URLSessionUploadTask`` or ``URLSessionDownloadTask`` of a background session.

    It starts ``SUSPENDED``; :meth:`resume` hands it to the system. ``response`` is the HTTP
    answer once it completed (any status: an HTTP error is not a task error), ``error`` the
    :class:`URLError` it failed with.
    """

    __slots__ = (
        "_transfers",
        "body",
        "bundle_id",
        "earliest_begin_ms",
        "error",
        "headers",
        "kind",
        "method",
        "response",
        "resumed_ms",
        "session_identifier",
        "state",
        "task_identifier",
        "url",
    )

    def __init__(
        self,
        transfers: BackgroundTransfers,
        *,
        bundle_id: str,
        session_identifier: str,
        task_identifier: int,
        kind: TransferKind,
        method: str,
        url: str,
        body: SizedBody | bytes | None,
        headers: Mapping[str, str],
    ) -> None:
        self._transfers = transfers
        self.bundle_id = bundle_id
        self.session_identifier = session_identifier
        #: ``taskIdentifier``: unique within the session.
        self.task_identifier = task_identifier
        self.kind = kind
        self.method = method
        self.url = url
        self.body = body
        self.headers = dict(headers)
        self.state = URLSessionTaskState.SUSPENDED
        #: ``earliestBeginDate``: the system starts the task no sooner ("it won't start
        #: sooner", Downloading files in the background); ``None`` for no floor.
        self.earliest_begin_ms: int | None = None
        self.resumed_ms: int | None = None
        self.response: httpx.Response | None = None
        self.error: URLError | None = None

    def resume(self) -> None:
        """``resume()``: hand the task to the system (once; later calls do nothing)."""
        if self.state is URLSessionTaskState.SUSPENDED:
            self._transfers.resume(self)

    def cancel(self) -> None:
        """``cancel()``: the delegate gets ``URLError.CANCELLED`` (no system reason)."""
        if self.state is not URLSessionTaskState.COMPLETED:
            self._transfers.cancel(self, URLError(URLErrorCode.CANCELLED, "cancelled by the app"))

    def __repr__(self) -> str:
        return (
            f"URLSessionTask({self.session_identifier!r}#{self.task_identifier}, "
            f"{self.kind.value} {self.method} {self.url}, {self.state.name})"
        )


@dataclass(frozen=True, slots=True)
class URLSessionDelegate:
    """The session's delegate; each part optional, each may return a coroutine.

    ``did_finish_downloading(task, response)`` is ``urlSession(_:downloadTask:
    didFinishDownloadingTo:)`` (the body is in ``response``); ``did_complete(task, error)`` is
    ``urlSession(_:task:didCompleteWithError:)`` (``error`` ``None`` on success, whatever the
    HTTP status); ``did_finish_events(session)`` is ``urlSessionDidFinishEvents(
    forBackgroundURLSession:)``, after the events of a background launch, where the app calls
    the completion handler ``handleEventsForBackgroundURLSession`` gave it.
    """

    did_finish_downloading: Callable[[URLSessionTask, httpx.Response], object] | None = None
    did_complete: Callable[[URLSessionTask, URLError | None], object] | None = None
    did_finish_events: Callable[[URLSession], object] | None = None


class URLSession:
    """A background session of one app's process: creates tasks the system runs."""

    __slots__ = ("_transfers", "bundle_id", "configuration", "delegate")

    def __init__(
        self,
        transfers: BackgroundTransfers,
        bundle_id: str,
        configuration: URLSessionConfiguration,
        delegate: URLSessionDelegate,
    ) -> None:
        self._transfers = transfers
        self.bundle_id = bundle_id
        self.configuration = configuration
        self.delegate = delegate

    @property
    def identifier(self) -> str:
        """The configuration's session identifier."""
        return self.configuration.identifier

    def upload_task(
        self,
        url: str,
        body: SizedBody | bytes,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
    ) -> URLSessionTask:
        """``uploadTask(with:fromFile:)``: ``body`` (a file's bytes, or a
        :class:`~harness.backends.SizedBody`) to ``url``; resume it to start."""
        return self._transfers.new_task(self, TransferKind.UPLOAD, method, url, body, headers or {})

    def download_task(
        self, url: str, *, headers: Mapping[str, str] | None = None
    ) -> URLSessionTask:
        """``downloadTask(with:)``: GET ``url`` into a file; resume it to start."""
        return self._transfers.new_task(
            self, TransferKind.DOWNLOAD, "GET", url, None, headers or {}
        )

    def all_tasks(self) -> tuple[URLSessionTask, ...]:
        """``getAllTasks``: the session's tasks not completed, the system's view (a relaunched
        app sees the tasks its previous process resumed)."""
        return self._transfers.tasks_of(self.bundle_id, self.identifier)

    def __repr__(self) -> str:
        return f"URLSession({self.identifier!r} of {self.bundle_id!r})"
