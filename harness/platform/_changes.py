"""Which device changes the job scheduler evaluates: only those that change what a verdict reads.

AOSP's controllers report a state change to ``JobSchedulerService.onControllerStateChanged``
only when a job's constraint really changed: ``BatteryController.maybeReportNewChargingStateLocked``
compares the charging and battery-not-low flags with the last ones; ``DeviceIdleJobsController``
acts on ``updateIdleMode`` only when the idle mode flips; ``QuotaController`` and
``BackgroundJobsController`` react to a uid's process state only when it enters or leaves the
foreground (TOP, active). A process going from CACHED to SERVICE (a job's service bound), a
battery percent, or a light-doze step between two states that both defer jobs change no job's
readiness, and the service posts no ``MSG_CHECK_CHANGED_JOBS`` for them.

A :class:`ChangeFilter` keeps, for each kind of device change that is mostly of that sort (a
process state, a battery reading, a doze step), the :func:`kind_key` of what a change of that
kind can alter among a verdict's inputs, as of the last change of that kind. An equal key means
the change altered no verdict input, so every verdict is the one the last evaluation (done or
queued) reached, and no evaluation is asked for. Every other change (network, idle, standby
bucket, uid, allowlists, battery-not-low, storage, boot) is evaluated as before.

A change is not evaluated either when the last evaluation read nothing it can alter. AOSP's
controllers report a change for the jobs whose constraint it changed
(``onControllerStateChanged(changedJobs)``), and the service re-checks only those
(``checkChangedJobListLocked``); a job that waits for its earliest start (``TimeController``:
``isReady`` fails on the timing delay before any other constraint is read) or for the device to
boot is decided by the clock and the power state alone. So while every job the last evaluation
checked was pending on one of those (:data:`POWER_AND_TIME`), a change that cannot power the
device on or off (:data:`NOT_POWER`) asks for none: each job's verdict, and so the service's
record, would be the one it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from harness.platform._decision import Blocker
from harness.platform._view import DeviceView

KindKey = tuple[object, ...]

#: Blockers that ``JobStatus.isReady`` decides from the power state and the clock alone: the
#: device is off, or the job's earliest start is later (read before any other input).
POWER_AND_TIME = frozenset({Blocker.DEVICE_OFF, Blocker.DELAY})

#: The kinds of change that cannot power the device on or off (a dead battery's reading can,
#: and so do boot and shutdown); ``doze_exit`` is ``DeviceIdleJobsController``'s delayed
#: ``PROCESS_BACKGROUND_JOBS``, which frees the jobs held after doze ended.
NOT_POWER = frozenset(
    {
        "allowlist",
        "battery_not_low",
        "battery_saver",
        "doze",
        "doze_exit",
        "idle",
        "network",
        "process",
        "restriction",
        "standby",
        "storage",
        "uid",
    }
)


def kind_key(
    what: str, device: DeviceView, packages: Callable[[], Iterable[str]]
) -> KindKey | None:
    """What a change named ``what`` (:class:`~._device_adapter.DeviceAdapter`'s names) can alter
    among the verdict inputs, for the ``packages()``; ``None`` for a change not filtered.

    A process state changes whether its app is on top (and with it, through ``ActiveUids``,
    whether its uid is active); a battery reading changes charging, power connected and battery
    not low (and a dead battery powers the device off); a doze step changes whether doze
    defers jobs or opens a maintenance window."""
    if what == "process":
        return tuple(
            (package, device.is_top(package), device.is_uid_active(package))
            for package in sorted(packages())
        )
    if what == "battery":
        return (
            device.powered_on,
            device.charging,
            device.power_connected,
            device.battery_not_low,
        )
    if what == "doze":
        return (device.doze,)
    return None


class ChangeFilter:
    """The last :func:`kind_key` seen for each filtered kind of change, and what the last
    evaluation read."""

    def __init__(self, device: DeviceView) -> None:
        self._device = device
        self._seen: dict[str, KindKey] = {}
        #: The kinds of change the last evaluation read nothing of.
        self._unread: frozenset[str] = frozenset()

    def evaluated(self, *, power_and_time_only: bool) -> None:
        """An evaluation ended; ``power_and_time_only``: no job was running and every job it
        checked was pending on a blocker in :data:`POWER_AND_TIME`."""
        self._unread = NOT_POWER if power_and_time_only else frozenset()

    def unchanged(self, what: str, packages: Callable[[], Iterable[str]]) -> bool:
        """Whether change ``what`` left every verdict input the last evaluation read as it was.

        For a filtered kind, its key is compared with the one at the last change of its kind
        (and kept): each input a filtered kind can alter changes only with a change of that
        kind, so an equal key means no verdict input differs from what the last evaluation
        asked for saw. Any other change, and a filtered one whose key moved, is unchanged only
        when it is of a kind the last evaluation read nothing of."""
        key = kind_key(what, self._device, packages)
        if key is not None:
            if self._seen.get(what) == key:
                return True
            self._seen[what] = key
        return what in self._unread
