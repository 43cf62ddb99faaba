"""``ActiveUids``: whether each app's uid is active or idle (ActivityManager's uid idle state).

An app's uid is *active* while one of its processes is in a foreground process state (here:
TOP) and for ``BACKGROUND_SETTLE_TIME`` after it went back to the background; then it is *idle*.
AOSP (``OomAdjuster.updateUidsLSP``, ``ActivityManagerService.idleUids`` and
``makePackageIdle``, ``ActivityManagerConstants.DEFAULT_BACKGROUND_SETTLE_TIME`` = 60 s):

* a uid comes into being idle with its first process (``new UidRecord``: ``mIdle = true``), so
  a process started for a job or a broadcast leaves it idle;
* a process state out of the background (``!isProcStateBackground``: TOP) makes it active
  (``CHANGE_ACTIVE``) and clears its last background time;
* back in the background its last background time is set, and ``IDLE_UIDS_MSG`` is posted
  ``BACKGROUND_SETTLE_TIME`` later unless one is already pending (one message for every uid);
  ``idleUids`` idles each uid in the background for at least the settle time
  (``doStopUidLocked``: ``CHANGE_IDLE``) and posts the message again for the earliest other;
* when its last process dies the uid is gone (``onUidGone``): no longer active;
* ``am make-uid-idle PKG`` (``ActivityManagerShellCommand.runMakeIdle`` ->
  ``makePackageIdle``) idles at once a uid of the package that is in the background and not yet
  idle (``bgTime > 0 && !uidRec.isIdle()``); an app on top, or one already idle, is unchanged.

What reads it (``changed`` fires when a uid goes idle): ``AppStateTrackerImpl.isUidActive``
(``mActiveUids``, kept by ``onUidActive``/``onUidIdle``/``onUidGone``), which exempts an active
uid from ``areJobsRestricted`` (background restriction and battery saver), and
``DeviceIdleJobsController.setUidActiveLocked`` (the jobs of active uids are re-evaluated at once
when doze ends). Not modelled: a uid on the temp power allowlist counts as in the foreground
(``UidRecord.isCurAllowListed``), and the stopping of started background services
(``ActiveServices.stopInBackgroundLocked``): the simulated apps run no started services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from harness.device._apps import Apps
from harness.device._process import ProcessState, ProcessStateChange
from harness.device._timer import Timer
from harness.sim import Signal, Simulation

#: ``ActivityManagerConstants.DEFAULT_BACKGROUND_SETTLE_TIME``: how long a uid stays active
#: after its app left the foreground.
BACKGROUND_SETTLE_TIME_MS: Final = 60_000


@dataclass(eq=False, slots=True)
class _Uid:
    active: bool = False  # ! UidRecord.isIdle()
    #: ``UidRecord.getLastBackgroundTime()`` (AOSP's 0 is ``None``): when it went to the background
    background_since_ms: int | None = None


class ActiveUids:
    """The active/idle state of every installed app's uid on one device."""

    def __init__(self, sim: Simulation, apps: Apps) -> None:
        self._sim = sim
        self._apps = apps
        self._uids: dict[str, _Uid] = {}
        self._idle_uids_msg = Timer(sim, self._idle_uids)
        #: A uid went idle (the package's name): its jobs may be restricted now.
        self.changed: Signal[str] = Signal("device.uid")
        apps.state_changed.connect(self._on_state)

    def is_active(self, package: str) -> bool:
        """Whether ``package``'s uid is active: its app is on top, or left the foreground less
        than ``BACKGROUND_SETTLE_TIME`` ago (and was not made idle since)."""
        state = self._apps.state(package)
        if state is ProcessState.TOP:
            return True
        uid = self._uids.get(package)
        return uid is not None and uid.active and state is not ProcessState.NONEXISTENT

    def make_idle(self, package: str) -> bool:
        """``ActivityManagerService.makePackageIdle``: idle ``package``'s uid now if it is in the
        background and not idle yet; whether it changed."""
        uid = self._uids.get(package)
        if uid is None or not uid.active or uid.background_since_ms is None:
            return False
        if not self._apps.is_running(package):
            return False
        self._set_idle(package, uid)
        return True

    def _on_state(self, change: ProcessStateChange) -> None:
        uid = self._uids.setdefault(change.package, _Uid())
        if change.state is ProcessState.NONEXISTENT:
            uid.active = False  # onUidGone: the next process starts a new, idle UidRecord
            uid.background_since_ms = None
        elif change.state is ProcessState.TOP:
            uid.active = True
            uid.background_since_ms = None
        elif uid.active and uid.background_since_ms is None:
            # back in the background: last background time = now; one IDLE_UIDS_MSG for all
            uid.background_since_ms = self._sim.now_ms
            if self._idle_uids_msg.due_ms is None:
                self._idle_uids_msg.set_after(BACKGROUND_SETTLE_TIME_MS)

    def _idle_uids(self) -> None:
        """``ActivityManagerService.idleUids``: idle every uid in the background for at least
        the settle time; post the message again for the earliest of the others."""
        now = self._sim.now_ms
        earliest: int | None = None
        for package, uid in list(self._uids.items()):  # listeners may start other processes
            since = uid.background_since_ms
            if since is None or not uid.active:
                continue
            if since + BACKGROUND_SETTLE_TIME_MS <= now:
                self._set_idle(package, uid)
            elif earliest is None or since < earliest:
                earliest = since
        if earliest is not None:
            self._idle_uids_msg.set_at(earliest + BACKGROUND_SETTLE_TIME_MS)

    def _set_idle(self, package: str, uid: _Uid) -> None:
        uid.active = False  # the last background time stays set, as UidRecord's does
        self.changed.emit(package)
