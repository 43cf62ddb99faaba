"""App standby buckets: AppStandbyController / AppIdleHistory (A15@547fa479, FB@10c9d947)."""

from __future__ import annotations

from typing import Any

from harness.device import StandbyBucket
from harness.sim import MS_PER_DAY, MS_PER_HOUR, Simulation
from tests.device.conftest import PACKAGE, MakeDevice
from tests.device.helpers import records


def test_fresh_install_is_never(device: Any) -> None:
    """A package that was never used is in NEVER (50); am get-standby-bucket prints the number."""
    assert device.standby.bucket(PACKAGE) == StandbyBucket.NEVER
    assert device.shell(f"am get-standby-bucket {PACKAGE}") == "50\n"


def test_decay_by_elapsed_and_screen_on_time(sim: Simulation, make_device: MakeDevice) -> None:
    """WORKING_SET at 12 h; FREQUENT at 24 h + 1 h screen; RARE 48 h + 2 h; RESTRICTED 8 d + 6 h."""
    device = make_device(**{"battery.capacity_mah": 20_000})  # 7 h of screen and 9 days
    device.apps.launch(PACKAGE)
    device.apps.leave(PACKAGE)
    assert device.standby.bucket(PACKAGE) == StandbyBucket.ACTIVE
    device.screen.use_for(7 * MS_PER_HOUR)  # screen-on time for the thresholds
    sim.run_for(9 * MS_PER_DAY)
    changes = [(r.t_ms, r["bucket"]) for r in records(sim, "device.standby", package=PACKAGE)]
    assert changes == [
        (0, "NEVER"),
        (0, "ACTIVE"),
        (12 * MS_PER_HOUR, "WORKING_SET"),
        (24 * MS_PER_HOUR, "FREQUENT"),
        (48 * MS_PER_HOUR, "RARE"),
        (8 * MS_PER_DAY, "RESTRICTED"),
    ]


def test_frequent_needs_screen_on_time_too(sim: Simulation, device: Any) -> None:
    """Both thresholds must hold (AND): without screen-on time the app stays in WORKING_SET."""
    device.apps.launch(PACKAGE)
    device.apps.leave(PACKAGE)
    sim.run_for(3 * MS_PER_DAY)
    assert device.standby.bucket(PACKAGE) == StandbyBucket.WORKING_SET


def test_time_powered_off_does_not_count(sim: Simulation, make_device: MakeDevice) -> None:
    """AppIdleHistory's elapsed time is device-on time: 6 h off delays WORKING_SET."""
    device = make_device(**{"boot.boot_ms": 6 * MS_PER_HOUR})
    device.apps.launch(PACKAGE)
    device.apps.leave(PACKAGE)
    sim.run_for(MS_PER_HOUR)
    device.reboot()  # on again at 7 h; 12 h of on-time since use at 18 h; checks at 7 h + 3 h * n
    sim.run_for(20 * MS_PER_HOUR)
    first_ws = records(sim, "device.standby", bucket="WORKING_SET")[0]
    assert first_ws.t_ms == 19 * MS_PER_HOUR


def test_forced_bucket_is_never_demoted(sim: Simulation, device: Any) -> None:
    """'If the bucket was forced by the user/developer, leave it alone' (FORCED_BY_USER)."""
    device.shell(f"am set-standby-bucket {PACKAGE} active")
    sim.run_for(5 * MS_PER_DAY)
    assert device.standby.bucket(PACKAGE) == StandbyBucket.ACTIVE
    device.shell(f"am set-standby-bucket {PACKAGE} rare")
    assert device.shell(f"am get-standby-bucket {PACKAGE}") == "40\n"
    device.apps.launch(PACKAGE)  # only usage brings it out
    assert device.standby.bucket(PACKAGE) == StandbyBucket.ACTIVE


def test_set_inactive_is_rare_forced_by_user(sim: Simulation, device: Any) -> None:
    """am set-inactive true: RARE with FORCED_BY_USER; get-inactive prints Idle=true/false."""
    device.shell(f"am set-inactive {PACKAGE} true")
    assert device.standby.bucket(PACKAGE) == StandbyBucket.RARE
    assert device.shell(f"am get-inactive {PACKAGE}") == "Idle=true\n"
    device.battery.plug("ac")  # isAppIdleFiltered: false while charging
    assert device.shell(f"am get-inactive {PACKAGE}") == "Idle=false\n"
    device.battery.unplug()
    device.shell(f"am set-inactive {PACKAGE} false")
    assert device.standby.bucket(PACKAGE) == StandbyBucket.ACTIVE


def test_bucket_names_and_errors(device: Any) -> None:
    """Bucket names by prefix (re = RESTRICTED) or number; bad names print the shell's error."""
    import pytest

    from harness._exceptions import ShellCommandError

    device.shell(f"am set-standby-bucket {PACKAGE} re")
    assert device.standby.bucket(PACKAGE) == StandbyBucket.RESTRICTED
    device.shell(f"am set-standby-bucket {PACKAGE} 30")
    assert device.standby.bucket(PACKAGE) == StandbyBucket.FREQUENT
    with pytest.raises(ShellCommandError, match=r"^Error: Unknown bucket: sometimes$"):
        device.shell(f"am set-standby-bucket {PACKAGE} sometimes")
    with pytest.raises(ShellCommandError, match=r"^Cannot set the standby bucket to 5$"):
        device.shell(f"am set-standby-bucket {PACKAGE} 5")
    with pytest.raises(ShellCommandError, match=r"non existent package \(com.nope\)"):
        device.shell("am set-standby-bucket com.nope rare")


def test_app_standby_disabled_reports_exempted(make_device: MakeDevice) -> None:
    """With config_enableAutoPowerModes false every app is EXEMPTED (5)."""
    device = make_device(**{"doze.enable_auto_power_modes": False})
    assert device.shell(f"am get-standby-bucket {PACKAGE}") == "5\n"
