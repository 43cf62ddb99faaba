"""Content-URI triggers and network requests end to end: WorkManager's Constraints through
SystemJobInfoConverter to JobScheduler's ContentObserverController and ConnectivityController."""

from __future__ import annotations

from harness.platform import (
    JobNetworkType,
    NetCapability,
    NetTransport,
    NetworkRequest,
    TriggerContentUri,
)
from harness.scenario import World, loads
from harness.sim import Simulation
from harness.workmanager import (
    Constraints,
    ContentUriTrigger,
    NetworkType,
    OneTimeWorkRequest,
    WorkManager,
    to_job_info,
)
from harness.workmanager._constraint_codec import (
    bytes_to_network_request,
    bytes_to_triggers,
    network_request_to_bytes,
    triggers_to_bytes,
)
from tests.workmanager.apps import photos
from tests.workmanager.workers import Succeed

GALLERY = photos.GALLERY


def photo_world(timeline: str) -> tuple[World, list[str], list[int]]:
    """Run the photo app for 1 h, the screen on, with ``timeline``; its log and work starts."""
    scenario = loads(
        "name: photos\napp: tests.workmanager.apps.photos\ndevice: pixel-like\n"
        "duration: 1h\ntimeline:\n  - at: 1m\n    do: open app\n"
        f"  - at: 2m\n    do: use phone for 55m\n{timeline}"  # awake: no doze
    )
    with Simulation(seed=0) as sim:
        world = World(sim, scenario)
        world.schedule(scenario.schedule)
        sim.run_for("1h")
        db = world.runtime.data_area(photos.PACKAGE).database("log.db")
        db.execute("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY, outcome TEXT)")
        log = [outcome for (outcome,) in db.execute("SELECT outcome FROM log ORDER BY n")]
        started = [r.t_ms for r in sim.trace.of_kind("work.started")]
    return world, log, started


def test_constraints_builder_keeps_triggers_delays_and_the_network_request(
    sim: Simulation,
) -> None:
    """Constraints.Builder: addContentUriTrigger (a set, in order), the two trigger delays, and
    setRequiredNetworkRequest, which sets the type to NOT_REQUIRED on API 28+ (Constraints.kt)."""
    request = NetworkRequest.builder().add_transport_type(NetTransport.TRANSPORT_WIFI).build()
    constraints = (
        Constraints.builder()
        .add_content_uri_trigger(GALLERY, True)
        .add_content_uri_trigger("content://contacts", False)
        .add_content_uri_trigger(GALLERY, True)
        .set_trigger_content_update_delay("5s")
        .set_trigger_content_max_delay("1m")
        .set_required_network_request(request, NetworkType.UNMETERED)
        .build()
    )
    assert constraints.content_uri_triggers == (
        ContentUriTrigger(GALLERY, True),
        ContentUriTrigger("content://contacts", False),
    )
    assert constraints.has_content_uri_triggers()
    assert (
        constraints.content_trigger_update_delay_millis,
        constraints.content_trigger_max_delay_millis,
    ) == (5_000, 60_000)
    assert constraints.required_network_type is NetworkType.NOT_REQUIRED
    assert request.capabilities == {
        NetCapability.NET_CAPABILITY_INTERNET,
        NetCapability.NET_CAPABILITY_NOT_RESTRICTED,
        NetCapability.NET_CAPABILITY_TRUSTED,
        NetCapability.NET_CAPABILITY_NOT_VPN,
    }
    work = OneTimeWorkRequest.builder(Succeed).set_constraints(constraints).build()
    job = to_job_info(work.work_spec, job_id=1, package="p", now_ms=0, api=34)
    assert job.trigger_content_uris == (
        TriggerContentUri(GALLERY, TriggerContentUri.FLAG_NOTIFY_FOR_DESCENDANTS),
        TriggerContentUri("content://contacts", 0),
    )
    assert (job.trigger_content_update_delay_ms, job.trigger_content_max_delay_ms) == (
        5_000,
        60_000,
    )
    assert job.network_type is JobNetworkType.NETWORK_TYPE_ANY  # JobInfo.getNetworkType
    assert job.network_transports == {NetTransport.TRANSPORT_WIFI}


