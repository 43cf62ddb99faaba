"""Photo upload through a background ``URLSession`` (an iOS app; Apple's pattern).

The user takes a photo (``app take_photo``): it is written to the app's outbox first, then handed
to a background session (``URLSessionConfiguration.background``), whose upload the *system* runs:
it goes on while the app is suspended and after iOS kills the app for memory, and iOS resumes or
relaunches the app in the background to tell it (``ios_handle_events_for_background_url_session``,
then the session delegate, then ``did_finish_events``, where the app calls the completion
handler). The session is recreated at every launch with the same identifier, so a relaunched
process hears of the uploads its predecessor started.

A swipe in the app switcher is different: iOS cancels every background transfer of the app and
does not relaunch it; the cancellation (``NSURLErrorCancelled``, reason
``USER_FORCE_QUIT_APPLICATION``) reaches the delegate when the user opens the app again, and the
app sends the photo again then, since it is still in the outbox (the users' complaint "the
upload stops when I swipe the app away", ``scenarios/photo_upload/swiped_mid_upload.yaml``).

The photo is a JSON body (``{"id", "jpeg"}``, :data:`PHOTO_BYTES` of image data) posted to the
``/photos`` collection, so the server records which photo arrived and when.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from harness.app import current_app, open_database
from harness.ios import (
    AppInfo,
    Launch,
    URLError,
    URLSession,
    URLSessionConfiguration,
    URLSessionDelegate,
    URLSessionTask,
)

PACKAGE = "com.example.photos"
SESSION_ID = "com.example.photos.upload"
PHOTOS_URL = "https://api.example.com/photos"
#: The size of a photo's image data (a 12 MP JPEG is a few MB; a resized one is this).
PHOTO_BYTES = 1_500_000
#: The Info.plist: no BGTaskScheduler identifiers are needed for background URLSession.
IOS_APP_INFO = AppInfo()

#: handleEventsForBackgroundURLSession's completion handlers, by session identifier, until
#: didFinishEvents calls them (Apple: "store this handler wherever it makes sense").
_completions: dict[str, Callable[[], None]] = {}


def _outbox() -> sqlite3.Connection:
    db = open_database("photos.db")
    db.execute("CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, taken_ms INTEGER)")
    db.commit()
    return db


def _session() -> URLSession:
    """The background session (created again by every process: same identifier, same
    delegate, so the system hands it the events of the uploads started before)."""
    ios = current_app().ios
    if ios is None:
        raise RuntimeError(f"{__name__} is an iOS app: run it with device: iphone-like")
    return ios.url_session(
        PACKAGE,
        URLSessionConfiguration.background(SESSION_ID),
        URLSessionDelegate(did_complete=_did_complete, did_finish_events=_did_finish_events),
    )


def _upload(photo_id: str) -> None:
    body = json.dumps({"id": photo_id, "jpeg": "A" * PHOTO_BYTES}).encode()
    task = _session().upload_task(
        PHOTOS_URL,
        body,
        headers={"content-type": "application/json", "x-photo-id": photo_id},
    )
    task.resume()


def take_photo() -> str:
    """The user takes a photo: in the outbox first, then uploaded by the system."""
    photo_id = f"photo-{current_app().sim.now_ms}"
    db = _outbox()
    with db:
        db.execute(
            "INSERT INTO outbox (id, taken_ms) VALUES (?, ?)", (photo_id, current_app().sim.now_ms)
        )
    _upload(photo_id)
    return photo_id


ACTIONS = {"take_photo": take_photo}


def _did_complete(task: URLSessionTask, error: URLError | None) -> None:
    """``didCompleteWithError``: an answered upload leaves the outbox; a cancelled one (a
    force-quit) or a timed-out one is sent again, the photo being still in the outbox."""
    photo_id = task.headers["x-photo-id"]
    if error is None and task.response is not None and task.response.status_code in (200, 201):
        db = _outbox()
        with db:
            db.execute("DELETE FROM outbox WHERE id = ?", (photo_id,))
        return
    _upload(photo_id)


def _did_finish_events(session: URLSession) -> None:
    """``urlSessionDidFinishEvents``: every event delivered; tell iOS (it may suspend us)."""
    completion = _completions.pop(session.identifier, None)
    if completion is not None:
        completion()


def ios_handle_events_for_background_url_session(
    identifier: str, completion: Callable[[], None]
) -> None:
    """``application(_:handleEventsForBackgroundURLSession:completionHandler:)``."""
    _completions[identifier] = completion


def ios_did_finish_launching(_launch: Launch) -> None:
    """Every process start, user or background: recreate the session (Apple: "as part of your
    launch time setup")."""
    _session()


async def main() -> None:
    """The user opened the app: nothing to start (the session exists since launch)."""
