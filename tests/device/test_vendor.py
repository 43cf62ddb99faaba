"""Vendor battery managers as profile data (dontkillmyapp.com documents each vendor)."""

from __future__ import annotations

import re

import pytest

from harness import ProfileError
from harness.device import ProcessState, StartResult, load_profile, vendor_presets
from harness.sim import Simulation
from tests.device.conftest import PACKAGE, MakeDevice
from tests.device.helpers import first, records


def test_presets_are_the_documented_vendors() -> None:
    """The presets are stock and the four vendors dontkillmyapp.com ranks worst."""
    assert vendor_presets() == ["huawei", "oneplus", "samsung", "stock", "xiaomi"]


def test_a_profile_without_vendor_is_stock() -> None:
    """A profile with no ``vendor:`` section behaves as AOSP: every vendor policy is off."""
    vendor = load_profile("pixel-like").vendor
    assert vendor == load_profile("pixel-like", {"vendor": "stock"}).vendor
    assert vendor.preset == "stock"
    assert not (vendor.force_stop_on_swipe)
    assert not (vendor.autostart_denied)
    assert not (vendor.kill_running_jobs)
    assert vendor.kill_after_screen_off_ms is None
    assert vendor.restrict_unused_after_ms is None


def test_fields_written_next_to_a_preset_win() -> None:
    """``vendor: {preset: huawei, kill_after_screen_off_ms: 5000}``: the written field wins."""
    vendor = load_profile(
        "pixel-like", {"vendor": {"preset": "huawei", "kill_after_screen_off_ms": 5_000}}
    ).vendor
    assert vendor.kill_after_screen_off_ms == 5_000
    assert vendor.autostart_denied  # from profiles/vendor/huawei.yaml


def test_an_unknown_preset_names_the_choices() -> None:
    """An unknown preset is a ProfileError listing the presets."""
    with pytest.raises(
        ProfileError,
        match=r"^device profile 'pixel-like': vendor preset 'nokia' does not exist; choose one "
        r"of: huawei, oneplus, samsung, stock, xiaomi, custom$",
    ):
        load_profile("pixel-like", {"vendor": "nokia"})


def test_a_bad_vendor_field_names_it() -> None:
    """A bad vendor value names the setting and what is allowed."""
    with pytest.raises(ProfileError, match=re.escape("vendor.kill_after_screen_off_ms = 0")):
        load_profile("pixel-like", {"vendor.kill_after_screen_off_ms": 0})


def test_xiaomi_swipe_force_stops(sim: Simulation, make_device: MakeDevice) -> None:
    """dontkillmyapp.com/xiaomi: clearing the app from recents kills it unless locked (its jobs
    and alarms go: a force-stop)."""
    device = make_device("pixel-like", vendor="xiaomi")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.swipe_away(PACKAGE)
    assert device.apps.is_stopped(PACKAGE)
    assert first(sim, "device.process", event="force_stopped")["detail"] == (
        "swiped away (OEM force-stop)"
    )


def test_stock_swipe_keeps_the_package_startable(sim: Simulation, make_device: MakeDevice) -> None:
    """Stock Android: removing the task only kills the process; a job may start it again."""
    device = make_device("pixel-like")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.swipe_away(PACKAGE)
    assert device.apps.start_process(PACKAGE, "job 1") is StartResult.STARTING


def test_autostart_denied_refuses_job_starts(sim: Simulation, make_device: MakeDevice) -> None:
    """dontkillmyapp.com/xiaomi (Autostart permission), /huawei (App launch): nothing but the
    user starts the app; a job's or BOOT_COMPLETED's process start is refused."""
    device = make_device("pixel-like", vendor="xiaomi")
    assert device.apps.start_process(PACKAGE, "job 1") is StartResult.REFUSED
    assert first(sim, "device.process", event="autostart_denied")["detail"] == "job 1"
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    # while the user's process lives, jobs bind to it
    assert device.apps.start_process(PACKAGE, "job 1") is StartResult.RUNNING


