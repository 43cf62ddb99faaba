"""Device profiles: bundled files, platform defaults per Android version, overrides, errors."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from harness._exceptions import ProfileError
from harness.device import available_profiles, load_profile


def test_bundled_profiles_are_listed() -> None:
    """Profiles are selectable by name: pixel-like and budget ship with harness."""
    assert {"pixel-like", "budget"} <= set(available_profiles())


def test_android_14_reads_config_device_idle_xml() -> None:
    """14 reads config_device_idle.xml (FB@008fa43f): light after 4 min, alarm clock 60 min."""
    profile = load_profile("pixel-like", {"android_version": 14})
    assert profile.android_version == 14
    assert profile.doze.light_after_inactive_to_ms == 240_000
    assert profile.doze.min_time_to_alarm_ms == 3_600_000
    assert profile.doze.light_pre_idle_to_ms is None


def test_the_default_device_runs_android_15() -> None:
    """Defaults: the newest release modelled; pixel-like is an Android 15 (API 35) phone."""
    assert load_profile("pixel-like").android_version == 15


def test_android_15_doze_and_jobscheduler_constants() -> None:
    """15 (A15@0898a28d DeviceIdleController, config_device_idle.xml): light idle after 4 min,
    no PRE_IDLE, a waking light IDLE alarm, idle 60 min to 6 h by 2.0, alarm clock 60 min,
    deep maintenance at least 30 s; QuotaController starts at the legacy windows; the
    inactivity idle threshold stays 31 min."""
    doze = load_profile("pixel-like").doze
    assert (doze.light_after_inactive_to_ms, doze.light_pre_idle_to_ms) == (240_000, None)
    assert doze.light_idle_alarm_wakeup is True
    assert (doze.light_idle_to_ms, doze.light_max_idle_to_ms) == (300_000, 900_000)
    assert (doze.inactive_to_ms, doze.sensing_to_ms, doze.locating_to_ms) == (
        1_800_000,
        240_000,
        30_000,
    )
    assert (doze.idle_to_ms, doze.max_idle_to_ms, doze.idle_factor) == (3_600_000, 21_600_000, 2.0)
    assert (doze.min_time_to_alarm_ms, doze.min_deep_maintenance_time_ms) == (3_600_000, 30_000)
    profile = load_profile("pixel-like")
    assert profile.jobscheduler.quota_constants == "legacy"
    assert profile.idle.inactivity_idle_threshold_ms == 1_860_000


def test_android_13_uses_java_defaults() -> None:
    """13 uses DeviceIdleController Java defaults (FB@01740eff): light 1 min, PRE_IDLE 3 min."""
    profile = load_profile("budget")
    assert profile.android_version == 13
    assert profile.doze.light_after_inactive_to_ms == 60_000
    assert profile.doze.light_pre_idle_to_ms == 180_000
    assert profile.doze.min_time_to_alarm_ms == 1_800_000


def test_platform_numbers_are_aosp_defaults() -> None:
    """config.xml: warning 15 %, bump 5, critical 5; StorageManager 5 % / 500 MiB; idle 31 min."""
    profile = load_profile("pixel-like")
    assert profile.battery.low_battery_warning_level == 15
    assert profile.battery.low_battery_close_warning_bump == 5
    assert profile.battery.critical_battery_warning_level == 5
    assert profile.storage.threshold_percentage == 5
    assert profile.storage.threshold_max_bytes == 500 * 1024 * 1024
    assert profile.idle.inactivity_idle_threshold_ms == 31 * 60_000
    assert profile.standby.elapsed_time_thresholds_ms[-1] == 8 * 86_400_000


def test_android_version_override_picks_its_platform_file() -> None:
    """android_version is a profile setting: overriding it loads that version's AOSP defaults."""
    profile = load_profile("pixel-like", {"android_version": 13})
    assert profile.doze.light_after_inactive_to_ms == 60_000
    assert profile.battery.capacity_mah == 4500  # the device file still applies


def test_overrides_nested_and_dotted() -> None:
    """Overrides may be nested dicts or dotted names."""
    dotted = load_profile("budget", {"battery.capacity_mah": 2000})
    nested = load_profile("budget", {"battery": {"capacity_mah": 2000}})
    assert dotted == nested
    assert dotted.battery.capacity_mah == 2000
    assert dotted.battery.initial_level == 60


def test_budget_is_an_aggressive_oem() -> None:
    """budget: small battery, force-stop on swipe, background kills."""
    profile = load_profile("budget")
    assert profile.battery.capacity_mah < load_profile("pixel-like").battery.capacity_mah
    assert profile.apps.force_stop_on_swipe
    assert profile.apps.oem_background_kill_after_ms is not None


