"""Continued-processing tasks (iOS 26): BGContinuedProcessingTaskRequest, its submission strategies
and error code 4, and the BGContinuedProcessingTask's life (Apple's BGTaskRequest.h, BGTask.h,
BGTaskScheduler.h and "Performing long-running tasks on iOS and iPadOS")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from harness.ios import (
    GPU_ENTITLEMENT,
    AppInfo,
    AppState,
    BGAppRefreshTaskRequest,
    BGContinuedProcessingTask,
    BGContinuedProcessingTaskRequest,
    BGTask,
    BGTaskSchedulerError,
    ContinuedProcessingPolicy,
    ContinuedProcessingResources,
    InternalInconsistencyError,
    IOSSystem,
    SubmissionStrategy,
)
from harness.sim import MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, Simulation

BUNDLE = "com.example.photos"
WILDCARD = f"{BUNDLE}.export.*"
REFRESH_ID = f"{BUNDLE}.refresh"


def records(sim: Simulation, kind: str) -> list[dict[str, object]]:
    """The fields (with ``t_ms``) of every record of ``kind`` so far."""
    return [{"t_ms": r.t_ms, **r.fields} for r in sim.trace if r.kind == kind]


class PhotoApp:
    """An app that exports in continued-processing tasks; ``work`` decides what each task does."""

    def __init__(self, iphone: IOSSystem, info: AppInfo | None = None) -> None:
        self.iphone = iphone
        self.tasks: list[BGContinuedProcessingTask] = []
        self.expired: list[str] = []
        self.work: Callable[[BGContinuedProcessingTask], object] = lambda _task: None
        iphone.install(BUNDLE, info or AppInfo(permitted_identifiers=(WILDCARD, REFRESH_ID)))

    def handler(self, task: BGTask) -> object:
        assert isinstance(task, BGContinuedProcessingTask)
        self.tasks.append(task)

        def expired() -> None:
            self.expired.append(task.identifier)
            task.set_task_completed(success=False)

        task.expiration_handler = expired
        return self.work(task)

    def export(
        self, job: str, strategy: SubmissionStrategy = SubmissionStrategy.QUEUE, **extra: object
    ) -> None:
        """The user taps Export: register the job's handler, then submit (Apple's sample)."""
        identifier = f"{BUNDLE}.export.{job}"
        scheduler = self.iphone.scheduler(BUNDLE)
        assert scheduler.register(identifier, self.handler)
        scheduler.submit(
            BGContinuedProcessingTaskRequest(
                identifier,
                title=f"Exporting {job}",
                subtitle="About to start...",
                strategy=strategy,
                **extra,  # type: ignore[arg-type]
            )
        )


@pytest.fixture
def photos(iphone: IOSSystem) -> PhotoApp:
    """The photo app, installed and open on screen."""
    app = PhotoApp(iphone)
    iphone.open_app(BUNDLE)
    return app


def report_progress(sim: Simulation, units: int, every_ms: int) -> Callable[..., object]:
    """A task body: ``units`` steps of ``every_ms`` each, progress after each, then completed."""

    def work(task: BGContinuedProcessingTask) -> object:
        async def run() -> None:
            task.progress.total_unit_count = units
            for done in range(1, units + 1):
                await asyncio.sleep(every_ms / 1000)
                if task.completed:
                    return
                task.progress.completed_unit_count = done
                task.update_title(task.title, f"{done} of {units}")
            task.set_task_completed(success=True)

        return run()

    return work


def test_submitted_in_the_foreground_it_starts_at_once_and_goes_on_in_the_background(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """BGContinuedProcessingTaskRequest: "The framework begins processing the task immediately,
    if possible, and the system allows it to continue running even if the app moves to the
    background"; it has no fixed time limit ("minutes or more")."""
    photos.work = report_progress(sim, units=120, every_ms=10 * MS_PER_SECOND)  # 20 min
    photos.export("album1")
    sim.run_for(1)
    assert [t.identifier for t in photos.tasks] == [f"{BUNDLE}.export.album1"]
    launch = records(sim, "ios.launch")[-1]
    assert launch["task_kind"] == "continued_processing"
    assert launch["cold"] is False
    sim.run_for(MS_PER_MINUTE)
    iphone.leave_app(BUNDLE)
    sim.run_for(10 * MS_PER_MINUTE)
    assert iphone.app(BUNDLE).state is AppState.BACKGROUND  # not suspended: the task runs
    assert iphone.continued.running(BUNDLE) == (photos.tasks[0],)
    sim.run_for(10 * MS_PER_MINUTE)
    completed = records(sim, "ios.completed")
    assert [(c["task_kind"], c["success"]) for c in completed] == [("continued_processing", True)]
    assert completed[0]["elapsed_ms"] == 20 * MS_PER_MINUTE
    assert iphone.app(BUNDLE).state is AppState.SUSPENDED
    assert photos.tasks[0].subtitle == "120 of 120"


