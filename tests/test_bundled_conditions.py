"""Each bundled scenario file produces the condition it is named for, while it matters.

A suite whose checks pass proves little if its condition never happened: a kill refused because
the app was on screen, a reboot before any work ran, a storage level that never went low, a rate
limit nobody hit. For every file in ``scenarios/`` this runs seed 0 and looks at the trace for
its condition by file kind (the file name), for example that every kill and every reboot landed
while work of the app was running, or that a 429 was actually served in each rate-limit window.

``condition_problems`` takes the scenario and its trace records, so the same verdicts can be
had for other seeds from a ``trace.jsonl`` (``TraceRecord.from_json``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Final

import pytest

import harness.scenario
from harness.scenario._actions._server import ServerOutage, ServerRateLimit
from harness.sim import TraceRecord, format_t_ms

SCENARIOS: Final = Path(__file__).resolve().parent.parent / "scenarios"
MS_PER_HOUR: Final = 3_600_000
MS_PER_DAY: Final = 24 * MS_PER_HOUR

Records = Sequence[TraceRecord]
Window = tuple[int, int]


def _files() -> list[Path]:
    return sorted(SCENARIOS.glob("*/*.yaml"))


def _package(records: Records) -> str:
    installed = [r["package"] for r in records if r.kind == "app.installed"]
    assert len(installed) == 1, f"expected one app, got {installed}"
    return str(installed[0])


def _mine(records: Records, package: str, *kinds: str) -> list[TraceRecord]:
    """Records of these kinds about ``package`` (``work.*`` records name no package)."""
    return [r for r in records if r.kind in kinds and r.get("package", package) == package]


def _ok(record: TraceRecord) -> bool:
    status = record.get("status")
    return isinstance(status, int) and (200 <= status < 300 or status == 304)


def _started_ms(request: TraceRecord) -> int:
    return request.t_ms - int(request.get("duration_ms") or 0)


def _inside(t_ms: int, windows: Iterable[Window]) -> bool:
    return any(start <= t_ms < end for start, end in windows)


_WORK_ENDS: Final = ("work.finished", "work.retry", "work.stopped", "work.failed")


def _running_when(
    records: Records, package: str, hit: Callable[[TraceRecord], bool]
) -> list[tuple[TraceRecord, set[str]]]:
    """Records matching ``hit``, each with the ids of the work running at that point.

    Walks the trace in order (several records share a millisecond): work runs from
    ``work.started`` until it finishes, retries or stops, or the app's process dies. Work, not
    jobs: WorkManager also runs work in the app's process without a job (its greedy scheduler).
    """
    running: set[str] = set()
    found: list[tuple[TraceRecord, set[str]]] = []
    for record in records:
        if hit(record):
            found.append((record, set(running)))
        if record.kind == "work.started":
            running.add(str(record.get("id")))
        elif record.kind in _WORK_ENDS:
            running.discard(str(record.get("id")))
        elif (
            record.kind == "device.process"
            and record.get("event") == "died"
            and record.get("package") == package
        ):
            running.clear()
    return found


def _interrupted(
    records: Records, package: str, what: str, hit: Callable[[TraceRecord], bool]
) -> list[str]:
    """Problems unless every ``hit`` record cut off running work, and that work ran again."""
    found = _running_when(records, package, hit)
    if not found:
        return [f"no {what} happened"]
    problems = []
    idle = [record for record, works in found if not works]
    if idle:
        times = ", ".join(f"t={format_t_ms(record.t_ms)}" for record in idle[:5])
        problems.append(
            f"{len(idle)} of {len(found)} {what}s landed while no work of {package} ran: {times}"
        )
    starts = [r for r in records if r.kind == "work.started"]
    for record, works in found:
        if works and not any(s.t_ms >= record.t_ms and s.get("id") in works for s in starts):
            problems.append(f"work cut off at t={format_t_ms(record.t_ms)} never ran again")
    return problems


def _killed_mid_sync(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)

    def lmk(record: TraceRecord) -> bool:
        return (
            record.kind == "device.process"
            and record.get("event") == "died"
            and record.get("package") == package
            and record.get("reason") == "REASON_LOW_MEMORY"
        )

    problems = _interrupted(records, package, "low-memory kill", lmk)
    kills = [r for r in records if r.kind == "scenario.action" and r["action"] == "kill app"]
    deaths = {r.t_ms for r in records if lmk(r)}
    refused = [r for r in kills if r.t_ms not in deaths]
    if refused:
        problems.append(f"a kill at t={format_t_ms(refused[0].t_ms)} killed nothing")
    return problems


def _reboot_mid_sync(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)

    def shutdown(record: TraceRecord) -> bool:
        return record.kind == "device.boot" and record.get("event") == "shutdown"

    return _interrupted(records, package, "reboot", shutdown)


def _windows_between(
    records: Records, opens: Callable[[TraceRecord], bool], closes: Callable[[TraceRecord], bool]
) -> list[Window]:
    windows: list[Window] = []
    start: int | None = None
    for record in records:
        if start is None and opens(record):
            start = record.t_ms
        elif start is not None and closes(record):
            windows.append((start, record.t_ms))
            start = None
    if start is not None:
        windows.append((start, records[-1].t_ms + 1))
    return windows


def _storage_low(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    low = _windows_between(
        records,
        lambda r: r.kind == "device.storage" and r.get("level") == "LEVEL_LOW",
        lambda r: r.kind == "device.storage" and r.get("level") == "LEVEL_NORMAL",
    )
    if not low:
        return ["storage never became low (LEVEL_LOW)"]
    runs = [r for r in _mine(records, package, "work.started") if _inside(r.t_ms, low)]
    if not runs:
        return ["no work of the app ran while storage was low"]
    return []


def _fault_windows(scenario: harness.scenario.Scenario, rate_limit: bool) -> list[Window]:
    windows = [
        (fault.at, fault.at + fault.for_ms)
        for fault in scenario.spec.backend.faults
        if (fault.rate_limit is not None) == rate_limit
    ]
    kind = ServerRateLimit if rate_limit else ServerOutage
    windows += [
        (item.t_ms, item.t_ms + item.action.duration_ms)
        for item in scenario.schedule
        if isinstance(item.action, kind)
    ]
    return windows


def _each_window_hit(
    scenario: harness.scenario.Scenario,
    records: Records,
    rate_limit: bool,
    what: str,
    hit: Callable[[TraceRecord], bool],
) -> list[str]:
    package = _package(records)
    windows = _fault_windows(scenario, rate_limit)
    if not windows:
        return [f"the scenario schedules no {what}"]
    requests = _mine(records, package, "http.request")
    problems = []
    for start, end in windows:
        if not any(hit(r) and start <= _started_ms(r) < end for r in requests):
            problems.append(f"no request of the app met the {what} at t={format_t_ms(start)}")
    return problems


def _rate_limited(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    return _each_window_hit(scenario, records, True, "rate limit", lambda r: r.get("status") == 429)


def _server_outage(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    return _each_window_hit(
        scenario,
        records,
        False,
        "outage",
        lambda r: r.get("fault") in ("error", "timeout", "slow", "malformed", "reset"),
    )


def _edit_during_timeout(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    """The outages were met, an upload timed out, and the user edited before the next answer
    (the situation `harness fuzz` found duplicating an edit: scenarios/outbox/)."""
    problems = _server_outage(scenario, records)
    requests = _mine(records, _package(records), "http.request")
    timed_out = [r.t_ms for r in requests if "Timeout" in str(r.get("error") or "")]
    if not timed_out:
        return [*problems, "no upload timed out"]
    answered = [r.t_ms for r in requests if _ok(r) and r.t_ms > timed_out[0]]
    until = answered[0] if answered else MS_PER_DAY * 365
    edits = [r for r in records if r.kind == "app.action" and timed_out[0] < r.t_ms < until]
    if not edits:
        problems.append(
            f"no edit between the timeout at t={format_t_ms(timed_out[0])} and the retry"
        )
    return problems


def _low_battery_saver(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    saver = _windows_between(
        records,
        lambda r: r.kind == "device.power" and r.get("battery_saver") is True,
        lambda r: r.kind == "device.power" and r.get("battery_saver") is False,
    )
    if not saver:
        return ["battery saver never turned on"]
    deferred = [
        r
        for r in _mine(records, package, "job.deferred")
        if str(r.get("reason")).startswith("battery saver") and _inside(r.t_ms, saver)
    ]
    if not deferred:
        return ["battery saver deferred no work of the app"]
    later = [r for r in _mine(records, package, "work.finished") if r.t_ms > deferred[0].t_ms]
    if not any(r.get("result") == "success" for r in later):
        return ["work deferred by battery saver never succeeded afterwards"]
    return []


def _night(t_ms: int) -> bool:
    return t_ms % MS_PER_DAY < 7 * MS_PER_HOUR


def _overnight_doze(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    idle = [r for r in records if r.kind == "device.doze" and r.get("state") == "IDLE"]
    if not any(_night(r.t_ms) for r in idle):
        return ["the phone never reached deep doze (IDLE) at night"]
    deferred = [
        r
        for r in _mine(records, package, "job.deferred")
        if str(r.get("reason")).startswith("doze") and _night(r.t_ms)
    ]
    if not deferred:
        return ["doze deferred no work of the app at night"]
    return []


def _commute(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    away = _windows_between(
        records,
        lambda r: r.kind == "device.network" and r.get("reason") == "wifi out of range",
        lambda r: r.kind == "device.network" and "WIFI" in (r.get("connected") or ()),
    )
    if not away:
        return ["Wi-Fi never went out of range"]
    if not any(end <= records[-1].t_ms for _, end in away):
        return ["Wi-Fi never came back in range"]
    cellular = [
        r
        for r in _mine(records, package, "http.request")
        if r.get("transport") == "CELLULAR" and _ok(r) and _inside(_started_ms(r), away)
    ]
    if not cellular:
        return ["no request of the app succeeded over cellular while Wi-Fi was away"]
    return []


def _force_stop(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    stops = [
        r for r in _mine(records, package, "device.process") if r.get("event") == "force_stopped"
    ]
    if not stops:
        return ["the app was never force-stopped"]
    stopped_ms = stops[0].t_ms
    launches = [
        r.t_ms
        for r in _mine(records, package, "device.process")
        if r.get("event") == "launched" and r.t_ms > stopped_ms
    ]
    if not launches:
        return ["the app was never launched again after the force-stop"]
    relaunched_ms = launches[0]
    state: dict[str, str] = {}
    for record in records:
        if record.t_ms >= stopped_ms:
            break
        if record.kind.startswith("work.") and record.get("state") is not None:
            state[str(record.get("id"))] = str(record["state"])
    pending = {work for work, value in state.items() if value in ("ENQUEUED", "RUNNING")}
    if not pending:
        return ["no work was pending when the app was force-stopped: the stop blocked nothing"]
    starts = _mine(records, package, "job.started", "work.started")
    if any(stopped_ms < r.t_ms < relaunched_ms for r in starts):
        return ["work ran while the app was force-stopped"]
    if not any(r.t_ms >= relaunched_ms and r.get("id") in pending for r in starts):
        return ["work pending at the force-stop never ran after the relaunch"]
    return []


def _rare_bucket(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    rare = [r for r in _mine(records, package, "device.standby") if r.get("bucket") == "RARE"]
    if not rare:
        return ["the app was never in the RARE bucket"]
    deferred = [
        r
        for r in _mine(records, package, "job.deferred")
        if "standby bucket RARE" in str(r.get("reason"))
    ]
    if not deferred:
        return ["the RARE bucket deferred no work of the app"]
    return []


def _happy_path(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    package = _package(records)
    problems = []
    succeeded = (
        any(r.get("result") == "success" for r in _mine(records, package, "work.finished"))
        or any(not r["timed_out"] for r in _mine(records, package, "bgfetch.finished"))
        # an iOS app's background work (scenarios/album_upload: a continued-processing task)
        or any(
            r.kind == "ios.completed" and r["bundle_id"] == package and r["success"]
            for r in records
        )
        # an iOS app whose work is background URLSession transfers (scenarios/photo_upload/)
        or any(r["event"] == "delivered" for r in _mine(records, package, "ios.transfer"))
    )
    if not succeeded:
        problems.append("no work succeeded")
    if any(r.kind == "device.boot" and r.get("event") == "shutdown" for r in records):
        problems.append("the phone rebooted on the happy path")
    if any(
        r.get("event") in ("died", "force_stopped")
        for r in _mine(records, package, "device.process")
    ):
        problems.append("the app was killed or force-stopped on the happy path")
    return problems


def _life_week(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    """The drawn life happened around the written timeline: sessions, charges, places and
    server weather became actions, and the app's work still ran (docs/lives.md)."""
    package = _package(records)
    if scenario.spec.life is None:
        return ["the file has no life: section"]
    written = {" ".join(event.do.split()) for event in scenario.spec.timeline}
    drawn = [str(r["action"]) for r in records if r.kind == "scenario.action"]
    problems = [
        f"no drawn {what} action"
        for what, prefix in (
            ("session", "use phone"),
            ("charging", "plug in"),
            ("place", "link "),
            ("server weather", "server "),
        )
        if not any(text.startswith(prefix) and text not in written for text in drawn)
    ]
    if not any(r.get("result") == "success" for r in _mine(records, package, "work.finished")):
        problems.append("no work succeeded")
    return problems


