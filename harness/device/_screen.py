"""``Screen``: the display, the keyguard and user activity.

PowerManager's view: the device is *interactive* while the screen is on. It wakes up (power key,
``KEYCODE_WAKEUP``, the user) with the keyguard showing; the user unlocks it
(``ACTION_USER_PRESENT``); each user activity pushes the screen-off timeout
(``Settings.System.SCREEN_OFF_TIMEOUT``, profile ``screen.off_timeout_ms``) further; at the
timeout, or on the power key or ``KEYCODE_SLEEP``, it goes to sleep and the keyguard shows again.
Screen-on time is accumulated (app standby decays with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.device._profile import ScreenSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


@dataclass(frozen=True, slots=True)
class ScreenState:
    """Whether the screen is on (interactive) and whether the keyguard is showing."""

    on: bool
    locked: bool


class Screen:
    """The display of one device."""

    def __init__(self, sim: Simulation, settings: ScreenSettings) -> None:
        self._sim = sim
        self._settings = settings
        self._on = False
        self._locked = True
        self._running = False
        self._last_activity_ms = 0
        self._busy_until_ms = 0
        self._on_since_ms = 0
        self._on_total_ms = 0
        self._timeout = Timer(sim, self._on_timeout)
        #: The screen turned on or off, or the keyguard showed or went away.
        self.changed: Signal[ScreenState] = Signal("device.screen")

    # --- queries ----------------------------------------------------------------------------

    @property
    def state(self) -> ScreenState:
        """On/off and locked/unlocked now."""
        return ScreenState(self._on, self._locked)

    @property
    def on(self) -> bool:
        """Whether the device is interactive (``PowerManager.isInteractive()``)."""
        return self._on

    @property
    def locked(self) -> bool:
        """Whether the keyguard is showing."""
        return self._locked

    def screen_on_time_ms(self) -> int:
        """Total time the screen has been on while the device was running, in ms."""
        extra = self._sim.now_ms - self._on_since_ms if self._on else 0
        return self._on_total_ms + extra

    # --- what the user (or adb) does --------------------------------------------------------

    def wake_up(self, reason: str = "user") -> None:
        """The screen turns on (keyguard still showing); no effect when already on."""
        if not self._running or self._on:
            if self._on:
                self.user_activity()
            return
        self._on = True
        self._on_since_ms = self._sim.now_ms
        self._last_activity_ms = self._sim.now_ms
        self._arm_timeout()
        self._announce(reason)

    def go_to_sleep(self, reason: str = "user") -> None:
        """The screen turns off and the keyguard shows; no effect when already off."""
        if not self._on:
            return
        self._on_total_ms += self._sim.now_ms - self._on_since_ms
        self._on = False
        self._locked = True
        self._busy_until_ms = 0
        self._timeout.cancel()
        self._announce(reason)

    def press_power(self) -> None:
        """``KEYCODE_POWER``: wakes a sleeping device, puts an awake one to sleep.

        ``config_shortPressOnPowerBehavior`` = 1 ("go to sleep") in AOSP config.xml.
        """
        if self._on:
            self.go_to_sleep("power key")
        else:
            self.wake_up("power key")

    def unlock(self) -> None:
        """The user unlocks (``ACTION_USER_PRESENT``); wakes the screen first if needed."""
        if not self._running:
            return
        self.wake_up("user")
        self.user_activity()
        if self._locked:
            self._locked = False
            self._announce("unlock")

    def user_activity(self) -> None:
        """The user touched the screen: the off timeout starts again from now."""
        if self._on:
            self._last_activity_ms = self._sim.now_ms
            self._arm_timeout()

    def use_for(self, duration_ms: int) -> None:
        """The user wakes, unlocks and uses the phone for ``duration_ms``; then it times out."""
        self.unlock()
        if self._on:
            self._busy_until_ms = max(self._busy_until_ms, self._sim.now_ms + duration_ms)
            self._arm_timeout()

    # --- life cycle -------------------------------------------------------------------------

    def power_on(self, *, screen_on: bool = True) -> None:
        """Boot: the screen comes on, locked (the boot animation ends on the keyguard)."""
        self._running = True
        if screen_on:
            self.wake_up("boot")

    def power_off(self) -> None:
        """Shutdown: the screen goes dark and stays so until the next boot."""
        self.go_to_sleep("shutdown")
        self._running = False

    # --- internals --------------------------------------------------------------------------

    def _arm_timeout(self) -> None:
        start = max(self._last_activity_ms, self._busy_until_ms)
        self._timeout.set_at(start + self._settings.off_timeout_ms)

    def _on_timeout(self) -> None:
        self.go_to_sleep("timeout")

    def _announce(self, reason: str) -> None:
        self._sim.record("device.screen", on=self._on, locked=self._locked, reason=reason)
        self.changed.emit(self.state)
