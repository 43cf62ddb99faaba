"""One run's trace folded for the report (harness/report/_runview.py)."""

from __future__ import annotations

from harness.report._folder import RunFolder
from harness.report._reasons import ReasonClass
from harness.report._runview import MarkerKind, Phase, RunPicture
from harness.sim import Trace

_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "harness/workmanager/_wrapper.py", line 229, in _run_worker\n'
    '  File "app/sync.py", line 42, in do_work\n'
    "ValueError: boom\n"
)


def _picture(trace: Trace, duration_ms: int = 10_000) -> RunPicture:
    return RunFolder.of(trace, duration_ms)


def _work(trace: Trace, t_ms: int, kind: str, work_id: str, **fields: object) -> None:
    trace.emit(t_ms, kind, id=work_id, worker="app.sync.Sync", **fields)


def test_a_deferred_work_waits_with_the_schedulers_reason() -> None:
    """Between job.deferred and work.started the work is WAITING, classed by the reason."""
    trace = Trace(strict=False)
    _work(trace, 0, "work.enqueued", "w", state="ENQUEUED", next_run_time_ms=0)
    trace.emit(
        10, "job.deferred", work_id="w", package="p", reason="constraint unmet: needs charging"
    )
    trace.emit(
        500,
        "job.deferred",
        work_id="w",
        package="p",
        reason="doze: deferred to the next maintenance window",
    )
    _work(trace, 900, "work.started", "w", run_attempt_count=1)
    _work(trace, 950, "work.finished", "w", state="SUCCEEDED", result="success", output={"n": 3})
    work = _picture(trace).works[0]
    assert [(s.start_ms, s.end_ms, s.phase, s.reason_class) for s in work.segments] == [
        (0, 10, Phase.ENQUEUED, None),
        (10, 500, Phase.WAITING, ReasonClass.CONSTRAINT),
        (500, 900, Phase.WAITING, ReasonClass.DOZE),
        (900, 950, Phase.RUNNING, None),
    ]
    assert work.output == {"n": 3}
    assert work.attempts == 1
    assert [e.what for e in work.events] == [
        "enqueued",
        "waiting",
        "waiting",
        "started",
        "finished",
    ]


def test_a_dropped_keep_enqueue_is_a_decision_on_the_kept_work() -> None:
    """work.not_enqueued (ExistingWorkPolicy.KEEP) is shown on the work that was kept."""
    trace = Trace(strict=False)
    _work(trace, 0, "work.enqueued", "kept", unique_name="sync", policy="KEEP")
    trace.emit(
        100,
        "work.not_enqueued",
        ids=["new"],
        workers=["app.sync.Sync"],
        reason="ExistingWorkPolicy.KEEP: unique work 'sync' is already enqueued or running",
        unique_name="sync",
        existing=["kept"],
    )
    picture = _picture(trace)
    kept = picture.work("kept")
    assert kept is not None
    assert [d.outcome.split(":")[0] for d in kept.decisions] == ["enqueued", "dropped"]
    assert picture.decisions[-1].work_ids == ("new",)


def test_chains_link_prerequisites_and_dependents() -> None:
    """A BLOCKED work names its prerequisite; the prerequisite lists it as a dependent."""
    trace = Trace(strict=False)
    _work(trace, 0, "work.enqueued", "a", prerequisites=[])
    _work(trace, 0, "work.blocked", "b", prerequisites=["a"])
    _work(trace, 50, "work.unblocked", "b", prerequisite="a")
    picture = _picture(trace)
    assert [w.id for w in picture.chains] == ["a"]
    b = picture.work("b")
    assert b is not None
    assert b.segments[0].phase is Phase.BLOCKED
    assert b.segments[1].phase is Phase.ENQUEUED


def test_failures_carry_file_and_line() -> None:
    """work.failed's file and line are used; without them the traceback's innermost frame."""
    trace = Trace(strict=False)
    _work(
        trace,
        5,
        "work.failed",
        "w",
        phase="do_work",
        error="ValueError: boom",
        traceback=_TRACEBACK,
        file="app/sync.py",
        line=42,
    )
    trace.emit(7, "flutter.task_error", package="p", task="t", error="E", traceback=_TRACEBACK)
    failures = _picture(trace).failures
    assert [(f.kind, f.file, f.line, f.work_id) for f in failures] == [
        ("work.failed", "app/sync.py", 42, "w"),
        ("flutter.task_error", "app/sync.py", 42, None),
    ]