def test_out_of_range_value_names_field_value_and_range() -> None:
    """A bad value is rejected with the field, the value and the allowed range."""
    with pytest.raises(
        ProfileError,
        match=r"^device profile 'budget': battery\.capacity_mah = 5 is invalid .*"
        r"allowed: int from 100 to 20000; fix the profile file or the override$",
    ):
        load_profile("budget", {"battery.capacity_mah": 5})


def test_unknown_setting_is_rejected() -> None:
    """Typos fail loudly instead of being ignored."""
    with pytest.raises(ProfileError, match=r"unknown setting 'battery\.capcity_mah' \(value 1\)"):
        load_profile("pixel-like", {"battery.capcity_mah": 1})


def test_unknown_profile_lists_the_known_ones() -> None:
    """An unknown profile name lists the choices."""
    with pytest.raises(ProfileError, match=r"^device profile 'iphone' does not exist; choose one"):
        load_profile("iphone")


def test_unsupported_android_version() -> None:
    """Only 12 to 16 have platform defaults; the error names field, value, allowed."""
    with pytest.raises(
        ProfileError,
        match=r"^device profile 'pixel-like': android_version = 11 is not supported; "
        r"allowed: 12, 13, 14, 15, 16$",
    ):
        load_profile("pixel-like", {"android_version": 11})


def test_cross_field_rules() -> None:
    """Free space cannot exceed the disk; BatteryService needs warning >= critical."""
    with pytest.raises(ProfileError, match=r"initial_free_bytes .* is above total_bytes"):
        load_profile("pixel-like", {"storage.initial_free_bytes": 2**49})
    with pytest.raises(ProfileError, match=r"warning >= critical"):
        load_profile("pixel-like", {"battery.low_battery_warning_level": 2})


def test_strict_types() -> None:
    """A string where a number belongs is rejected, not coerced."""
    with pytest.raises(ProfileError, match=r"doze\.idle_factor = 'x' is invalid"):
        load_profile("pixel-like", {"doze.idle_factor": "x"})
    with pytest.raises(ProfileError, match=r"screen\.off_timeout_ms = '60000' is invalid"):
        load_profile("pixel-like", {"screen.off_timeout_ms": "60000"})


def test_own_profile_file(tmp_path: Path) -> None:
    """A user's own YAML profile file works like a bundled one (platform defaults underneath)."""
    bundled = files("harness.device") / "profiles" / "pixel-like.yaml"
    text = bundled.read_text(encoding="utf-8").replace("capacity_mah: 4500", "capacity_mah: 5100")
    own = tmp_path / "my-phone.yaml"
    own.write_text(text, encoding="utf-8")
    profile = load_profile(str(own))
    assert profile.battery.capacity_mah == 5100
    assert profile.doze.idle_to_ms == 3_600_000


def test_a_bundled_profile_is_read_and_validated_once_per_overrides() -> None:
    """The same name and overrides give the same (frozen) profile; other overrides another."""
    assert load_profile("budget") is load_profile("budget")
    dotted = load_profile("budget", {"battery.capacity_mah": 2100})
    assert load_profile("budget", {"battery.capacity_mah": 2100}) is dotted
    assert dotted.battery.capacity_mah == 2100
    assert load_profile("budget", {"battery.capacity_mah": 2200}).battery.capacity_mah == 2200
    assert load_profile("budget").battery.capacity_mah != 2100


def test_own_profile_file_is_read_again_on_every_load(tmp_path: Path) -> None:
    """A user's own profile file may change between loads: each load reads it again."""
    bundled = files("harness.device") / "profiles" / "pixel-like.yaml"
    text = bundled.read_text(encoding="utf-8")
    own = tmp_path / "my-phone.yaml"
    own.write_text(text.replace("capacity_mah: 4500", "capacity_mah: 5100"), encoding="utf-8")
    assert load_profile(str(own)).battery.capacity_mah == 5100
    own.write_text(text.replace("capacity_mah: 4500", "capacity_mah: 5200"), encoding="utf-8")
    assert load_profile(str(own)).battery.capacity_mah == 5200


def test_standby_thresholds_must_not_decrease() -> None:
    """``AppStandbyController`` thresholds are one per bucket, in bucket order."""
    with pytest.raises(ProfileError, match=r"elapsed_time_thresholds_ms \[0, 43200000, 3600000, "):
        load_profile(
            "pixel-like",
            {"standby.elapsed_time_thresholds_ms": [0, 43_200_000, 3_600_000, 172_800_000, 0]},
        )


def test_a_choice_setting_lists_its_choices() -> None:
    """A setting with fixed choices names them."""
    with pytest.raises(
        ProfileError, match=r"jobscheduler\.quota_constants = 'x' is invalid .*allowed: 'legacy', "
    ):
        load_profile("pixel-like", {"jobscheduler.quota_constants": "x"})
