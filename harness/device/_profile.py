"""``DeviceProfile``: every number of the simulated phone, validated (pydantic), frozen.

A profile is two data files merged: the platform file of its Android version
(``profiles/platform/android-<N>.yaml``: AOSP's defaults, each cited to its source) and the
device file (``profiles/<name>.yaml``: the hardware and the OEM's choices), then the user's
overrides. The models below only say what is allowed (types and ranges); the values live in the
files, so a user can read every number next to the Android source it comes from. Units are in
the field names: ``_ms`` integer milliseconds, ``_ua`` microamps, ``_uah`` microamp-hours,
``_mah`` milliamp-hours, ``_bytes``.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Android versions whose AOSP defaults ship as platform files.
AndroidVersion = Literal[12, 13, 14, 15, 16]

Percent = Annotated[int, Field(ge=0, le=100)]
Ms = Annotated[int, Field(ge=0, le=365 * 86_400_000)]
PositiveMs = Annotated[int, Field(ge=1, le=365 * 86_400_000)]
MicroAmps = Annotated[int, Field(ge=0, le=20_000_000)]
Bytes = Annotated[int, Field(ge=0, le=2**50)]
Factor = Annotated[float, Field(ge=1.0, le=100.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class BatterySettings(_Section):
    """The battery cell and BatteryService's thresholds (``BatteryService.java``, config.xml)."""

    capacity_mah: Annotated[int, Field(ge=100, le=20_000)]
    initial_level: Percent
    voltage_mv: Annotated[int, Field(ge=2_500, le=5_000)]
    temperature_tenths_c: Annotated[int, Field(ge=-400, le=800)]
    technology: str
    low_battery_warning_level: Percent
    low_battery_close_warning_bump: Percent
    critical_battery_warning_level: Percent
    shutdown_if_no_power: bool

    @model_validator(mode="after")
    def _warning_above_critical(self) -> Self:
        if self.low_battery_warning_level < self.critical_battery_warning_level:
            raise ValueError(
                f"low_battery_warning_level {self.low_battery_warning_level} is below "
                f"critical_battery_warning_level {self.critical_battery_warning_level}; "
                "BatteryService needs warning >= critical"
            )
        return self


class ChargingSettings(_Section):
    """Charge current per charger, and the taper of the constant-voltage phase near full."""

    ac_ua: MicroAmps
    usb_ua: MicroAmps
    wireless_ua: MicroAmps
    taper_start_level: Percent
    taper_end_percent_of_rate: Annotated[int, Field(ge=1, le=100)]


class BatterySaverSettings(_Section):
    """Battery saver (``BatterySaverStateMachine.java``, ``Settings.Global.LOW_POWER_MODE_*``)."""

    auto_trigger_level: Percent
    sticky_auto_disable_enabled: bool
    sticky_auto_disable_level: Percent


class PowerSettings(_Section):
    """Current draw by state and costs per event (the role of ``power_profile.xml``)."""

    screen_on_ua: MicroAmps
    awake_ua: MicroAmps
    suspended_ua: MicroAmps
    light_idle_ua: MicroAmps
    deep_idle_ua: MicroAmps
    wifi_active_ua: MicroAmps
    cellular_active_ua: MicroAmps
    ethernet_active_ua: MicroAmps
    wifi_tail_ms: Ms
    cellular_tail_ms: Ms
    ethernet_tail_ms: Ms
    wakeup_uah: Annotated[int, Field(ge=0, le=1_000_000)]
    wifi_uah_per_mib: Annotated[int, Field(ge=0, le=1_000_000)]
    cellular_uah_per_mib: Annotated[int, Field(ge=0, le=1_000_000)]
    ethernet_uah_per_mib: Annotated[int, Field(ge=0, le=1_000_000)]


class ScreenSettings(_Section):
    """The display: how long it stays on after the last user activity."""

    off_timeout_ms: PositiveMs


class LinkSettings(_Section):
    """One transport's link quality, drawn per request from ``device.network.link``."""

    latency_ms: Annotated[int, Field(ge=0, le=60_000)]
    latency_jitter_ms: Annotated[int, Field(ge=0, le=60_000)]
    down_min_bytes_per_s: Annotated[int, Field(ge=1, le=10**10)]
    down_max_bytes_per_s: Annotated[int, Field(ge=1, le=10**10)]
    up_min_bytes_per_s: Annotated[int, Field(ge=1, le=10**10)]
    up_max_bytes_per_s: Annotated[int, Field(ge=1, le=10**10)]
    loss: Probability
    metered: bool
    connect_ms: Ms

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Self:
        for direction in ("down", "up"):
            low = getattr(self, f"{direction}_min_bytes_per_s")
            high = getattr(self, f"{direction}_max_bytes_per_s")
            if low > high:
                raise ValueError(
                    f"{direction}_min_bytes_per_s {low} is above {direction}_max_bytes_per_s "
                    f"{high}; give min <= max"
                )
        return self


