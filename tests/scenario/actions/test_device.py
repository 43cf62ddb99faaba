"""Device actions (harness/scenario/_actions/_device.py): reboot, charger, use, Wi-Fi, storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.device import PlugType
from harness.scenario._actions import ActionError, parse_action
from harness.scenario._actions._device import PlugIn, Reboot, SetStorageFree, UsePhone, WifiRange
from tests.scenario.actions._validate import assert_refused, validate


@pytest.mark.parametrize(
    ("text", "percent", "free_bytes"),
    [
        ("set storage free 3%", 3, None),
        ("set storage free 300 MB", None, 300_000_000),
        ("set storage free 400MiB", None, 400 * 2**20),
        ("set storage free 1 GB", None, 10**9),
        ("set storage free 0 MB", None, 0),
    ],
)
def test_storage_free_as_a_share_or_an_amount(
    text: str, percent: int | None, free_bytes: int | None
) -> None:
    """Free space as a percentage of the disk or as bytes (decimal or binary units)."""
    assert parse_action(text) == SetStorageFree(text, percent=percent, free_bytes=free_bytes)


def test_storage_free_above_100_percent_is_refused() -> None:
    """A share of the disk is at most 100 %."""
    with pytest.raises(ActionError, match=r"free space is at most 100 %"):
        parse_action("set storage free 150%")


def test_storage_free_in_an_unknown_unit_names_the_units() -> None:
    """'3 TB' is not a unit the action knows; the error lists the ones it does."""
    with pytest.raises(ActionError, match=r"N% or N with a unit of B, KB, MB, GB, KIB"):
        parse_action("set storage free 3 TB")


def test_charger_kinds_are_plug_types() -> None:
    """'plug in' takes BatteryManager's charger kinds; AC by default."""
    assert parse_action("plug in") == PlugIn("plug in", charger=PlugType.AC)
    assert parse_action("Plug in wireless") == PlugIn("Plug in wireless", charger=PlugType.WIRELESS)
    assert parse_action("plug in dock").charger is PlugType.DOCK  # type: ignore[attr-defined]


def test_use_phone_wifi_and_reboot_forms() -> None:
    """Durations are milliseconds; Wi-Fi reach is a boolean; 'adb reboot' is a reboot."""
    assert parse_action("use phone for 10m") == UsePhone("use phone for 10m", duration_ms=600_000)
    assert parse_action("wifi out of range") == WifiRange("wifi out of range", in_range=False)
    assert parse_action("adb reboot") == Reboot("adb reboot")


@pytest.mark.parametrize("duration", ["0s", "0m"])
def test_using_the_phone_for_no_time_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], duration: str
) -> None:
    """'use phone for 0s' is a mistake (the screen would not come on): exit 2 at validate."""
    action = f"use phone for {duration}"
    code, output = validate(tmp_path, capsys, action)
    assert_refused(code, output, action, "must be longer than zero")


def test_a_bad_duration_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'use phone for soon' names the value and the form of a duration."""
    code, output = validate(tmp_path, capsys, "use phone for soon")
    assert_refused(code, output, "use phone for soon", "'soon' is not a duration like '30m'")
