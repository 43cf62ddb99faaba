"""The closed sets of androidx.work, with Android's names and database values verbatim.

Each enum's values are what WorkManager's Room ``WorkTypeConverters`` store in its database
(ordinals), so a database written here reads like one pulled off a phone. ``StopReason`` carries
the exact ``WorkInfo.STOP_REASON_*`` constants (``W/WorkInfo.kt``), which mirror
``JobParameters.STOP_REASON_*`` for values >= 0.
"""

from __future__ import annotations

import enum
from typing import Final


class State(enum.IntEnum):
    """``WorkInfo.State``; the value is the ordinal Room stores (``W/WorkInfo.kt``)."""

    ENQUEUED = 0  # waiting for its time and constraints; the scheduler may start it
    RUNNING = 1  # a worker is executing it right now
    SUCCEEDED = 2  # finished: the worker returned Result.success() (one-time work only)
    FAILED = 3  # finished: Result.failure(), a raising worker, or a failed prerequisite
    BLOCKED = 4  # waiting for its prerequisites in a chain to succeed
    CANCELLED = 5  # finished: cancelled by the app, or a prerequisite was cancelled

    @property
    def is_finished(self) -> bool:
        """SUCCEEDED, FAILED or CANCELLED: the state can no longer change (``W/WorkInfo.kt``)."""
        return self in FINISHED


#: The states a work can no longer leave (:meth:`State.is_finished`).
FINISHED: Final = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})


class BackoffPolicy(enum.IntEnum):
    """How the delay before a retry grows with the attempt count (``W/BackoffPolicy.kt``)."""

    EXPONENTIAL = 0  # delay * 2^(attempt - 1), capped at 5 h (the default)
    LINEAR = 1  # delay * attempt, capped at 5 h


class NetworkType(enum.IntEnum):
    """The network a request needs (``W/NetworkType.kt``); value = Room ordinal."""

    NOT_REQUIRED = 0  # runs with or without a network
    CONNECTED = 1  # any validated network (API 26+: Android checked it reaches the internet)
    UNMETERED = 2  # connected to a network that is not metered (typically Wi-Fi)
    NOT_ROAMING = 3  # connected and not roaming
    METERED = 4  # connected to a metered network (typically cellular)
    TEMPORARILY_UNMETERED = 5  # a metered network the carrier made free for now (API 30+)


class OutOfQuotaPolicy(enum.IntEnum):
    """What an expedited request does when the app has no expedited quota left."""

    RUN_AS_NON_EXPEDITED_WORK_REQUEST = 0  # run it as a regular job instead
    DROP_WORK_REQUEST = 1  # do not schedule it (the row stays ENQUEUED)


class ExistingWorkPolicy(enum.IntEnum):
    """What ``enqueue_unique_work`` does when work with the name exists (``EnqueueRunnable.kt``)."""

    REPLACE = 0  # cancel and delete the existing chain, then enqueue the new work
    KEEP = 1  # do nothing if a record is ENQUEUED or RUNNING, else replace
    APPEND = 2  # make the new work depend on the chain's leaves
    APPEND_OR_REPLACE = 3  # append, but start a fresh chain if a leaf FAILED or was CANCELLED


class ExistingPeriodicWorkPolicy(enum.IntEnum):
    """What ``enqueue_unique_periodic_work`` does when the name exists (``WorkManagerImpl``)."""

    REPLACE = 0  # deprecated alias of CANCEL_AND_REENQUEUE
    KEEP = 1  # keep the existing periodic work if it is ENQUEUED or RUNNING
    UPDATE = 2  # update the existing work in place: same id, generation + 1 (2.8+)
    CANCEL_AND_REENQUEUE = 3  # cancel the existing work and enqueue the new one (new id)


class UpdateResult(enum.IntEnum):
    """``WorkManager.UpdateResult``: how an update was applied (``W/impl/WorkerUpdater.kt``)."""

    NOT_APPLIED = 0  # the work had already finished; nothing changed
    APPLIED_IMMEDIATELY = 1  # the work was not running; the update governs its next run
    APPLIED_FOR_NEXT_RUN = 2  # a worker is running; it finishes its run, the update applies after


class StopReason(enum.IntEnum):
    """``WorkInfo.STOP_REASON_*``: why a running worker was stopped (``W/WorkInfo.kt``)."""

    STOP_REASON_UNKNOWN = -512  # stopped for an unknown reason (also: found RUNNING at app start)
    STOP_REASON_NOT_STOPPED = -256  # the worker has not been stopped
    STOP_REASON_FOREGROUND_SERVICE_TIMEOUT = -128  # the foreground service timed out (2.10+)
    STOP_REASON_UNDEFINED = 0  # JobScheduler gave no reason (passed through on API 31+)
    STOP_REASON_CANCELLED_BY_APP = 1  # the app cancelled the work
    STOP_REASON_PREEMPT = 2  # the job was preempted by a higher-priority job
    STOP_REASON_TIMEOUT = 3  # the job ran past its execution limit (10 min, 3 min expedited)
    STOP_REASON_DEVICE_STATE = 4  # the device state changed (e.g. doze began)
    STOP_REASON_CONSTRAINT_BATTERY_NOT_LOW = 5  # the battery fell low
    STOP_REASON_CONSTRAINT_CHARGING = 6  # the device stopped charging
    STOP_REASON_CONSTRAINT_CONNECTIVITY = 7  # the required network was lost
    STOP_REASON_CONSTRAINT_DEVICE_IDLE = 8  # the device left idle
    STOP_REASON_CONSTRAINT_STORAGE_NOT_LOW = 9  # storage fell low
    STOP_REASON_QUOTA = 10  # the app's standby-bucket job quota ran out
    STOP_REASON_BACKGROUND_RESTRICTION = 11  # the user restricted the app's background work
    STOP_REASON_APP_STANDBY = 12  # the app went into a restrictive standby bucket
    STOP_REASON_USER = 13  # the user stopped the job (e.g. from the task manager)
    STOP_REASON_SYSTEM_PROCESSING = 14  # the system needed the resources
    STOP_REASON_ESTIMATED_APP_LAUNCH_TIME_CHANGED = 15  # the predicted app launch moved

    @classmethod
    def from_value(cls, value: int) -> StopReason:
        """The member for ``value``; an unknown value is UNKNOWN (``SystemJobService`` mapping)."""
        try:
            return cls(value)
        except ValueError:
            return cls.STOP_REASON_UNKNOWN


# Members a work run reads on every step, as module globals for the modules that import them:
# an enum member read as a class attribute costs about three times a global's on Python 3.11.
ENQUEUED: Final = State.ENQUEUED
RUNNING: Final = State.RUNNING
NOT_STOPPED: Final = StopReason.STOP_REASON_NOT_STOPPED
