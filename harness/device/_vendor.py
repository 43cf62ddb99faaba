"""``VendorBatteryManager``: what a vendor's battery manager does beyond AOSP, from the profile.

The large vendors ship battery managers that AOSP does not have; dontkillmyapp.com documents
them per vendor (the presets in ``profiles/vendor/*.yaml`` cite their pages). This module holds
the ones that act over time:

* **killing after screen-off** (``kill_after_screen_off_ms``): once the screen has been off that
  long, background processes die (Huawei's PowerGenie, "closing background apps when the screen
  is locked"; with ``kill_running_jobs`` a process running a job dies too);
* **battery optimisation resets** (``restrict_unused_after_ms``): an app the user has not opened
  for that long is put to sleep (background restricted) again, even if the user lifted the
  restriction (Samsung's "Put unused apps to sleep": "after 3 days"); opening the app wakes it.

Force-stop on swipe and autostart denial act at the moment of the swipe or the start, in
:class:`~harness.device.Apps`.
"""

from __future__ import annotations

from harness.device._apps import Apps
from harness.device._process import ProcessState, ProcessStateChange
from harness.device._profile import VendorSettings
from harness.device._screen import Screen, ScreenState
from harness.device._timer import Timer
from harness.sim import Simulation


class VendorBatteryManager:
    """The vendor's timed policies on one device (nothing at all for the ``stock`` preset)."""

    def __init__(
        self, sim: Simulation, settings: VendorSettings, apps: Apps, screen: Screen
    ) -> None:
        self._sim = sim
        self._settings = settings
        self._apps = apps
        self._screen_off_timer = Timer(sim, self._screen_off_kill)
        self._sleep_timers: dict[str, Timer] = {}
        #: packages the manager put to sleep (it wakes only those, never a user's restriction)
        self._asleep: set[str] = set()
        #: when the screen went off (``None`` while it is on)
        self._off_since: int | None = None if screen.on else sim.now_ms
        if settings.kill_after_screen_off_ms is not None:
            screen.changed.connect(self._on_screen)
            apps.state_changed.connect(self._on_process_state)
        if settings.restrict_unused_after_ms is not None:
            apps.user_interaction.connect(self._on_used)

    def _on_screen(self, state: ScreenState) -> None:
        delay = self._settings.kill_after_screen_off_ms
        if state.on or delay is None:
            self._off_since = None
            self._screen_off_timer.cancel()
        elif self._off_since is None:
            self._off_since = self._sim.now_ms
            self._screen_off_timer.set_after(delay)

    def _on_process_state(self, change: ProcessStateChange) -> None:
        """An app left the screen, or a job ended, while the screen is off: it is killed once
        the screen has been off ``kill_after_screen_off_ms`` (at once if it already has been).
        A process that starts running a job is left to the sweep at that mark."""
        delay = self._settings.kill_after_screen_off_ms
        if (
            self._off_since is None
            or delay is None
            or not ProcessState.CACHED_ACTIVITY <= change.state < ProcessState.NONEXISTENT
            or self._screen_off_timer.due_ms is not None
        ):
            return
        self._screen_off_timer.set_at(max(self._off_since + delay, self._sim.now_ms))

    def _screen_off_kill(self) -> None:
        self._apps.vendor_kill(
            running_jobs=self._settings.kill_running_jobs,
            detail=f"vendor battery manager ({self._settings.preset}): screen off",
        )

    def _on_used(self, package: str) -> None:
        delay = self._settings.restrict_unused_after_ms
        assert delay is not None
        if package in self._asleep:
            self._asleep.discard(package)
            self._apps.set_background_restricted(package, False)
        timer = self._sleep_timers.get(package)
        if timer is None:
            timer = Timer(self._sim, lambda: self._put_to_sleep(package))
            self._sleep_timers[package] = timer
        timer.set_after(delay)

    def _put_to_sleep(self, package: str) -> None:
        if self._apps.is_background_restricted(package):
            return
        self._asleep.add(package)
        self._apps.set_background_restricted(package, True)
