"""``LaunchPolicy``: the numbers of iOS's background execution, exact and modelled.

Apple documents the limits (a 30 s refresh budget, 1 refresh + 10 processing requests, idle-only
processing, silent pushes throttled beyond about 3 an hour) but not *when* the system launches an
app: that is an on-device predictive engine with energy and data budgets (WWDC20 10063, "the seven
major factors"). harness models the timing as this documented, seeded, configurable policy, never
as a fixed interval: refresh launches come a drawn lead time before the user's predicted app
opens (the times of day the app was opened in the last week), capped by a launch budget per day;
an app not opened in the last week gets none. Every field below says whether it is Apple's number
or the model's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from harness._exceptions import DefinitionError
from harness.sim import MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND


@dataclass(frozen=True, slots=True, kw_only=True)
class LaunchPolicy:
    """The limits (Apple's) and the timing model (harness's) of background launches on iOS."""

    #: Apple: a refresh task, a legacy fetch and a silent push get up to 30 s of wall time
    #: (Background Tasks, "Choosing background strategies for your app"; UIApplicationDelegate
    #: application(_:performFetchWithCompletionHandler:)).
    refresh_budget_ms: int = 30 * MS_PER_SECOND
    #: Model: the expiration handler runs this long before the budget ends ("shortly before",
    #: BGTask.expirationHandler; about 4-5 s left per a plugin maintainer, rnbf#280).
    expiration_warning_ms: int = 5 * MS_PER_SECOND
    #: Model: a processing task's budget ("several minutes", WWDC19 707).
    processing_budget_ms: int = 10 * MS_PER_MINUTE
    #: Model: the screen must have been off this long before a processing task starts.
    processing_idle_ms: int = 15 * MS_PER_MINUTE
    #: Model: at most this many processing launches per app in any 24 hours.
    max_processing_launches_per_day: int = 2
    #: Apple: processing runs "within two days" only for apps used in the past week
    #: (BGProcessingTask); the model applies the same window to refresh launches.
    usage_window_ms: int = 7 * MS_PER_DAY
    #: Model: app opens are grouped into time-of-day slots this wide to predict the next opens.
    prediction_slot_ms: int = 30 * MS_PER_MINUTE
    #: Model: a refresh launch comes a lead drawn in [min, max] before a predicted open.
    refresh_lead_min_ms: int = 5 * MS_PER_MINUTE
    refresh_lead_max_ms: int = 30 * MS_PER_MINUTE
    #: Model: the energy budget, at most this many refresh launches per app in any 24 hours.
    max_refresh_launches_per_day: int = 12
    #: Model: rate limiting, at least this long between two refresh launches of one app.
    min_refresh_interval_ms: int = 15 * MS_PER_MINUTE
    #: WWDC20 10063: below this battery level (not charging) only essential work runs.
    critical_battery_level: int = 20
    #: Apple: silent pushes beyond about 3 an hour are throttled ("Pushing background updates to
    #: your App"); the model drops them.
    silent_pushes_per_hour: int = 3
    #: Apple forums (thread 85066): beginBackgroundTask gives about 30 s in total per app.
    background_task_budget_ms: int = 30 * MS_PER_SECOND
    #: Apple forums (thread 85066): the expiration handler gets about 1 s before the kill.
    background_task_expiry_grace_ms: int = 1 * MS_PER_SECOND
    #: Apple support (HT205234): Low Power Mode turns itself off once charged to 80 %.
    low_power_mode_off_level: int = 80

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise DefinitionError(
                    f"LaunchPolicy.{field.name} = {value!r} must be a non-negative int"
                )
        if self.expiration_warning_ms >= self.refresh_budget_ms:
            raise DefinitionError(
                f"LaunchPolicy.expiration_warning_ms = {self.expiration_warning_ms} must be below "
                f"refresh_budget_ms = {self.refresh_budget_ms}: the handler runs before the end"
            )
        if self.refresh_lead_min_ms > self.refresh_lead_max_ms:
            raise DefinitionError(
                f"LaunchPolicy.refresh_lead_min_ms = {self.refresh_lead_min_ms} is above "
                f"refresh_lead_max_ms = {self.refresh_lead_max_ms}; swap them"
            )
        if self.prediction_slot_ms == 0 or MS_PER_DAY % self.prediction_slot_ms:
            raise DefinitionError(
                f"LaunchPolicy.prediction_slot_ms = {self.prediction_slot_ms} must divide a day "
                f"({MS_PER_DAY} ms), e.g. {30 * MS_PER_MINUTE} (30 min) or {MS_PER_HOUR} (1 h)"
            )
