"""The report's iOS rows and lanes (harness/report/_iosfold.py): each background task a work row,
its waits coloured by why, as `harness why` answers; iOS's switches and each app's state."""

from __future__ import annotations

from pathlib import Path

from harness.report._folder import RunFolder
from harness.report._reasons import ReasonClass
from harness.report._runview import Phase, RunPicture, Segment, WorkStory
from harness.scenario import load, run_scenario, why_at
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, Trace

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = ROOT / "scenarios"


def picture_of(path: Path, seed: int) -> RunPicture:
    scenario = load(path)
    trace = run_scenario(scenario, seed).trace
    return RunFolder.of(trace, scenario.spec.duration)


def segment_at(story: WorkStory, t_ms: int) -> Segment:
    return next(s for s in story.segments if s.start_ms <= t_ms < s.end_ms)


def test_a_submit_waits_for_its_earliest_begin_date_then_for_the_policy() -> None:
    """A pending request waits for earliestBeginDate (a floor) and then for the modelled launch
    policy: the row changes at the floor itself, though no record is written then; a launch
    runs it and ``setTaskCompleted(success: true)`` ends it."""
    trace = Trace(strict=False)
    bundle = {"bundle_id": "com.example.app", "identifier": "refresh"}
    trace.emit(0, "ios.app", bundle_id="com.example.app", state="suspended", reason="left")
    trace.emit(
        100,
        "ios.submit",
        **bundle,
        task_kind="app_refresh",
        outcome="accepted",
        earliest_begin_ms=5_000,
    )
    trace.emit(9_000, "ios.launch", **bundle, task_kind="app_refresh", cold=True, handler=True)
    trace.emit(
        9_400,
        "ios.completed",
        **bundle,
        task_kind="app_refresh",
        success=True,
        elapsed_ms=400,
        reason="completed",
    )
    [task] = RunFolder.of(trace, 10_000).works
    assert (task.label, task.short_label, task.state, task.attempts) == (
        "BGAppRefreshTask refresh",
        "refresh",
        "NOT_PENDING",
        1,
    )
    assert [(s.start_ms, s.end_ms, s.phase, s.reason_class) for s in task.segments] == [
        (100, 5_000, Phase.WAITING, ReasonClass.BACKOFF),
        (5_000, 9_000, Phase.WAITING, ReasonClass.LAUNCH_POLICY),
        (9_000, 9_400, Phase.RUNNING, None),
    ]
    assert [e.what for e in task.events] == ["submitted", "launched", "finished"]


def test_swiped_away_waits_for_the_user_to_open_the_app() -> None:
    """Force-quit (developer.apple.com/forums/thread/119758): the fetch waits, coloured as a
    force-stop, from the swipe until the user opens the app again; the app's lane says
    force-quit."""
    picture = picture_of(SCENARIOS / "background_fetch" / "ios_swiped_away.yaml", 2)
    [fetch] = picture.works
    swiped = MS_PER_DAY + 9 * MS_PER_HOUR
    opened = 3 * MS_PER_DAY + 8 * MS_PER_HOUR
    waiting = segment_at(fetch, swiped)
    assert (waiting.start_ms, waiting.end_ms, waiting.reason_class) == (
        swiped,
        opened,
        ReasonClass.FORCE_STOP,
    )
    assert waiting.reason == (
        "force-quit in the app switcher: no background launch until the user opens the app"
    )
    lane = next(lane for lane in picture.lanes if lane.name == "app com.example.fetchsync")
    assert any(s.label == "force-quit" and s.start_ms == swiped for s in lane.spans)


def test_low_power_mode_and_a_refused_submit_are_coloured_by_why() -> None:
    """Low Power Mode turns Background App Refresh off (backgroundrefreshstatus): a "refresh
    off" wait, and the iOS lane shows it; without the iOS set-up every submit is refused and
    the row waits with the error code all week."""
    picture = picture_of(SCENARIOS / "background_fetch" / "ios_low_power.yaml", 2)
    on = MS_PER_DAY + 8 * MS_PER_HOUR + 30 * MS_PER_MINUTE
    waiting = segment_at(picture.works[0], on + MS_PER_MINUTE)
    assert (waiting.start_ms, waiting.reason_class) == (on, ReasonClass.REFRESH_OFF)
    lane = next(lane for lane in picture.lanes if lane.kind == "iOS")
    assert any(s.label == "Low Power Mode" and s.start_ms == on for s in lane.spans)

    unset = picture_of(SCENARIOS / "hourly_sync" / "ios_not_set_up.yaml", 0)
    [task] = unset.works
    assert {(s.phase, s.reason) for s in task.segments} == {
        (Phase.WAITING, "no request: submit refused (NOT_PERMITTED)")
    }
    assert task.segments[-1].end_ms == 7 * MS_PER_DAY


def test_the_rows_agree_with_harness_why() -> None:
    """The picture's reason at an instant is the class of `harness why`'s answer then."""
    path = SCENARIOS / "hourly_sync" / "ios_week.yaml"
    [task] = picture_of(path, 1).works
    classes = {"predicted_open": ReasonClass.LAUNCH_POLICY, "earliest_begin": ReasonClass.BACKOFF}
    for at in ("day 1 09:00", "day 1 17:40", "day 2 12:00", "day 4 18:45"):
        [answer] = why_at(load(path), 1, at, "hourly_sync")
        assert answer.blocker is not None
        assert segment_at(task, answer.t_ms).reason_class is classes[answer.blocker], at


