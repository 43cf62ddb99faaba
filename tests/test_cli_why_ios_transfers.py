"""`harness why` on the bundled background URLSession (scenarios/photo_upload/) and
continued-processing (scenarios/album_upload/) suites: each transfer's and task's exact reason at
that instant, with its source; asking at many instants leaves the runs unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.scenario import load, run_scenario, why_at
from harness.sim import MS_PER_MINUTE

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "scenarios" / "photo_upload"
ALBUM = ROOT / "scenarios" / "album_upload"
SESSION = "com.example.photos.upload"
JOB1 = "com.example.albumupload.upload.job1"
JOB3 = "com.example.albumupload.upload.job3"


def why_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["why", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_photo_taken_in_a_tunnel_waits_for_connectivity(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "Why has my photo not uploaded at 08:10?": no network; a background session always waits
    for connectivity (waitsforconnectivity), until timeoutIntervalForResource."""
    lines = why_lines(
        capsys, str(PHOTO / "swiped_mid_upload.yaml"), "--seed", "1", "--at", "day 0 08:10", SESSION
    )
    assert lines == [
        "photo upload, swiped away mid-upload on an iPhone · seed 1 · at t=0d08:10:00.000",
        "✗ com.example.photos URLSession transfer com.example.photos.upload#1 (PENDING)",
        "    why not: waiting for connectivity: no network; a background session waits for one "
        "(it fails only at t=7d08:06:10.000, timeoutIntervalForResource)",
        "    source: developer.apple.com/documentation/foundation/urlsessionconfiguration/"
        "waitsforconnectivity (background sessions always wait)",
    ]


def test_a_transfer_runs_while_the_app_is_dead_and_a_swipe_cancels_it() -> None:
    """The system transfers a task while the app is suspended or killed for memory
    (background(withidentifier:)); a force-quit cancels it and iOS relaunches nothing: it waits
    for the user to open the app (21:00), after which the session has nothing in progress."""
    scenario = load(PHOTO / "swiped_mid_upload.yaml")
    [running] = why_at(scenario, 1, "day 0 12:01", SESSION)
    assert (running.work, running.state, running.blocker) == (f"{SESSION}#2", "RUNNING", "running")
    assert running.reason.startswith(
        "running: the system transfers it (upload POST https://api.example.com/photos, attempt 1)"
    )
    [cancelled] = why_at(scenario, 1, "day 0 17:30")
    assert (cancelled.work, cancelled.state, cancelled.blocker) == (
        f"{SESSION}#3",
        "COMPLETED",
        "transfer_cancelled",
    )
    assert cancelled.reason == (
        "cancelled by a force-quit (NSURLErrorCancelled, NSURLErrorCancelledReasonUserForceQuit"
        "Application): iOS relaunches nothing for a force-quit app; the app hears of it "
        "(didCompleteWithError) when the user opens it and it creates the session again"
    )
    assert (cancelled.source or "").startswith(
        "developer.apple.com/documentation/foundation/urlsessionconfiguration/"
        "background(withidentifier:)"
    )
    [done] = why_at(scenario, 1, "day 0 22:00", SESSION)
    assert (done.work, done.finished, done.reason) == (
        SESSION,
        True,
        "no transfer in progress: the last one, com.example.photos.upload#4, transferred (HTTP "
        "201); delivered to the app at t=0d21:00:01.247",
    )
    assert why_at(scenario, 1, "day 0 22:00") == []  # nothing unfinished to list


def test_a_quiet_day_has_each_upload_running_then_done() -> None:
    """photo_upload/happy_path: the evening upload goes on Wi-Fi in about 2 s; while it does,
    it is the only unfinished answer, and a second later the session has none."""
    scenario = load(PHOTO / "happy_path.yaml")
    assert why_at(scenario, 1, "day 0 19:00:13") == []
    answers = why_at(scenario, 1, "day 0 19:00:11")
    assert [(a.work, a.state, a.blocker) for a in answers] == [
        (f"{SESSION}#2", "RUNNING", "running")
    ]