def test_fail_strategy_without_room_is_code_4_immediate_run_ineligible(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """BGTaskScheduler.Error.Code.immediateRunIneligible (4): "a BGContinuedProcessingTaskRequest
    that your app submits with strategy set to .fail isn't able to begin right away" ("the
    system reaches a maximum number of concurrent tasks": the model's ``max_running``, 2)."""
    photos.work = report_progress(sim, units=10, every_ms=10 * MS_PER_SECOND)
    photos.export("a")
    photos.export("b")
    with pytest.raises(
        BGTaskSchedulerError,
        match=r"^BGTaskSchedulerErrorDomain code 4 \(IMMEDIATE_RUN_INELIGIBLE\)",
    ) as refused:
        photos.export("c", SubmissionStrategy.FAIL)
    assert int(refused.value.code) == 4
    assert records(sim, "ios.submit")[-1]["outcome"] == "IMMEDIATE_RUN_INELIGIBLE"
    sim.run_for(MS_PER_MINUTE)
    assert sorted(t.identifier.rsplit(".", 1)[1] for t in photos.tasks) == ["a", "b"]
    iphone.continued.policy = ContinuedProcessingPolicy(max_running=3)
    iphone.open_app(BUNDLE)
    photos.export("c2", SubmissionStrategy.FAIL)  # room now: no error


def test_queue_strategy_waits_and_starts_when_a_task_ends_even_in_the_background(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """SubmissionStrategy.queue (the default): "adds the task request to the back of a queue.
    The system runs the task as soon as possible"; resubmitting a queued identifier replaces it
    (submit(_:)); cancel(taskRequestWithIdentifier:) drops a queued request."""
    photos.work = report_progress(sim, units=6, every_ms=10 * MS_PER_SECOND)  # 1 min each
    photos.export("a")
    photos.export("b")
    photos.export("c")
    photos.export("d")
    scheduler = iphone.scheduler(BUNDLE)
    again = BGContinuedProcessingTaskRequest(f"{BUNDLE}.export.c", title="c, again", subtitle="")
    scheduler.submit(again)  # replaces the queued c (its handler is registered already)
    assert [r.identifier.rsplit(".", 1)[1] for r in scheduler.pending_task_requests()] == [
        "d",
        "c",
    ]
    assert [r["outcome"] for r in records(sim, "ios.submit")] == [
        "accepted",
        "accepted",
        "queued",
        "queued",
        "replaced",
    ]
    scheduler.cancel(f"{BUNDLE}.export.d")
    iphone.leave_app(BUNDLE)
    sim.run_for(5 * MS_PER_MINUTE)
    started = [r for r in records(sim, "ios.continued") if r["event"] == "started"]
    assert [str(r["identifier"]).rsplit(".", 1)[1] for r in started] == ["a", "b", "c"]
    assert started[2]["t_ms"] == MS_PER_MINUTE  # as soon as a finished
    assert [c["success"] for c in records(sim, "ios.completed")] == [True, True, True]


def test_swipe_away_ends_running_tasks_silently_and_cancels_queued_ones(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "The system cancels any running tasks if a person closes the app in the app switcher, but
    the app doesn't receive an indication of cancellation" (Performing long-running tasks);
    "Queued BGContinuedProcessingTaskRequests will be cancelled when the user removes your app
    from the app switcher" (BGTaskRequest.h)."""
    photos.work = report_progress(sim, units=60, every_ms=10 * MS_PER_SECOND)
    for job in "abc":
        photos.export(job)
    sim.run_for(MS_PER_MINUTE)
    iphone.swipe_away(BUNDLE)
    assert photos.expired == []  # no expiration handler
    assert records(sim, "ios.completed") == []
    events = [(r["event"], r["identifier"][-1]) for r in records(sim, "ios.continued")]  # type: ignore[index]
    assert ("dropped", "c") in events
    assert ("ended", "a") in events
    assert iphone.continued.running() == ()
    assert iphone.scheduler(BUNDLE).pending_task_requests() == ()
    sim.run_for(MS_PER_HOUR)
    assert len(photos.tasks) == 2  # c never started


def test_submitted_outside_the_foreground_it_is_refused(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """BGContinuedProcessingTaskRequest: "The app submits this request from the foreground"
    (the code is not documented: the model says notPermitted, 3)."""
    iphone.leave_app(BUNDLE)
    with pytest.raises(
        BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 3 .*foreground"
    ):
        photos.export("late")
    assert photos.tasks == []


def test_identifier_must_match_a_wildcard_entry_that_starts_with_the_bundle_id(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """init(identifier:title:subtitle:): "The identifier must leverage a base wildcard notation,
    where the prefix of the identifier must at least contain the bundle ID ... ending with .*";
    an identifier not permitted is notPermitted (3)."""
    exact = f"{BUNDLE}.export.fixed"
    app = PhotoApp(
        iphone, AppInfo(permitted_identifiers=(exact, "com.other.export.*", f"{BUNDLE}.*"))
    )
    iphone.open_app(BUNDLE)
    scheduler = iphone.scheduler(BUNDLE)
    for identifier in ("com.other.export.1", f"{BUNDLE}"):
        with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 3 "):
            scheduler.submit(BGContinuedProcessingTaskRequest(identifier, title="t", subtitle="s"))
    # "<MainBundle>.*" (no semantic context) is a valid wildcard: any job id under the bundle
    assert scheduler.register(f"{BUNDLE}.job42", app.handler)
    scheduler.submit(BGContinuedProcessingTaskRequest(f"{BUNDLE}.job42", title="t", subtitle="s"))
    sim.run_for(1)
    assert len(app.tasks) == 1


def test_handlers_register_after_launch_but_once_and_before_submit(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """BGTaskScheduler.h: launch handlers are registered before the app finishes launching
    ("BGContinuedProcessingTask registrations are exempt"), each identifier once; submitting a
    continued request with no handler raises "No launch handler registered for task with
    identifier" (developer.apple.com/forums/thread/799126)."""
    scheduler = iphone.scheduler(BUNDLE)
    with pytest.raises(InternalInconsistencyError, match=r"registered after the app finished"):
        scheduler.register(REFRESH_ID, photos.handler)  # a refresh handler: too late
    assert scheduler.register(f"{BUNDLE}.export.x", photos.handler)
    with pytest.raises(InternalInconsistencyError, match=r"already been registered"):
        scheduler.register(f"{BUNDLE}.export.x", photos.handler)
    with pytest.raises(InternalInconsistencyError, match=r"No launch handler registered"):
        scheduler.submit(
            BGContinuedProcessingTaskRequest(f"{BUNDLE}.export.y", title="t", subtitle="s")
        )
    # a handler registered for the wildcard itself serves every identifier it permits
    assert scheduler.register(WILDCARD, photos.handler)
    scheduler.submit(
        BGContinuedProcessingTaskRequest(f"{BUNDLE}.export.y", title="t", subtitle="s")
    )
    sim.run_for(1)
    assert [t.identifier for t in photos.tasks] == [f"{BUNDLE}.export.y"]
    # a refresh request is not affected by continued-processing ones
    scheduler.submit(BGAppRefreshTaskRequest(REFRESH_ID))


def test_a_task_whose_progress_stalls_is_expired_then_killed_if_never_completed(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """BGTask.h: continued tasks "_must_ report progress ... Tasks that appear stalled may be
    forcibly expired by the scheduler": no progress for the policy's 30 s runs the expiration
    handler; an app that then never calls setTaskCompleted is killed (BGTask
    setTaskCompleted(success:): "may get the app killed"; grace 5 s, modelled)."""
    photos.work = report_progress(sim, units=3, every_ms=20 * MS_PER_SECOND)  # in time
    photos.export("steady")
    sim.run_for(2 * MS_PER_MINUTE)
    assert records(sim, "ios.completed")[-1]["success"] is True

    photos.work = lambda _task: None  # reports nothing
    iphone.open_app(BUNDLE)
    photos.export("silent")
    iphone.leave_app(BUNDLE)
    sim.run_for(29 * MS_PER_SECOND)
    assert photos.expired == []
    sim.run_for(2 * MS_PER_SECOND)
    assert photos.expired == [f"{BUNDLE}.export.silent"]
    stalled = records(sim, "ios.continued")[-1]
    assert (stalled["event"], stalled["reason"]) == ("stalled", "no progress reported for 30 s")

    photos.work = lambda task: setattr(task, "expiration_handler", lambda: None)
    iphone.open_app(BUNDLE)
    photos.export("stubborn")
    iphone.leave_app(BUNDLE)
    sim.run_for(36 * MS_PER_SECOND)
    assert records(sim, "ios.terminated")[-1]["reason"] == (
        f"continued_processing '{BUNDLE}.export.stubborn' not completed within its time"
    )


def test_the_user_cancelling_in_the_live_activity_runs_the_expiration_handler(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """ "If a person cancels a task through the interface, the framework invokes the task's
    expiration handler and the app handles the failure" (Performing long-running tasks)."""
    photos.work = report_progress(sim, units=60, every_ms=10 * MS_PER_SECOND)
    photos.export("a")
    iphone.leave_app(BUNDLE)
    sim.run_for(2 * MS_PER_MINUTE)
    cancelled = iphone.continued.user_cancel(BUNDLE)
    assert cancelled is photos.tasks[0]
    assert photos.expired == [f"{BUNDLE}.export.a"]
    assert records(sim, "ios.completed")[-1]["success"] is False
    assert records(sim, "ios.continued")[-1]["event"] == "user_cancelled"
    assert records(sim, "ios.continued")[-1]["completed_units"] == 12
    assert iphone.continued.user_cancel(BUNDLE) is None  # nothing left to cancel


def test_gpu_needs_the_entitlement_and_a_device_that_supports_it(
    sim: Simulation, iphone: IOSSystem
) -> None:
    """BGTaskRequest.h Resources.gpu: "Task submissions will be rejected if the submitting app
    does not have the correct entitlement"; notPermitted (3) when "the task requested additional
    BGContinuedProcessingTaskRequestResources that are unavailable" (BGTaskScheduler.h): check
    BGTaskScheduler.supportedResources first."""
    gpu = ContinuedProcessingResources.GPU
    plain = PhotoApp(iphone)
    iphone.open_app(BUNDLE)
    with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 3 .*entitle"):
        plain.export("a", required_resources=gpu)
    iphone.terminate(BUNDLE, "test")

    info = AppInfo(permitted_identifiers=(WILDCARD,), entitlements=frozenset({GPU_ENTITLEMENT}))
    other = IOSSystem(sim, iphone.device)
    entitled = PhotoApp(other, info)
    other.open_app(BUNDLE)
    entitled.export("b", required_resources=gpu)
    sim.run_for(1)
    assert len(entitled.tasks) == 1
    other.continued.policy = ContinuedProcessingPolicy(
        supported_resources=ContinuedProcessingResources.DEFAULT
    )
    with pytest.raises(BGTaskSchedulerError, match=r"^BGTaskSchedulerErrorDomain code 3 .*support"):
        entitled.export("c", required_resources=gpu)


def test_earliest_begin_date_is_ignored(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """init(identifier:title:subtitle:): "earliestBeginDate is ignored by the scheduler in favor
    of NSDate.now"."""
    photos.export("now", earliest_begin_ms=sim.now_ms + 5 * MS_PER_HOUR)
    sim.run_for(1)
    assert len(photos.tasks) == 1


def test_policy_refuses_nonsense() -> None:
    """ContinuedProcessingPolicy: a negative time or no room at all is a definition error."""
    from harness._exceptions import DefinitionError

    with pytest.raises(DefinitionError, match=r"^ContinuedProcessingPolicy.stall_timeout_ms = -1"):
        ContinuedProcessingPolicy(stall_timeout_ms=-1)
    with pytest.raises(DefinitionError, match=r"^ContinuedProcessingPolicy.max_running = 0"):
        ContinuedProcessingPolicy(max_running=0)
