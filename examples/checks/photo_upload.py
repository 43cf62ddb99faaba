"""Custom checks for ``scenarios/photo_upload/`` (``custom: examples.checks.photo_upload:NAME``).

They read the app's actions (the photos taken), the user's opens, the system's ``ios.transfer``
records and the photos the server received, and state what a faithful iPhone does with a
background ``URLSession`` (Apple, URLSessionConfiguration.background(withIdentifier:)).
"""

from __future__ import annotations

from harness.scenario import CheckResult, RunView


def _result(name: str, passed: bool, message: str, details: tuple[str, ...] = ()) -> CheckResult:
    return CheckResult(name, f"custom: {__name__}:{name}", passed, message, details=details)


def _photos(run: RunView) -> list[tuple[int, str]]:
    """``(taken_ms, photo_id)`` of every photo the user took, in order."""
    return [
        (record.t_ms, str(photo_id))
        for record in run.iter_records("app.action")
        for photo_id in record.get("created_ids") or ()
    ]


def _received(run: RunView) -> dict[str, int]:
    """When the server first received each photo."""
    received: dict[str, int] = {}
    for backend in run.internet.backends:
        for resource in backend.resources.values():
            for upload in resource.uploads:
                for item_id in upload.item_ids:
                    received.setdefault(item_id, upload.t_ms)
    return received


def _opens(run: RunView) -> list[int]:
    return [r.t_ms for r in run.iter_records("scenario.action") if r["action"] == "open app"]


def _next_open(run: RunView, t_ms: int) -> int:
    return next((t for t in _opens(run) if t > t_ms), run.duration_ms)


def uploads_survive_suspension_and_system_kill(run: RunView) -> CheckResult:
    """Every photo taken in an app session before the one the user ended with a swipe reached
    the server before the user opened the app again: the system ran the upload while the app
    was suspended, or after it killed the app for memory."""
    swiped = next(
        (r.t_ms for r in run.iter_records("ios.app") if "force-quit" in str(r["reason"])),
        run.duration_ms,
    )
    last_session = max((t for t in _opens(run) if t < swiped), default=swiped)
    received = _received(run)
    late = [
        f"{photo_id} taken at t={taken}"
        for taken, photo_id in _photos(run)
        if taken < last_session
        and received.get(photo_id, run.duration_ms + 1) > _next_open(run, taken)
    ]
    if late:
        return _result(
            "uploads_survive_suspension_and_system_kill",
            False,
            f"{len(late)} photo(s) waited for the user to open the app",
            tuple(late),
        )
    return _result(
        "uploads_survive_suspension_and_system_kill",
        True,
        "every photo before the swipe reached the server with the app in the background",
    )


def swiped_away_upload_waits_for_the_user(run: RunView) -> CheckResult:
    """The swipe cancelled the upload under way (reason: the user force-quit the app); nothing
    reached the server and nothing launched the app until the user opened it; then the photo
    went."""
    name = "swiped_away_upload_waits_for_the_user"
    cancelled = [
        r.t_ms
        for r in run.iter_records("ios.transfer")
        if r["event"] == "cancelled" and "force-quit" in str(r.get("reason"))
    ]
    if not cancelled:
        return _result(name, False, "no transfer was cancelled by a force-quit")
    swiped = cancelled[0]
    reopened = _next_open(run, swiped)
    launches = [r.t_ms for r in run.iter_records("ios.launch") if swiped < r.t_ms < reopened]
    received = _received(run)
    taken_before = [photo_id for taken, photo_id in _photos(run) if taken < swiped]
    lost = [photo_id for photo_id in taken_before if photo_id not in received]
    arrived_early = [
        photo_id for photo_id in taken_before if swiped < received.get(photo_id, -1) < reopened
    ]
    pending = [
        photo_id
        for photo_id in taken_before
        if received.get(photo_id, run.duration_ms + 1) > swiped
    ]
    if launches or arrived_early or lost or not pending:
        return _result(
            name,
            False,
            f"after the swipe at t={swiped}: {len(launches)} background launch(es), "
            f"{len(arrived_early)} photo(s) uploaded before the user came back, "
            f"{len(lost)} never uploaded, {len(pending)} waiting for the user",
        )
    return _result(
        name,
        True,
        f"the swipe cancelled the upload of {', '.join(pending)}; it went once the user "
        f"opened the app (t={reopened})",
    )
