"""Custom checks for the ``background_fetch`` scenarios (``custom: examples.fetch_checks:NAME``).

Each reads the plugin's ``bgfetch.*`` and the device's records and states what a faithful phone
does, so a scenario that reproduces a user's complaint passes when the complaint is reproduced.
"""

from __future__ import annotations

from harness.scenario import CheckResult, RunView


def _event_times(run: RunView, *, headless: bool | None = None) -> list[int]:
    return [
        record.t_ms
        for record in run.iter_records("bgfetch.event")
        if not record["timeout"] and (headless is None or record["headless"] is headless)
    ]


def _first(run: RunView, kind: str, **fields: object) -> int | None:
    for record in run.iter_records(kind):
        if all(record.get(name) == value for name, value in fields.items()):
            return record.t_ms
    return None


def fetches_regularly(run: RunView) -> CheckResult | bool:
    """At least one fetch event in every 24 hours of the run."""
    times = _event_times(run)
    edges = [0, *times, run.duration_ms]
    gaps = [later - earlier for earlier, later in zip(edges, edges[1:], strict=False)]
    return bool(times) and max(gaps) <= 24 * 3_600_000


def stops_after_swipe(run: RunView) -> bool:
    """``stopOnTerminate: true``: after the user swipes the app away, the first event cancels
    the fetch (``bgfetch.stopped``) and no Dart callback runs again until the app is opened."""
    swiped = _first(run, "app.process_died", reason="remove task")
    stopped = _first(run, "bgfetch.stopped")
    if swiped is None or stopped is None or stopped < swiped:
        return False
    reopened = [r.t_ms for r in run.iter_records("app.launched") if r.t_ms > stopped]
    until = reopened[0] if reopened else run.duration_ms
    return not [t for t in _event_times(run) if stopped < t < until]


def headless_after_swipe(run: RunView) -> bool:
    """``enableHeadless`` with ``stopOnTerminate: false``: events after the swipe run the
    headless task."""
    died = _first(run, "app.process_died", reason="remove task")
    return died is not None and any(t > died for t in _event_times(run, headless=True))


def no_fetch_while_stopped(run: RunView) -> bool:
    """After a force-stop nothing fetches until the user opens the app again (the job and
    alarms are cancelled: ``ACTION_PACKAGE_RESTARTED``)."""
    stopped = _first(run, "job.cancelled_all", reason="app force stopped")
    if stopped is None:
        return False
    reopened = [r.t_ms for r in run.iter_records("app.launched") if r.t_ms > stopped]
    until = reopened[0] if reopened else run.duration_ms
    return not [t for t in _event_times(run) if stopped < t < until]


def fetches_after_reboot_without_launch(run: RunView) -> bool:
    """``startOnBoot`` with a headless task: after the reboot the persisted job fetches
    headless before the user opens the app."""
    boot = _first(run, "job.all_dropped")
    if boot is None:
        return False
    reopened = [r.t_ms for r in run.iter_records("app.launched") if r.t_ms > boot]
    until = reopened[0] if reopened else run.duration_ms
    return any(boot < t < until for t in _event_times(run, headless=True))


def silent_after_reboot_until_opened(run: RunView) -> bool:
    """Without ``startOnBoot`` the fetch job is not persisted: after a reboot nothing fetches
    until the user opens the app."""
    boot = _first(run, "job.all_dropped")
    if boot is None:
        return False
    reopened = [r.t_ms for r in run.iter_records("app.launched") if r.t_ms > boot]
    until = reopened[0] if reopened else run.duration_ms
    return not [t for t in _event_times(run) if boot < t < until]
