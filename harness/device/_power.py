"""``Power``: what the device draws, and who it is charged to.

The current draw is a function of state: the screen (on: it dominates), else a floor that
depends on doze (suspended, light idle, deep idle), plus the CPU kept awake by wake locks, plus
each radio while it transfers and for its tail afterwards. Lumps of charge are taken per wake-up
and per byte moved. Every microamp is charged to a *reason* (``screen``, ``idle``, a wake-lock
tag, a transfer tag, ``wakeup:<reason>``), so ``used_uah()`` answers "how much battery did the
sync cost". The battery integrates the draw exactly (``_cell.py``).

Higher layers call :meth:`Power.acquire_wakelock` / :meth:`Power.release_wakelock` around work,
:meth:`Power.note_wakeup` when an alarm or job wakes the device, and :meth:`Power.note_transfer`
after bytes went over a network.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from typing import Final

from harness.device._cell import RADIO_PRIORITY, UAMS_PER_UAH, Draw
from harness.device._profile import PowerSettings
from harness.device._timer import Timer
from harness.sim import Signal, Simulation

_MIB: Final = 1 << 20
#: "Until an input changes": later than any virtual instant.
_FOREVER_MS: Final = 1 << 62


class IdleFloor(enum.Enum):
    """The floor current of a screen-off device, by doze state."""

    SUSPENDED = "suspended"  # screen off, not dozing: the CPU sleeps between wake-ups
    LIGHT_IDLE = "light_idle"  # light doze: app network and jobs deferred
    DEEP_IDLE = "deep_idle"  # deep doze: radios quiet, wake locks ignored for apps


class Power:
    """The power model of one device (inputs set by the device; methods for higher layers)."""

    def __init__(self, sim: Simulation, settings: PowerSettings) -> None:
        self._sim = sim
        self._settings = settings
        self._floor_ua = {
            IdleFloor.SUSPENDED: settings.suspended_ua,
            IdleFloor.LIGHT_IDLE: settings.light_idle_ua,
            IdleFloor.DEEP_IDLE: settings.deep_idle_ua,
        }
        #: per radio key: (µAh per MiB, active µA, tail ms), read on every transfer and draw
        self._radios = {
            key: (
                getattr(settings, f"{key}_uah_per_mib", 0),
                getattr(settings, f"{key}_active_ua", 0),
                getattr(settings, f"{key}_tail_ms", 0),
            )
            for key in ("wifi", "cellular", "ethernet")
        }
        self._on = False
        self._screen_on = False
        self._floor = IdleFloor.SUSPENDED
        self._wakelocks: dict[str, int] = {}
        self._radio_until: dict[str, int] = {}
        self._radio_tag: dict[str, str] = {}
        self._used_uams: Counter[str] = Counter()
        self._notify: Callable[[], None] = lambda: None
        self._consume: Callable[[int, str], None] = lambda _uams, _reason: None
        self._settle: Callable[[], None] = lambda: None
        self._radio_timer = Timer(sim, self._changed, priority=RADIO_PRIORITY)
        self._awake = False
        #: the draw as last computed, valid until an input changes or a radio's tail ends
        self._draw: Draw | None = None
        self._draw_until_ms = 0
        #: The CPU woke up (a wake-up alarm, a wake lock, the screen): non-wake-up alarms run.
        self.cpu_woke: Signal[str] = Signal("device.power.cpu_woke")

    def bind(
        self,
        *,
        notify: Callable[[], None],
        consume: Callable[[int, str], None],
        settle: Callable[[], None],
    ) -> None:
        """Wire the battery: ``notify()`` after the draw changes; ``consume(uams, reason)``;
        ``settle()`` brings the accounting up to now."""
        self._notify = notify
        self._consume = consume
        self._settle = settle

    # --- inputs from the device -------------------------------------------------------------

    def set_device_on(self, on: bool) -> None:
        """The device booted (draws) or is off (draws nothing; wake locks are dropped)."""
        if not on:
            self._wakelocks.clear()
            self._radio_until.clear()
            self._radio_timer.cancel()
        self._on = on
        self._draw = None
        self._changed()

    def set_screen_on(self, on: bool) -> None:
        """The display turned on or off."""
        self._screen_on = on
        self._draw = None
        self._changed()

    def set_idle_floor(self, floor: IdleFloor) -> None:
        """Doze moved to another floor current."""
        self._floor = floor
        self._draw = None
        self._changed()

    # --- what higher layers call ------------------------------------------------------------

    def acquire_wakelock(self, tag: str) -> None:
        """Hold a partial wake lock ``tag`` (reference counted): the CPU stays awake."""
        if not self._on:
            return
        self._wakelocks[tag] = self._wakelocks.get(tag, 0) + 1
        if self._wakelocks[tag] == 1:
            self._draw = None
            self._sim.record("device.wakelock", tag=tag, held=True)
            self._changed()

    def release_wakelock(self, tag: str) -> None:
        """Release one hold of ``tag``; releasing a lock not held does nothing (as Android's)."""
        count = self._wakelocks.get(tag, 0)
        if count == 0:
            return
        if count == 1:
            del self._wakelocks[tag]
            self._draw = None
            self._sim.record("device.wakelock", tag=tag, held=False)
            self._changed()
        else:
            self._wakelocks[tag] = count - 1

    def note_wakeup(self, reason: str) -> None:
        """An alarm or job woke the CPU for ``reason``: costs ``wakeup_uah``; a trace record."""
        if not self._on:
            return
        self._sim.record("device.wakeup", reason=reason)
        if self._settings.wakeup_uah:
            self._consume(self._settings.wakeup_uah * UAMS_PER_UAH, f"wakeup:{reason}")
        self.cpu_woke.emit(reason)

    def wake_cpu(self, reason: str) -> None:
        """A system wake-up alarm fired (doze's own): delivers pending non-wake-up alarms only."""
        if self._on:
            self.cpu_woke.emit(reason)

    def note_transfer(
        self,
        bytes_up: int,
        bytes_down: int,
        transport: str,
        *,
        tag: str = "network",
        duration_ms: int = 0,
    ) -> None:
        """Bytes moved over ``transport`` (``"WIFI"``, ``"CELLULAR"``, ``"ETHERNET"``).

        Costs the per-MiB energy plus the radio's active current over ``duration_ms`` (charged
        now, as one lump), and keeps the radio active for its tail from now on, all charged to
        ``tag``.
        """
        if not self._on:
            return
        key = transport.lower()
        per_mib, active_ua, tail_ms = self._radios.get(key, (0, 0, 0))
        lump = per_mib * UAMS_PER_UAH * (bytes_up + bytes_down) // _MIB
        lump += active_ua * max(0, duration_ms)
        if lump:
            self._consume(lump, tag)
        now = self._sim.now_ms
        until = now + tail_ms
        radio_until = self._radio_until
        current = radio_until.get(key, -1)
        if (
            tail_ms
            and until > current > now
            and self._radio_tag[key] == tag
            and all(other > now for other in radio_until.values())
        ):
            # The radio is active for this tag already (a burst of requests): only its tail
            # moves, the draw keeps the same parts, so the battery has nothing to recompute
            # (what _changed would do: re-arm the radio timer; the cell, its draw unchanged,
            # would only settle, which consume just did).
            radio_until[key] = until
            first_end = min(radio_until.values())
            if self._draw is not None and now < self._draw_until_ms:
                self._draw_until_ms = first_end  # the same parts until the first tail ends
            self._radio_timer.set_at(first_end)
            if not lump:
                self._settle()
            return
        if tail_ms and until > current:
            self._radio_until[key] = until
            self._radio_tag[key] = tag
            self._draw = None
            self._changed()

    # --- queries ----------------------------------------------------------------------------

    @property
    def awake(self) -> bool:
        """Whether the CPU is awake: screen on, a wake lock held, or a radio active."""
        return self._awake

    @property
    def wakelocks(self) -> list[str]:
        """Tags of the wake locks held now, in acquisition order."""
        return list(self._wakelocks)

    def draw(self) -> Draw:
        """The current draw now, split by reason."""
        draw = self._draw
        if draw is not None and self._sim.now_ms < self._draw_until_ms:
            return draw
        draw = self._draw = self._compute_draw()
        # valid until an input changes (each setter drops it) or the next radio's tail ends
        ends = [until for until in self._radio_until.values() if until > self._sim.now_ms]
        self._draw_until_ms = min(ends) if ends else _FOREVER_MS
        return draw

    def _compute_draw(self) -> Draw:
        if not self._on:
            return Draw(0)
        settings = self._settings
        parts: list[tuple[str, int]] = []
        if self._screen_on:
            parts.append(("screen", settings.screen_on_ua))
        else:
            parts.append(("idle", self._floor_ua[self._floor]))
            if self._wakelocks:
                # split the awake CPU evenly between holders (BatteryStats does the same);
                # the remainder goes to the oldest holder so the parts sum exactly
                share, rest = divmod(settings.awake_ua, len(self._wakelocks))
                for index, tag in enumerate(self._wakelocks):
                    parts.append((tag, share + (rest if index == 0 else 0)))
        radio_until = self._radio_until
        if radio_until:
            now = self._sim.now_ms
            for key, until in sorted(radio_until.items()):
                if until > now:
                    parts.append((self._radio_tag[key], self._radios[key][1]))
        total = 0
        for _reason, current in parts:
            total += current
        return Draw(total, tuple(parts))

    def account(self, reason: str, charge_uams: int) -> None:
        """Charge ``charge_uams`` (µA·ms) to ``reason`` (the battery calls this as it settles)."""
        self._used_uams[reason] += charge_uams

    def used_uah(self, reason: str | None = None, *, prefix: str | None = None) -> int:
        """Charge used so far, in µAh (floor): all of it, one ``reason``, or a ``prefix``."""
        self._settle()
        if reason is not None:
            return self._used_uams[reason] // UAMS_PER_UAH
        total = sum(
            value
            for key, value in self._used_uams.items()
            if prefix is None or key.startswith(prefix)
        )
        return total // UAMS_PER_UAH

    def used_by_reason_uah(self) -> dict[str, int]:
        """Charge used per reason, in µAh (floor), sorted by reason."""
        self._settle()
        return {key: self._used_uams[key] // UAMS_PER_UAH for key in sorted(self._used_uams)}

    # --- internals --------------------------------------------------------------------------

    def _changed(self) -> None:
        radio_until = self._radio_until
        pending = False
        if radio_until:
            now = self._sim.now_ms
            for key in [key for key, until in radio_until.items() if until <= now]:
                del radio_until[key]
            if radio_until:  # every tail left ends after now
                self._radio_timer.set_at(min(radio_until.values()))
                pending = True
        if not pending:
            self._radio_timer.cancel()
        awake = self._on and (self._screen_on or bool(self._wakelocks) or pending)
        woke = awake and not self._awake
        self._awake = awake
        self._notify()
        if woke:
            self.cpu_woke.emit("awake")
