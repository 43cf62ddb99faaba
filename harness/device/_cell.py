"""The battery cell and its charger: exact integer charge, whole-percent readings, no polling.

This is the hardware side, the role of Android's health HAL: it knows the true charge and
reports a :class:`CellReading` whenever a reported value changes (whole percent, status,
charger). ``BatteryService`` (``_battery.py``) decides what the framework sees.

Charge is an integer count of microamp-milliseconds (µA·ms; 1 µAh = 3 600 000 µA·ms), so any
sequence of draws and charges adds up exactly. Between two changes of the current the charge is
linear in time, so the instant of the next whole-percent crossing is computed exactly and a timer
armed for it; every state change re-settles and re-arms.

A lump of charge (a wake-up, bytes moved) taken while the charger supplies more than the device
draws is carried by the charger: it is owed (``debt``) and paid from the surplus before the
charge rises again, so the level on a charger never steps down (a real burst lasts a moment and
the charger covers it; the fuel gauge BatteryService reports does not show 20 -> 19 -> 20). The
charge after the debt is paid is the same as if the lump had been taken at once. A debt still
owed when the charger is unplugged, or when the load outgrows the charger, is taken then.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from harness.device._profile import BatterySettings, ChargingSettings
from harness.device._timer import Timer
from harness.sim import Simulation

#: µA·ms in one µAh.
UAMS_PER_UAH: Final = 3_600_000
#: The loop priority of the cell's timer (the next whole percent), which no other timer has: it
#: fires after the scenario's actions (-100) and the radio tail's end (RADIO_PRIORITY), before
#: everything else due at the same instant.
CELL_PRIORITY: Final = -1
#: The loop priority of the radio tail's timer (``_power.py``): before the cell's at the same
#: instant, as when both had -1 (the cell's timer was re-armed after every radio arm).
RADIO_PRIORITY: Final = -2


class PlugType(enum.IntEnum):
    """What powers the device (``BatteryManager.BATTERY_PLUGGED_*``)."""

    NONE = 0  # on battery (``OsProtoEnums.BATTERY_PLUGGED_NONE``)
    AC = 1  # a wall charger
    USB = 2  # a USB port of a computer
    WIRELESS = 4  # a wireless charging pad
    DOCK = 8  # a charging dock (API 33+)


class BatteryStatus(enum.IntEnum):
    """The charging status (``BatteryManager.BATTERY_STATUS_*``)."""

    UNKNOWN = 1  # the HAL cannot tell
    CHARGING = 2  # current flows into the battery
    DISCHARGING = 3  # on battery
    NOT_CHARGING = 4  # plugged in, but the charger does not charge (e.g. no current)
    FULL = 5  # plugged in and full


@dataclass(frozen=True, slots=True)
class Draw:
    """The device's current draw at one instant, split by who it is charged to.

    ``parts`` are ``(reason, microamps)`` pairs that sum to ``total_ua``.
    """

    total_ua: int
    parts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class CellReading:
    """What the hardware reports: whole percent, status, charger, exact charge, net current."""

    level: int
    status: BatteryStatus
    charger: PlugType
    charge_uah: int
    current_ua: int
    max_charging_current_ua: int
    empty: bool


class Cell:
    """The battery cell and the charger plugged into it.

    ``draw()`` gives the device's current draw now; ``account(reason, charge_uams)`` is told the
    charge each reason used (µA·ms); ``on_reading`` hears every reported change.
    """

    def __init__(
        self,
        sim: Simulation,
        battery: BatterySettings,
        charging: ChargingSettings,
        *,
        draw: Callable[[], Draw],
        account: Callable[[str, int], None],
        on_reading: Callable[[CellReading], None],
    ) -> None:
        self._sim = sim
        self._charging = charging
        self._full_rates = {
            PlugType.NONE: 0,
            PlugType.AC: charging.ac_ua,
            PlugType.USB: charging.usb_ua,
            PlugType.WIRELESS: charging.wireless_ua,
            PlugType.DOCK: charging.ac_ua,
        }
        self._draw_source = draw
        self._account = account
        self._on_reading = on_reading
        self.capacity_uams = battery.capacity_mah * 1000 * UAMS_PER_UAH
        # start in the middle of the initial percent, so the first tick is not immediate
        level = battery.initial_level
        self._charge = (
            self.capacity_uams if level >= 100 else self.capacity_uams * (2 * level + 1) // 200
        )
        self._charger = PlugType.NONE
        #: µA·ms taken while the charger had headroom, paid from its surplus before charging on.
        self._debt = 0
        self._settled_ms = sim.now_ms
        self._draw = Draw(0)
        self._rate_ua = 0
        self._timer = Timer(sim, self.update, priority=CELL_PRIORITY)
        self._last: CellReading | None = None
        self._updating = False
        self._dirty = False

    # --- what the hardware knows -------------------------------------------------------------

    @property
    def charge_uams(self) -> int:
        """The exact charge, in µA·ms, as of the last settle."""
        return self._charge

    @property
    def level(self) -> int:
        """Whole percent: ``floor(charge * 100 / capacity)`` (a reading of 0 keeps a reserve)."""
        return self._charge * 100 // self.capacity_uams

    @property
    def charger(self) -> PlugType:
        """The charger physically connected (``PlugType.NONE`` when none)."""
        return self._charger

    @property
    def draw(self) -> Draw:
        """The draw in effect since the last settle."""
        return self._draw

    def charge_rate_ua(self, charger: PlugType | None = None) -> int:
        """The current the charger pushes at the present level, tapering near full (µA)."""
        full_rate = self._full_rates[self._charger if charger is None else charger]
        if not full_rate:  # no charger: nothing to taper (most updates, discharging)
            return 0
        start = self._charging.taper_start_level
        level = self._charge * 100 // self.capacity_uams  # self.level
        if level < start or start >= 100:
            return full_rate
        # linear from 100 % of the rate at the taper start to taper_end_percent_of_rate at 100 %
        drop = (100 - self._charging.taper_end_percent_of_rate) * (level - start)
        span = 100 - start
        return full_rate * (100 * span - drop) // (100 * span)

    def status(self) -> BatteryStatus:
        """``BATTERY_STATUS_*`` as the hardware reports it now."""
        if self._charger is PlugType.NONE:
            return BatteryStatus.DISCHARGING
        if self._charge >= self.capacity_uams:  # full, even while the charger pays a lump off
            return BatteryStatus.FULL
        return BatteryStatus.CHARGING if self._rate_ua > 0 else BatteryStatus.NOT_CHARGING

    def reading(self) -> CellReading:
        """The current hardware reading."""
        return CellReading(
            level=self.level,
            status=self.status(),
            charger=self._charger,
            charge_uah=self._charge // UAMS_PER_UAH,
            current_ua=self._rate_ua - self._draw.total_ua,
            max_charging_current_ua=self.charge_rate_ua(),
            empty=self._charge == 0,
        )

    # --- changes ----------------------------------------------------------------------------

    def connect(self, charger: PlugType) -> None:
        """A charger is plugged in (``PlugType.NONE`` unplugs it)."""
        self._settle()
        self._charger = charger
        self.update()

    def consume(self, charge_uams: int, reason: str) -> None:
        """Take a lump of charge (a wake-up, bytes sent), charged to ``reason``: at once, or, while
        the charger supplies more than the draw, owed and paid from that surplus."""
        self._settle()
        if self._charger is PlugType.NONE and not self._debt and not self._updating:
            # On battery (most transfers, each wake-up): no headroom, so the lump is taken now.
            # What update() would then do, short: with no charger the rate is 0 and there is
            # no debt to take; the draw is what it was unless an input changed unreported;
            # the next whole percent moves earlier. Only a reading that changes (or a new
            # draw) needs the whole update, which finds the timer armed as it would arm it.
            charge = self._charge = max(0, self._charge - charge_uams)
            self._account(reason, charge_uams)
            draw = self._draw_source()
            last = self._last
            if (
                last is not None
                and (draw is self._draw or draw == self._draw)
                and last.level == charge * 100 // self.capacity_uams
                and last.empty is (charge == 0)
                and last.charger is PlugType.NONE
                and last.status is BatteryStatus.DISCHARGING
            ):
                self._draw = draw
                self._rate_ua = 0
                self._arm()
                return
            self.update()
            return
        if self._has_headroom():
            self._debt += charge_uams
        else:
            self._charge = max(0, self._charge - charge_uams)
        self._account(reason, charge_uams)
        self.update()

    def _has_headroom(self) -> bool:
        """A charger is connected and pushes more than the device draws now."""
        return self._charger is not PlugType.NONE and self.charge_rate_ua() > self._draw.total_ua

    def set_level(self, level: int) -> None:
        """Put the true charge in the middle of ``level`` percent (a test or scenario set-up)."""
        self._settle()
        self._charge = (
            self.capacity_uams if level >= 100 else self.capacity_uams * (2 * level + 1) // 200
        )
        self._debt = 0
        self.update()

    def update(self) -> None:
        """Settle to now, take the new draw and charge rate, report changes, re-arm the timer.

        Listeners of a reading may change the draw again (doze, a shutdown); such nested
        updates are folded into this one, which repeats until nothing changed.
        """
        if self._updating:
            self._dirty = True
            return
        self._updating = True
        try:
            while True:
                self._dirty = False
                self._settle()
                draw = self._draw = self._draw_source()
                if self._debt and not self._has_headroom():
                    # unplugged, or the load outgrew the charger: what is owed is taken now
                    self._charge = max(0, self._charge - self._debt)
                    self._debt = 0
                charge = self._charge
                capacity = self.capacity_uams
                if self._charger is PlugType.NONE:
                    self._rate_ua = 0  # no charger: no rate (charge_rate_ua's answer)
                elif charge >= capacity and not self._debt:
                    # full: the charger carries the load, up to its rate
                    self._rate_ua = min(self.charge_rate_ua(), draw.total_ua)
                else:
                    self._rate_ua = self.charge_rate_ua()
                self._arm()
                last = self._last
                # compare what is reported before building a reading (most updates change none)
                if (
                    last is None
                    or last.level != charge * 100 // capacity
                    or last.status is not self.status()
                    or last.charger is not self._charger
                    or last.empty is not (charge == 0)
                ):
                    reading = self.reading()
                    self._last = reading
                    self._on_reading(reading)
                if not self._dirty:
                    break
        finally:
            self._updating = False

    def draw_changed(self) -> None:
        """The device's draw may have changed: :meth:`update`, unless it is what it was.

        With the same draw (the same current for each reason) an update would only settle:
        the rate, the reading and the instant of the next whole percent stay as they are (the
        charge is linear in time). Except when the cell's timer is due right now (not fired
        yet): an update would move it a millisecond on, so one runs then.
        """
        if self._updating or self._last is None:
            self.update()
            return
        due_ms = self._timer.due_ms
        if (due_ms is None or due_ms > self._sim.now_ms) and self._draw_source() == self._draw:
            # settled as the update would have (a reading taken later reports this charge)
            self._settle()
            return
        self.update()

    def settle(self) -> None:
        """Bring the charge and the per-reason accounting up to now (the draw is unchanged)."""
        if not self._updating:
            self._settle()

    def _settle(self) -> None:
        now = self._sim.now_ms
        elapsed = now - self._settled_ms
        self._settled_ms = now
        if elapsed <= 0:
            return
        net = self._rate_ua - self._draw.total_ua
        gain = net * elapsed
        if self._debt and gain > 0:
            paid = min(self._debt, gain)
            self._debt -= paid
            gain -= paid
        self._charge = min(self.capacity_uams, max(0, self._charge + gain))
        for reason, current_ua in self._draw.parts:
            self._account(reason, current_ua * elapsed)

    def _arm(self) -> None:
        net = self._rate_ua - self._draw.total_ua
        level = self._charge * 100 // self.capacity_uams  # self.level
        # -(-a // b) is a / b rounded up
        if net > 0 and self._debt and self._charge >= self.capacity_uams:
            # full while owing: wake when the debt is paid, to carry the load from then on
            self._arm_after(max(1, -(-self._debt // net)))
        elif net > 0 and self._charge < self.capacity_uams:
            target = -(-(level + 1) * self.capacity_uams // 100) + self._debt
            self._arm_after(max(1, -(-(target - self._charge) // net)))
        elif net < 0 and self._charge > 0:
            target = -(-level * self.capacity_uams // 100) - 1 if level > 0 else 0
            self._arm_after(max(1, -((target - self._charge) // -net)))
        else:
            self._timer.cancel()

    def _arm_after(self, delay_ms: int) -> None:
        # The timer is the only one at its priority (CELL_PRIORITY), so its insertion order
        # ranks it against no other timer: one already due at that instant stays as it is.
        due_ms = self._sim.now_ms + delay_ms
        if self._timer.due_ms != due_ms:
            self._timer.set_at(due_ms)
