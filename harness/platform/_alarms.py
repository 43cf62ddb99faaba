"""``AlarmManagerService``: the alarms apps set (``AlarmManager``), delivered in virtual time.

AOSP ``apex/jobscheduler/service/java/com/android/server/alarm/AlarmManagerService.java``, the
part a background-fetch library uses:

* ``set``/``setExact``/``setRepeating`` (``RTC_WAKEUP``): the alarm wakes the device at its
  trigger time; ``setRepeating`` is inexact since API 19 (a window of 75 % of the interval,
  ``AlarmManager.WINDOW_HEURISTIC``) and delivered here at the window's start, then one interval
  later (missed repeats collapse into one delivery: ``count = 1 + (now - when) / interval``);
* doze: while the device is in deep idle (light idle holds jobs and network, not alarms), an
  alarm without ``ALLOW_WHILE_IDLE`` waits until idle ends or a maintenance window opens
  (``mPendingIdleUntil`` / ``deliverPendingBackgroundAlarms``);
  ``setAndAllowWhileIdle`` and ``setExactAndAllowWhileIdle`` fire in idle (their per-app quota,
  72 per hour since Android 12, is not modelled: far above what a fetch app asks for);
* ``canScheduleExactAlarms`` (API 31+): granted on Android 12 and 13; denied by default on
  Android 14 for apps targeting API 33+ that do not declare ``USE_EXACT_ALARM`` (the simulated
  apps do not; :attr:`AlarmManagerService.exact_alarms_denied_from_version`);
* a force-stop or ``pm clear`` cancels the package's alarms (``ACTION_PACKAGE_RESTARTED``), and
  a reboot drops every alarm (alarms are never persisted).

A delivery starts the app's process if needed (a broadcast to its receiver), records
``alarm.fired`` and calls the receiver the app registered by name.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from harness.platform._client import ProcessStarter
from harness.platform._view import DeviceView, DozeState
from harness.platform._wakeup import WakeupTimer
from harness.sim import Signal, Simulation

#: ``AlarmManager.WINDOW_HEURISTIC``: an inexact alarm may be delivered up to 75 % of its
#: interval late.
WINDOW_FRACTION_PERCENT: Final = 75


class AlarmKind(enum.Enum):
    """Which ``AlarmManager`` call set the alarm."""

    SET = "set"  # inexact since API 19
    SET_EXACT = "setExact"  # exact; waits in doze
    SET_REPEATING = "setRepeating"  # inexact repeating since API 19
    SET_AND_ALLOW_WHILE_IDLE = "setAndAllowWhileIdle"  # inexact; fires in doze
    SET_EXACT_AND_ALLOW_WHILE_IDLE = "setExactAndAllowWhileIdle"  # exact; fires in doze


@dataclass(frozen=True, slots=True)
class Alarm:
    """One pending alarm (an ``RTC_WAKEUP`` ``PendingIntent`` broadcast to ``receiver``)."""

    package: str
    #: The ``PendingIntent``'s identity (its intent action): setting the same tag again replaces.
    tag: str
    #: The receiver class the broadcast goes to (registered with :meth:`register_receiver`).
    receiver: str
    kind: AlarmKind
    trigger_ms: int
    #: ``setRepeating``'s interval (0: a one-shot alarm).
    interval_ms: int = 0

    @property
    def allow_while_idle(self) -> bool:
        """Whether the alarm fires in doze (``FLAG_ALLOW_WHILE_IDLE``)."""
        return self.kind in (
            AlarmKind.SET_AND_ALLOW_WHILE_IDLE,
            AlarmKind.SET_EXACT_AND_ALLOW_WHILE_IDLE,
        )


Receiver = Callable[[Alarm], None]


class AlarmManagerService:
    """The alarms of one simulated device."""

    def __init__(
        self, sim: Simulation, device: DeviceView, *, deep_idle: Callable[[], bool] | None = None
    ) -> None:
        """``deep_idle()`` tells whether doze is in deep idle (light idle does not hold alarms:
        only deep idle sets ``AlarmManager.setIdleUntil``); default: the view's doze is IDLE."""
        self.sim = sim
        self.device = device
        self._deep_idle = deep_idle or (lambda: device.doze is DozeState.IDLE)
        self._alarms: dict[tuple[str, str], Alarm] = {}
        self._receivers: dict[str, Receiver] = {}
        self.process_starter: ProcessStarter | None = None
        #: Android 14+ apps without ``USE_EXACT_ALARM``: ``canScheduleExactAlarms`` is false.
        self.exact_alarms_denied_from_version = 14
        #: An alarm was delivered (the binding counts the device wake-up).
        self.fired: Signal[Alarm] = Signal("platform.alarm_fired")
        self._timer = WakeupTimer(sim, self._deliver_due)
        device.changed.connect(lambda _what: self._arm())

    def register_receiver(self, receiver: str, callback: Receiver) -> None:
        """The app's ``BroadcastReceiver`` class ``receiver`` (one per name, for every app)."""
        self._receivers[receiver] = callback

    def can_schedule_exact_alarms(self, package: str) -> bool:
        """``AlarmManager.canScheduleExactAlarms`` (API 31+; always true before)."""
        del package
        return self.device.platform_version < self.exact_alarms_denied_from_version

    def set(self, alarm: Alarm) -> None:
        """Set ``alarm``, replacing a pending one with the same package and tag."""
        self._alarms[(alarm.package, alarm.tag)] = alarm
        self.sim.record(
            "alarm.set",
            package=alarm.package,
            tag=alarm.tag,
            call=alarm.kind.value,
            trigger_ms=alarm.trigger_ms,
            interval_ms=alarm.interval_ms,
        )
        self._arm()

    def cancel(self, package: str, tag: str) -> None:
        """``AlarmManager.cancel(PendingIntent)``."""
        if self._alarms.pop((package, tag), None) is not None:
            self.sim.record("alarm.cancelled", package=package, tag=tag, reason="cancelled by app")
            self._arm()

    def cancel_all(self, package: str, *, reason: str) -> None:
        """Every alarm of ``package`` goes (a force-stop, ``pm clear``)."""
        for key in [key for key in self._alarms if key[0] == package]:
            del self._alarms[key]
            self.sim.record("alarm.cancelled", package=package, tag=key[1], reason=reason)
        self._arm()

    def drop_all(self, *, reason: str) -> None:
        """A shutdown: alarms do not survive a reboot."""
        for package, tag in sorted(self._alarms):
            self.sim.record("alarm.cancelled", package=package, tag=tag, reason=reason)
        self._alarms.clear()
        self._arm()

    def pending(self, package: str) -> list[Alarm]:
        """The package's pending alarms, by tag."""
        return [alarm for key, alarm in sorted(self._alarms.items()) if key[0] == package]

    # --- delivery ---------------------------------------------------------------------------

    def _deliverable(self, alarm: Alarm) -> bool:
        if not self.device.powered_on:
            return False
        return alarm.allow_while_idle or not self._deep_idle()

    def _arm(self) -> None:
        now = self.sim.now_ms
        due = [a.trigger_ms for a in self._alarms.values() if self._deliverable(a)]
        if not due:
            self._timer.arm(None)
            return
        # an alarm already due (it waited for doze to end) goes out at once
        self._timer.arm(max(min(due), now))

    def _deliver_due(self) -> None:
        now = self.sim.now_ms
        for key, alarm in sorted(
            self._alarms.items(), key=lambda item: (item[1].trigger_ms, item[0])
        ):
            if alarm.trigger_ms > now or not self._deliverable(alarm):
                continue
            if alarm.interval_ms > 0:
                count = 1 + (now - alarm.trigger_ms) // alarm.interval_ms
                self._alarms[key] = replace(
                    alarm, trigger_ms=alarm.trigger_ms + count * alarm.interval_ms
                )
            else:
                del self._alarms[key]
            self._deliver(alarm)
        self._arm()

    def _deliver(self, alarm: Alarm) -> None:
        starter = self.process_starter
        if starter is not None and not starter(alarm.package, f"alarm {alarm.tag}"):
            self.sim.record(
                "alarm.cancelled",
                package=alarm.package,
                tag=alarm.tag,
                reason="the app's process cannot start",
            )
            return
        self.sim.record(
            "alarm.fired",
            package=alarm.package,
            tag=alarm.tag,
            call=alarm.kind.value,
            late_ms=self.sim.now_ms - alarm.trigger_ms,
        )
        self.fired.emit(alarm)
        receiver = self._receivers.get(alarm.receiver)
        if receiver is not None:
            receiver(alarm)
