"""``SessionEvents``: the app's side of background ``URLSession`` tasks: the session objects of
each running process, the finished tasks whose events wait for them, and how they reach the app.

An app that runs (foreground, or background and not suspended) gets its events at once, through
the session it created with the same identifier. A suspended or terminated app is resumed or
launched in the background for them (``ios.launch``, task kind ``url_session``), if the session
sends launch events (``sessionSendsLaunchEvents``, default true), and then iOS calls
``application(_:handleEventsForBackgroundURLSession:completionHandler:)``, the session delegate
(``didFinishDownloadingTo``, ``didCompleteWithError``), then ``urlSessionDidFinishEvents(
forBackgroundURLSession:)``, where the app calls the completion handler (Downloading files in the
background, "Handle app suspension"; urlsessionconfiguration/sessionsendslaunchevents). The
launch has the 30 s of a fetch or a push (modelled): an app that never calls the handler is
killed then. No launch for a force-quit app: the system "does not automatically relaunch apps
that were force quit by the user" (urlsessionconfiguration/background(withidentifier:)).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from harness.ios._enums import AppState, TaskKind
from harness.ios._urlsession import (
    TransferKind,
    URLSession,
    URLSessionConfiguration,
    URLSessionTask,
)

if TYPE_CHECKING:
    from harness.ios._launches import Activity
    from harness.ios._system import IOSSystem

_Key = tuple[str, str]  # (bundle id, session identifier)


class EventsCompletion:
    """The ``completionHandler`` of ``handleEventsForBackgroundURLSession``: call it (once) when
    the session's events are handled, within the launch's 30 s."""

    __slots__ = ("_activity", "called")

    def __init__(self, activity: Activity) -> None:
        self._activity = activity
        self.called = False

    def __call__(self) -> None:
        if not self.called:
            self.called = True
            self._activity.complete(success=True)


class SessionEvents:
    """The session objects of the apps' processes and the events waiting for them."""

    def __init__(
        self,
        ios: IOSSystem,
        configs: dict[_Key, URLSessionConfiguration],
        on_delivered: Callable[[URLSessionTask], None],
    ) -> None:
        self._ios = ios
        self._sim = ios.sim
        self._device = ios.device
        #: the configuration of each session, as the system knows it (shared with the daemon)
        self._configs = configs
        self._on_delivered = on_delivered
        self._sessions: dict[_Key, URLSession] = {}
        self._events: dict[_Key, list[URLSessionTask]] = {}
        self._launches: dict[_Key, Activity] = {}
        self._launching: set[_Key] = set()

    @property
    def pending(self) -> bool:
        """Whether any event waits for its app."""
        return bool(self._events)

    def waiting(self, key: _Key) -> bool:
        """Whether events of the session ``key`` wait for the app."""
        return bool(self._events.get(key))

    def add_session(self, session: URLSession) -> None:
        """The app created ``session``: events waiting for its identifier may go now."""
        key = (session.bundle_id, session.identifier)
        self._sessions[key] = session
        self.offer(key)

    def add(self, task: URLSessionTask) -> None:
        """``task`` finished: its event waits for the app, or goes now."""
        key = (task.bundle_id, task.session_identifier)
        self._events.setdefault(key, []).append(task)
        self.offer(key)

    def offer_all(self) -> None:
        """Offer every waiting event again (after any change that may let one go)."""
        for key in list(self._events):
            self.offer(key)

    def app_changed(self, bundle_id: str) -> None:
        """The app changed state: a dead process's sessions go with it; a running app gets
        its waiting events."""
        if self._ios.app(bundle_id).state is AppState.NOT_RUNNING:
            for key in [key for key in self._sessions if key[0] == bundle_id]:
                del self._sessions[key]
            return
        for key in [key for key in self._events if key[0] == bundle_id]:
            self.offer(key)

    def offer(self, key: _Key) -> None:
        """Deliver ``key``'s pending events if the app runs with the session, or launch it in
        the background for them when the rules allow."""
        if not self._events.get(key):
            return
        bundle_id, _identifier = key
        app = self._ios.app(bundle_id)
        launch = self._launches.get(key)
        if key in self._launching or (launch is not None and not launch.ended):
            return  # a background launch for these events is under way
        if app.launching:
            return
        if app.state in (AppState.FOREGROUND, AppState.BACKGROUND):
            session = self._sessions.get(key)
            if session is not None:
                self._deliver(key, session)
            return
        config = self._configs[key]
        if (
            app.force_quit  # no relaunch "until the user explicitly relaunches the app"
            or not config.session_sends_launch_events
            or not self._device.is_on
            or not self._ios.first_unlocked
        ):
            return
        self._launch(key)

    def _launch(self, key: _Key) -> None:
        bundle_id, identifier = key
        self._launching.add(key)
        try:
            activity = self._ios.begin_background_launch(
                bundle_id, TaskKind.URL_SESSION, identifier
            )
        finally:
            self._launching.discard(key)
        self._launches[key] = activity
        app = self._ios.app(bundle_id)
        completion = EventsCompletion(activity)
        handler = app.delegate.handle_events_for_background_url_session
        if handler is not None:
            self._call_app(bundle_id, handler, identifier, completion)
        session = self._sessions.get(key)
        if session is None or activity.ended:
            if handler is None:
                activity.complete(success=True, reason="no session to deliver to")
            return
        self._deliver(key, session)
        if session.delegate.did_finish_events is not None:
            self._call_app(bundle_id, session.delegate.did_finish_events, session)
        if handler is None:
            completion()

    def _deliver(self, key: _Key, session: URLSession) -> None:
        events = self._events.pop(key, [])
        delegate = session.delegate
        for task in events:
            self._on_delivered(task)
            if (
                task.kind is TransferKind.DOWNLOAD
                and task.response is not None
                and delegate.did_finish_downloading is not None
            ):
                self._call_app(
                    session.bundle_id, delegate.did_finish_downloading, task, task.response
                )
            if delegate.did_complete is not None:
                self._call_app(session.bundle_id, delegate.did_complete, task, task.error)

    def _call_app(self, bundle_id: str, function: Callable[..., object], *args: Any) -> None:
        def call() -> None:
            result = function(*args)
            if inspect.iscoroutine(result):
                coroutine: Coroutine[Any, Any, object] = result
                self._sim.create_task(coroutine, name=f"{bundle_id} URLSession delegate")

        self._ios.app_runner(bundle_id, call)
