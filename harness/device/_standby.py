"""``AppStandby``: ``AppStandbyController`` buckets from usage, elapsed time and screen-on time.

Ported from ``apex/jobscheduler/service/java/com/android/server/usage/AppStandbyController.java``
(A15@547fa479) and ``AppIdleHistory.java`` (FB@10c9d947; key in docs/sources.md):

* a fresh install is NEVER until first used; a user usage makes it ACTIVE and holds ACTIVE for
  the strong-usage timeout (1 h) through an expiry time;
* every ``check_idle_interval_ms`` (3 h) the bucket is recomputed from the time since last use:
  index ``i`` applies once screen-on time >= ``screen[i]`` AND elapsed time >= ``elapsed[i]``
  (thresholds 0/0/1 h/2 h/6 h and 0/12 h/24 h/48 h/8 d for ACTIVE .. RESTRICTED); elapsed time
  is device-on time, so time powered off does not count;
* a bucket forced by the user (``am set-standby-bucket``, ``am set-inactive true``) is never
  demoted by timeouts; only usage brings it out; NEVER only leaves by usage;
* with ``config_enableAutoPowerModes`` off every app is EXEMPTED (5).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from harness._exceptions import DefinitionError
from harness.device._profile import StandbySettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation


class StandbyBucket(enum.IntEnum):
    """App standby buckets (``UsageStatsManager.STANDBY_BUCKET_*``)."""

    EXEMPTED = 5  # exempt from every restriction (app standby disabled, allowlisted apps)
    ACTIVE = 10  # in use now, or very recently
    WORKING_SET = 20  # used regularly
    FREQUENT = 30  # used often, not every day
    RARE = 40  # rarely used
    RESTRICTED = 45  # unused for days: strongest restrictions (12+)
    NEVER = 50  # installed but never opened


#: ``THRESHOLD_BUCKETS``: the bucket for each threshold index.
THRESHOLD_BUCKETS: Final = (
    StandbyBucket.ACTIVE,
    StandbyBucket.WORKING_SET,
    StandbyBucket.FREQUENT,
    StandbyBucket.RARE,
    StandbyBucket.RESTRICTED,
)

REASON_MAIN_MASK: Final = 0xFF00
REASON_MAIN_DEFAULT: Final = 0x0100
REASON_MAIN_TIMEOUT: Final = 0x0200
REASON_MAIN_USAGE: Final = 0x0300
REASON_MAIN_FORCED_BY_USER: Final = 0x0400
REASON_SUB_USAGE_USER_INTERACTION: Final = 0x0003
REASON_SUB_USAGE_MOVE_TO_FOREGROUND: Final = 0x0004
REASON_SUB_USAGE_MOVE_TO_BACKGROUND: Final = 0x0005
REASON_SUB_USAGE_ACTIVE_TIMEOUT: Final = 0x0007
_MAIN_NAMES: Final = {
    REASON_MAIN_DEFAULT: "default",
    REASON_MAIN_TIMEOUT: "timeout",
    REASON_MAIN_USAGE: "usage",
    REASON_MAIN_FORCED_BY_USER: "forced_by_user",
}
_BUCKET_NAMES: Final = {
    "ac": StandbyBucket.ACTIVE,
    "wo": StandbyBucket.WORKING_SET,
    "fr": StandbyBucket.FREQUENT,
    "ra": StandbyBucket.RARE,
    "re": StandbyBucket.RESTRICTED,
    "ne": StandbyBucket.NEVER,
}


def parse_bucket(text: str) -> StandbyBucket:
    """``ActivityManagerShellCommand.bucketNameToBucketValue``: a name prefix or a number."""
    lowered = text.lower()
    for prefix, bucket in _BUCKET_NAMES.items():
        if lowered.startswith(prefix):
            return bucket
    try:
        return StandbyBucket(int(text))
    except ValueError:
        raise DefinitionError(f"Error: Unknown bucket: {text}") from None


@dataclass(frozen=True, slots=True)
class BucketChange:
    """A package moved to ``bucket`` for ``reason`` (``REASON_MAIN_*`` | ``REASON_SUB_*``)."""

    package: str
    bucket: StandbyBucket
    reason: int

    @property
    def reason_name(self) -> str:
        """The main reason: ``default``, ``timeout``, ``usage`` or ``forced_by_user``."""
        return _MAIN_NAMES.get(self.reason & REASON_MAIN_MASK, hex(self.reason))


@dataclass(eq=False)
class _History:
    """``AppIdleHistory.AppUsageHistory``."""

    bucket: StandbyBucket = StandbyBucket.NEVER
    reason: int = REASON_MAIN_DEFAULT
    last_used_elapsed: int = -1
    last_used_screen: int = -1
    last_used_by_user: int = -1
    expiry: dict[StandbyBucket, int] = field(default_factory=dict)


class AppStandby:
    """App standby buckets of one device."""

    def __init__(
        self,
        sim: Simulation,
        settings: StandbySettings,
        *,
        enabled: bool,
        elapsed_ms: Callable[[], int],
        screen_on_ms: Callable[[], int],
    ) -> None:
        self._sim = sim
        self._settings = settings
        self._enabled = enabled
        self._elapsed = elapsed_ms
        self._screen = screen_on_ms
        self._apps: dict[str, _History] = {}
        self._power_allowlisted: set[str] = set()
        self._charging = False
        self._check_timer = Timer(sim, self._on_check_timer)
        #: A package changed bucket.
        self.changed: Signal[BucketChange] = Signal("device.standby")

    # --- queries ----------------------------------------------------------------------------

    def bucket(self, package: str) -> StandbyBucket:
        """``getAppStandbyBucket``: EXEMPTED while app standby is disabled."""
        history = self._apps.get(package) or self._get(package)  # every job verdict asks
        return StandbyBucket.EXEMPTED if not self._enabled else history.bucket

    def is_inactive(self, package: str) -> bool:
        """``isAppIdleFiltered`` (``am get-inactive``): never while charging (parole)."""
        if not self._enabled or self._charging:
            return False
        return self._get(package).bucket >= StandbyBucket.RARE

    @property
    def in_parole(self) -> bool:
        """``isInParole``: app standby imposes nothing (disabled, or charging)."""
        return not self._enabled or self._charging

    # --- inputs -----------------------------------------------------------------------------

    def install(self, package: str) -> None:
        """A package is installed: NEVER until first used."""
        self._apps[package] = _History()
        self._announce(package, self._apps[package])

    def report_user_usage(self, package: str, *, foreground: bool = True) -> None:
        """The user used the app (activity resumed or paused): ACTIVE for the strong-usage time."""
        sub = (
            REASON_SUB_USAGE_MOVE_TO_FOREGROUND
            if foreground
            else REASON_SUB_USAGE_MOVE_TO_BACKGROUND
        )
        self._report_usage(
            package, StandbyBucket.ACTIVE, sub, self._settings.strong_usage_timeout_ms, user=True
        )

    def set_charging(self, charging: bool) -> None:
        """``mIsCharging``: buckets impose nothing while charging (parole)."""
        self._charging = charging

    def set_power_allowlisted(self, package: str, allowlisted: bool) -> None:
        """The app joined or left DeviceIdleController's power allowlist: re-check its bucket
        (``ACTION_POWER_SAVE_WHITELIST_CHANGED`` -> ``postCheckIdleStates``)."""
        self._get(package)
        if allowlisted:
            self._power_allowlisted.add(package)
        else:
            self._power_allowlisted.discard(package)
        self._check_and_update(package)

    def set_bucket(self, package: str, bucket: StandbyBucket) -> None:
        """``am set-standby-bucket``: forced by the user; timeouts will not demote it."""
        if bucket < StandbyBucket.ACTIVE or bucket > StandbyBucket.NEVER:
            raise DefinitionError(f"Cannot set the standby bucket to {int(bucket)}")
        history = self._get(package)
        # setAppStandbyBucket: "Don't allow changing bucket if higher than ACTIVE"
        if not self._enabled or history.bucket < StandbyBucket.ACTIVE:
            return  # EXEMPTED apps cannot be changed
        history.expiry.clear()  # the shell caller resets the timeouts
        self._set(package, history, bucket, REASON_MAIN_FORCED_BY_USER)

    def set_inactive(self, package: str, inactive: bool) -> None:
        """``am set-inactive``: RARE forced by the user, or ACTIVE by usage; last use unchanged."""
        history = self._get(package)
        if not self._enabled or history.bucket < StandbyBucket.ACTIVE:
            return  # an EXEMPTED app is never idle (isAppIdleFiltered: isAppSpecial)
        if inactive:
            self._set(package, history, StandbyBucket.RARE, REASON_MAIN_FORCED_BY_USER)
        else:
            reason = REASON_MAIN_USAGE | REASON_SUB_USAGE_USER_INTERACTION
            self._set(package, history, StandbyBucket.ACTIVE, reason)

    def check_idle_states(self) -> None:
        """``checkIdleStates``: recompute every package's bucket from its last use."""
        for package in self._apps:
            self._check_and_update(package)

    # --- life cycle -------------------------------------------------------------------------

    def power_on(self) -> None:
        """Boot: a one-time check, then one every ``check_idle_interval_ms``."""
        self.check_idle_states()
        self._check_timer.set_after(self._settings.check_idle_interval_ms)

    def power_off(self) -> None:
        """The device went down; history stays (it is persisted on a phone)."""
        self._check_timer.cancel()

    def _on_check_timer(self) -> None:
        self.check_idle_states()
        self._check_timer.set_after(self._settings.check_idle_interval_ms)

    # --- internals --------------------------------------------------------------------------

    def _get(self, package: str) -> _History:
        history = self._apps.get(package)
        if history is None:
            raise DefinitionError(
                f"package {package!r} is not installed (installed: "
                f"{', '.join(self._apps) or 'none'}); install it on the device first"
            )
        return history

    def _threshold_bucket(self, history: _History) -> StandbyBucket:
        """``getBucketForLocked`` via ``AppIdleHistory.getThresholdIndex``."""
        if history.last_used_elapsed < 0 or history.last_used_screen < 0:
            return StandbyBucket.NEVER
        screen_delta = self._screen() - history.last_used_screen
        elapsed_delta = self._elapsed() - history.last_used_elapsed
        screen = self._settings.screen_time_thresholds_ms
        elapsed = self._settings.elapsed_time_thresholds_ms
        for index in range(len(screen) - 1, -1, -1):
            if screen_delta >= screen[index] and elapsed_delta >= elapsed[index]:
                return THRESHOLD_BUCKETS[index]
        return StandbyBucket.ACTIVE

    def _valid_expiry_bucket(self, history: _History, new: StandbyBucket) -> StandbyBucket | None:
        """``getMinBucketWithValidExpiryTime``: a better bucket whose expiry has not passed."""
        now = self._elapsed()
        for bucket in sorted(history.expiry):
            if new <= bucket:
                return None
            if history.expiry[bucket] > now:
                return bucket
        return None

    def _check_and_update(self, package: str) -> None:
        """``checkAndUpdateStandbyState`` (no prediction, no auto-restriction by the system)."""
        history = self._apps[package]
        if not self._enabled:
            return
        if package in self._power_allowlisted:
            # getAppMinBucket: isNonIdleWhitelisted -> EXEMPTED, REASON_MAIN_DEFAULT
            self._set(package, history, StandbyBucket.EXEMPTED, REASON_MAIN_DEFAULT)
            return
        main = history.reason & REASON_MAIN_MASK
        if main == REASON_MAIN_FORCED_BY_USER or history.bucket is StandbyBucket.NEVER:
            return
        new: StandbyBucket = max(history.bucket, StandbyBucket.ACTIVE)
        reason = history.reason
        if main in (REASON_MAIN_DEFAULT, REASON_MAIN_USAGE, REASON_MAIN_TIMEOUT):
            new = self._threshold_bucket(history)
            reason = REASON_MAIN_TIMEOUT
        valid = self._valid_expiry_bucket(history, new)
        if valid is not None:
            new = valid
            if valid is StandbyBucket.ACTIVE or history.bucket == valid:
                reason = history.reason
            else:
                reason = REASON_MAIN_USAGE | REASON_SUB_USAGE_ACTIVE_TIMEOUT
        if new != history.bucket:
            self._set(package, history, new, reason)

    def _report_usage(
        self, package: str, bucket: StandbyBucket, sub: int, timeout_ms: int, *, user: bool
    ) -> None:
        """``AppIdleHistory.reportUsage``."""
        history = self._get(package)
        reason = REASON_MAIN_USAGE | sub
        elapsed = self._elapsed()
        if (
            history.bucket is StandbyBucket.RESTRICTED
            and not user
            and history.reason & REASON_MAIN_MASK != REASON_MAIN_TIMEOUT
        ):
            bucket, reason = StandbyBucket.RESTRICTED, history.reason
        elif timeout_ms > 0:
            history.expiry[bucket] = max(history.expiry.get(bucket, 0), elapsed + timeout_ms)
        history.last_used_elapsed = elapsed
        history.last_used_screen = self._screen()
        if user:
            history.last_used_by_user = elapsed
        if history.bucket >= bucket:
            changed = history.bucket > bucket
            history.bucket = bucket
            history.reason = reason
            if changed and self._enabled:
                self._announce(package, history)

    def _set(self, package: str, history: _History, bucket: StandbyBucket, reason: int) -> None:
        changed = history.bucket != bucket
        history.bucket = bucket
        history.reason = reason
        if changed:
            self._announce(package, history)

    def _announce(self, package: str, history: _History) -> None:
        change = BucketChange(package, self.bucket(package), history.reason)
        self._sim.record(
            "device.standby", package=package, bucket=change.bucket.name, reason=change.reason_name
        )
        self.changed.emit(change)
