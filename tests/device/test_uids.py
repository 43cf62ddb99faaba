"""The uid idle state (harness/device/_uids.py): active on top and for BACKGROUND_SETTLE_TIME
after, as ActivityManagerService's ``updateUidsLSP``, ``idleUids`` and ``makePackageIdle``."""

from __future__ import annotations

from typing import Any

from harness.device import Device
from harness.sim import Simulation
from tests.device.conftest import PACKAGE

OTHER = "com.example.other"


def _at(sim: Simulation, t_ms: int, device: Any, package: str = PACKAGE) -> bool:
    sim.run_until(t_ms)
    return bool(device.uids.is_active(package))


def test_a_uid_stays_active_for_the_settle_time_after_its_app_leaves(
    sim: Simulation, device: Any
) -> None:
    """``ActivityManagerConstants.DEFAULT_BACKGROUND_SETTLE_TIME`` (60 s): ``updateUidsLSP``
    sets the last background time and posts ``IDLE_UIDS_MSG``; ``idleUids`` idles the uid once
    it has been in the background that long (``CHANGE_IDLE``)."""
    idled: list[tuple[int, str]] = []
    device.uids.changed.connect(lambda package: idled.append((sim.now_ms, package)))
    sim.run_for("1s")
    assert not device.uids.is_active(PACKAGE)  # no process: no uid
    device.apps.launch(PACKAGE)
    sim.run_for("5s")
    assert device.uids.is_active(PACKAGE)  # TOP
    leave_ms = sim.now_ms
    device.apps.leave(PACKAGE)
    assert _at(sim, leave_ms + 59_999, device)
    assert not _at(sim, leave_ms + 60_000, device)
    assert idled == [(leave_ms + 60_000, PACKAGE)]


def test_a_process_started_in_the_background_leaves_its_uid_idle(
    sim: Simulation, device: Any
) -> None:
    """``new UidRecord`` starts idle: a process started for a job (never on top) is idle."""
    sim.run_for("1s")
    device.apps.start_process(PACKAGE, "job")
    sim.run_for("5s")
    assert device.apps.is_running(PACKAGE)
    assert not device.uids.is_active(PACKAGE)


def test_make_uid_idle_idles_a_background_uid_at_once(sim: Simulation, device: Any) -> None:
    """``am make-uid-idle PKG`` (``ActivityManagerShellCommand.runMakeIdle`` ->
    ``makePackageIdle``): a uid in the background and not yet idle (``bgTime > 0 &&
    !isIdle()``) is idled now; on top (``bgTime == 0``) nothing changes."""
    sim.run_for("1s")
    device.apps.launch(PACKAGE)
    sim.run_for("5s")
    assert device.shell(f"am make-uid-idle {PACKAGE}") == ""
    assert device.uids.is_active(PACKAGE)  # on top: still active
    device.apps.leave(PACKAGE)
    sim.run_for("10s")
    assert device.uids.is_active(PACKAGE)
    assert device.shell(f"am make-uid-idle --user 0 {PACKAGE}") == ""
    assert not device.uids.is_active(PACKAGE)
    device.apps.launch(PACKAGE)  # back on top: active again, and a new settle time after
    sim.run_for("1s")
    assert device.uids.is_active(PACKAGE)


def test_a_dead_process_leaves_no_active_uid(sim: Simulation, device: Any) -> None:
    """``onUidGone``: when the app's last process dies its uid is no longer active."""
    sim.run_for("1s")
    device.apps.launch(PACKAGE)
    sim.run_for("5s")
    device.apps.leave(PACKAGE)
    sim.run_for("5s")
    device.apps.kill(PACKAGE)
    assert not device.uids.is_active(PACKAGE)


def test_one_idle_message_serves_every_uid(sim: Simulation) -> None:
    """``idleUids`` idles the uids old enough and posts ``IDLE_UIDS_MSG`` again for the earliest
    of the others: each uid goes idle 60 s after it left the foreground."""
    device: Any = Device(sim, packages=[PACKAGE, OTHER])
    idled: list[tuple[int, str]] = []
    device.uids.changed.connect(lambda package: idled.append((sim.now_ms, package)))
    sim.run_for("1s")
    device.apps.launch(PACKAGE)
    sim.run_for("5s")
    device.apps.launch(OTHER)  # PACKAGE leaves the foreground at 6 s
    sim.run_for("30s")
    device.apps.leave(OTHER)  # at 36 s
    sim.run_for("2m")
    assert idled == [(66_000, PACKAGE), (96_000, OTHER)]
