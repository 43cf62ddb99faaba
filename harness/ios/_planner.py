"""When may the system launch an app in the background, and when will it (the modelled policy).

``launch_blocker`` is the exact part (Apple's documented rules: the device must be unlocked once
since boot, the app not force-quit, Background App Refresh on and Low Power Mode off, the battery
not critically low); ``refresh_due`` and ``processing_due`` are the model of the undocumented
timing (``LaunchPolicy``: launches before predicted app opens with a daily budget; processing
after the screen has been off a while, on power or network when required).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.ios._app import REMOTE_NOTIFICATION_MODE, IOSApp
from harness.ios._background_time import BackgroundTime
from harness.ios._enums import AppState, BackgroundRefreshStatus, TaskKind
from harness.ios._requests import BGProcessingTaskRequest
from harness.ios._scheduler import BGTaskScheduler, PendingRequest
from harness.ios._usage import UsagePredictor
from harness.sim import MS_PER_DAY, MS_PER_HOUR

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem

#: The identifier ``ios.*`` records use for the legacy background fetch.
FETCH_IDENTIFIER = "UIApplicationBackgroundFetch"


@dataclass(slots=True)
class AppSlot:
    """Everything the system keeps for one installed app."""

    app: IOSApp
    scheduler: BGTaskScheduler
    background_time: BackgroundTime
    usage: UsagePredictor
    refresh_launches: list[int] = field(default_factory=list)
    processing_launches: list[int] = field(default_factory=list)
    push_times: list[int] = field(default_factory=list)
    throttled_until_ms: int | None = None


def prune(slot: AppSlot, now_ms: int) -> None:
    """Forget launches older than the budgets look back (two days)."""
    horizon = now_ms - 2 * MS_PER_DAY
    slot.refresh_launches = [t for t in slot.refresh_launches if t > horizon]
    slot.processing_launches = [t for t in slot.processing_launches if t > horizon]


def launch_blocker(system: IOSSystem, slot: AppSlot, kind: TaskKind) -> str | None:
    """Why the system would not launch the app in the background now (``None``: it may)."""
    device = system.device
    if not device.is_on:
        return "device off"
    if not system.first_unlocked:
        # data protection: nothing launches before the first unlock after a reboot
        return "not unlocked since the reboot"
    if slot.app.force_quit:
        return "force-quit in the app switcher; no background launches until the user opens it"
    if (
        system.background_refresh_status(slot.app.bundle_id)
        is not BackgroundRefreshStatus.AVAILABLE
    ):
        return "Low Power Mode" if system.low_power_mode else "Background App Refresh off"
    battery = device.battery
    if battery.level < system.policy.critical_battery_level and not battery.state.powered:
        return f"battery critically low ({battery.level} %)"
    if kind is not TaskKind.SILENT_PUSH and slot.app.state is AppState.FOREGROUND:
        return "in the foreground"
    return None


def _budget_floor(launches: list[int], per_day: int, now_ms: int) -> int | None:
    recent = [t for t in launches if t > now_ms - MS_PER_DAY]
    if len(recent) < per_day:
        return None
    return recent[-per_day] + MS_PER_DAY if per_day else None


def refresh_due(system: IOSSystem, slot: AppSlot, floor_ms: int) -> int | None:
    """The modelled time of the next refresh-type launch (BGAppRefreshTask or legacy fetch)."""
    policy = system.policy
    now = system.sim.now_ms
    if slot.refresh_launches:
        floor_ms = max(floor_ms, slot.refresh_launches[-1] + policy.min_refresh_interval_ms)
    if policy.max_refresh_launches_per_day == 0:
        return None
    budget = _budget_floor(slot.refresh_launches, policy.max_refresh_launches_per_day, now)
    if budget is not None and budget > floor_ms:
        if slot.throttled_until_ms != budget:
            slot.throttled_until_ms = budget
            system.sim.record(
                "ios.throttled",
                bundle_id=slot.app.bundle_id,
                task_kind=TaskKind.APP_REFRESH.value,
                reason=f"daily budget of {policy.max_refresh_launches_per_day} launches used",
                until_ms=budget,
            )
        floor_ms = budget
    return slot.usage.next_refresh_ms(now, floor_ms)


def processing_due(system: IOSSystem, slot: AppSlot, pending: PendingRequest) -> int | None:
    """When a processing request may start: the screen off for ``processing_idle_ms``, power
    and network when required, the app used in the last week, the daily budget."""
    request = pending.request
    assert isinstance(request, BGProcessingTaskRequest)
    device = system.device
    now = system.sim.now_ms
    off_since = system.screen_off_since_ms
    if off_since is None:
        return None
    if request.requires_external_power and not device.battery.state.powered:
        return None
    if request.requires_network_connectivity and not device.network.state.is_connected:
        return None
    if not slot.usage.used_within(now):
        return None
    policy = system.policy
    if policy.max_processing_launches_per_day == 0:
        return None
    due = max(pending.floor_ms, off_since + policy.processing_idle_ms, now)
    budget = _budget_floor(slot.processing_launches, policy.max_processing_launches_per_day, now)
    return due if budget is None else max(due, budget)


def fetch_due(system: IOSSystem, slot: AppSlot) -> int | None:
    """When the legacy background fetch may come (``setMinimumBackgroundFetchInterval``)."""
    app = slot.app
    if app.minimum_fetch_interval_ms is None or app.delegate.perform_fetch is None:
        return None
    floor = system.sim.now_ms
    if app.last_fetch_ms is not None:
        floor = max(floor, app.last_fetch_ms + app.minimum_fetch_interval_ms)
    return refresh_due(system, slot, floor)


def push_outcome(system: IOSSystem, slot: AppSlot) -> str | None:
    """Why a silent push would not be delivered now (``None``: delivered): the launch rules,
    no handler, or more than ``silent_pushes_per_hour`` in the last hour (recorded as
    ``ios.throttled``)."""
    app = slot.app
    outcome = launch_blocker(system, slot, TaskKind.SILENT_PUSH)
    if outcome is None and (
        app.delegate.did_receive_remote_notification is None
        or REMOTE_NOTIFICATION_MODE not in app.info.background_modes
    ):
        outcome = "not handled: no remote-notification background mode or handler"
    if outcome is None and app.state is not AppState.FOREGROUND:
        now = system.sim.now_ms
        per_hour = system.policy.silent_pushes_per_hour
        if len([t for t in slot.push_times if t > now - MS_PER_HOUR]) >= per_hour:
            outcome = "throttled"
            system.sim.record(
                "ios.throttled",
                bundle_id=app.bundle_id,
                task_kind=TaskKind.SILENT_PUSH.value,
                reason=f"more than {per_hour} silent pushes an hour",
            )
    return outcome


def plan(system: IOSSystem, slots: dict[str, AppSlot]) -> list[tuple[int, str, TaskKind, str]]:
    """Every launch the policy plans now: ``(due_ms, bundle_id, kind, identifier)``."""
    planned: list[tuple[int, str, TaskKind, str]] = []
    for bundle_id, slot in slots.items():
        for kind in (TaskKind.APP_REFRESH, TaskKind.PROCESSING, TaskKind.BACKGROUND_FETCH):
            if launch_blocker(system, slot, kind) is not None:
                continue
            if kind is TaskKind.BACKGROUND_FETCH:
                t = fetch_due(system, slot)
                if t is not None:
                    planned.append((t, bundle_id, kind, FETCH_IDENTIFIER))
                continue
            for pending in slot.scheduler.pending():
                if pending.request.kind is not kind:
                    continue
                if kind is TaskKind.APP_REFRESH:
                    t = refresh_due(system, slot, pending.floor_ms)
                else:
                    t = processing_due(system, slot, pending)
                if t is not None:
                    planned.append((t, bundle_id, kind, pending.request.identifier))
    return planned