class NetworkSettings(_Section):
    """Per-transport links and the toggles and coverage the device starts with."""

    wifi: LinkSettings
    cellular: LinkSettings
    ethernet: LinkSettings
    wifi_enabled: bool
    mobile_data_enabled: bool
    airplane_mode: bool
    wifi_in_range: bool
    cellular_in_range: bool
    ethernet_plugged: bool
    wifi_captive_portal: bool
    cellular_roaming: bool
    #: The carrier marks the cellular network temporarily unmetered (a plan override:
    #: ``NET_CAPABILITY_TEMPORARILY_NOT_METERED``, e.g. an unmetered 5G offer).
    cellular_temporarily_unmetered: bool = False


class DozeSettings(_Section):
    """``DeviceIdleController``: the switches and ``Constants`` of deep and light doze."""

    enable_auto_power_modes: bool
    use_motion_sensor: bool
    location_prefetch: bool
    light_idle_alarm_wakeup: bool
    light_after_inactive_to_ms: Ms
    light_pre_idle_to_ms: Ms | None
    light_idle_to_ms: PositiveMs
    light_idle_factor: Factor
    light_max_idle_to_ms: PositiveMs
    light_idle_maintenance_min_budget_ms: PositiveMs
    light_idle_maintenance_max_budget_ms: PositiveMs
    min_light_maintenance_time_ms: Ms
    inactive_to_ms: Ms
    sensing_to_ms: PositiveMs
    locating_to_ms: PositiveMs
    motion_inactive_to_ms: Ms
    idle_after_inactive_to_ms: Ms
    idle_pending_to_ms: PositiveMs
    max_idle_pending_to_ms: PositiveMs
    idle_pending_factor: Factor
    quick_doze_delay_to_ms: Ms
    idle_to_ms: PositiveMs
    max_idle_to_ms: PositiveMs
    idle_factor: Factor
    min_time_to_alarm_ms: Ms
    min_deep_maintenance_time_ms: Ms
    wait_for_unlock: bool

    @model_validator(mode="after")
    def _budgets_ordered(self) -> Self:
        pairs = (
            ("light_idle_maintenance_min_budget_ms", "light_idle_maintenance_max_budget_ms"),
            ("light_idle_to_ms", "light_max_idle_to_ms"),
            ("idle_pending_to_ms", "max_idle_pending_to_ms"),
            ("idle_to_ms", "max_idle_to_ms"),
        )
        for low_name, high_name in pairs:
            low, high = getattr(self, low_name), getattr(self, high_name)
            if low > high:
                raise ValueError(f"{low_name} {low} is above {high_name} {high}; give min <= max")
        return self


class SensorSettings(_Section):
    """The hardware DeviceIdleController uses to tell that the phone is still."""

    significant_motion: bool
    any_motion: bool
    any_motion_ms: PositiveMs
    location_provider: bool
    location_fix_ms: Ms | None


class IdleSettings(_Section):
    """JobScheduler's ``DeviceIdlenessTracker`` (the ``requiresDeviceIdle`` constraint)."""

    inactivity_idle_threshold_ms: PositiveMs
    inactivity_idle_threshold_on_stable_power_ms: PositiveMs
    idle_window_slop_ms: Ms


class StandbySettings(_Section):
    """``AppStandbyController``: bucket thresholds and usage timeouts."""

    screen_time_thresholds_ms: Annotated[list[Ms], Field(min_length=5, max_length=5)]
    elapsed_time_thresholds_ms: Annotated[list[Ms], Field(min_length=5, max_length=5)]
    strong_usage_timeout_ms: Ms
    check_idle_interval_ms: PositiveMs

    @model_validator(mode="after")
    def _thresholds_ascend(self) -> Self:
        # AppStandbyController.getBucketForLocked reads the thresholds per bucket (ACTIVE,
        # WORKING_SET, FREQUENT, RARE, RESTRICTED) from the last down: they must not decrease
        for name in ("screen_time_thresholds_ms", "elapsed_time_thresholds_ms"):
            values: list[int] = getattr(self, name)
            if any(later < earlier for earlier, later in itertools.pairwise(values)):
                raise ValueError(
                    f"{name} {values} must not decrease: one threshold per bucket ACTIVE, "
                    "WORKING_SET, FREQUENT, RARE, RESTRICTED, each at least the one before"
                )
        return self


class AppsSettings(_Section):
    """App processes: start times, the OEM's swipe and background-kill policies."""

    cold_start_ms: Ms
    force_stop_on_swipe: bool
    oem_background_kill_after_ms: PositiveMs | None
    max_cached_processes: Annotated[int, Field(ge=0, le=1_000)]


#: Named vendor battery managers (``vendor: samsung``); their settings are data in
#: ``profiles/vendor/<preset>.yaml``, each citing its dontkillmyapp.com page.
VendorPreset = Literal["stock", "samsung", "xiaomi", "huawei", "oneplus", "custom"]


