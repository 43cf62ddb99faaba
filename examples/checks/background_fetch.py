"""Custom checks for the ``background_fetch`` scenarios
(``custom: examples.checks.background_fetch:NAME``).

Each reads the plugin's ``bgfetch.*`` and the device's records and states what a faithful phone
does, so a scenario that reproduces a user's complaint passes when the complaint is reproduced.
"""

from __future__ import annotations

import itertools

from harness.scenario import CheckResult, RunView


def _event_times(run: RunView, *, headless: bool | None = None) -> list[int]:
    return [
        record.t_ms
        for record in run.iter_records("bgfetch.event")
        if not record["timeout"] and (headless is None or record["headless"] is headless)
    ]


def _reopened_after(run: RunView, t_ms: int) -> int:
    """When the user next opened the app after ``t_ms`` (the run's end if never)."""
    for record in run.iter_records("scenario.action"):
        if record.t_ms > t_ms and record["action"] == "open app":
            return record.t_ms
    return run.duration_ms


def _first(run: RunView, kind: str, **fields: object) -> int | None:
    for record in run.iter_records(kind):
        if all(record.get(name) == value for name, value in fields.items()):
            return record.t_ms
    return None


def fetches_regularly(run: RunView) -> CheckResult | bool:
    """At least one fetch event in every 24 hours of the run."""
    times = _event_times(run)
    edges = [0, *times, run.duration_ms]
    gaps = [later - earlier for earlier, later in itertools.pairwise(edges)]
    return bool(times) and max(gaps) <= 24 * 3_600_000


def stops_after_swipe(run: RunView) -> bool:
    """``stopOnTerminate: true``: after the user swipes the app away, the first event cancels
    the fetch (``bgfetch.stopped``) and no Dart callback runs again until the app is opened."""
    swiped = _first(run, "app.process_died", reason="remove task")
    stopped = _first(run, "bgfetch.stopped")
    if swiped is None or stopped is None or stopped < swiped:
        return False
    until = _reopened_after(run, stopped)
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
    until = _reopened_after(run, stopped)
    return not [t for t in _event_times(run) if stopped < t < until]


def fetches_after_reboot_without_launch(run: RunView) -> bool:
    """``startOnBoot`` with a headless task: after the reboot the persisted job fetches
    headless before the user opens the app."""
    boot = _first(run, "job.all_dropped")
    if boot is None:
        return False
    until = _reopened_after(run, boot)
    return any(boot < t < until for t in _event_times(run, headless=True))


def silent_after_reboot_until_opened(run: RunView) -> bool:
    """Without ``startOnBoot`` the fetch job is not persisted: after a reboot nothing fetches
    until the user opens the app."""
    boot = _first(run, "job.all_dropped")
    if boot is None:
        return False
    until = _reopened_after(run, boot)
    return not [t for t in _event_times(run) if boot < t < until]


# --- iOS ---------------------------------------------------------------------------------------


def _switch_windows(run: RunView, setting: str, *, blocked_when: bool) -> list[range]:
    """Virtual-time ranges in which ``setting`` is ``blocked_when`` (blocking launches)."""
    windows: list[range] = []
    start: int | None = None
    for record in run.iter_records("ios.setting"):
        if record["setting"] != setting:
            continue
        blocked = record["value"] is blocked_when
        if blocked and start is None:
            start = record.t_ms
        elif not blocked and start is not None:
            windows.append(range(start, record.t_ms))
            start = None
    if start is not None:
        windows.append(range(start, run.duration_ms + 1))
    return windows


def never_fires_with_refresh_off(run: RunView) -> bool:
    """ "iOS never fires" (flutter_background_fetch #70, #202): with Background App Refresh off,
    configure fails with code 1 (UIBackgroundRefreshStatusDenied) and no event ever comes."""
    refused = [
        r
        for r in run.iter_records("flutter.platform_error")
        if r["call"] == "configure" and r["error"].startswith("PlatformException(1,")
    ]
    return bool(refused) and not _event_times(run)


def silent_in_low_power_mode(run: RunView) -> bool:
    """Low Power Mode turns Background App Refresh off: no fetch event while it is on, and
    events again once it is off."""
    windows = _switch_windows(run, "low_power_mode", blocked_when=True)
    times = _event_times(run)
    if not windows or any(t in window for t in times for window in windows):
        return False
    return any(t > windows[0].stop for t in times)


def nothing_after_force_quit_until_opened(run: RunView) -> bool:
    """After the user swipes the app away in the app switcher, iOS launches it for nothing
    (developer.apple.com/forums/thread/119758) until the user opens it again."""
    quit_at = None
    for record in run.iter_records("ios.app"):
        if "swiped" in str(record["reason"]) or "force" in str(record["reason"]):
            quit_at = record.t_ms
            break
    if quit_at is None:
        return False
    until = _reopened_after(run, quit_at)
    return not [t for t in _event_times(run) if quit_at < t < until]
