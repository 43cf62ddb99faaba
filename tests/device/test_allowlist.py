"""Power allowlists (harness/device/_allowlist.py): ``dumpsys deviceidle whitelist``,
``cmd deviceidle tempwhitelist`` and what they do to app standby, as DeviceIdleController and
AppStandbyController do it."""

from __future__ import annotations

from typing import Any

import pytest

from harness._exceptions import ShellCommandError
from harness.device import StandbyBucket
from harness.sim import MS_PER_HOUR, Simulation
from tests.device.conftest import PACKAGE

APP_ID = 10_000 + sum(PACKAGE.encode()) % 900 + 100


def test_whitelist_plus_minus_equals_and_listing(device: Any) -> None:
    """``DeviceIdleController.onShellCommand`` "whitelist": ``+PKG`` prints ``Added: PKG``
    (``Unknown package: PKG`` if not installed), ``-PKG`` prints ``Removed: PKG`` only when it
    was listed, ``=PKG`` prints true/false, no argument lists ``user,PKG,APPID``."""
    assert device.shell("dumpsys deviceidle whitelist") == ""
    assert device.shell(f"dumpsys deviceidle whitelist +{PACKAGE}") == f"Added: {PACKAGE}\n"
    assert device.shell("dumpsys deviceidle whitelist +com.nope") == "Unknown package: com.nope\n"
    assert device.shell("dumpsys deviceidle whitelist") == f"user,{PACKAGE},{APP_ID}\n"
    assert device.shell(f"cmd deviceidle whitelist ={PACKAGE} -{PACKAGE} -{PACKAGE}") == (
        f"true\nRemoved: {PACKAGE}\n"
    )
    assert device.shell(f"dumpsys deviceidle whitelist ={PACKAGE}") == "false\n"
    with pytest.raises(
        ShellCommandError, match=rf"^Package must be prefixed with \+, -, or =: {PACKAGE}$"
    ):
        device.shell(f"dumpsys deviceidle whitelist {PACKAGE}")


def test_dump_lists_the_user_and_temp_allowlists(device: Any) -> None:
    """``DeviceIdleController.dump``: "Whitelist user apps:", "Whitelist user app ids:",
    "Temp whitelist schedule:" (``UID=APPID: +left - shell``) and "Temp whitelist app ids:"."""
    device.shell(f"dumpsys deviceidle whitelist +{PACKAGE}")
    device.shell(f"cmd deviceidle tempwhitelist {PACKAGE}")
    text = device.shell("dumpsys deviceidle")
    assert (
        f"  Whitelist user apps:\n    {PACKAGE}\n  Whitelist user app ids:\n    {APP_ID}\n" in text
    )
    assert f"  Temp whitelist schedule:\n    UID={APP_ID}: +10s0ms - shell\n" in text
    assert f"  Temp whitelist app ids:\n    {APP_ID}\n  mLightEnabled=" in text


def test_allowlisted_app_is_exempted_from_app_standby(sim: Simulation, device: Any) -> None:
    """``AppStandbyController.getAppMinBucket``: ``isNonIdleWhitelisted`` -> EXEMPTED; a forced
    bucket does not apply to it (``setAppStandbyBucket``: not above ACTIVE); off the list it
    falls back to its usage bucket."""
    device.apps.launch(PACKAGE)
    device.apps.leave(PACKAGE)
    device.shell(f"dumpsys deviceidle whitelist +{PACKAGE}")
    assert device.shell(f"am get-standby-bucket {PACKAGE}") == "5\n"
    device.shell(f"am set-standby-bucket {PACKAGE} rare")
    assert device.standby.bucket(PACKAGE) is StandbyBucket.EXEMPTED
    sim.run_for(3 * MS_PER_HOUR)
    device.shell(f"dumpsys deviceidle whitelist -{PACKAGE}")
    assert device.standby.bucket(PACKAGE) is StandbyBucket.ACTIVE  # no screen-on time since
    last = sim.trace.of_kind("device.standby")[-1]
    assert (last["bucket"], last["reason"]) == ("ACTIVE", "timeout")


def test_tempwhitelist_duration_cap_and_expiry(sim: Simulation, device: Any) -> None:
    """``tempwhitelist``: 10 s without ``-d``; ``-d`` is capped at
    ``MAX_TEMP_APP_ALLOWLIST_DURATION_MS`` (5 min); the entry expires; ``-r`` removes it; an
    unknown package prints ``Failed: ...``."""
    device.shell(f"cmd deviceidle tempwhitelist {PACKAGE}")
    assert device.shell("cmd deviceidle tempwhitelist") == f"UID={APP_ID}: +10s0ms - shell\n"
    sim.run_for(10_000)
    assert not device.allowlist.is_temp_allowlisted(PACKAGE)
    device.shell(f"cmd deviceidle tempwhitelist -d 3600000 {PACKAGE}")
    assert device.shell("cmd deviceidle tempwhitelist") == f"UID={APP_ID}: +5m0s0ms - shell\n"
    device.shell(f"cmd deviceidle tempwhitelist -r {PACKAGE}")
    assert device.shell("cmd deviceidle tempwhitelist") == ""
    with pytest.raises(ShellCommandError, match=r"^Failed: .*NameNotFoundException: com\.nope$"):
        device.shell("cmd deviceidle tempwhitelist com.nope")
    with pytest.raises(ShellCommandError, match=r"^\[-r\] requires a package name$"):
        device.shell("cmd deviceidle tempwhitelist -r")


def test_make_uid_idle(device: Any) -> None:
    """``am make-uid-idle [--user U] PKG`` (``ActivityManagerShellCommand.runMakeIdle``): prints
    nothing; an unknown package is ``makePackageIdle``'s IllegalArgumentException; an unknown
    option is ``Error: Unknown option: -x``."""
    assert device.shell(f"am make-uid-idle --user 0 {PACKAGE}") == ""
    with pytest.raises(ShellCommandError, match=r"Unknown package name com\.nope$"):
        device.shell("am make-uid-idle com.nope")
    with pytest.raises(ShellCommandError, match=r"^Error: Unknown option: -x$"):
        device.shell(f"am make-uid-idle -x {PACKAGE}")