class VendorSettings(_Section):
    """The vendor's battery manager: what it does to apps beyond AOSP (dontkillmyapp.com).

    Every field defaults to stock Android (nothing beyond AOSP), so a profile without a
    ``vendor:`` section behaves as before. A preset (``vendor: xiaomi``) fills the fields from
    ``profiles/vendor/xiaomi.yaml``; fields written next to it win over the preset's.
    """

    preset: VendorPreset = "stock"
    #: Swiping the app from recents force-stops it (its jobs and alarms are cancelled).
    force_stop_on_swipe: bool = False
    #: After the screen has been off this long, background processes are killed.
    kill_after_screen_off_ms: PositiveMs | None = None
    #: The screen-off kill also takes processes running a job (SERVICE), not only cached ones.
    kill_running_jobs: bool = False
    #: No autostart: a process is never started for a job or a broadcast (BOOT_COMPLETED), only
    #: by the user opening the app; while the user's process lives, its jobs run.
    autostart_denied: bool = False
    #: An app the user has not opened for this long is put to sleep again (background
    #: restricted), even if the user lifted the restriction: the "battery optimisation resets".
    restrict_unused_after_ms: PositiveMs | None = None


class StorageSettings(_Section):
    """Internal storage and ``StorageManager``'s low/full thresholds."""

    total_bytes: Annotated[int, Field(ge=1, le=2**50)]
    initial_free_bytes: Bytes
    threshold_percentage: Percent
    threshold_max_bytes: Bytes
    full_threshold_bytes: Bytes
    check_interval_ms: PositiveMs

    @model_validator(mode="after")
    def _free_within_total(self) -> Self:
        if self.initial_free_bytes > self.total_bytes:
            raise ValueError(
                f"initial_free_bytes {self.initial_free_bytes} is above total_bytes "
                f"{self.total_bytes}; free space cannot exceed the disk"
            )
        return self


class JobSchedulerSettings(_Section):
    """Which ``QuotaController.QcConstants`` defaults the phone's JobScheduler uses: ``legacy``
    (the ``DEFAULT_*`` windows of Android 12-15: WORKING_SET 2 h, FREQUENT 8 h, ACTIVE 10 min) or
    ``current`` (the flag-gated ``DEFAULT_CURRENT_*`` ones: WORKING_SET 4 h, FREQUENT 12 h, ACTIVE
    20 min per 30 min), for a phone whose build turns that flag on, or ``latest`` (Android 16's
    ``adjust_quota_default_constants`` set: the current windows with ACTIVE 20 min per 60 min,
    ``DEFAULT_LATEST_WINDOW_SIZE_ACTIVE_MS``, and 15 min of expedited time a day for WORKING_SET,
    ``DEFAULT_CURRENT_EJ_LIMIT_WORKING_MS``)."""

    quota_constants: Literal["legacy", "current", "latest"]
    #: ``JobConcurrencyManager``'s steady-state limit of jobs running at once: 16 on Android
    #: 12-13 (``MAX_JOB_CONTEXTS_COUNT``/``STANDARD_CONCURRENCY_LIMIT``); from 14 on
    #: ``DEFAULT_CONCURRENCY_LIMIT`` by RAM: 8 low-RAM, 16 up to 6 GB, 20 up to 8 GB, 32 up to
    #: 12 GB, 40 above (``MAX_CONCURRENCY_LIMIT`` 64 at most).
    concurrency_limit: Annotated[int, Field(ge=1, le=64)] = 16


class BootSettings(_Section):
    """How long a boot takes and when a dead phone powers on again on its charger."""

    boot_ms: Ms
    auto_boot_on_charger: bool
    auto_boot_min_level: Percent


class DeviceProfile(_Section):
    """A validated, frozen device profile (platform defaults + device file + overrides)."""

    name: str
    description: str
    #: The operating system on top of the device model: ``android`` (JobScheduler, WorkManager)
    #: or ``ios`` (``harness.ios``: BGTaskScheduler). An iOS profile still names an
    #: ``android_version`` for the shared parts' defaults; the Android-only parts (doze, standby,
    #: JobScheduler) are not consulted on iOS.
    platform: Literal["android", "ios"] = "android"
    android_version: AndroidVersion
    battery: BatterySettings
    charging: ChargingSettings
    battery_saver: BatterySaverSettings
    power: PowerSettings
    screen: ScreenSettings
    network: NetworkSettings
    doze: DozeSettings
    sensors: SensorSettings
    idle: IdleSettings
    standby: StandbySettings
    jobscheduler: JobSchedulerSettings
    apps: AppsSettings
    vendor: VendorSettings = VendorSettings()
    #: The owner's life a scenario on this device draws when it has no ``life:`` of its own: a
    #: life preset name or a ``life:`` mapping, checked by the scenario layer (docs/lives.md).
    life: str | dict[str, Any] | None = None
    storage: StorageSettings
    boot: BootSettings
