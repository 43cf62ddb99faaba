"""What a pending request waits for once nothing stops every launch: a processing task's idle,
power and network needs (``processing_due``) and the modelled ``LaunchPolicy`` of refresh-type
launches (``refresh_due``: rate limit, daily budget, usage window, the next predicted app open;
docs/ios.md, a model, not Apple's algorithm), read without drawing or recording anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness._units import format_duration_ms
from harness.ios._enums import TaskKind
from harness.ios._planner import AppSlot
from harness.ios._requests import BGProcessingTaskRequest
from harness.ios._scheduler import PendingRequest
from harness.ios._why_answer import LaunchWhy, WaitCause, answer, at_t
from harness.sim import MS_PER_DAY, MS_PER_MINUTE

if TYPE_CHECKING:
    from harness.ios._system import IOSSystem


def _budget_floor(launches: list[int], per_day: int, now_ms: int) -> int | None:
    recent = [t for t in launches if t > now_ms - MS_PER_DAY]
    if not per_day or len(recent) < per_day:
        return None
    return recent[-per_day] + MS_PER_DAY


def refresh_policy(
    system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind, floor_ms: int
) -> LaunchWhy:
    """The modelled policy's answer for a refresh-type launch (``refresh_due``, read-only)."""
    policy = system.policy
    now = system.sim.now_ms
    if policy.max_refresh_launches_per_day == 0:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            "the launch policy allows no refresh launches (max_refresh_launches_per_day = 0)",
        )
    floor_ms = max(floor_ms, now)
    rate_until = (
        slot.refresh_launches[-1] + policy.min_refresh_interval_ms
        if slot.refresh_launches
        else None
    )
    budget_until = _budget_floor(slot.refresh_launches, policy.max_refresh_launches_per_day, now)
    # refresh_due takes the later of the two floors: the later one is what holds it back
    if budget_until is not None and budget_until > floor_ms and budget_until >= (rate_until or 0):
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            f"daily budget spent: {policy.max_refresh_launches_per_day} refresh launches in "
            f"the last 24 hours (the modelled energy budget); not before {at_t(budget_until)}",
            budget_until,
        )
    if rate_until is not None and rate_until > floor_ms:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.RATE_LIMIT,
            f"rate limit: the app's last refresh launch was at "
            f"{at_t(slot.refresh_launches[-1])}; the modelled policy waits "
            f"{format_duration_ms(policy.min_refresh_interval_ms)} between two, so not before "
            f"{at_t(rate_until)}",
            rate_until,
        )
    return _predicted(system, slot, identifier, kind, floor_ms)


def _predicted(
    system: IOSSystem, slot: AppSlot, identifier: str, kind: TaskKind, floor_ms: int
) -> LaunchWhy:
    policy = system.policy
    now = system.sim.now_ms
    usage = slot.usage
    last_open = usage.last_open_ms()
    if not usage.used_within(now):
        opened = "never" if last_open is None else f"last at {at_t(last_open)}"
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.NOT_USED,
            f"the user has not opened the app within {format_duration_ms(policy.usage_window_ms)} "
            f"(opened {opened}): the modelled policy refreshes only apps in use",
        )
    peek = usage.peek_refresh(now, floor_ms)
    slots = ", ".join(_clock(s) for s in usage.predicted_slots_ms(now))
    if peek is None:  # pragma: no cover - an app used lately has a predicted open
        return answer(slot, identifier, kind, WaitCause.NOT_USED, "no predicted app open")
    predicted, launch = peek
    if launch is not None and launch <= now:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.DUE,
            f"due now: the modelled policy launches it {format_duration_ms(predicted - launch)} "
            f"before the predicted app open at {at_t(predicted)}",
            launch,
        )
    when = (
        f"the refresh comes at {at_t(launch)}"
        if launch is not None
        else f"the refresh comes {format_duration_ms(policy.refresh_lead_min_ms)}-"
        f"{format_duration_ms(policy.refresh_lead_max_ms)} before it"
    )
    return answer(
        slot,
        identifier,
        kind,
        WaitCause.PREDICTED_OPEN,
        f"waiting for the launch policy: the next predicted app open is {at_t(predicted)} "
        f"(the user opened the app around {slots} in the last "
        f"{format_duration_ms(policy.usage_window_ms)}); {when}",
        launch if launch is not None else predicted - policy.refresh_lead_max_ms,
    )


def _clock(time_of_day_ms: int) -> str:
    minutes = time_of_day_ms // MS_PER_MINUTE
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def processing(system: IOSSystem, slot: AppSlot, pending: PendingRequest) -> LaunchWhy:
    """``processing_due``'s conditions, read-only, in its order."""
    request = pending.request
    assert isinstance(request, BGProcessingTaskRequest)
    identifier = request.identifier
    kind = TaskKind.PROCESSING
    policy = system.policy
    device = system.device
    now = system.sim.now_ms
    off_since = system.screen_off_since_ms
    if off_since is None:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.IDLE,
            "waiting for the device to be idle: processing tasks run only with the screen off "
            f"(modelled: off for {format_duration_ms(policy.processing_idle_ms)})",
        )
    if request.requires_external_power and not device.battery.state.powered:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.EXTERNAL_POWER,
            "waiting for external power: the request sets requiresExternalPower",
        )
    if request.requires_network_connectivity and not device.network.state.is_connected:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.NETWORK,
            "waiting for a network: the request sets requiresNetworkConnectivity",
        )
    if not slot.usage.used_within(now):
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.NOT_USED,
            "the user has not opened the app within "
            f"{format_duration_ms(policy.usage_window_ms)}: processing runs for apps used in "
            "the past week",
        )
    if policy.max_processing_launches_per_day == 0:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            "the launch policy allows no processing launches (max_processing_launches_per_day = 0)",
        )
    idle_at = off_since + policy.processing_idle_ms
    if idle_at > now:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.IDLE,
            f"waiting for the device to be idle: the screen is off since {at_t(off_since)}; "
            "the modelled policy starts processing after "
            f"{format_duration_ms(policy.processing_idle_ms)}, at {at_t(idle_at)}",
            idle_at,
        )
    budget = _budget_floor(slot.processing_launches, policy.max_processing_launches_per_day, now)
    if budget is not None and budget > now:
        return answer(
            slot,
            identifier,
            kind,
            WaitCause.DAILY_BUDGET,
            f"daily budget spent: {policy.max_processing_launches_per_day} processing launches "
            f"in the last 24 hours (modelled); not before {at_t(budget)}",
            budget,
        )
    return answer(slot, identifier, kind, WaitCause.DUE, "due now: idle, and nothing holds it back")