def test_background_transfers_are_rows_their_waits_coloured_by_reason() -> None:
    """photo_upload/swiped_mid_upload: a row per transfer (BUNDLE/SESSION#N); the tunnel's wait
    for connectivity is a constraint, the transfer runs while the app is suspended or killed,
    and a force-quit's cancellation waits (force-stop colour) until the user opens the app."""
    picture = picture_of(SCENARIOS / "photo_upload" / "swiped_mid_upload.yaml", 1)
    rows = {story.id: story for story in picture.works}
    first = rows["com.example.photos/com.example.photos.upload#1"]
    assert first.label == "URLSession upload com.example.photos.upload#1"
    at = 8 * MS_PER_HOUR
    assert [(s.start_ms, s.end_ms, s.phase, s.reason_class) for s in first.segments] == [
        (
            at + 6 * MS_PER_MINUTE + 10_000,
            at + 20 * MS_PER_MINUTE + 2_000,
            Phase.WAITING,
            ReasonClass.CONSTRAINT,
        ),
        (at + 20 * MS_PER_MINUTE + 2_000, at + 21 * MS_PER_MINUTE + 39_481, Phase.RUNNING, None),
    ]
    killed = rows["com.example.photos/com.example.photos.upload#2"]
    assert [s.phase for s in killed.segments] == [Phase.RUNNING]  # a memory kill: it goes on
    swiped = rows["com.example.photos/com.example.photos.upload#3"]
    cancel = segment_at(swiped, 20 * MS_PER_HOUR)
    assert (cancel.start_ms, cancel.end_ms, cancel.phase, cancel.reason_class) == (
        17 * MS_PER_HOUR + 30_000,
        21 * MS_PER_HOUR,
        Phase.WAITING,
        ReasonClass.FORCE_STOP,
    )


def test_transfer_waits_discretionary_low_power_and_retry() -> None:
    """A discretionary transfer's Wi-Fi and power waits are constraints, in Low Power Mode the
    wait is Low Power Mode's colour, the modelled retry delay a back-off."""
    trace = Trace(strict=False)
    task = {
        "bundle_id": "com.example.app",
        "session": "up",
        "task_id": 1,
        "transfer_kind": "upload",
        "url": "https://api.example.com/x",
    }
    trace.emit(0, "ios.transfer", **task, event="resumed", reason="discretionary")
    trace.emit(
        0, "ios.transfer", **task, event="waiting", reason="discretionary: waiting for Wi-Fi"
    )
    trace.emit(1_000, "ios.setting", setting="low_power_mode", value=True)
    trace.emit(
        2_000, "ios.transfer", **task, event="waiting", reason="discretionary: waiting for power"
    )
    trace.emit(3_000, "ios.transfer", **task, event="started", attempt=1)
    trace.emit(4_000, "ios.transfer", **task, event="interrupted", reason="ConnectError")
    trace.emit(4_000, "ios.transfer", **task, event="waiting", reason="retry delay")
    trace.emit(5_000, "ios.transfer", **task, event="started", attempt=2)
    trace.emit(6_000, "ios.transfer", **task, event="completed", status=201)
    trace.emit(6_000, "ios.transfer", **task, event="delivered")
    [row] = RunFolder.of(trace, 10_000).works
    assert (row.label, row.attempts, row.state) == ("URLSession upload up#1", 2, "NOT_PENDING")
    assert [(s.start_ms, s.end_ms, s.phase, s.reason_class) for s in row.segments] == [
        (0, 2_000, Phase.WAITING, ReasonClass.CONSTRAINT),
        (2_000, 3_000, Phase.WAITING, ReasonClass.REFRESH_OFF),
        (3_000, 4_000, Phase.RUNNING, None),
        (4_000, 5_000, Phase.WAITING, ReasonClass.BACKOFF),
        (5_000, 6_000, Phase.RUNNING, None),
    ]


def test_continued_tasks_are_rows_queued_refused_running() -> None:
    """A continued-processing request queued for a free slot waits (``.queue``) until it runs;
    one refused with immediateRunIneligible (code 4) waits with its error code
    (album_upload/ios_busy) until the user's retry runs it."""
    trace = Trace(strict=False)
    job = {"bundle_id": "com.example.app", "identifier": "com.example.app.upload.job1"}
    trace.emit(0, "ios.submit", **job, task_kind="continued_processing", outcome="queued")
    trace.emit(0, "ios.continued", **job, event="queued", reason="no room")
    trace.emit(
        5_000, "ios.launch", **job, task_kind="continued_processing", cold=False, handler=True
    )
    [row] = RunFolder.of(trace, 10_000).works
    assert row.label == "BGContinuedProcessingTask com.example.app.upload.job1"
    assert [(s.start_ms, s.end_ms, s.phase) for s in row.segments] == [
        (0, 5_000, Phase.WAITING),
        (5_000, 10_000, Phase.RUNNING),
    ]
    picture = picture_of(SCENARIOS / "album_upload" / "ios_busy.yaml", 1)
    job3 = next(w for w in picture.works if w.id.endswith("job3"))
    refused = segment_at(job3, 30 * MS_PER_MINUTE)
    assert (refused.start_ms, refused.end_ms, refused.phase) == (
        75_000,
        MS_PER_HOUR + 5_000,
        Phase.WAITING,
    )
    assert segment_at(job3, MS_PER_HOUR + 10_000).phase is Phase.RUNNING