def test_kill_after_screen_off(sim: Simulation, make_device: MakeDevice) -> None:
    """dontkillmyapp.com/huawei (the Mate 8 manual: "Your phone will close all background apps
    except those that are protected" when the screen locks): background processes die a set
    time after the screen goes off, not before, and not while it is on."""
    device = make_device("pixel-like", vendor={"preset": "huawei"})
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.leave(PACKAGE)
    device.screen.go_to_sleep()
    off_at = sim.now_ms
    sim.run_for(59_999)
    assert device.apps.is_running(PACKAGE)
    sim.run_for(1)
    died = first(sim, "device.process", event="died")
    assert died["detail"] == "vendor battery manager (huawei): screen off"
    assert died.t_ms == off_at + 60_000


def test_huawei_kills_running_jobs_samsung_spares_them(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """Huawei's PowerGenie closes background apps with their work (kill_running_jobs); a killer
    without it spares a process bound to a running job (SERVICE)."""
    huawei = make_device("pixel-like", vendor="huawei")
    huawei.apps.launch(PACKAGE)
    sim.run_for(2_000)
    huawei.apps.bind_service(PACKAGE, "job:1")
    huawei.apps.leave(PACKAGE)
    assert huawei.apps.state(PACKAGE) is ProcessState.SERVICE
    huawei.screen.go_to_sleep()
    sim.run_for(60_000)
    assert not huawei.apps.is_running(PACKAGE)


def test_kill_spares_a_running_job_without_kill_running_jobs(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """Samsung's preset kills cached processes after screen-off, not one running a job."""
    device = make_device("pixel-like", vendor="samsung")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.bind_service(PACKAGE, "job:1")
    device.apps.leave(PACKAGE)
    device.screen.go_to_sleep()
    sim.run_for(30 * 60_000)
    assert device.apps.state(PACKAGE) is ProcessState.SERVICE


def test_battery_optimisation_resets_after_unused_days(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """developer.samsung.com/mobile/app-management.html: an app not used for about 3 days is
    put to sleep (restricted); dontkillmyapp.com/samsung: it goes back to sleep even after the
    user woke it. Opening the app wakes it."""
    device = make_device("pixel-like", vendor="samsung")
    device.apps.launch(PACKAGE)
    sim.run_for(3 * 86_400_000 - 1)
    assert not device.apps.is_background_restricted(PACKAGE)
    sim.run_for(1)
    assert device.apps.is_background_restricted(PACKAGE)
    device.apps.launch(PACKAGE)
    assert not device.apps.is_background_restricted(PACKAGE)
    sim.run_for(3 * 86_400_000)
    restricted = records(sim, "device.process", event="background_restricted")
    assert [record["value"] for record in restricted] == [True, False, True]


def test_stock_never_restricts_or_kills(sim: Simulation, make_device: MakeDevice) -> None:
    """Stock Android: a week with the screen off kills and restricts nothing."""
    device = make_device("pixel-like")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.apps.leave(PACKAGE)
    device.screen.go_to_sleep()
    sim.run_for(7 * 86_400_000)
    assert device.apps.is_running(PACKAGE)
    assert not device.apps.is_background_restricted(PACKAGE)


def test_an_app_left_after_screen_off_dies_at_the_mark(
    sim: Simulation, make_device: MakeDevice
) -> None:
    """An app still on screen when the screen times out is killed once it goes to the
    background, at the screen-off mark (dontkillmyapp.com/huawei: background apps close when
    the screen locks)."""
    device = make_device("pixel-like", vendor="huawei")
    device.apps.launch(PACKAGE)
    sim.run_for(2_000)
    device.screen.go_to_sleep()
    off_at = sim.now_ms
    sim.run_for(120_000)
    assert device.apps.is_running(PACKAGE)  # still the top app: spared
    device.apps.leave(PACKAGE)
    sim.run_for(0)
    died = first(sim, "device.process", event="died")
    assert died.t_ms == off_at + 120_000


def test_fleet_profiles() -> None:
    """budget-killer is the budget phone with Xiaomi's manager; tablet is a Wi-Fi-only stock
    tablet (no modem: mobile data off, no cellular network)."""
    killer, budget = load_profile("budget-killer"), load_profile("budget")
    assert killer.vendor == load_profile("pixel-like", {"vendor": "xiaomi"}).vendor
    assert killer.battery == budget.battery
    assert killer.apps == budget.apps
    tablet = load_profile("tablet")
    assert tablet.vendor.preset == "stock"
    assert not tablet.network.mobile_data_enabled
    assert not tablet.network.cellular_in_range
    assert tablet.battery.capacity_mah == 8000