def test_markers_for_kills_reboots_force_stops_and_server_faults() -> None:
    """Each marker kind comes from its device or backend record."""
    trace = Trace(strict=False)
    trace.emit(1, "device.process", event="died", package="p", reason="lmk")
    trace.emit(2, "device.boot", event="shutdown", reason="reboot", reboot=True)
    trace.emit(3, "device.boot", event="boot_completed", boot_count=2)
    trace.emit(4, "device.process", event="force_stopped", package="p")
    trace.emit(5, "backend.outage", action="server outage 2m error", until_ms=100)
    trace.emit(6, "http.unmatched", method="GET", url="https://x/y")
    kinds = [m.kind for m in _picture(trace).markers]
    assert kinds == [
        MarkerKind.KILL,
        MarkerKind.REBOOT,
        MarkerKind.REBOOT,
        MarkerKind.FORCE_STOP,
        MarkerKind.SERVER_FAULT,
        MarkerKind.SERVER_FAULT,
    ]


def test_device_lanes_follow_state_changes() -> None:
    """Screen, network (with its quality), doze, standby and process lanes hold each state."""
    trace = Trace(strict=False)
    trace.emit(0, "device.screen", on=True, locked=False)
    trace.emit(0, "device.network", transport="WIFI", metered=False, validated=True)
    trace.emit(0, "device.doze", state="ACTIVE")
    trace.emit(0, "job.scheduled", package="p", work_id="w", job_id=1, earliest_ms=0)
    trace.emit(0, "device.standby", package="p", bucket="ACTIVE")
    trace.emit(0, "device.process", event="state", package="p", state="TOP")
    trace.emit(10, "device.network", transport="CELLULAR", metered=True, validated=False)
    trace.emit(20, "device.doze", state="IDLE")
    lanes = {
        lane.name: [(s.start_ms, s.end_ms, s.label) for s in lane.spans]
        for lane in _picture(trace, 30).lanes
    }
    assert lanes["network"] == [
        (0, 10, "WIFI unmetered"),
        (10, 30, "CELLULAR metered not validated"),
    ]
    assert lanes["doze (deep)"] == [(0, 20, "ACTIVE"), (20, 30, "IDLE")]
    assert lanes["standby p"] == [(0, 30, "ACTIVE")]
    assert lanes["process p"] == [(0, 30, "TOP")]
    assert lanes["screen"] == [(0, 30, "on")]


def test_long_histories_are_capped_with_exact_counts() -> None:
    """A work's history keeps TABLE_ROWS events and counts the rest."""
    trace = Trace(strict=False)
    for index in range(250):
        _work(trace, index, "work.progress", "w", progress={"i": index})
    work = _picture(trace, 1000).works[0]
    assert len(work.events) == 200
    assert work.events_dropped == 50


def test_the_network_lane_shows_the_link_quality_of_the_transport_in_use() -> None:
    """A place's link quality (``device.network.link``) is part of the network lane's text, for
    the transport in use only: a poor cellular link does not relabel the Wi-Fi span."""
    trace = Trace(strict=False)
    trace.emit(0, "device.network", transport="WIFI", metered=False, validated=True)
    link = {"up_bytes_per_s": 50_000, "loss": 0.0}
    trace.emit(
        5,
        "device.network.link",
        transport="WIFI",
        latency_ms=40,
        down_bytes_per_s=2_000_000,
        **link,
    )
    trace.emit(
        8,
        "device.network.link",
        transport="CELLULAR",
        latency_ms=300,
        down_bytes_per_s=60_000,
        up_bytes_per_s=20_000,
        loss=0.05,
    )
    trace.emit(10, "device.network", transport="CELLULAR", metered=True, validated=True)
    (lane,) = [lane for lane in _picture(trace, 30).lanes if lane.name == "network"]
    assert [(s.start_ms, s.end_ms, s.label) for s in lane.spans] == [
        (0, 5, "WIFI unmetered"),
        (5, 10, "WIFI unmetered · link 40 ms, 2000 KB/s down"),
        (10, 30, "CELLULAR metered · link 300 ms, 60 KB/s down, 5% loss"),
    ]
