"""``harness why`` on iOS: each app's background tasks, and why iOS is or is not launching them.

There is no WorkManager on an iPhone: what waits is a ``BGTaskScheduler`` request (the flutter
``workmanager`` plugin's identifier is the unique name; ``background_fetch``'s are
``com.transistorsoft.*``), the legacy background fetch or a silent push. iOS's state now answers
(``harness.ios.explain_launch``: the device, the switches, force-quit, ``earliestBeginDate``, a
processing task's idle and power needs, the modelled launch policy); when nothing is pending, the
run's trace says what became of the identifier (never submitted, a submit refused with its error
code, launched and not submitted again, cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from harness._units import format_t_ms
from harness.background_fetch import DART_FETCH_TASK_ID, FETCH_TASK_ID
from harness.ios import (
    BACKGROUND_TASK_IDENTIFIER,
    FETCH_IDENTIFIER,
    PUSH_IDENTIFIER,
    BGTaskSchedulerErrorCode,
    IOSSystem,
    LaunchWhy,
    TaskKind,
    WaitCause,
    explain_launch,
    refused_submit,
)
from harness.scenario._why_answer import WorkWhy
from harness.scenario._world import World
from harness.sim import TraceRecord

#: How a task kind is named to the user.
_KIND_NAMES = {
    TaskKind.APP_REFRESH: "BGAppRefreshTask",
    TaskKind.PROCESSING: "BGProcessingTask",
    TaskKind.BACKGROUND_FETCH: "legacy background fetch",
    TaskKind.SILENT_PUSH: "silent push",
    TaskKind.CONTINUED_PROCESSING: "BGContinuedProcessingTask",
    TaskKind.URL_SESSION: "background URLSession",
}
_REFUSALS = {code.name: code for code in BGTaskSchedulerErrorCode}
#: background_fetch's error when ``backgroundRefreshStatus`` is not available (its ``_fail``).
_UNAVAILABLE = "Background fetch is unavailable"


@dataclass
class _Story:
    """What the trace says about one identifier of one app, up to now."""

    kind: TaskKind | None = None
    #: the last ``ios.submit`` (t_ms, outcome)
    submit: tuple[int, str] | None = None
    #: the last ``ios.launch`` and how it ended (t_ms, ending or "")
    launch: tuple[int, str] | None = None
    cancel: int | None = None
    #: the plugin refused to schedule it (t_ms, the error), e.g. background_fetch's configure
    plugin_error: tuple[int, str] | None = None
    plugins: set[str] = field(default_factory=set)
    #: a continued-processing task's last end (t_ms, ``ios.continued`` event, reason, progress)
    continued: tuple[int, str, str, str] | None = None
    #: a background session's last transfer delivered to the app (t_ms, its task, its outcome)
    transfer: tuple[int, str, str] | None = None
    #: the outcome of each transfer of a session, until it is delivered (task id -> words)
    outcomes: dict[int, str] = field(default_factory=dict)


def _stories(records: Iterable[TraceRecord]) -> dict[tuple[str, str], _Story]:
    """Per (bundle, identifier), in order of first mention: the trace's facts."""
    stories: dict[tuple[str, str], _Story] = {}
    cancelled_all: dict[str, int] = {}

    def story(bundle: str, identifier: str) -> _Story:
        return stories.setdefault((bundle, identifier), _Story())

    for record in records:
        kind = record.kind
        if kind == "ios.submit":
            entry = story(record["bundle_id"], record["identifier"])
            entry.kind = TaskKind(record["task_kind"])
            entry.submit = (record.t_ms, str(record["outcome"]))
        elif kind == "ios.launch":
            entry = story(record["bundle_id"], record["identifier"])
            entry.kind = entry.kind or TaskKind(record["task_kind"])
            entry.launch = (record.t_ms, "")
        elif kind == "ios.completed":
            entry = story(record["bundle_id"], record["identifier"])
            if entry.launch is not None:
                outcome = "completed" if record["success"] else "completed unsuccessfully"
                entry.launch = (entry.launch[0], f"{outcome}: {record['reason']}")
        elif kind == "ios.cancel":
            if record["identifier"] is None:
                cancelled_all[record["bundle_id"]] = record.t_ms
            else:
                story(record["bundle_id"], record["identifier"]).cancel = record.t_ms
        elif kind == "ios.terminated":
            for (bundle, _), entry in stories.items():
                if bundle == record["bundle_id"] and entry.launch and not entry.launch[1]:
                    entry.launch = (entry.launch[0], f"killed: {record['reason']}")
        elif kind == "ios.continued" and record["event"] in _CONTINUED_ENDS:
            entry = story(record["bundle_id"], record["identifier"])
            entry.kind = TaskKind.CONTINUED_PROCESSING
            units = f"{record.get('completed_units', 0)} of {record.get('total_units', 0)} units"
            entry.continued = (record.t_ms, str(record["event"]), str(record["reason"]), units)
        elif kind == "ios.transfer":
            _on_transfer(story(record["bundle_id"], record["session"]), record)
        elif kind == "ios.push":
            story(record["bundle_id"], PUSH_IDENTIFIER).kind = TaskKind.SILENT_PUSH
        elif kind == "flutter.platform_error" and _UNAVAILABLE in str(record["error"]):
            # background_fetch's configure/start on iOS with Background App Refresh denied
            entry = story(record["package"], FETCH_TASK_ID)
            entry.plugins.add("background_fetch")
            entry.plugin_error = (
                record.t_ms,
                f"{record['call']} at {_at(record.t_ms)} failed with {record['error']}",
            )
        elif kind in ("flutter.ios_submitted", "flutter.platform_error"):
            identifier = record.get("identifier") or _called_with(record.get("call", ""))
            if identifier:
                story(record["package"], identifier).plugins.add("workmanager")
        elif kind in ("bgfetch.scheduled", "bgfetch.ignored"):
            story(record["package"], record["task_id"]).plugins.add("background_fetch")
    for (bundle, _), entry in stories.items():
        when = cancelled_all.get(bundle)
        if when is not None and (entry.cancel is None or when > entry.cancel):
            entry.cancel = when
    return stories


