"""BGTaskScheduler's documented submission rules (developer.apple.com/documentation/
backgroundtasks/bgtaskscheduler/submit(_:))."""

from __future__ import annotations

import pytest

from harness.ios import (
    AppDelegate,
    AppInfo,
    BGAppRefreshTaskRequest,
    BGProcessingTaskRequest,
    BGTaskSchedulerError,
    BGTaskSchedulerErrorCode,
    InternalInconsistencyError,
    IOSSystem,
    Launch,
)
from harness.sim import Simulation
from tests.ios.conftest import BUNDLE, PROCESSING_IDS, REFRESH_ID, SyncApp


def test_resubmit_replaces_and_limits_are_one_refresh_ten_processing(
    iphone: IOSSystem, app: SyncApp
) -> None:
    """Behaviour 1: "Resubmitting an id replaces it. A 2nd refresh id or an 11th processing
    request -> code 2" (BGTaskScheduler submit(_:): "a total of 1 refresh task and 10 processing
    tasks scheduled at any time")."""
    scheduler = iphone.scheduler(BUNDLE)
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest_begin_ms=1000))
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest_begin_ms=2000))
    assert scheduler.pending_task_requests() == (BGAppRefreshTaskRequest(REFRESH_ID, 2000),)
    permitted_second = PROCESSING_IDS[0]
    with pytest.raises(BGTaskSchedulerError) as refused:
        # a second refresh request under another (permitted) identifier
        scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID + ".other"))
    assert refused.value.code is BGTaskSchedulerErrorCode.NOT_PERMITTED
    for identifier in PROCESSING_IDS[:10]:
        scheduler.submit(BGProcessingTaskRequest(identifier))
    with pytest.raises(BGTaskSchedulerError) as eleventh:
        scheduler.submit(BGProcessingTaskRequest(PROCESSING_IDS[10]))
    assert eleventh.value.code is BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS
    assert int(eleventh.value.code) == 2
    scheduler.submit(BGProcessingTaskRequest(permitted_second, requires_external_power=True))
    assert len(scheduler.pending_task_requests()) == 11


def test_second_refresh_identifier_is_too_many(sim: Simulation) -> None:
    """A second BGAppRefreshTaskRequest under a different identifier fails with code 2
    (tooManyPendingTaskRequests): one refresh request at a time."""
    from harness.device import Device

    iphone = IOSSystem(sim, Device(sim, "pixel-like"))
    iphone.install(BUNDLE, AppInfo(permitted_identifiers=("a", "b")))
    scheduler = iphone.scheduler(BUNDLE)
    scheduler.submit(BGAppRefreshTaskRequest("a"))
    with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 2 "):
        scheduler.submit(BGAppRefreshTaskRequest("b"))
    scheduler.cancel("a")
    scheduler.submit(BGAppRefreshTaskRequest("b"))
    assert [r.identifier for r in scheduler.pending_task_requests()] == ["b"]


def test_unpermitted_identifier_is_code_3(iphone: IOSSystem, app: SyncApp) -> None:
    """An identifier missing from BGTaskSchedulerPermittedIdentifiers is notPermitted, code 3
    (bgtaskscheduler/error/code/notpermitted)."""
    with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 3 ") as e:
        iphone.scheduler(BUNDLE).submit(BGProcessingTaskRequest("com.example.other"))
    assert e.value.code is BGTaskSchedulerErrorCode.NOT_PERMITTED


def test_error_codes_are_apples_raw_values() -> None:
    """BGTaskSchedulerErrorCode: unavailable 1, tooManyPendingTaskRequests 2, notPermitted 3,
    immediateRunIneligible 4 (Apple's BGTaskScheduler.Error.Code; .NET binding's values)."""
    assert [(c.name, int(c)) for c in BGTaskSchedulerErrorCode] == [
        ("UNAVAILABLE", 1),
        ("TOO_MANY_PENDING_TASK_REQUESTS", 2),
        ("NOT_PERMITTED", 3),
        ("IMMEDIATE_RUN_INELIGIBLE", 4),
    ]


def test_register_after_launch_or_twice_crashes(iphone: IOSSystem, app: SyncApp) -> None:
    """Launch handlers must be registered before the app finishes launching, each identifier
    once (register(forTaskWithIdentifier:using:launchHandler:)): otherwise the app crashes."""
    iphone.open_app(BUNDLE)
    with pytest.raises(InternalInconsistencyError, match=r"after the app finished launching"):
        iphone.scheduler(BUNDLE).register(REFRESH_ID, lambda task: None)

    def register_twice(_launch: Launch) -> None:
        iphone.scheduler("com.example.twice").register("t", lambda task: None)
        iphone.scheduler("com.example.twice").register("t", lambda task: None)

    iphone.install(
        "com.example.twice",
        AppInfo(permitted_identifiers=("t",)),
        AppDelegate(did_finish_launching=register_twice),
    )
    with pytest.raises(InternalInconsistencyError, match=r"has already been registered$"):
        iphone.open_app("com.example.twice")


def test_trace_records_submissions(sim: Simulation, iphone: IOSSystem, app: SyncApp) -> None:
    """Every submission is an ``ios.submit`` record with its outcome."""
    scheduler = iphone.scheduler(BUNDLE)
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID))
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest_begin_ms=60_000))
    outcomes = [
        (r["outcome"], r.get("earliest_begin_ms")) for r in sim.trace if r.kind == "ios.submit"
    ]
    assert outcomes == [("accepted", None), ("replaced", 60_000)]
