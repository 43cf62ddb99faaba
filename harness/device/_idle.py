"""``Idleness``: JobScheduler's ``DeviceIdlenessTracker`` (the ``requiresDeviceIdle`` constraint).

Ported from ``apex/jobscheduler/service/java/com/android/server/job/controllers/idle/
DeviceIdlenessTracker.java`` (FB@16a6a795): the device is idle once the screen has been off
for the inactivity threshold (``config_jobSchedulerInactivityIdleThreshold``, 31 min; on
stable power, i.e. charging with battery not low, ``...OnStablePower``), measured from the
screen-off that started the check; it stops being idle when the screen comes on. At boot the
tracker presumes the user just interacted (screen on). The idleness alarm is a window alarm
(``config_jobSchedulerIdleWindowSlop``, 5 min) delivered at the window's start.
"""

from __future__ import annotations

from harness.device._profile import IdleSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


class Idleness:
    """Whether the device is idle for jobs that require it."""

    def __init__(self, sim: Simulation, settings: IdleSettings) -> None:
        self._sim = sim
        self._settings = settings
        self._alarm = Timer(sim, self.handle_idle_trigger)
        self._running = False
        self._idle = False
        self._screen_on = True
        self._stable_power = False
        self._check_scheduled_ms = -1
        #: The device became idle (True) or active (False) for ``requiresDeviceIdle``.
        self.changed: Signal[bool] = Signal("device.idle")

    @property
    def device_idle(self) -> bool:
        """``IdlenessTracker.isIdle()``."""
        return self._idle

    def power_on(self, *, screen_on: bool, stable_power: bool) -> None:
        """``startTracking`` at boot: screen presumed on, stable power read."""
        self._running = True
        self._screen_on = True
        self._stable_power = stable_power
        self._check_scheduled_ms = -1
        if not screen_on:
            self.on_screen(False)

    def power_off(self) -> None:
        """The device went down."""
        self._running = False
        self._alarm.cancel()
        self._check_scheduled_ms = -1
        self._set(False)

    def on_screen(self, screen_on: bool) -> None:
        """``ACTION_SCREEN_ON`` / ``ACTION_SCREEN_OFF``."""
        if not self._running:
            return
        if screen_on:
            self._screen_on = True
            self._cancel_check()
            self._set(False)
        elif self._screen_on:
            self._screen_on = False
            self._maybe_schedule_check()

    def on_battery(self, *, charging: bool, battery_not_low: bool) -> None:
        """``onBatteryStateChanged``: stable power picks the other threshold."""
        stable = charging and battery_not_low
        if self._running and stable != self._stable_power:
            self._stable_power = stable
            self._maybe_schedule_check()

    def handle_idle_trigger(self) -> None:
        """``handleIdleTrigger`` (also ``am idle-maintenance``, ``ACTION_TRIGGER_IDLE``)."""
        if self._running and not self._idle and not self._screen_on:
            self._set(True)

    def _maybe_schedule_check(self) -> None:
        if self._screen_on:
            return
        now = self._sim.now_ms
        threshold = (
            self._settings.inactivity_idle_threshold_on_stable_power_ms
            if self._stable_power
            else self._settings.inactivity_idle_threshold_ms
        )
        if self._check_scheduled_ms >= 0:
            if self._check_scheduled_ms + threshold <= now:
                self.handle_idle_trigger()
                return
        else:
            self._check_scheduled_ms = now
        self._alarm.set_at(self._check_scheduled_ms + threshold)

    def _cancel_check(self) -> None:
        self._alarm.cancel()
        self._check_scheduled_ms = -1

    def _set(self, idle: bool) -> None:
        if idle == self._idle:
            return
        self._idle = idle
        self._sim.record("device.idle", idle=idle)
        self.changed.emit(idle)
