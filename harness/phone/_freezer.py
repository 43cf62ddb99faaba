"""What an app process's ``GreedyScheduler`` sees of the phone: trackers and the freezer.

Two device facts reach WorkManager's in-process scheduler (``harness.workmanager``'s
``GreedyScheduler``), which must not import the device:

* **constraint trackers**: androidx's ``Trackers`` follow the battery (``BatteryChargingTracker``:
  ``ACTION_CHARGING``/``DISCHARGING``; ``BatteryNotLowTracker``: ``ACTION_BATTERY_OKAY``/``LOW``),
  storage (``StorageNotLowTracker``: ``ACTION_DEVICE_STORAGE_OK``/``LOW``) and the default network
  (``NetworkStateTracker``: connected, ``NET_CAPABILITY_VALIDATED``, ``NOT_METERED``,
  ``NOT_ROAMING``) (W/impl/constraints/trackers/). :class:`DeviceTrackers` keeps one
  :class:`ConstraintState` in step with the device; every process's GreedyScheduler reads it.
* **the cached-app freezer**: AOSP's ``CachedAppOptimizer`` freezes a process that has been
  cached (``OomAdjuster``: adj at or above ``CACHED_APP_MIN_ADJ``; here CACHED_ACTIVITY and
  CACHED_EMPTY) for ``DEFAULT_FREEZER_DEBOUNCE_TIMEOUT`` (600_000L, 10 min, on Android 12 and 13;
  10_000L, 10 s, from Android 14), and thaws it as soon as it leaves the cached state (a job binds
  it, the user opens it). :class:`CachedAppFreezer` tells the binding, which freezes the
  process's callbacks on the loop (``AppRuntime.freeze_process``: a greedy run in progress,
  ``main()``'s tasks, every timer the app set through asyncio stop; its HTTP in flight waits in
  the kernel) and its GreedyScheduler, and thaws both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from harness.device import Device, ProcessState, ProcessStateChange
from harness.platform import DeviceAdapter
from harness.sim import Simulation
from harness.workmanager import ConstraintState

#: ``CachedAppOptimizer.DEFAULT_FREEZER_DEBOUNCE_TIMEOUT`` from Android 14 (10_000L).
FREEZER_DEBOUNCE_TIMEOUT_MS: Final = 10_000
#: ``CachedAppOptimizer.DEFAULT_FREEZER_DEBOUNCE_TIMEOUT`` on Android 12 and 13 (600_000L).
FREEZER_DEBOUNCE_TIMEOUT_MS_BEFORE_14: Final = 600_000


def freezer_debounce_timeout_ms(android_version: int) -> int:
    """``DEFAULT_FREEZER_DEBOUNCE_TIMEOUT`` of an Android release, in ms."""
    if android_version >= 14:
        return FREEZER_DEBOUNCE_TIMEOUT_MS
    return FREEZER_DEBOUNCE_TIMEOUT_MS_BEFORE_14


#: The device view's changes (:class:`~harness.platform.DeviceAdapter`'s names) that cannot
#: alter what the trackers read (the default network, charging, battery not low, storage, the
#: device's idleness): a process state (a job's service bound or unbound, two a run) and a uid's
#: idleness. androidx's trackers hear only the broadcasts of what they track.
_UNTRACKED_CHANGES: Final = frozenset({"process", "uid"})

#: Why a frozen process thaws, by the state it leaves the cached states for.
_THAW_REASONS: Final = {
    ProcessState.TOP: "the user opened the app",
    ProcessState.SERVICE: "a job or service bound the process",
}


def _freezable(state: ProcessState) -> bool:
    return ProcessState.CACHED_ACTIVITY <= state < ProcessState.NONEXISTENT


class DeviceTrackers:
    """androidx's constraint trackers over the device: one :class:`ConstraintState`, kept fresh."""

    def __init__(self, view: DeviceAdapter) -> None:
        self._view = view
        #: What the trackers read now; updated on every device change.
        self.state = ConstraintState()
        self._sync()
        view.changed.connect(self._on_change)

    def _on_change(self, what: str) -> None:
        if what not in _UNTRACKED_CHANGES:
            self._sync()

    def _sync(self) -> None:
        view = self._view
        network = view.network
        self.state.update(
            network_connected=network is not None,
            network_validated=network is not None and network.validated,
            network_metered=network is not None and network.metered,
            network_roaming=network is not None and network.roaming,
            battery_not_low=view.battery_not_low,
            charging=view.charging,
            storage_not_low=view.storage_not_low,
            device_idle=view.device_idle,
        )


class CachedAppFreezer:
    """``CachedAppOptimizer``'s freezer: a process cached for the debounce timeout is frozen."""

    def __init__(
        self,
        sim: Simulation,
        device: Device,
        on_change: Callable[[str, bool, str], None],
        *,
        exempt: Callable[[str], bool] = lambda _package: False,
    ) -> None:
        """``on_change(package, frozen, reason)`` is told of every freeze and thaw (not of a
        frozen process's death: the process is gone). ``exempt(package)``: the process is not
        cached in truth though its state says so (a foreground service runs in it, a state the
        device model lacks): it is not frozen, and asked again a debounce later."""
        self._sim = sim
        self._device = device
        self._on_change = on_change
        self._exempt = exempt
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._frozen: set[str] = set()
        device.apps.state_changed.connect(self._on_state)

    def is_frozen(self, package: str) -> bool:
        """Whether ``package``'s process is frozen now."""
        return package in self._frozen

    def _debounce_ms(self) -> int:
        return freezer_debounce_timeout_ms(int(self._device.profile.android_version))

    def _on_state(self, change: ProcessStateChange) -> None:
        package = change.package
        if _freezable(change.state):
            # the debounce runs from the moment the process became cached
            if package not in self._frozen and package not in self._timers:
                self._timers[package] = self._sim.call_later(
                    self._debounce_ms(), self._freeze, package
                )
            return
        timer = self._timers.pop(package, None)
        if timer is not None:
            timer.cancel()
        if package in self._frozen:
            self._frozen.discard(package)
            if change.state is not ProcessState.NONEXISTENT:
                self._on_change(package, False, _THAW_REASONS.get(change.state, "not cached"))

    def unfreeze_temporarily(self, package: str, reason: str) -> None:
        """``CachedAppOptimizer.unfreezeTemporarily``: the system delivers something to a cached
        process (a broadcast to its receiver, a binder call): a frozen process is thawed, and a
        cached one stays out of the freezer for at least the debounce timeout before it is
        frozen again."""
        if not _freezable(self._device.apps.state(package)):
            return
        timer = self._timers.pop(package, None)
        if timer is not None:
            timer.cancel()
        if package in self._frozen:
            self._frozen.discard(package)
            self._on_change(package, False, reason)
        self._timers[package] = self._sim.call_later(self._debounce_ms(), self._freeze, package)

    def _freeze(self, package: str) -> None:
        self._timers.pop(package, None)
        if not _freezable(self._device.apps.state(package)):
            return
        if self._exempt(package):
            # OomAdjuster: PROCESS_STATE_FOREGROUND_SERVICE is not cached; once the service
            # stops the process is cached, and frozen after the debounce
            self._timers[package] = self._sim.call_later(self._debounce_ms(), self._freeze, package)
            return
        self._frozen.add(package)
        self._on_change(package, True, "cached")