#: Between a session identifier and a transfer's ``taskIdentifier``: ``explain_launch`` answers
#: for ``SESSION#N``.
TASK_SEPARATOR = "#"
#: A finished transfer the system still holds for the app.
_TRANSFER_ENDS = frozenset(
    {WaitCause.TRANSFER_CANCELLED, WaitCause.TIMED_OUT, WaitCause.EVENTS_WAITING}
)
#: ``ios.continued`` events that end a continued-processing task (or drop its request).
_CONTINUED_ENDS = frozenset({"stalled", "user_cancelled", "ended", "dropped"})


def _on_transfer(entry: _Story, record: TraceRecord) -> None:
    """A background session's story: each task's outcome, then its delivery to the app."""
    entry.kind = entry.kind or TaskKind.URL_SESSION
    event = record["event"]
    task_id = int(record["task_id"])
    if event == "completed":
        entry.outcomes[task_id] = f"transferred (HTTP {record['status']})"
    elif event in ("cancelled", "failed"):
        entry.outcomes[task_id] = f"{event}: {record['reason']}"
    elif event == "delivered":
        outcome = entry.outcomes.pop(task_id, "ended")
        entry.transfer = (record.t_ms, f"{record['session']}#{task_id}", outcome)


def _called_with(call: str) -> str:
    """``BGTaskScheduler.submit(ID)`` -> ``ID``."""
    prefix = "BGTaskScheduler.submit("
    return call[len(prefix) : -1] if call.startswith(prefix) and call.endswith(")") else ""


def _at(t_ms: int) -> str:
    return f"t={format_t_ms(t_ms)}"


