"""Custom checks for the ``album_upload`` scenarios (``custom: examples.checks.album_upload:NAME``).

Each reads the ``ios.*`` records of the continued-processing tasks (iOS 26) and the photos the
server received, and states what a faithful iPhone does; a check that does not hold raises with
what it saw.
"""

from __future__ import annotations

import re

from harness.scenario import RunView

_UPLOAD = re.compile(r"^app upload(?:_now)? (\d+)$")


def _uploads(run: RunView) -> list[int]:
    """When each photo reached the server (a ``POST /photos`` answered 201)."""
    return [
        record.t_ms
        for record in run.iter_records("http.request")
        if record["method"] == "POST" and record["status"] == 201
    ]


def _events(run: RunView, event: str) -> list[int]:
    return [r.t_ms for r in run.iter_records("ios.continued") if r["event"] == event]


def every_album_uploaded(run: RunView) -> bool:
    """Every photo the user picked reached the server by the end of the run."""
    asked = sum(
        int(match.group(1))
        for record in run.iter_records("scenario.action")
        if (match := _UPLOAD.match(str(record["action"]))) is not None
    )
    uploaded = len(_uploads(run))
    if not uploaded >= asked > 0:
        raise AssertionError(f"{uploaded} of the {asked} photos picked were uploaded")
    return True


def finished_in_the_background(run: RunView) -> bool:
    """Every upload task completed successfully, each with the app out of the foreground: the
    continued-processing task went on running in the background."""
    completed = list(run.iter_records("ios.completed"))
    if not completed or not all(r["success"] for r in completed):
        raise AssertionError(f"tasks completed with success {[r['success'] for r in completed]}")
    states = [(r.t_ms, r["state"]) for r in run.iter_records("ios.app")]
    for record in completed:
        before = [state for t, state in states if t < record.t_ms]
        if before[-1:] != ["background"]:
            raise AssertionError(
                f"an upload finished at {record.t_ms} ms with the app {before[-1:]}"
            )
    return True


def immediate_run_ineligible(run: RunView) -> bool:
    """A ``.fail`` upload submitted while the phone ran as many continued-processing tasks as it
    allows was refused with immediateRunIneligible (BGTaskSchedulerErrorDomain code 4), and
    nothing started for it then."""
    refused = [
        r.t_ms for r in run.iter_records("ios.submit") if r["outcome"] == "IMMEDIATE_RUN_INELIGIBLE"
    ]
    if not refused:
        raise AssertionError("no submit was refused with code 4 (IMMEDIATE_RUN_INELIGIBLE)")
    return True


def cancelled_by_the_user_then_resumed(run: RunView) -> bool:
    """The user cancelled the upload in its Live Activity: iOS ran the expiration handler (the
    task ended unsuccessful), no photo was sent until the user tapped Retry, then the rest was."""
    cancelled = _events(run, "user_cancelled")
    if not cancelled:
        raise AssertionError("no continued-processing task was cancelled by the user")
    expired = [r for r in run.iter_records("ios.expired") if r.t_ms == cancelled[0]]
    if not expired or not expired[0]["handler"]:
        raise AssertionError("the cancel did not run the task's expiration handler")
    retried = [
        r.t_ms
        for r in run.iter_records("scenario.action")
        if r["action"] == "app retry" and r.t_ms > cancelled[0]
    ]
    # a photo already on its way when the user cancelled may still arrive a moment later
    late = [
        t for t in _uploads(run) if cancelled[0] + 10_000 < t < (retried or [run.duration_ms])[0]
    ]
    if late:
        raise AssertionError(f"{len(late)} photos were sent after the cancel, before Retry")
    return every_album_uploaded(run)


def expired_when_progress_stalled(run: RunView) -> bool:
    """With no network the upload reports no progress; iOS expires the stalled task (its
    expiration handler runs) after the policy's 30 s without progress."""
    stalled = _events(run, "stalled")
    if not stalled:
        raise AssertionError("no continued-processing task was expired as stalled")
    return True


def ended_silently_by_swipe_then_resumed(run: RunView) -> bool:
    """A swipe in the app switcher ended the running upload with its process and no expiration
    handler ("the app doesn't receive an indication of cancellation"); no photo was sent until
    the user tapped Retry, then every photo was."""
    ended = _events(run, "ended")
    if not ended:
        raise AssertionError("no continued-processing task ended with its app")
    if [r for r in run.iter_records("ios.expired") if r.t_ms <= ended[0] + 10_000]:
        raise AssertionError("an expiration handler ran for the swipe")
    retried = [
        r.t_ms
        for r in run.iter_records("scenario.action")
        if r["action"] == "app retry" and r.t_ms > ended[0]
    ]
    late = [t for t in _uploads(run) if ended[0] < t < (retried or [run.duration_ms])[0]]
    if late:
        raise AssertionError(f"{len(late)} photos were sent after the swipe, before Retry")
    return every_album_uploaded(run)
