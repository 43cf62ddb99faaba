"""``RescheduleReceiver``: after a reboot, WorkManager reschedules its unfinished work.

androidx ``impl/background/systemalarm/RescheduleReceiver``: a manifest receiver for
``BOOT_COMPLETED`` (and time changes), enabled while the app has unfinished work
(``PackageManagerHelper.setComponentEnabled``). Its broadcast starts the app's process, and
WorkManager's start-up (``ForceStopRunnable``) reschedules every unfinished work because the
receiver marked a reschedule as needed (``Preferences.setNeedsReschedule``).
"""

from __future__ import annotations

from harness.workmanager._database import WorkDatabase


def reschedule_on_boot(database: WorkDatabase) -> bool:
    """``RescheduleReceiver.onReceive(BOOT_COMPLETED)``: mark a reschedule as needed if the app
    has unfinished work; ``True`` if the receiver is enabled (the app's process is to start)."""
    if not database.work_spec_dao.get_all_unfinished_work():
        return False
    database.mark_reschedule_needed()
    return True
