"""The phone model: which events a phone can produce in which state (harness.strategies._model)."""

from __future__ import annotations

import pytest

from harness.strategies import AppState, PhoneModel, timeline_problems


def _events(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"at": at, "do": event} for at, event in pairs]


def test_a_charger_is_connected_only_to_an_unplugged_phone() -> None:
    """BatteryManager: plugging in twice is no event a phone produces; unplug needs a charger."""
    assert timeline_problems(_events(("0s", "plug in ac"), ("1m", "plug in usb"))) == [
        "at 1m: 'plug in usb': already plugged in"
    ]
    assert timeline_problems(_events(("0s", "unplug")))[0].startswith("at 0s: 'unplug': not")


def test_force_idle_needs_the_screen_off_and_no_charger() -> None:
    """DeviceIdleController.becomeInactiveIfAppropriateLocked: !mScreenOn && !mCharging."""
    force = "adb shell dumpsys deviceidle force-idle"
    assert timeline_problems(_events(("1m", force))) == [
        f"at 1m: {force!r}: force-idle needs the screen off, no charger and no forced idle yet"
    ]
    assert timeline_problems(_events(("10m", force))) == []
    assert timeline_problems(_events(("10m", "use phone for 5m"), ("12m", force)))


def test_the_low_memory_killer_takes_only_a_background_process() -> None:
    """ProcessList: the LMK never kills the TOP app, and there is nothing to kill in a dead app."""
    assert timeline_problems(_events(("0s", "open app"), ("1m", "kill app")))
    assert timeline_problems(_events(("0s", "kill app")))
    assert (
        timeline_problems(_events(("0s", "open app"), ("1m", "leave app"), ("2m", "kill app")))
        == []
    )


def test_swipe_away_needs_the_app_in_recents_and_open_app_follows_it() -> None:
    """Only an app the user opened can be swiped from recents; after a swipe it can be opened."""
    assert timeline_problems(_events(("0s", "swipe away")))
    assert (
        timeline_problems(_events(("0s", "open app"), ("1m", "swipe away"), ("2m", "open app")))
        == []
    )


def test_nothing_happens_on_the_adb_shell_while_the_phone_reboots() -> None:
    """adb: no devices/emulators found while the phone boots (Device.shell refuses)."""
    assert timeline_problems(_events(("0s", "reboot"), ("1m", "adb shell svc wifi disable"))) == [
        "at 1m: 'adb shell svc wifi disable': the phone is rebooting"
    ]


def test_a_week_without_a_charger_and_with_the_screen_on_runs_the_battery_down() -> None:
    """A phone used for hours a day without charging dies; the model says so before it does."""
    uses = [(f"{day}d", "use phone for 5h") for day in range(4)]
    assert any("runs down" in problem for problem in timeline_problems(_events(*uses)))


def test_reboot_ends_the_process_but_not_the_stopped_state() -> None:
    """A force-stopped package stays stopped across a reboot (packages-stopped.xml)."""
    model = PhoneModel()
    model.apply("force-stop")
    model.apply("reboot")
    assert model.app is AppState.STOPPED
    model = PhoneModel()
    model.apply("open app")
    model.apply("reboot")
    assert model.app is AppState.GONE


def test_time_never_goes_backwards() -> None:
    """The model refuses to move back in time (STYLE.md rule 7)."""
    model = PhoneModel()
    model.advance(10)
    with pytest.raises(ValueError, match=r"^time goes backwards: 5 ms after 10 ms$"):
        model.advance(5)
