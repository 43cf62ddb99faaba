"""``UsagePredictor``: when will the user open the app next (the model of iOS's usage engine).

iOS learns when the user opens each app and refreshes it "just before" (WWDC20 10063, factor 3);
the engine is not public. The model: the app's opens in the last ``usage_window_ms`` fall into
time-of-day slots; every slot is a predicted open each day; a refresh launch comes a lead drawn
from the app's named stream ``ios.refresh BUNDLE`` before it (one draw per predicted open, kept).
"""

from __future__ import annotations

import bisect
import random

from harness.ios._policy import LaunchPolicy
from harness.sim import MS_PER_DAY


class UsagePredictor:
    """The app-open history of one app and the refresh times it predicts."""

    __slots__ = ("_epoch_offset_ms", "_leads", "_opens", "_policy", "_rng")

    def __init__(self, policy: LaunchPolicy, rng: random.Random, *, epoch_offset_ms: int) -> None:
        self._policy = policy
        self._rng = rng
        #: ms from local midnight to the simulation's epoch (times of day are the epoch's zone)
        self._epoch_offset_ms = epoch_offset_ms
        self._opens: list[int] = []
        self._leads: dict[int, int] = {}

    def record_open(self, t_ms: int) -> None:
        """The user opened the app at ``t_ms``."""
        self._opens.append(t_ms)

    def last_open_ms(self) -> int | None:
        """When the user last opened the app, or ``None``."""
        return self._opens[-1] if self._opens else None

    def used_within(self, now_ms: int) -> bool:
        """Whether the user opened the app within the usage window before ``now_ms``."""
        last = self.last_open_ms()
        return last is not None and now_ms - last <= self._policy.usage_window_ms

    def _slots(self, now_ms: int) -> list[int]:
        start = bisect.bisect_left(self._opens, now_ms - self._policy.usage_window_ms)
        slot = self._policy.prediction_slot_ms
        return sorted(
            {((t + self._epoch_offset_ms) % MS_PER_DAY) // slot * slot for t in self._opens[start:]}
        )

    def next_refresh_ms(self, now_ms: int, floor_ms: int) -> int | None:
        """The first modelled refresh time at or after ``floor_ms`` (itself not before now):
        a drawn lead before a predicted open; ``None`` when the app was not used lately."""
        if not self.used_within(now_ms):
            return None
        slots = self._slots(now_ms)
        if not slots:
            return None
        floor_ms = max(floor_ms, now_ms)
        best: int | None = None
        day_start = floor_ms - (floor_ms + self._epoch_offset_ms) % MS_PER_DAY
        for day in (0, 1, 2):
            for slot in slots:
                predicted = day_start + day * MS_PER_DAY + slot
                launch = predicted - self._lead(predicted)
                if launch >= floor_ms and (best is None or launch < best):
                    best = launch
            if best is not None:
                return best
        return best

    def predicted_slots_ms(self, now_ms: int) -> tuple[int, ...]:
        """The predicted opens' times of day (ms after local midnight), from the opens within
        the usage window before ``now_ms``; read-only (``harness why``)."""
        return tuple(self._slots(now_ms))

    def peek_refresh(self, now_ms: int, floor_ms: int) -> tuple[int, int | None] | None:
        """Without drawing anything: ``(predicted open, refresh time)`` of the refresh
        :meth:`next_refresh_ms` plans from ``floor_ms``; the refresh time is ``None`` when the
        open's lead is not drawn yet. ``None`` when the app was not used lately. Read-only, so
        ``harness why`` leaves the run as it was."""
        if not self.used_within(now_ms):
            return None
        slots = self._slots(now_ms)
        floor_ms = max(floor_ms, now_ms)
        day_start = floor_ms - (floor_ms + self._epoch_offset_ms) % MS_PER_DAY
        best: tuple[int, int | None] | None = None
        best_key = 0
        for day in (0, 1, 2):
            for slot in slots:
                predicted = day_start + day * MS_PER_DAY + slot
                lead = self._leads.get(predicted)
                # an undrawn lead: the earliest the refresh could come before this open
                launch = predicted - (self._policy.refresh_lead_max_ms if lead is None else lead)
                if predicted - self._policy.refresh_lead_min_ms < floor_ms or (
                    lead is not None and launch < floor_ms
                ):
                    continue
                if best is None or launch < best_key:
                    best, best_key = (predicted, None if lead is None else launch), launch
            if best is not None:
                return best
        return best

    def _lead(self, predicted_ms: int) -> int:
        lead = self._leads.get(predicted_ms)
        if lead is None:
            policy = self._policy
            lead = self._rng.randint(policy.refresh_lead_min_ms, policy.refresh_lead_max_ms)
            self._leads[predicted_ms] = lead
        return lead
