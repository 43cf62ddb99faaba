"""Album upload on an iPhone with a continued-processing task (iOS 26).

The user picks photos and taps Upload (``app upload N``): the app submits a
``BGContinuedProcessingTaskRequest`` (Apple's "Performing long-running tasks on iOS and iPadOS"):
iOS starts it at once, shows it in a Live Activity and lets it go on when the user leaves the
app. Each photo is encoded (a few seconds) and sent (``POST /photos``); after each one the task
reports progress, as iOS requires ("Tasks that appear stalled may be forcibly expired"). The
job's next photo is kept in the app's preferences, so an expired, cancelled or killed upload
resumes where it stopped when the user taps Retry (``app retry``), with no photo sent twice.

``app upload_now N`` submits with the ``.fail`` strategy: when the phone already runs as many
continued-processing tasks as it allows, ``submit`` throws ``immediateRunIneligible`` (code 4)
and the app keeps the job for a later Retry (``.queue``, the default, would wait instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx

from harness.app import SharedPreferences, current_app, http
from harness.ios import (
    AppInfo,
    BGContinuedProcessingTask,
    BGContinuedProcessingTaskRequest,
    BGTask,
    BGTaskSchedulerError,
    BGTaskSchedulerErrorCode,
    Launch,
    SubmissionStrategy,
)

PACKAGE = "com.example.albumupload"
PHOTOS_URL = "https://api.example.com/photos"
#: ``<bundle id>.<context>.*``: the wildcard continued-processing identifiers need.
UPLOAD_WILDCARD = f"{PACKAGE}.upload.*"
#: The Info.plist: the wildcard in BGTaskSchedulerPermittedIdentifiers.
IOS_APP_INFO = AppInfo(permitted_identifiers=(UPLOAD_WILDCARD,))
#: Seconds to encode one photo before it is sent.
ENCODE_S = 4
#: Seconds to wait before sending a photo again after a network error.
RETRY_S = 5


def main() -> None:
    """Nothing runs at launch: uploads start when the user taps Upload."""


def ios_did_finish_launching(_launch: Launch) -> None:
    """Register the upload handler for the wildcard: it serves every job's identifier."""
    ios = current_app().ios
    assert ios is not None
    ios.scheduler(PACKAGE).register(UPLOAD_WILDCARD, on_upload)


async def _jobs(prefs: SharedPreferences) -> dict[str, list[int]]:
    """Every job not finished: ``{job: [next photo, photo count]}``."""
    raw = prefs.get_string("jobs")
    return {} if raw is None else dict(json.loads(raw))


async def _save(prefs: SharedPreferences, jobs: dict[str, list[int]]) -> None:
    await prefs.set_string("jobs", json.dumps(jobs, sort_keys=True))


def _submit(job: str, count: int, strategy: SubmissionStrategy) -> bool:
    """Ask iOS to run the job now (or queue it); ``False`` when iOS refuses."""
    ios = current_app().ios
    assert ios is not None
    request = BGContinuedProcessingTaskRequest(
        f"{PACKAGE}.upload.{job}",
        title=f"Uploading {count} photos",
        subtitle="About to start...",
        strategy=strategy,
    )
    try:
        ios.scheduler(PACKAGE).submit(request)
    except BGTaskSchedulerError as error:
        # immediateRunIneligible (4) under .fail: the phone is busy; the job waits for Retry
        if error.code is not BGTaskSchedulerErrorCode.IMMEDIATE_RUN_INELIGIBLE:
            raise
        return False
    return True


async def upload(count: str, strategy: SubmissionStrategy = SubmissionStrategy.QUEUE) -> bool:
    """The user picks ``count`` photos and taps Upload."""
    prefs = await SharedPreferences.get_instance()
    number = (prefs.get_int("last_job") or 0) + 1
    await prefs.set_int("last_job", number)
    job = f"job{number}"
    jobs = await _jobs(prefs)
    jobs[job] = [0, int(count)]
    await _save(prefs, jobs)
    return _submit(job, int(count), strategy)


async def upload_now(count: str) -> bool:
    """Upload, but only if iOS can start it right away (``.fail``)."""
    return await upload(count, SubmissionStrategy.FAIL)


async def retry() -> None:
    """The user taps Retry: every unfinished job not running is submitted again (queued)."""
    ios = current_app().ios
    assert ios is not None
    prefs = await SharedPreferences.get_instance()
    running = {task.identifier for task in ios.continued.running(PACKAGE)}
    for job, (_next, count) in sorted((await _jobs(prefs)).items()):
        if f"{PACKAGE}.upload.{job}" not in running:
            _submit(job, count, SubmissionStrategy.QUEUE)


ACTIONS = {"upload": upload, "upload_now": upload_now, "retry": retry}


def on_upload(task: BGTask) -> object:
    """The continued-processing task: send the job's photos, reporting progress after each."""
    assert isinstance(task, BGContinuedProcessingTask)
    job = task.identifier.rsplit(".", 1)[1]
    stop = asyncio.Event()
    task.expiration_handler = stop.set  # the user cancelled, or iOS expired it

    async def run() -> None:
        prefs = await SharedPreferences.get_instance()
        jobs = await _jobs(prefs)
        next_photo, count = jobs.get(job, [0, 0])
        task.progress.total_unit_count = count
        task.progress.completed_unit_count = next_photo
        while next_photo < count and not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), ENCODE_S)
            if stop.is_set():
                break
            try:
                response = await http.post(PHOTOS_URL, json={"id": f"{job}-{next_photo}"})
            except httpx.TransportError:
                response = None
            if response is None or response.status_code != 201:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RETRY_S)
                continue
            next_photo += 1
            jobs = await _jobs(prefs)
            jobs[job] = [next_photo, count]
            if next_photo >= count:
                del jobs[job]
            await _save(prefs, jobs)
            task.progress.completed_unit_count = next_photo
            task.update_title(task.title, f"{next_photo} of {count} sent")
        task.set_task_completed(success=next_photo >= count)

    return run()
