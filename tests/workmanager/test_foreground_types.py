"""Foreground-service types against the app's manifest (_foreground.py: AOSP ActiveServices
setServiceForegroundInnerLocked / validateForegroundServiceType, ForegroundServiceTypePolicy;
androidx SystemForegroundService.startForeground; "Foreground service types are required")."""

from __future__ import annotations

import pytest

from harness._exceptions import DefinitionError
from harness.scenario import World, loads
from harness.sim import Simulation
from harness.workmanager import (
    AndroidManifest,
    ForegroundInfo,
    IllegalArgumentException,
    InvalidForegroundServiceTypeException,
    SecurityException,
)
from harness.workmanager._foreground import FOREGROUND_SERVICE, check_start_foreground
from tests.workmanager.apps import undeclared_uploader

DATA_SYNC = 1  # ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC
DATA_SYNC_PERMISSION = "android.permission.FOREGROUND_SERVICE_DATA_SYNC"
DECLARED = AndroidManifest(
    foreground_service_types=("dataSync",), permissions=(DATA_SYNC_PERMISSION,)
)


def test_a_type_missing_from_the_manifest_is_an_illegal_argument_from_api_29() -> None:
    """ActiveServices: "foregroundServiceType 0x00000001 is not a subset of
    foregroundServiceType attribute 0x00000000 in service element of manifest file" (API 29+,
    any targetSdk); WorkManager's own SystemForegroundService entry declares no type."""
    info = ForegroundInfo(1, "sync", DATA_SYNC)
    with pytest.raises(IllegalArgumentException, match=r"0x00000001 is not a subset .*0x00000000"):
        check_start_foreground(AndroidManifest(target_sdk=33), info, 29)
    check_start_foreground(AndroidManifest(), info, 28)  # startForeground(id, notification)
    check_start_foreground(DECLARED, info, 35)


def test_type_none_is_prohibited_from_api_34_with_target_sdk_34() -> None:
    """validateForegroundServiceType: type 0 (androidx passes the ForegroundInfo's type as is)
    hits FGS_TYPE_POLICY_CHECK_DISABLED from targetSdk 34 on API 34+:
    InvalidForegroundServiceTypeException "Starting FGS with type none ... has been
    prohibited"; a lower targetSdk or an older device still allows it."""
    info = ForegroundInfo(1, "sync")
    with pytest.raises(InvalidForegroundServiceTypeException, match="type none"):
        check_start_foreground(DECLARED, info, 34)
    check_start_foreground(AndroidManifest(target_sdk=33), info, 35)
    check_start_foreground(AndroidManifest(), info, 33)


def test_a_type_needs_its_permission_from_api_34_with_target_sdk_34() -> None:
    """ForegroundServiceTypePolicy: dataSync needs FOREGROUND_SERVICE_DATA_SYNC from
    targetSdk 34 (SecurityException "requires permissions"); FOREGROUND_SERVICE itself is
    always held: work-runtime's AndroidManifest.xml declares it and the merger adds it."""
    info = ForegroundInfo(1, "sync", DATA_SYNC)
    no_type_permission = AndroidManifest(foreground_service_types=("dataSync",))
    with pytest.raises(SecurityException, match="FOREGROUND_SERVICE_DATA_SYNC"):
        check_start_foreground(no_type_permission, info, 34)
    old_target = AndroidManifest(foreground_service_types=("dataSync",), target_sdk=33)
    check_start_foreground(old_target, info, 35)
    check_start_foreground(no_type_permission, info, 33)
    assert FOREGROUND_SERVICE in no_type_permission.held_permissions  # from WorkManager's


def test_an_unknown_type_name_is_a_definition_error() -> None:
    """android:foregroundServiceType takes the ServiceInfo names (dataSync, location, ...)."""
    with pytest.raises(DefinitionError, match="'sync'"):
        AndroidManifest(foreground_service_types=("sync",))


def test_an_app_that_declares_no_type_is_refused_its_data_sync_service() -> None:
    """End to end on Android 15: the app module has no ANDROID_MANIFEST, so SystemForeground-
    Service declares no type and startForeground(dataSync) throws IllegalArgumentException,
    raised from set_foreground and traced as work.foreground_refused; the work then runs as
    ordinary work (the phone would crash the process instead: see _foreground.py)."""
    scenario = loads(
        "name: undeclared\napp: tests.workmanager.apps.undeclared_uploader\n"
        "device: pixel-like\nduration: 2h\ntimeline:\n  - at: 1m\n    do: open app\n"
        "  - at: 1m 30s\n    do: use phone for 60m\n"
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("1h")
        db = world.runtime.data_area(undeclared_uploader.PACKAGE).database("log.db")
        log = [outcome for (outcome,) in db.execute("SELECT outcome FROM log ORDER BY n")]
        (refused,) = sim.trace.of_kind("work.foreground_refused")
    assert log[0] == "foreground refused: IllegalArgumentException"
    assert refused["exception"] == "IllegalArgumentException"
    assert "not a subset of foregroundServiceType attribute 0x00000000" in refused["message"]