def test_triggers_and_network_requests_survive_the_database(sim: Simulation) -> None:
    """WorkTypeConverters: both are ObjectOutputStream BLOBs (AC ED 00 05, block data); none is
    an empty BLOB; a stored work reads back equal."""
    triggers = (ContentUriTrigger(GALLERY, True), ContentUriTrigger("content://é/" + "x" * 1500))
    raw = triggers_to_bytes(triggers)
    assert raw[:6] == b"\xac\xed\x00\x05\x7a\x00"  # header, TC_BLOCKDATALONG (1024-byte blocks)
    assert bytes_to_triggers(raw) == triggers
    assert triggers_to_bytes(()) == b""
    request = NetworkRequest.builder().add_transport_type(NetTransport.TRANSPORT_CELLULAR).build()
    raw = network_request_to_bytes(request)
    assert raw == (
        b"\xac\xed\x00\x05\x77\x1c"
        + bytes.fromhex("00000001 00000000 00000004 0000000c 0000000d 0000000e 0000000f")
    )
    assert bytes_to_network_request(raw) == request
    constraints = (
        Constraints.builder()
        .add_content_uri_trigger(GALLERY, True)
        .set_required_network_request(request, NetworkType.METERED)
        .build()
    )
    work_manager = WorkManager(sim)
    work = OneTimeWorkRequest.builder(Succeed).set_constraints(constraints).build()
    work_manager.enqueue(work)
    info = work_manager.get_work_info_by_id(work.id)
    assert info is not None
    assert info.constraints == constraints


def test_content_trigger_runs_after_the_update_delay_with_the_changed_uris() -> None:
    """ContentObserverController: no run until a change; then after the update delay (5 s after
    the latest change), with getTriggeredContentUris/Authorities in the WorkerParameters."""
    _, log, started = photo_world(
        f"  - at: 10m\n    do: content change {GALLERY}/1\n"
        f"  - at: 10m 3s\n    do: content change {GALLERY}/2\n"
        "  - at: 10m 4s\n    do: content change content://contacts/7\n"
    )
    assert started == [10 * 60_000 + 8_000]
    assert log == [f"{GALLERY}/1 {GALLERY}/2 | media"]


def test_content_trigger_max_delay_caps_a_stream_of_changes() -> None:
    """JobInstance.scheduleLocked: the max delay counts from the first change, so changes every
    4 s (each restarting the 5 s update delay) still run the work 30 s after the first; the
    next work (enqueued by the run) sees the later changes only."""
    timeline = "".join(
        f"  - at: {20 * 60 + 4 * n}s\n    do: content change {GALLERY}/{n}\n" for n in range(12)
    )
    _, log, started = photo_world(timeline)
    assert started == [20 * 60_000 + 30_000, 20 * 60_000 + 44_000 + 5_000]
    assert log == [
        " ".join(f"{GALLERY}/{n}" for n in range(8)) + " | media",  # the changes up to 28 s
        " ".join(f"{GALLERY}/{n}" for n in range(8, 12)) + " | media",
    ]


def test_a_network_request_for_wifi_waits_for_wifi() -> None:
    """ConnectivityController: a setRequiredNetwork job runs only on a network with the
    request's transport and capabilities (NetworkRequest.canBeSatisfiedBy), not on cellular."""
    world, log, started = photo_world(
        "  - at: 29m\n    do: wifi out of range\n"
        f"  - at: 30m\n    do: content change {GALLERY}/9\n"
        "  - at: 40m\n    do: wifi in range\n"
    )
    deferred = [
        r["reason"] for r in world.sim.trace.of_kind("job.deferred") if r.t_ms >= 29 * 60_000
    ]
    assert deferred[0] == "constraint unmet: needs network UNMETERED: CELLULAR does not qualify"
    assert started == [40 * 60_000 + 3_000]  # when Wi-Fi has connected again
    assert log == [f"{GALLERY}/9 | media"]
