"""The modelled launch timing (LaunchPolicy, docs/ios.md): seeded, drawn around the user's app
opens, with a daily budget; never a fixed interval. And the switches around it."""

from __future__ import annotations

import itertools

import pytest

from harness._exceptions import DefinitionError
from harness.device import Device
from harness.ios import (
    AppDelegate,
    AppInfo,
    BackgroundRefreshStatus,
    BGAppRefreshTaskRequest,
    BGTask,
    FetchCompletion,
    FetchResult,
    IOSSystem,
    LaunchPolicy,
)
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Simulation

BUNDLE = "com.example.sync"
REFRESH_ID = "refresh"
#: How many ios.throttled records each _week run wrote.
THROTTLED: list[int] = []


def _week(seed: int, *, opens: tuple[int, ...], policy: LaunchPolicy | None = None) -> list[int]:
    """Launch times of an app opened at ``opens`` (ms of the day) every day for a week, that
    resubmits its refresh request at every launch."""
    with Simulation(seed=seed) as sim:
        iphone = IOSSystem(sim, Device(sim, "iphone-like"), policy)

        def on_refresh(task: BGTask) -> None:
            iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
            task.set_task_completed(success=True)

        def launched(_launch: object) -> None:
            iphone.scheduler(BUNDLE).register(REFRESH_ID, on_refresh)

        iphone.install(
            BUNDLE,
            AppInfo(permitted_identifiers=(REFRESH_ID,)),
            AppDelegate(did_finish_launching=launched),
        )
        iphone.device.battery.plug("ac")
        for day in range(7):
            for t in opens:
                sim.run_until(day * MS_PER_DAY + t)
                iphone.open_app(BUNDLE)
                iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
                sim.run_for(MS_PER_MINUTE)
                iphone.leave_app(BUNDLE)
        sim.run_until(7 * MS_PER_DAY)
        THROTTLED.append(sum(1 for r in sim.trace if r.kind == "ios.throttled"))
        return [r.t_ms for r in sim.trace if r.kind == "ios.launch"]


def test_refresh_comes_shortly_before_the_usual_opens_drawn_per_seed() -> None:
    """A modelled policy, never a fixed interval: launches come a drawn lead (5-30 min) before
    the times of day the user opens the app, and the draws differ between seeds."""
    opens = (8 * MS_PER_HOUR, 19 * MS_PER_HOUR)
    seed0, seed1 = _week(0, opens=opens), _week(1, opens=opens)
    assert len(seed0) >= 10
    assert seed0 != seed1
    for launch in seed0 + seed1:
        lead = min((t - launch % MS_PER_DAY) % MS_PER_DAY for t in opens)
        assert 5 * MS_PER_MINUTE <= lead <= 30 * MS_PER_MINUTE
    gaps = {b - a for a, b in itertools.pairwise(seed0)}
    assert len(gaps) > 1  # not a fixed interval


def test_the_daily_budget_caps_launches_and_is_traced() -> None:
    """The energy budget: at most max_refresh_launches_per_day in any 24 hours (a throttle is
    an ios.throttled record)."""
    opens = tuple(h * MS_PER_HOUR for h in range(7, 23))
    policy = LaunchPolicy(max_refresh_launches_per_day=3)
    launches = _week(0, opens=opens, policy=policy)
    assert THROTTLED[-1] > 0
    for launch in launches:
        assert sum(1 for t in launches if launch - MS_PER_DAY < t <= launch) <= 3


def test_an_app_never_opened_is_never_refreshed(sim: Simulation) -> None:
    """'iOS never fires': an app the user has not opened in the last week gets no refresh
    launch (the usage prediction has nothing to go on; WWDC20 10063, app usage)."""
    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(BUNDLE, AppInfo(permitted_identifiers=(REFRESH_ID,)))
    iphone.scheduler(BUNDLE).submit(BGAppRefreshTaskRequest(REFRESH_ID))
    sim.run_for(10 * MS_PER_DAY)
    assert [r for r in sim.trace if r.kind == "ios.launch"] == []


def test_low_power_mode_turns_itself_off_at_80_percent(sim: Simulation) -> None:
    """Low Power Mode switches Background App Refresh off, and turns itself off once charged
    to 80 % (Apple support HT205234)."""
    iphone = IOSSystem(sim, Device(sim, "iphone-like", overrides={"battery.initial_level": 50}))
    iphone.install(BUNDLE)
    iphone.set_low_power_mode(True)
    assert iphone.background_refresh_status(BUNDLE) is BackgroundRefreshStatus.DENIED
    iphone.device.battery.plug("ac")
    sim.run_for(3 * MS_PER_HOUR)
    assert not iphone.low_power_mode
    reasons = [r["reason"] for r in sim.trace if r.kind == "ios.setting"]
    assert reasons == ["user", "charged to 80 %"]


def test_background_app_refresh_per_app(sim: Simulation) -> None:
    """The per-app switch denies that app only (UIApplication.backgroundRefreshStatus)."""
    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(BUNDLE)
    iphone.install("com.example.other")
    iphone.set_background_app_refresh(False, BUNDLE)
    assert iphone.background_refresh_status(BUNDLE) is BackgroundRefreshStatus.DENIED
    assert iphone.background_refresh_status("com.example.other") is (
        BackgroundRefreshStatus.AVAILABLE
    )


def test_legacy_fetch_runs_with_its_30s_completion_budget(sim: Simulation) -> None:
    """performFetchWithCompletionHandler: launched by the same policy once the minimum interval
    is set, 30 s to call the completion handler, else terminated."""
    calls: list[FetchCompletion] = []
    iphone = IOSSystem(sim, Device(sim, "iphone-like"))
    iphone.install(BUNDLE, delegate=AppDelegate(perform_fetch=calls.append))
    iphone.open_app(BUNDLE)
    iphone.leave_app(BUNDLE)
    sim.run_for(2 * MS_PER_DAY)
    assert calls == []  # UIApplicationBackgroundFetchIntervalNever by default
    iphone.set_minimum_background_fetch_interval(BUNDLE, 0)
    sim.run_for(2 * MS_PER_DAY)
    assert calls
    (killed, *_) = [r for r in sim.trace if r.kind == "ios.terminated"]
    (launch, *_) = [r for r in sim.trace if r.kind == "ios.launch"]
    assert killed.t_ms - launch.t_ms == 30_000
    calls[-1](FetchResult.NEW_DATA)  # too late: the process is gone, nothing happens


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"refresh_budget_ms": -1}, r"^LaunchPolicy.refresh_budget_ms = -1 must be a non-negative"),
        ({"expiration_warning_ms": 30_000}, r"must be below refresh_budget_ms = 30000"),
        ({"refresh_lead_min_ms": 10, "refresh_lead_max_ms": 5}, r"is above refresh_lead_max_ms"),
        ({"prediction_slot_ms": 7 * MS_PER_MINUTE}, r"must divide a day"),
    ],
)
def test_a_bad_policy_is_refused(changes: dict[str, int], message: str) -> None:
    """LaunchPolicy validates its numbers with messages that name the field and the fix."""
    with pytest.raises(DefinitionError, match=message):
        LaunchPolicy(**changes)