def _no_request(
    ios: IOSSystem, bundle: str, identifier: str, story: _Story | None, why: LaunchWhy
) -> tuple[str, str, bool, WaitCause]:
    """Nothing pending: the trace's story in words, its source, and whether the story is over
    (launched or cancelled and not submitted again; the legacy fetch off, no background task,
    pushes not handled) rather than something the user waits for (a refused submit, a plugin
    that submitted nothing, never submitted)."""
    if identifier in (FETCH_IDENTIFIER, BACKGROUND_TASK_IDENTIFIER, PUSH_IDENTIFIER):
        return why.reason, why.source, True, why.cause
    if story is not None and story.transfer is not None:
        t_ms, task, outcome = story.transfer
        return (
            f"no transfer in progress: the last one, {task}, {outcome}; delivered to the app "
            f"at {_at(t_ms)}",
            WaitCause.EVENTS_WAITING.source,
            True,
            WaitCause.NO_REQUEST,
        )
    if story is not None and story.continued is not None:
        cut_short = _continued_end(story, story.continued)
        if cut_short is not None:
            return cut_short
    submit = None if story is None else story.submit
    failed = None if story is None else story.plugin_error
    last_event = max(
        (
            t
            for t in (
                submit[0] if submit else None,
                story.launch[0] if story and story.launch else None,
                story.cancel if story else None,
                failed[0] if failed else None,
            )
            if t is not None
        ),
        default=None,
    )
    if failed is not None and failed[0] == last_event:
        return (
            f"no pending request: the background_fetch plugin's {failed[1]}: it submits "
            "nothing while backgroundRefreshStatus is not available",
            "transistor-background-fetch TSBackgroundFetch.m (docs/background-fetch.md); "
            + why.source,
            False,
            why.cause,
        )
    if (
        story is not None
        and submit is not None
        and submit[1] in _REFUSALS
        and last_event == submit[0]
    ):
        kind = story.kind or TaskKind.APP_REFRESH
        words, source = refused_submit(ios, bundle, identifier, kind, _REFUSALS[submit[1]])
        return (
            f"no pending request: the last submit, at {_at(submit[0])}, was refused with {words}",
            source,
            False,
            why.cause,
        )
    if story is not None and story.cancel is not None and story.cancel == last_event:
        return (
            f"no pending request: the app cancelled it at {_at(story.cancel)} "
            "(cancel(taskRequestWithIdentifier:) or cancelAllTaskRequests)",
            why.source,
            True,
            why.cause,
        )
    if story is not None and story.launch is not None and story.launch[0] == last_event:
        ended = story.launch[1] or "ended"
        return (
            f"no pending request: launched at {_at(story.launch[0])} ({ended}) and not "
            "submitted again since; a launched request is no longer pending, the app submits "
            "the next one",
            why.source,
            True,
            why.cause,
        )
    return (
        f"no pending request: {identifier!r} was never submitted (BGTaskScheduler.submit)",
        why.source,
        False,
        WaitCause.NO_REQUEST,
    )


def _continued_end(
    story: _Story, continued: tuple[int, str, str, str]
) -> tuple[str, str, bool, WaitCause] | None:
    """A continued-processing task's end, when it is the story's last event."""
    t_ms, event, reason, units = continued
    if story.submit is not None and story.submit[0] > t_ms:
        return None  # submitted again since: the submit tells the rest
    cause, words = {
        "stalled": (
            WaitCause.STALLED,
            f"expired as stalled at {_at(t_ms)} ({reason}; {units} done): its expiration "
            "handler ran",
        ),
        "user_cancelled": (
            WaitCause.USER_CANCELLED,
            f"cancelled by the user at {_at(t_ms)} (the Live Activity's cancel; {units} "
            "done): its expiration handler ran",
        ),
        "ended": (
            WaitCause.ENDED_BY_FORCE_QUIT,
            f"ended at {_at(t_ms)} with the app's process ({reason}; {units} done): no "
            "expiration handler, no indication to the app",
        ),
    }.get(
        event, (WaitCause.ENDED_BY_FORCE_QUIT, f"dropped from the queue at {_at(t_ms)} ({reason})")
    )
    return (
        f"no pending request: {words}; nothing runs until the app submits it again",
        cause.source,
        False,  # the work was cut short: the user waits for it
        cause,
    )


