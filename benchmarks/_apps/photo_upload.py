"""A 15-minute periodic sync that uploads one 1 MB photo, a body of declared size (case g).

The photo is a :class:`harness.backends.SizedBody`: the device counts its megabyte (upload time,
transfer accounting, battery) and the server logs its size and digest, but no byte of it is
ever built, so a year of uploads costs the memory of a year of small requests.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from harness.app import current_app, http
from harness.backends import SizedBody
from harness.workmanager import (
    CoroutineWorker,
    ExistingPeriodicWorkPolicy,
    PeriodicWorkRequest,
    Result,
)

PACKAGE = "com.example.bench.photoupload"
URL = "https://api.example.com/photos"
#: The size of every photo (bytes).
PHOTO_BYTES = 1_000_000


class UploadWorker(CoroutineWorker):
    """One photo upload; a failure (offline, server error) is retried."""

    async def do_work(self) -> Result:
        photo = SizedBody(PHOTO_BYTES, content_type="image/jpeg", name="photo.jpg")
        try:
            response = await http.post(URL, content=photo)
        except httpx.TransportError:
            return Result.retry()
        return Result.success() if response.status_code == 201 else Result.retry()


def main() -> None:
    request = PeriodicWorkRequest.builder(UploadWorker, timedelta(minutes=15)).build()
    work_manager = current_app().work_manager
    assert work_manager is not None
    work_manager.enqueue_unique_periodic_work("upload", ExistingPeriodicWorkPolicy.KEEP, request)
