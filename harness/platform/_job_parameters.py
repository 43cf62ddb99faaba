"""``android.app.job.JobParameters``: what JobScheduler tells a ``JobService`` about a run.

Only the stop reason is modelled (``JobParameters.getStopReason``, API 31): JobScheduler's own
numbers; a library above (WorkManager) converts them to its own names.
"""

from __future__ import annotations

import enum


class JobStopReason(enum.IntEnum):
    """``JobParameters.STOP_REASON_*``: why JobScheduler stopped a running job
    (``JobParameters.getStopReason``, API 31)."""

    STOP_REASON_UNDEFINED = 0  # no specific reason
    STOP_REASON_CANCELLED_BY_APP = 1  # the app cancelled (or rescheduled) the job
    STOP_REASON_PREEMPT = 2  # a higher-priority job took the slot
    STOP_REASON_TIMEOUT = 3  # the job ran past its execution limit
    STOP_REASON_DEVICE_STATE = 4  # the device state changed (doze, battery saver)
    STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW = 5  # the battery fell low
    STOP_REASON_CONSTRAINT_CHARGING = 6  # the device stopped charging
    STOP_REASON_CONSTRAINT_CONNECTIVITY = 7  # the required network was lost
    STOP_REASON_CONSTRAINT_DEVICE_IDLE = 8  # the device left idle
    STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW = 9  # storage fell low
    STOP_REASON_QUOTA = 10  # the app's standby-bucket quota ran out
    STOP_REASON_BACKGROUND_RESTRICTION = 11  # the user restricted the app's background work
    STOP_REASON_APP_STANDBY = 12  # the app went into a restrictive standby bucket
    STOP_REASON_USER = 13  # the user stopped the app (force-stop, pm clear)
    STOP_REASON_SYSTEM_PROCESSING = 14  # the system needed the resources
    STOP_REASON_ESTIMATED_APP_LAUNCH_TIME_CHANGED = 15  # the predicted app launch moved