Condition = Callable[[harness.scenario.Scenario, Records], list[str]]


def _fetched_before(records: Records, t_ms: int) -> bool:
    """A background_fetch event reached the app before ``t_ms``."""
    return any(r.kind == "bgfetch.event" and not r["timeout"] and r.t_ms < t_ms for r in records)


def _fetch_interrupted_by(action: str) -> Condition:
    """background_fetch suites: ``action`` happened after the fetch had run at least once."""

    def condition(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
        del scenario
        hits = [r.t_ms for r in records if r.kind == "scenario.action" and r["action"] == action]
        if not hits:
            return [f"no {action!r} in the run"]
        if not _fetched_before(records, hits[0]):
            return [f"no fetch event before the {action!r}: it interrupted nothing"]
        return []

    return condition


def _swiped_mid_upload(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    """scenarios/photo_upload/: a low-memory kill and a swipe each landed while a background
    upload was on the wire (started, not finished), and the swipe cancelled it."""
    del scenario
    problems = []
    for action in ("kill app", "swipe away"):
        hits = [r.t_ms for r in records if r.kind == "scenario.action" and r["action"] == action]
        if not hits:
            problems.append(f"no {action!r} in the run")
            continue
        on_the_wire: set[int] = set()
        for record in records:
            if record.t_ms > hits[0]:
                break
            if record.kind == "ios.transfer" and record["event"] == "started":
                on_the_wire.add(int(record["task_id"]))
            elif record.kind == "ios.transfer" and record["event"] in ("completed", "interrupted"):
                on_the_wire.discard(int(record["task_id"]))
        if not on_the_wire:
            problems.append(f"no upload was under way at the {action!r}")
    if not any(
        r.kind == "ios.transfer"
        and r["event"] == "cancelled"
        and "force-quit" in str(r.get("reason"))
        for r in records
    ):
        problems.append("no transfer was cancelled by the force-quit")
    return problems


def _ios_switch(setting: str, value: bool) -> Condition:
    """iOS suites: the switch ``setting`` took ``value`` while the app was installed."""

    def condition(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
        del scenario
        if not any(
            r.kind == "ios.setting" and r["setting"] == setting and r["value"] is value
            for r in records
        ):
            return [f"iOS {setting} never became {value}"]
        return []

    return condition


def _ios_happy_path(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    if not any(r.kind == "bgfetch.event" and not r["timeout"] for r in records):
        return ["iOS never launched the app's fetch"]
    return _happy_path(scenario, records)


def _ios_week(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    """The flutter workmanager app on an iPhone: iOS launched its refresh task and the task ran."""
    del scenario
    if not any(r.kind == "ios.launch" for r in records):
        return ["iOS never launched the app's refresh task"]
    if not any(r.kind == "flutter.task_result" and r["result"] == "success" for r in records):
        return ["no refresh task succeeded"]
    return []


def _ios_not_set_up(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
    """The app's submits were refused for want of its iOS set-up (code 3, notPermitted)."""
    del scenario
    if not any(r.kind == "ios.submit" and r["outcome"] == "NOT_PERMITTED" for r in records):
        return ["no submit was refused as not permitted"]
    return []


def _continued(event: str) -> Condition:
    """album_upload suites (continued-processing tasks, iOS 26): a task's Live Activity had
    ``event`` (``ios.continued``), or a ``.fail`` submit was refused with code 4."""

    def condition(scenario: harness.scenario.Scenario, records: Records) -> list[str]:
        del scenario
        if event == "IMMEDIATE_RUN_INELIGIBLE":
            seen = any(r.kind == "ios.submit" and r["outcome"] == event for r in records)
        else:
            seen = any(r.kind == "ios.continued" and r["event"] == event for r in records)
        return [] if seen else [f"no continued-processing {event!r} in the run"]

    return condition


CONDITIONS: Final[dict[str, Condition]] = {
    "commute": _commute,
    "force_stop": _force_stop,
    # found by harness fuzz: the truncated answers were served, the timeout met an edit
    "fuzz_edit_during_timeout": _edit_during_timeout,
    "fuzz_truncated_answer": _server_outage,
    # background_fetch suites (scenarios/background_fetch/)
    "force_stopped": _fetch_interrupted_by("force-stop"),
    "ios_happy_path": _ios_happy_path,
    "ios_low_power": _ios_switch("low_power_mode", True),
    # flutter workmanager on an iPhone (scenarios/hourly_sync/)
    "ios_not_set_up": _ios_not_set_up,
    "ios_week": _ios_week,
    "ios_refresh_off": _ios_switch("background_app_refresh", False),
    "ios_swiped_away": _fetch_interrupted_by("swipe away"),
    # album_upload suites (scenarios/album_upload/): continued-processing tasks
    "ios_busy": _continued("IMMEDIATE_RUN_INELIGIBLE"),
    "ios_cancelled": _continued("user_cancelled"),
    "ios_offline_stall": _continued("stalled"),
    "ios_swiped_mid_upload": _continued("ended"),
    "reboot": _fetch_interrupted_by("reboot"),
    "reboot_default": _fetch_interrupted_by("reboot"),
    "swiped_away": _fetch_interrupted_by("swipe away"),
    "swiped_away_headless": _fetch_interrupted_by("swipe away"),
    "happy_path": _happy_path,
    "killed_mid_sync": _killed_mid_sync,
    "life_week": _life_week,
    "low_battery_saver": _low_battery_saver,
    "overnight_doze": _overnight_doze,
    "rare_bucket": _rare_bucket,
    "rate_limited": _rate_limited,
    "reboot_mid_sync": _reboot_mid_sync,
    "server_outage": _server_outage,
    "storage_low": _storage_low,
    # a background URLSession upload on an iPhone (scenarios/photo_upload/)
    "swiped_mid_upload": _swiped_mid_upload,
}


def condition_problems(
    kind: str, scenario: harness.scenario.Scenario, records: Records
) -> list[str]:
    """Why the run in ``records`` did not produce the condition ``kind`` (empty: it did)."""
    return CONDITIONS[kind](scenario, records)


def test_every_bundled_file_has_a_condition() -> None:
    kinds = {path.stem for path in _files()}
    assert kinds <= set(CONDITIONS), f"no condition for {sorted(kinds - set(CONDITIONS))}"


@pytest.mark.slow
# no_cover: whole bundled runs repeat paths the rest of the suite covers (10 arcs of 44,000 are
# theirs alone, measured with --cov-context=test), and the coverage tracer makes them 2-3x slower
@pytest.mark.no_cover
@pytest.mark.parametrize("path", _files(), ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_bundled_file_produces_its_condition_under_a_strict_trace(path: Path) -> None:
    """Seed 0 of each bundled file produces its condition, and every record fits its kind.

    One run serves both: the trace is strict (the test suite sets HARNESS_STRICT_TRACE), so a
    record of an unregistered kind or with a wrongly typed field fails the run (docs/trace.md).
    """
    scenario = harness.scenario.load(path)
    result = scenario.run(0)
    assert result.trace.strict
    assert "TraceKindError" not in (result.record.error or "")
    assert result.trace.unregistered_kinds() == []
    records = list(result.trace)
    assert [r for r in records if "TraceKindError" in r.to_json()] == []
    problems = condition_problems(path.stem, scenario, records)
    assert not problems, f"{path.parent.name}/{path.name} seed 0: {'; '.join(problems)}"
