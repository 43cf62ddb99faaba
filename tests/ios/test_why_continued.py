"""``explain_launch`` for a continued-processing task: queued for a free slot (``.queue``, the
modelled ``max_running``), running on its stall clock (BGTask.h: stalled tasks may be expired;
the modelled ``stall_timeout_ms``), each with its source; asking writes no record."""

from __future__ import annotations

from harness.ios import IOSSystem, TaskKind, WaitCause, explain_launch
from harness.sim import MS_PER_MINUTE, MS_PER_SECOND, Simulation
from tests.ios.test_continued import BUNDLE, PhotoApp, photos, report_progress

__all__ = ["photos"]  # the fixture


def test_a_third_request_is_queued_behind_the_two_running(
    sim: Simulation, iphone: IOSSystem, photos: PhotoApp
) -> None:
    """SubmissionStrategy.queue "adds the task request to the back of a queue" when the system
    runs its maximum (modelled: 2); the running ones answer with their stall clock."""
    photos.work = report_progress(sim, units=60, every_ms=10 * MS_PER_SECOND)
    for job in ("a", "b", "c"):
        photos.export(job)
    sim.run_for(15 * MS_PER_SECOND)
    queued = explain_launch(iphone, BUNDLE, f"{BUNDLE}.export.c")
    assert (queued.cause, queued.kind) == (WaitCause.QUEUED, TaskKind.CONTINUED_PROCESSING)
    assert queued.reason == (
        "queued (.queue strategy): position 1 of 1; no free slot, the system runs at most 2 "
        "continued-processing tasks at once (modelled) and they run: "
        "com.example.photos.export.a (com.example.photos), "
        "com.example.photos.export.b (com.example.photos)"
    )
    assert "submissionstrategy" in queued.source
    assert "max_running" in queued.source
    running = explain_launch(iphone, BUNDLE, f"{BUNDLE}.export.a")
    assert running.cause is WaitCause.RUNNING
    assert running.reason == (
        "running since t=0d00:00:00.000 (BGContinuedProcessingTask, 1 of 60 units, its Live "
        "Activity 'Exporting a'); progress last changed at t=0d00:00:10.000: iOS expires it as "
        "stalled at t=0d00:00:40.000 unless the progress changes before (30s without progress, "
        "modelled)"
    )
    assert running.until_ms == 40 * MS_PER_SECOND
    assert running.source.startswith("BGTask.h")


def test_asking_records_nothing(sim: Simulation, iphone: IOSSystem, photos: PhotoApp) -> None:
    """Asking about continued tasks writes no record."""
    photos.work = report_progress(sim, units=60, every_ms=10 * MS_PER_SECOND)
    for job in ("a", "b", "c"):
        photos.export(job)
    sim.run_for(MS_PER_MINUTE)
    before = sim.trace.digest()
    for job in ("a", "b", "c", "d"):
        explain_launch(iphone, BUNDLE, f"{BUNDLE}.export.{job}")
    assert sim.trace.digest() == before
