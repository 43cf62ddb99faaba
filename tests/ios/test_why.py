"""``explain_launch``: why iOS is or is not launching a task now, in ``plan``'s order, each
reason with its source; asking changes nothing (no record, no random draw)."""

from __future__ import annotations

import pytest

from harness.device import Device
from harness.ios import (
    BACKGROUND_TASK_IDENTIFIER,
    FETCH_IDENTIFIER,
    PUSH_IDENTIFIER,
    AppDelegate,
    AppInfo,
    BGAppRefreshTaskRequest,
    BGProcessingTaskRequest,
    BGTask,
    BGTaskSchedulerErrorCode,
    FetchCompletion,
    FetchResult,
    IOSSystem,
    LaunchPolicy,
    TaskKind,
    WaitCause,
    explain_launch,
    refused_submit,
)
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.conftest import BUNDLE, PROCESSING_IDS, REFRESH_ID, SyncApp
from tests.ios.test_behaviours import records, use_app


def why(iphone: IOSSystem, identifier: str = REFRESH_ID) -> tuple[WaitCause, str]:
    answer = explain_launch(iphone, BUNDLE, identifier)
    return answer.cause, answer.reason


def test_a_pending_refresh_waits_for_the_predicted_open_and_launches_then(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Modelled policy (docs/ios.md): a refresh comes a drawn lead before the user's predicted
    app open; the answer names that open and the launch instant, and the launch comes then."""
    use_app(sim, iphone)
    sim.run_until(10 * MS_PER_HOUR)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.PREDICTED_OPEN
    assert answer.pending
    assert not answer.running
    assert answer.reason.startswith(
        "waiting for the launch policy: the next predicted app open is t=1d00:00:00.000 (the "
        "user opened the app around 00:00 in the last 7d); the refresh comes at t=0d23:"
    )
    assert answer.source.startswith("docs/ios.md, a modelled policy, not Apple's")
    assert answer.until_ms is not None
    sim.run_until(2 * MS_PER_DAY)
    assert [r["t_ms"] for r in records(sim, "ios.launch")] == [answer.until_ms]


def test_asking_why_draws_nothing_and_records_nothing() -> None:
    """``harness why`` re-runs a run and compares digests: asking must leave the run as it was
    (the policy's leads are drawn from a named stream; the throttle writes ``ios.throttled``)."""

    def week(ask: bool) -> str:
        inner = Simulation(seed=7)
        with inner:
            phone = IOSSystem(
                inner,
                Device(inner, "iphone-like"),
                LaunchPolicy(max_refresh_launches_per_day=1, min_refresh_interval_ms=MS_PER_HOUR),
            )
            test_app = SyncApp(phone)
            phone.install(
                BUNDLE,
                AppInfo(permitted_identifiers=(REFRESH_ID,)),
                AppDelegate(did_finish_launching=test_app.did_finish_launching),
            )

            def resubmit(task: BGTask) -> None:
                phone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
                task.set_task_completed(success=True)

            test_app.handlers[REFRESH_ID] = resubmit
            for day in range(3):
                inner.run_until(day * MS_PER_DAY + 8 * MS_PER_HOUR)
                phone.open_app(BUNDLE)
                inner.run_for(MS_PER_MINUTE)
                phone.leave_app(BUNDLE)
                if day == 0:
                    phone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
            for hour in range(3 * 24, 6 * 24):
                inner.run_until(hour * MS_PER_HOUR)
                if ask:
                    explain_launch(phone, BUNDLE, REFRESH_ID)
                    explain_launch(phone, BUNDLE, PUSH_IDENTIFIER)
        return inner.trace.digest()

    assert week(ask=True) == week(ask=False)


def test_the_switches_come_first_in_plan_order(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """launch_blocker's order: the first unlock, force-quit, Low Power Mode, Background App
    Refresh (global, then per app), the foreground; each with its Apple source."""
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    iphone.open_app(BUNDLE)
    assert why(iphone) == (
        WaitCause.FOREGROUND,
        "the app is in the foreground: iOS launches background tasks while it is not",
    )
    iphone.leave_app(BUNDLE)
    iphone.set_background_app_refresh(False, BUNDLE)
    cause, reason = why(iphone)
    assert cause is WaitCause.REFRESH_OFF
    assert reason == (
        f"Background App Refresh is off for {BUNDLE} (Settings > General > Background App "
        "Refresh): backgroundRefreshStatus is denied"
    )
    iphone.set_low_power_mode(True)
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.LOW_POWER_MODE
    assert answer.source.endswith("support.apple.com/HT205234")
    iphone.swipe_away(BUNDLE)
    assert why(iphone)[0] is WaitCause.FORCE_QUIT
    assert explain_launch(iphone, BUNDLE, REFRESH_ID).source == (
        "developer.apple.com/forums/thread/119758 (Apple engineer)"
    )
    iphone.device.reboot()
    sim.run_for(5 * MS_PER_MINUTE)
    assert why(iphone) == (
        WaitCause.FIRST_UNLOCK,
        "not unlocked since the reboot: no background launch before the user unlocks the phone "
        "once",
    )


def test_critically_low_battery_holds_launches(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """WWDC20 10063, factor 1: below 20 % and not charging, only essential work runs."""
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    iphone.device.battery.override(level=12, ac=False, usb=False, wireless=False)
    assert why(iphone) == (
        WaitCause.LOW_BATTERY,
        "battery critically low (12 %, below 20 %) and not charging: only essential work runs",
    )


def test_earliest_begin_date_then_the_rate_limit_then_the_daily_budget(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """earliestBeginDate is a floor (bgtaskrequest/earliestbegindate); after it, the modelled
    rate limit and daily budget (LaunchPolicy) hold a refresh back, each with its end."""
    use_app(sim, iphone)
    earliest = 5 * MS_PER_HOUR
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID, earliest_begin_ms=earliest))
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.EARLIEST_BEGIN
    assert answer.until_ms == earliest
    assert answer.reason == (
        "earliestBeginDate not reached: not before t=0d05:00:00.000 (a floor, not a time: iOS "
        "decides when after it)"
    )
    while not records(sim, "ios.launch"):
        sim.run_for(MS_PER_MINUTE)
    [launch] = [r["t_ms"] for r in records(sim, "ios.launch")]
    assert isinstance(launch, int)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.RATE_LIMIT
    assert answer.until_ms == launch + 15 * MS_PER_MINUTE


def test_the_daily_budget_names_when_it_frees_up(sim: Simulation, app: SyncApp) -> None:
    """Modelled energy budget (LaunchPolicy.max_refresh_launches_per_day): once spent, the next
    refresh waits until the oldest launch of the last 24 hours is a day old."""
    iphone = IOSSystem(
        sim, Device(sim, "iphone-like"), LaunchPolicy(max_refresh_launches_per_day=1)
    )
    test_app = SyncApp(iphone)
    iphone.install(
        BUNDLE,
        AppInfo(permitted_identifiers=(REFRESH_ID,)),
        AppDelegate(did_finish_launching=test_app.did_finish_launching),
    )
    use_app(sim, iphone)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    sim.run_until(MS_PER_DAY)
    [launch] = [r["t_ms"] for r in records(sim, "ios.launch")]
    assert isinstance(launch, int)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.DAILY_BUDGET
    assert answer.until_ms == launch + MS_PER_DAY
    assert answer.reason.startswith("daily budget spent: 1 refresh launches in the last 24 hours")


def test_an_app_not_used_lately_is_not_refreshed(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """Modelled usage window (BGProcessingTask: apps used in the past week; docs/ios.md applies
    it to refresh launches too): an app never opened waits for the user, not for a time."""
    iphone.device.battery.plug("ac")
    iphone.open_app(BUNDLE)
    iphone.leave_app(BUNDLE)
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    sim.run_until(8 * MS_PER_DAY)
    answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    if answer.cause is WaitCause.NO_REQUEST:  # it ran in the first week: ask again
        iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
        answer = explain_launch(iphone, BUNDLE, REFRESH_ID)
    assert answer.cause is WaitCause.NOT_USED
    assert answer.until_ms is None
    assert "(opened last at t=0d00:00:00.000)" in answer.reason


def test_a_processing_task_waits_for_idle_power_and_network(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """BGProcessingTask: only while the device is idle; requiresExternalPower and
    requiresNetworkConnectivity (bgprocessingtaskrequest) hold it until they hold."""
    use_app(sim, iphone)
    identifier = PROCESSING_IDS[0]
    request = BGProcessingTaskRequest(
        identifier, requires_external_power=True, requires_network_connectivity=True
    )
    iphone.device.battery.unplug()
    iphone.device.screen.use_for(10 * MS_PER_MINUTE)
    iphone.scheduler(BUNDLE).submit(request)
    assert why(iphone, identifier)[0] is WaitCause.IDLE
    sim.run_for(11 * MS_PER_MINUTE)
    assert why(iphone, identifier) == (
        WaitCause.EXTERNAL_POWER,
        "waiting for external power: the request sets requiresExternalPower",
    )
    iphone.device.battery.plug("ac")
    iphone.device.network.set_wifi_enabled(False)
    iphone.device.network.set_mobile_data_enabled(False)
    assert why(iphone, identifier)[0] is WaitCause.NETWORK
    iphone.device.network.set_wifi_enabled(True)
    sim.run_for(MS_PER_MINUTE)
    answer = explain_launch(iphone, BUNDLE, identifier)
    assert answer.cause is WaitCause.IDLE
    assert answer.reason.startswith("waiting for the device to be idle: the screen is off since")
    assert answer.until_ms is not None
    sim.run_until(answer.until_ms)
    launches = [r for r in records(sim, "ios.launch") if r["identifier"] == identifier]
    assert [r["t_ms"] for r in launches] == [answer.until_ms]
    running = explain_launch(iphone, BUNDLE, identifier)
    assert running.running
    assert running.reason == (
        f"running since t={_t(answer.until_ms)} (processing); its 10m budget: expiration "
        f"handler at t={_t(answer.until_ms + 10 * MS_PER_MINUTE - 5 * MS_PER_SECOND)}, the "
        f"app is killed at t={_t(answer.until_ms + 10 * MS_PER_MINUTE)} if it has not completed "
        "by then"
    )


def _t(t_ms: int) -> str:
    from harness._units import format_t_ms

    return format_t_ms(t_ms)


def test_silent_pushes_beyond_three_an_hour_are_throttled(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """ "Pushing background updates to your App": more than about 3 an hour are throttled; the
    answer says when the next one gets through."""

    def on_push(_payload: object, completion: FetchCompletion) -> None:
        completion(FetchResult.NO_DATA)

    iphone.install(BUNDLE, AppInfo(), AppDelegate(did_receive_remote_notification=on_push))
    iphone.open_app(BUNDLE)
    iphone.leave_app(BUNDLE)
    assert why(iphone, PUSH_IDENTIFIER)[0] is WaitCause.DUE
    for _ in range(3):
        iphone.deliver_silent_push(BUNDLE)
        sim.run_for(MS_PER_MINUTE)
    answer = explain_launch(iphone, BUNDLE, PUSH_IDENTIFIER)
    assert answer.cause is WaitCause.PUSH_THROTTLED
    assert answer.until_ms == MS_PER_HOUR
    assert answer.kind is TaskKind.SILENT_PUSH


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            BGTaskSchedulerErrorCode.NOT_PERMITTED,
            "BGTaskSchedulerErrorCode notPermitted (3): 'other.id' is not in the Info.plist's "
            f"BGTaskSchedulerPermittedIdentifiers ({REFRESH_ID}, {', '.join(PROCESSING_IDS)})",
        ),
        (
            BGTaskSchedulerErrorCode.UNAVAILABLE,
            "BGTaskSchedulerErrorCode unavailable (1): Background App Refresh was off for the "
            "app, or Low Power Mode was on",
        ),
        (
            BGTaskSchedulerErrorCode.TOO_MANY_PENDING_TASK_REQUESTS,
            "BGTaskSchedulerErrorCode tooManyPendingTaskRequests (2): 1 refresh or 10 processing "
            "requests were already pending under other identifiers (cancel one, or resubmit its "
            "identifier to replace it)",
        ),
    ],
)
def test_a_refused_submit_in_words(
    iphone: IOSSystem, app: SyncApp, code: BGTaskSchedulerErrorCode, words: str
) -> None:
    """BGTaskScheduler.Error.Code: each refusal says what the app lacks, with Apple's page."""
    reason, source = refused_submit(iphone, BUNDLE, "other.id", TaskKind.APP_REFRESH, code)
    assert reason == words
    assert source.startswith("developer.apple.com/documentation/backgroundtasks/bgtaskscheduler/")


def test_the_legacy_fetch_waits_for_its_minimum_interval(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """setMinimumBackgroundFetchInterval: off by default (...IntervalNever); on, a fetch comes
    no sooner than the interval after the last one, then as the launch policy decides."""
    fetched: list[int] = []

    def perform_fetch(completion: FetchCompletion) -> None:
        fetched.append(sim.now_ms)
        completion(FetchResult.NEW_DATA)

    iphone.install(BUNDLE, AppInfo(), AppDelegate(perform_fetch=perform_fetch))
    use_app(sim, iphone)
    cause, reason = why(iphone, FETCH_IDENTIFIER)
    assert (cause, reason) == (
        WaitCause.NO_REQUEST,
        "the legacy background fetch is off: setMinimumBackgroundFetchInterval was never "
        "called (the default is ...IntervalNever)",
    )
    iphone.set_minimum_background_fetch_interval(BUNDLE, 2 * MS_PER_HOUR)
    assert why(iphone, FETCH_IDENTIFIER)[0] is WaitCause.PREDICTED_OPEN
    while not fetched:
        sim.run_for(MS_PER_MINUTE)
    answer = explain_launch(iphone, BUNDLE, FETCH_IDENTIFIER)
    assert answer.cause is WaitCause.EARLIEST_BEGIN
    assert answer.until_ms == fetched[0] + 2 * MS_PER_HOUR
    assert answer.kind is TaskKind.BACKGROUND_FETCH


def test_background_time_and_unhandled_pushes(
    sim: Simulation, iphone: IOSSystem, app: SyncApp
) -> None:
    """beginBackgroundTask: about 30 s per app in all (forums thread 85066); a push to an app
    without a handler is not handled (push_outcome), whatever the throttle."""
    use_app(sim, iphone)
    assert why(iphone, PUSH_IDENTIFIER) == (
        WaitCause.NO_REQUEST,
        "silent pushes are not handled: the app has no remote-notification background mode or "
        "no didReceiveRemoteNotification handler",
    )
    assert why(iphone, BACKGROUND_TASK_IDENTIFIER)[0] is WaitCause.NO_REQUEST
    iphone.open_app(BUNDLE)
    iphone.background_time(BUNDLE).begin("upload")
    iphone.leave_app(BUNDLE)
    sim.run_for(10 * MS_PER_SECOND)
    answer = explain_launch(iphone, BUNDLE, BACKGROUND_TASK_IDENTIFIER)
    assert answer.running
    assert answer.reason == (
        "running: 1 background task(s) begun and not ended; 20s of about 30s left in all; then "
        "every expiration handler runs and an app still holding a task 1s later is killed"
    )