def test_continued_tasks_running_expired_cancelled_ended_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each end of a continued-processing task, with its source: expired as stalled (BGTask.h;
    the modelled 30 s), cancelled by the user (its expiration handler ran), ended by a
    force-quit (no indication), refused with code 4 under .fail (immediateRunIneligible)."""
    lines = why_lines(capsys, str(ALBUM / "ios_offline_stall.yaml"), "--seed", "1", "--at", "10m")
    assert lines == [
        "album upload on iOS, stalled without a network · seed 1 · at t=0d00:10:00.000",
        f"✗ com.example.albumupload BGContinuedProcessingTask {JOB1} (NOT_PENDING)",
        "    why not: no pending request: expired as stalled at t=0d00:03:26.204 (no progress "
        "reported for 30 s; 27 of 100 units done): its expiration handler ran; nothing runs "
        "until the app submits it again",
        "    source: BGTask.h (tasks that appear stalled may be forcibly expired); docs/ios.md, a "
        "modelled policy (ContinuedProcessingPolicy.stall_timeout_ms)",
    ]
    [running] = why_at(load(ALBUM / "ios_offline_stall.yaml"), 1, "3m", JOB1)
    assert (running.blocker, running.reason) == (
        "running",
        "running since t=0d00:01:05.000 (BGContinuedProcessingTask, 27 of 100 units, its Live "
        "Activity 'Uploading 100 photos'); progress last changed at t=0d00:02:56.204: iOS "
        "expires it as stalled at t=0d00:03:26.204 unless the progress changes before (30s "
        "without progress, modelled)",
    )
    [cancelled] = why_at(load(ALBUM / "ios_cancelled.yaml"), 1, "10m", JOB1)
    assert (cancelled.blocker, cancelled.reason) == (
        "user_cancelled",
        "no pending request: cancelled by the user at t=0d00:06:00.000 (the Live Activity's "
        "cancel; 71 of 200 units done): its expiration handler ran; nothing runs until the app "
        "submits it again",
    )
    [ended] = why_at(load(ALBUM / "ios_swiped_mid_upload.yaml"), 1, "10m", JOB1)
    assert ended.blocker == "ended_by_force_quit"
    assert ended.reason.startswith(
        "no pending request: ended at t=0d00:03:00.000 with the app's process (force-quit in the "
        "app switcher; 27 of 100 units done): no expiration handler, no indication to the app"
    )
    [refused] = why_at(load(ALBUM / "ios_busy.yaml"), 1, "2m", JOB3)
    assert refused.reason == (
        "no pending request: the last submit, at t=0d00:01:15.000, was refused with "
        "BGTaskSchedulerErrorCode immediateRunIneligible (4): the request's strategy was .fail "
        "and 2 continued-processing task(s) already ran, the most the system runs at once "
        "(ContinuedProcessingPolicy.max_running, modelled); with .queue it would have waited "
        "for a free slot"
    )
    assert (refused.source or "").endswith("bgtaskscheduler/error/code/immediaterunineligible")
    [again] = why_at(load(ALBUM / "ios_busy.yaml"), 1, "1h10s", JOB3)
    assert again.blocker == "running"


SCENARIOS = [*sorted(PHOTO.glob("*.yaml")), *sorted(ALBUM.glob("*.yaml"))]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_asking_at_many_instants_leaves_the_run_unchanged(path: Path) -> None:
    """The explainer reads the system's transfers, its continued tasks and the trace, and
    changes none (no record, no random draw): a run paused at many instants and asked each time
    has the run's digest; every answer has a reason and a source."""
    from harness.scenario._why import _paused_run

    scenario = load(path)
    digest = run_scenario(scenario, 1).record.digest
    step = scenario.spec.duration // 40 + 7 * MS_PER_MINUTE // 60
    times = [*range(MS_PER_MINUTE, scenario.spec.duration, step), scenario.spec.duration]
    answers, replayed = _paused_run(scenario, 1, times)
    assert replayed == digest
    every = [answer for _, batch in answers for answer in batch]
    assert every
    assert all(answer.reason and answer.source and answer.platform == "ios" for answer in every)
