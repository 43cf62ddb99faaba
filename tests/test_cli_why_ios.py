"""`harness why` on iOS scenarios (scenario/_why_ios.py over harness.ios.explain_launch): each
background task's reason at that instant, with its source, on the bundled iOS suites."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.scenario import load, run_scenario, why_at
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE

ROOT = Path(__file__).resolve().parent.parent
IOS_WEEK = ROOT / "scenarios" / "hourly_sync" / "ios_week.yaml"
NOT_SET_UP = ROOT / "scenarios" / "hourly_sync" / "ios_not_set_up.yaml"
FETCH = ROOT / "scenarios" / "background_fetch"
PREDICTED = "docs/ios.md, a modelled policy, not Apple's (LaunchPolicy.refresh_lead_*; WWDC20 10063"


def why_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["why", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_pending_refresh_waits_for_the_predicted_open_and_runs_then(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "Why did my BGAppRefreshTask not run at 09:00?": the flutter workmanager plugin's request
    (identifier = unique name) waits for the modelled policy's refresh before the user's usual
    evening open (docs/ios.md); iOS launches it at exactly the instant the answer names."""
    lines = why_lines(capsys, str(IOS_WEEK), "--seed", "1", "--at", "day 1 09:00", "hourly_sync")
    assert lines == [
        "hourly sync, a quiet week on an iPhone · seed 1 · at t=1d09:00:00.000",
        "✗ com.example.hourlysync BGAppRefreshTask (workmanager) hourly_sync (PENDING)",
        "    why not: waiting for the launch policy: the next predicted app open is "
        "t=1d18:00:00.000 (the user opened the app around 00:00, 18:00 in the last 7d); the "
        "refresh comes at t=1d17:34:48.422",
        f"    source: {PREDICTED}, factor 3)",
    ]
    [answer] = why_at(load(IOS_WEEK), 1, "day 1 09:00", "hourly_sync")
    assert answer.blocker == "predicted_open"
    launches = [
        record.t_ms
        for record in run_scenario(load(IOS_WEEK), 1).trace.of_kind("ios.launch")
        if record.t_ms > MS_PER_DAY + 9 * MS_PER_HOUR
    ]
    assert launches[0] == 149_688_422  # t=1d17:34:48.422


def test_a_launched_task_runs_on_its_budget_then_waits_for_its_resubmitted_floor() -> None:
    """BGTask: a refresh has 30 s, the expiration handler shortly before (settaskcompleted);
    the plugin resubmits at now + frequency at each launch, a floor (earliestbegindate)."""
    scenario = load(IOS_WEEK)
    [running] = why_at(scenario, 1, 149_688_600, "hourly_sync")
    assert (running.state, running.running, running.blocker) == ("RUNNING", True, "running")
    assert running.reason == (
        "running since t=1d17:34:48.422 (app_refresh); its 30s budget: expiration handler at "
        "t=1d17:35:13.422, the app is killed at t=1d17:35:18.422 if it has not completed by then"
    )
    [waiting] = why_at(scenario, 1, "day 1 17:40", "hourly_sync")
    assert (waiting.blocker, waiting.reason) == (
        "earliest_begin",
        "earliestBeginDate not reached: not before t=1d18:34:48.422 (a floor, not a time: iOS "
        "decides when after it)",
    )
    assert waiting.source == (
        "developer.apple.com/documentation/backgroundtasks/bgtaskrequest/earliestbegindate"
    )


def test_without_ios_set_up_the_refused_submit_is_the_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ "iOS never fires": nothing is pending because every submit was refused with
    notPermitted (3); the answer names the missing Info.plist entry and Apple's page."""
    lines = why_lines(capsys, str(NOT_SET_UP), "--seed", "0", "--at", "day 3 09:00")
    assert lines == [
        "hourly sync on an iPhone, iOS set-up missing · seed 0 · at t=3d09:00:00.000",
        "✗ com.example.hourlysync BGAppRefreshTask (workmanager) hourly_sync (NOT_PENDING)",
        "    why not: no pending request: the last submit, at t=2d18:00:00.000, was refused with "
        "BGTaskSchedulerErrorCode notPermitted (3): 'hourly_sync' is not in the Info.plist's "
        "BGTaskSchedulerPermittedIdentifiers (none)",
        "    source: developer.apple.com/documentation/backgroundtasks/bgtaskscheduler/error/"
        "code/notpermitted",
    ]