def _identifiers(ios: IOSSystem, bundle: str, stories: dict[tuple[str, str], _Story]) -> list[str]:
    """Every identifier of the app worth an answer, pending and running ones first."""
    app = ios.app(bundle)
    found: dict[str, None] = {}
    for request in ios.scheduler(bundle).pending_task_requests():
        found[request.identifier] = None
    for activity in app.activities:
        found[activity.identifier] = None
    for owner, identifier in stories:
        if owner == bundle:
            found[identifier] = None
    for identifier in (*app.handlers, *app.info.permitted_identifiers):
        if not identifier.endswith("*"):  # a continued-processing wildcard is no request
            found[identifier] = None
    for session, tasks in ios.transfers.held(bundle).items():
        # each transfer the system holds is asked for by name (SESSION#N); the session itself
        # while none is held (its last delivery) or its events launch runs
        launching = any(a.identifier == session and not a.ended for a in app.activities)
        if tasks:
            found.pop(session, None)
        if not tasks or launching:
            found[session] = None
        for task in tasks:
            found[f"{session}{TASK_SEPARATOR}{task.task_identifier}"] = None
    if app.minimum_fetch_interval_ms is not None:
        found[FETCH_IDENTIFIER] = None
    if ios.background_time(bundle).outstanding:
        found[BACKGROUND_TASK_IDENTIFIER] = None
    if PUSH_IDENTIFIER in found:  # pushes last: they are not requests
        del found[PUSH_IDENTIFIER]
        found[PUSH_IDENTIFIER] = None
    return list(found)


def _label(kind: TaskKind | None, identifier: str, story: _Story | None) -> str:
    if identifier == PUSH_IDENTIFIER:
        kind = TaskKind.SILENT_PUSH
    elif identifier == FETCH_IDENTIFIER:
        kind = TaskKind.BACKGROUND_FETCH
    elif identifier == FETCH_TASK_ID:
        kind = kind or TaskKind.APP_REFRESH  # background_fetch's fetch is a refresh request
    if identifier == BACKGROUND_TASK_IDENTIFIER:
        return "beginBackgroundTask"
    if TASK_SEPARATOR in identifier and kind is TaskKind.URL_SESSION:
        return "URLSession transfer"
    label = "task" if kind is None else _KIND_NAMES[kind]
    plugins = set() if story is None else set(story.plugins)
    if FETCH_TASK_ID in identifier or "com.transistorsoft" in identifier:
        plugins.add("background_fetch")
    if plugins:
        label += f" ({', '.join(sorted(plugins))})"
    return label


def explain_ios(world: World) -> list[WorkWhy]:
    """Every background task of every app on the iPhone of ``world`` now, app by app."""
    ios = world.ios
    assert ios is not None, "explain_ios needs a world on an iOS profile"
    stories = _stories(
        world.sim.trace.of_kind(
            "ios.submit",
            "ios.launch",
            "ios.completed",
            "ios.cancel",
            "ios.terminated",
            "ios.push",
            "ios.continued",
            "ios.transfer",
            "flutter.ios_submitted",
            "flutter.platform_error",
            "bgfetch.scheduled",
            "bgfetch.ignored",
        )
    )
    answers: list[WorkWhy] = []
    for app in ios.apps():
        bundle = app.bundle_id
        for identifier in _identifiers(ios, bundle, stories):
            why = explain_launch(ios, bundle, identifier)
            story = stories.get((bundle, identifier))
            reason, source = why.reason, why.source
            finished = False
            cause = why.cause
            if why.cause is WaitCause.NO_REQUEST:
                reason, source, finished, cause = _no_request(ios, bundle, identifier, story, why)
                if why.meanwhile is not None:
                    reason += f"; and now: {why.meanwhile}"
                state = "NOT_PENDING"
            elif why.cause in _TRANSFER_ENDS:
                state = "COMPLETED"  # a transfer that ended, its events not yet delivered
            else:
                state = "RUNNING" if why.running else "PENDING"
            if identifier == PUSH_IDENTIFIER:
                # pushes are not requests: only a throttle (or a blocked launch) is news
                finished = why.cause in (WaitCause.DUE, WaitCause.NO_REQUEST)
                state = "RUNNING" if why.running else "PUSHES"
            names: tuple[str, ...] = ()
            if identifier == FETCH_TASK_ID:
                names = (DART_FETCH_TASK_ID,)
            elif why.kind is TaskKind.URL_SESSION and TASK_SEPARATOR in identifier:
                names = (identifier.rpartition(TASK_SEPARATOR)[0],)  # its session's name
            answers.append(
                WorkWhy(
                    t_ms=world.sim.now_ms,
                    package=bundle,
                    work=identifier,
                    label=_label(why.kind or (story.kind if story else None), identifier, story),
                    state=state,
                    running=why.running,
                    finished=finished,
                    reason=reason,
                    verdict=None,
                    blocker=cause.value,
                    names=names,
                    source=source,
                    platform="ios",
                )
            )
    return answers
