"""``PowerAllowlist``: DeviceIdleController's user power-save allowlist and its temp allowlist.

``dumpsys deviceidle whitelist +PKG`` (or Settings > Battery > Unrestricted) puts an app on the
user allowlist (``mPowerSaveWhitelistUserApps``); ``cmd deviceidle tempwhitelist PKG [-d MS]``
allowlists it for a while (``mTempWhitelistAppIdEndTimes``), at most
``MAX_TEMP_APP_ALLOWLIST_DURATION_MS`` (5 min). What follows from either is read elsewhere, as
on a phone:

* an allowlisted app's jobs run in doze (``DeviceIdleJobsController.isWhitelistedLocked``);
* it is in the EXEMPTED standby bucket (``AppStandbyController.getAppMinBucket``:
  ``isNonIdleWhitelisted``), so no quota applies;
* battery saver does not restrict it (``AppStateTrackerImpl``: power-exempt and temp-exempt
  app ids), and doze's firewall lets it keep the network (``NetworkPolicyManagerService``).

Sources: ``DeviceIdleController.onShellCommand`` ``whitelist`` / ``tempwhitelist`` and
``addPowerSaveTempWhitelistAppDirectInternal`` (A15@0898a28d; key in docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from harness.device._timer import Timer
from harness.sim import Signal, Simulation

#: ``DeviceIdleController.Constants.MAX_TEMP_APP_ALLOWLIST_DURATION_MS`` (default 5 min): a
#: longer ``tempwhitelist -d`` is cut to this.
MAX_TEMP_APP_ALLOWLIST_DURATION_MS: Final = 5 * 60 * 1000

#: ``tempwhitelist``'s duration without ``-d`` (``long duration = 10000``).
SHELL_TEMP_ALLOWLIST_DURATION_MS: Final = 10_000


def app_id(package: str) -> int:
    """The app id the simulated phone gives ``package`` (``u0aN`` is app id ``10000 + N``; the
    same number ``dumpsys jobscheduler`` prints)."""
    return 10_000 + sum(package.encode()) % 900 + 100


@dataclass(frozen=True, slots=True)
class AllowlistChange:
    """``package`` joined or left the user allowlist or the temp allowlist."""

    package: str
    allowlisted: bool
    temporary: bool


class PowerAllowlist:
    """The power-save allowlists of one device (the user list survives reboots, like the
    persisted ``deviceidle.xml``; temp entries do not)."""

    def __init__(self, sim: Simulation, is_installed: Callable[[str], bool]) -> None:
        self._sim = sim
        self._is_installed = is_installed
        self._user: set[str] = set()
        self._temp_until: dict[str, int] = {}
        self._timer = Timer(sim, self._expire)
        #: An app joined or left an allowlist (``ACTION_POWER_SAVE_WHITELIST_CHANGED`` /
        #: ``ACTION_POWER_SAVE_TEMP_WHITELIST_CHANGED``).
        self.changed: Signal[AllowlistChange] = Signal("device.allowlist")

    # --- queries ----------------------------------------------------------------------------

    def contains(self, package: str) -> bool:
        """Whether ``package`` is on the user allowlist (``getPowerSaveWhitelistAppInternal``)."""
        return package in self._user

    def is_temp_allowlisted(self, package: str) -> bool:
        """Whether ``package`` is on the temp allowlist now."""
        return package in self._temp_until

    @property
    def packages(self) -> list[str]:
        """The user allowlist, sorted (``mPowerSaveWhitelistUserApps`` is an ``ArrayMap``)."""
        return sorted(self._user)

    def temp_entries(self) -> list[tuple[str, int]]:
        """``(package, ms left)`` of every temp-allowlisted app, by app id."""
        now = self._sim.now_ms
        entries = sorted(self._temp_until.items(), key=lambda item: app_id(item[0]))
        return [(package, end_ms - now) for package, end_ms in entries]

    # --- changes ----------------------------------------------------------------------------

    def add(self, package: str) -> bool:
        """``whitelist +PKG``: False for a package that is not installed ("Unknown package")."""
        if not self._is_installed(package):
            return False
        if package not in self._user:
            self._user.add(package)
            self.changed.emit(AllowlistChange(package, True, temporary=False))
        return True

    def remove(self, package: str) -> bool:
        """``whitelist -PKG``: whether it was on the list ("Removed: PKG" is printed only then)."""
        if package not in self._user:
            return False
        self._user.discard(package)
        self.changed.emit(AllowlistChange(package, False, temporary=False))
        return True

    def add_temp(self, package: str, duration_ms: int) -> None:
        """``tempwhitelist [-d MS] PKG``: allowlisted until now + ``duration_ms`` (capped at
        5 min; a new call replaces the end time). ``ValueError`` for an unknown package."""
        if not self._is_installed(package):
            # addPowerSaveTempAllowlistAppChecked: getPackageUidAsUser throws
            raise ValueError(f"android.content.pm.PackageManager$NameNotFoundException: {package}")
        duration = min(duration_ms, MAX_TEMP_APP_ALLOWLIST_DURATION_MS)
        new = package not in self._temp_until
        self._temp_until[package] = self._sim.now_ms + duration
        self._arm()
        if new:
            self.changed.emit(AllowlistChange(package, True, temporary=True))

    def remove_temp(self, package: str) -> None:
        """``tempwhitelist -r PKG``."""
        if self._temp_until.pop(package, None) is not None:
            self._arm()
            self.changed.emit(AllowlistChange(package, False, temporary=True))

    def power_off(self) -> None:
        """Shutdown: the temp allowlist is memory only."""
        for package in sorted(self._temp_until):
            self.remove_temp(package)

    # --- internals --------------------------------------------------------------------------

    def _arm(self) -> None:
        if self._temp_until:
            self._timer.set_at(min(self._temp_until.values()))
        else:
            self._timer.cancel()

    def _expire(self) -> None:
        now = self._sim.now_ms
        for package, end_ms in sorted(self._temp_until.items()):
            if end_ms <= now:
                self.remove_temp(package)
        self._arm()
