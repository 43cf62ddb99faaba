"""Why a work was not running: the class of a ``job.deferred`` reason (or of an iOS task's wait),
and its colour.

JobScheduler's reasons are worded once, by ``harness.platform.describe`` (the words
``harness replay`` prints and ``World.why_not_running`` answers with); the report reads the
``reason`` field of ``job.deferred`` and sorts it by the prefix ``describe`` gives each
``Blocker``, so a picture can colour the waiting band by what held the work back.
"""

from __future__ import annotations

import enum
from typing import Final


class ReasonClass(enum.Enum):
    """What kept a due work from running, as a user groups JobScheduler's reasons."""

    #: a constraint of the work is unmet (network, charging, battery not low, storage, idle)
    CONSTRAINT = "constraint"
    #: doze (deep or light) deferred it to a maintenance window, or doze just ended
    DOZE = "doze"
    #: the standby bucket's quota, batching of a non-active app, or the NEVER bucket
    QUOTA = "quota"
    #: battery saver paused background jobs
    SAVER = "saver"
    #: the initial delay, the period or the backoff after a retry has not passed
    BACKOFF = "backoff"
    #: the app was force-stopped or restricted: its process cannot start
    FORCE_STOP = "force-stop"
    #: iOS: Background App Refresh off (globally or for the app) or Low Power Mode
    REFRESH_OFF = "refresh off"
    #: iOS: the modelled launch policy (the predicted app open, the daily budget; docs/ios.md)
    LAUNCH_POLICY = "launch policy"
    #: anything else (the device off, no free job slot, not scheduled; on iOS no request, the
    #: first unlock, the app in the foreground)
    OTHER = "other"


#: ``describe``'s prefixes (harness/platform/_decision.py), first match wins.
_PREFIXES: Final = (
    ("constraint unmet", ReasonClass.CONSTRAINT),
    ("doze", ReasonClass.DOZE),
    ("out of quota", ReasonClass.QUOTA),
    ("batching", ReasonClass.QUOTA),
    ("app is in the NEVER standby bucket", ReasonClass.QUOTA),
    ("battery saver", ReasonClass.SAVER),
    ("waiting until", ReasonClass.BACKOFF),
    ("the app's process cannot start", ReasonClass.FORCE_STOP),
    ("the user restricted", ReasonClass.FORCE_STOP),
    # iOS (harness/report/_iosfold.py words them)
    ("force-quit", ReasonClass.FORCE_STOP),
    ("Low Power Mode", ReasonClass.REFRESH_OFF),
    ("Background App Refresh off", ReasonClass.REFRESH_OFF),
    ("launch policy", ReasonClass.LAUNCH_POLICY),
    ("earliestBeginDate", ReasonClass.BACKOFF),
    ("waiting for idle", ReasonClass.CONSTRAINT),
    # iOS background transfers (harness/report/_iosfold_transfers.py words them)
    ("waiting for connectivity", ReasonClass.CONSTRAINT),
    ("cellular access not allowed", ReasonClass.CONSTRAINT),
    ("discretionary", ReasonClass.CONSTRAINT),
)

#: The band colour of each class (also the legend's).
REASON_COLOURS: Final = {
    ReasonClass.CONSTRAINT: "#e67e22",
    ReasonClass.DOZE: "#5b5ea6",
    ReasonClass.QUOTA: "#c0392b",
    ReasonClass.SAVER: "#d4ac0d",
    ReasonClass.BACKOFF: "#95a5a6",
    ReasonClass.FORCE_STOP: "#6d214f",
    ReasonClass.REFRESH_OFF: "#b9770e",
    ReasonClass.LAUNCH_POLICY: "#48c9b0",
    ReasonClass.OTHER: "#7f8c8d",
}


def reason_class(reason: str) -> ReasonClass:
    """The class of a ``job.deferred`` reason (``"doze: deferred to the next maintenance
    window"`` is :attr:`ReasonClass.DOZE`)."""
    for prefix, kind in _PREFIXES:
        if reason.startswith(prefix):
            return kind
    return ReasonClass.OTHER