@pytest.mark.parametrize(
    ("file", "at", "blocker", "reason"),
    [
        (
            "ios_low_power.yaml",
            "day 1 09:00",
            "low_power_mode",
            "Low Power Mode is on: it turns Background App Refresh off (until the user turns it "
            "off or the phone charges to 80 %)",
        ),
        (
            "ios_swiped_away.yaml",
            "day 1 09:00",
            "force_quit",
            "force-quit in the app switcher: iOS launches the app in the background no more "
            "until the user opens it again",
        ),
        (
            "ios_swiped_away.yaml",
            "day 3 08:10",  # the user opened it at 08:00: the force-quit is forgotten
            "earliest_begin",
            "earliestBeginDate not reached: not before t=3d08:15:00.000 (a floor, not a time: "
            "iOS decides when after it)",
        ),
        (
            "ios_refresh_off.yaml",
            "day 1 09:00",
            "no_request",
            "no pending request: the background_fetch plugin's configure at t=1d08:00:00.000 "
            "failed with PlatformException(1, Background fetch is unavailable: status DENIED): "
            "it submits nothing while backgroundRefreshStatus is not available; and now: "
            "Background App Refresh is off globally (Settings > General > Background App "
            "Refresh): backgroundRefreshStatus is denied",
        ),
    ],
)
def test_background_fetch_on_ios_the_complaints_explained(
    file: str, at: str, blocker: str, reason: str
) -> None:
    """The bundled complaints (docs/background-fetch.md): Low Power Mode, swiped away (until the
    user opens the app again), Background App Refresh off; the fetch is com.transistorsoft.fetch
    (a BGAppRefreshTask)."""
    [answer] = why_at(load(FETCH / file), 2, at)
    assert (answer.work, answer.label) == (
        "com.transistorsoft.fetch",
        "BGAppRefreshTask (background_fetch)",
    )
    assert (answer.blocker, answer.reason) == (blocker, reason)
    assert answer.source


def test_background_fetch_task_named_by_its_dart_id(capsys: pytest.CaptureFixture[str]) -> None:
    """Dart calls the fetch ``flutter_background_fetch``; that name finds it too."""
    lines = why_lines(
        capsys,
        str(FETCH / "ios_happy_path.yaml"),
        "--seed",
        "2",
        "--at",
        "day 1 09:00",
        "flutter_background_fetch",
    )
    assert lines[1] == (
        "✗ com.example.fetchsync BGAppRefreshTask (background_fetch) com.transistorsoft.fetch "
        "(PENDING)"
    )
    assert lines[2].startswith("    why not: waiting for the launch policy: the next predicted ")
    assert lines[3].startswith(f"    source: {PREDICTED}")


def test_an_unknown_task_lists_the_identifiers(capsys: pytest.CaptureFixture[str]) -> None:
    """On iOS a task is named by its BGTaskScheduler identifier: an unknown one lists them."""
    assert main(["why", str(IOS_WEEK), "--seed", "1", "--at", "1d", "nightly"]) == 2
    assert capsys.readouterr().out == (
        "✗ no task 'nightly' at that time; name an iOS background task by its BGTaskScheduler "
        "identifier (or a plugin's task id): hourly_sync\n"
    )


def test_a_failed_ios_run_records_why_with_sources(tmp_path: Path) -> None:
    """summary.json/summary.md explain a failed iOS run's checks like an Android one's (the
    paused re-run must have the run's digest, or nothing is told), each reason with its source,
    the identifier in full."""
    from harness.report import write_report
    from harness.scenario import run
    from harness.scenario._why import why_during

    failing = tmp_path / "ios_week_failing.yaml"
    failing.write_text(
        IOS_WEEK.read_text().replace("min_successful_runs: 8", "min_successful_runs: 40")
    )
    record = run(failing, 0)
    assert not record.passed
    assert [(e.at, e.work, e.state, e.blocker) for e in record.why] == [
        ("run end", "hourly_sync", "PENDING", "earliest_begin")
    ]
    assert record.why[0].source == (
        "developer.apple.com/documentation/backgroundtasks/bgtaskrequest/earliestbegindate"
    )
    assert record.to_json()["why"][0]["source"] == record.why[0].source
    scenario = load(failing)
    moments = [(scenario.spec.duration, "run end")]
    assert why_during(scenario, 0, moments, "0" * 64) == ()
    write_report(tmp_path / "report", [record], created_at="2026-12-04T00:00:00Z")
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert (
        "(run end): BGAppRefreshTask (workmanager) `hourly_sync`: earliestBeginDate not reached"
        in summary
    )
    assert "(source: developer.apple.com/documentation/backgroundtasks/bgtaskrequest/" in summary


#: Every bundled single-device iOS scenario.
IOS_SCENARIOS = [
    IOS_WEEK,
    NOT_SET_UP,
    *sorted(FETCH.glob("ios_*.yaml")),
    ROOT / "examples" / "two_platform" / "ios_week.yaml",
]


@pytest.mark.parametrize("path", IOS_SCENARIOS, ids=lambda path: path.stem)
def test_asking_at_many_instants_leaves_the_ios_run_unchanged(path: Path) -> None:
    """The explainer reads iOS's state and the trace and changes neither (no record, no random
    draw): a run paused every 3 hours of the week and asked each time has the run's digest, and
    every answer has a reason and a source."""
    from harness.scenario._why import _paused_run

    scenario = load(path)
    digest = run_scenario(scenario, 1).record.digest
    step = 3 * MS_PER_HOUR + 7 * MS_PER_MINUTE
    times = [*range(3 * MS_PER_HOUR, scenario.spec.duration, step), scenario.spec.duration]
    answers, replayed = _paused_run(scenario, 1, times)
    assert replayed == digest
    every = [answer for _, batch in answers for answer in batch]
    assert every
    assert all(answer.reason and answer.source and answer.platform == "ios" for answer in every)
