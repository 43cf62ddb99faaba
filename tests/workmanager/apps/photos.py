"""A photo backup app: uploads when the gallery changes (a content-URI trigger, 5 s update delay,
30 s max delay), on an unmetered Wi-Fi network given as a ``NetworkRequest``."""

from __future__ import annotations

from harness.app import current_app, open_database
from harness.platform import NetCapability, NetTransport, NetworkRequest
from harness.workmanager import (
    Constraints,
    CoroutineWorker,
    ExistingWorkPolicy,
    NetworkType,
    OneTimeWorkRequest,
    Result,
    WorkManager,
)

PACKAGE = "com.example.photos"
GALLERY = "content://media/external/images/media"


def log(outcome: str) -> None:
    """Append one line to the app's ``log.db`` (read by the tests)."""
    db = open_database("log.db")
    db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, outcome TEXT)")
    db.execute("INSERT INTO log (outcome) VALUES (?)", (outcome,))
    db.commit()


class BackupWorker(CoroutineWorker):
    """Logs the URIs that triggered it, then watches the gallery again."""

    async def do_work(self) -> Result:
        log(
            " ".join(self.triggered_content_uris)
            + " | "
            + ",".join(self.triggered_content_authorities)
        )
        enqueue_backup()
        return Result.success()


def enqueue_backup() -> None:
    constraints = (
        Constraints.builder()
        .add_content_uri_trigger(GALLERY, True)
        .set_trigger_content_update_delay("5s")
        .set_trigger_content_max_delay("30s")
        .set_required_network_request(
            NetworkRequest.builder()
            .add_capability(NetCapability.NET_CAPABILITY_NOT_METERED)
            .add_transport_type(NetTransport.TRANSPORT_WIFI)
            .build(),
            NetworkType.UNMETERED,
        )
        .build()
    )
    request = OneTimeWorkRequest.builder(BackupWorker).set_constraints(constraints).build()
    WorkManager.get_instance(current_app()).enqueue_unique_work(
        "backup", ExistingWorkPolicy.APPEND_OR_REPLACE, request
    )


def main() -> None:
    enqueue_backup()
