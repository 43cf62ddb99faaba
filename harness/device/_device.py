"""``Device``: the simulated phone, its parts wired together, boot, shutdown and reboot.

The parts are attributes (``battery``, ``power``, ``battery_saver``, ``screen``, ``motion``,
``network``, ``doze``, ``idle``, ``standby``, ``apps``, ``storage``, ``settings``) and each
publishes its changes as :class:`~harness.sim.Signal` s and trace records. The device wires them
the way Android's services listen to each other: the screen and charging drive doze, battery
saver turns on quick doze, the network ends light doze's wait, a user launch is an app-standby
usage event, ``pm clear`` wipes the package's storage.

Life cycle: the device starts booted (screen off, locked). :meth:`Device.reboot` and a dead
battery take it down: :attr:`Device.shutting_down` fires, every process dies, every part goes
quiet (nothing runs while it is off). It comes back after the profile's ``boot_ms`` (a reboot),
or once plugged in and charged to ``auto_boot_min_level`` (a dead battery), or when
:meth:`Device.power_on` is called with charge left; then :attr:`Device.boot_completed` fires.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness._exceptions import ProfileError, ShellCommandError, ShellStateError
from harness.device._allowlist import AllowlistChange, PowerAllowlist
from harness.device._apps import Apps
from harness.device._battery import LOW_POWER_MODE_TRIGGER_LEVEL, Battery
from harness.device._battery_state import BatteryState
from harness.device._cell import Cell, CellReading, PlugType
from harness.device._commands import install_builtin_commands
from harness.device._doze import Doze
from harness.device._idle import Idleness
from harness.device._motion import Motion
from harness.device._network import Network, NetworkState
from harness.device._power import Power
from harness.device._profile import DeviceProfile
from harness.device._profile_loader import load_profile
from harness.device._saver import (
    LOW_POWER_MODE_STICKY_AUTO_DISABLE_ENABLED,
    LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL,
    BatterySaver,
    SaverChange,
)
from harness.device._screen import Screen, ScreenState
from harness.device._settings import AIRPLANE_MODE_ON, GlobalSettings
from harness.device._shell import ShellCommands
from harness.device._standby import AppStandby
from harness.device._storage import Storage
from harness.device._timer import Timer
from harness.device._uids import ActiveUids
from harness.device._vendor import VendorBatteryManager
from harness.sim import Signal, Simulation


class PowerState(enum.Enum):
    """Whether the device runs."""

    ON = "on"  # booted (BOOT_COMPLETED sent): everything runs
    BOOTING = "booting"  # powering up: nothing runs yet, adb is not reachable
    OFF = "off"  # shut down (dead battery, or between a reboot's shutdown and boot)


@dataclass(frozen=True, slots=True)
class Shutdown:
    """``ACTION_SHUTDOWN``: the device is going down now; stop everything, memory is lost."""

    reason: str
    reboot: bool


@dataclass(frozen=True, slots=True)
class BootCompleted:
    """``ACTION_BOOT_COMPLETED``: the device finished booting (``boot_count`` from 1)."""

    boot_count: int


class Device:
    """A simulated Android phone on ``sim``'s clock, built from a device profile."""

    def __init__(
        self,
        sim: Simulation,
        profile: str | DeviceProfile = "pixel-like",
        *,
        overrides: Mapping[str, Any] | None = None,
        packages: Iterable[str] = (),
        data_dir: str | Path | None = None,
    ) -> None:
        if isinstance(profile, DeviceProfile):
            if overrides:
                raise ProfileError(
                    "overrides apply to a profile name, not to a DeviceProfile object; pass "
                    "the name (e.g. 'pixel-like') or build the DeviceProfile with the values"
                )
            self.profile = profile
        else:
            self.profile = load_profile(profile, overrides)
        p = self.profile
        self.sim = sim
        self.settings = GlobalSettings(
            sim,
            {
                LOW_POWER_MODE_TRIGGER_LEVEL: str(p.battery_saver.auto_trigger_level),
                LOW_POWER_MODE_STICKY_AUTO_DISABLE_ENABLED: str(
                    int(p.battery_saver.sticky_auto_disable_enabled)
                ),
                LOW_POWER_MODE_STICKY_AUTO_DISABLE_LEVEL: str(
                    p.battery_saver.sticky_auto_disable_level
                ),
                AIRPLANE_MODE_ON: str(int(p.network.airplane_mode)),
            },
        )
        self.power = Power(sim, p.power)
        self._cell = Cell(
            sim,
            p.battery,
            p.charging,
            draw=self.power.draw,
            account=self.power.account,
            on_reading=self._on_cell_reading,
        )
        self.battery = Battery(
            sim,
            p.battery,
            self._cell,
            self.settings,
            android_version=p.android_version,
            request_shutdown=self._request_shutdown,
        )
        self.power.bind(
            notify=self._cell.draw_changed, consume=self._cell.consume, settle=self._cell.settle
        )
        self.battery_saver = BatterySaver(sim, p.battery_saver, self.settings)
        self.screen = Screen(sim, p.screen)
        self.motion = Motion(sim, p.sensors)
        self.network = Network(sim, p.network)
        self.doze = Doze(sim, p.doze, p.sensors, self.motion, self.power)
        self.idle = Idleness(sim, p.idle)
        self.storage = Storage(
            sim, p.storage, data_dir=None if data_dir is None else Path(data_dir)
        )
        self.apps = Apps(sim, p.apps, p.vendor)
        #: Each app's uid: active on top and for ``BACKGROUND_SETTLE_TIME`` after (``am
        #: make-uid-idle`` ends that at once).
        self.uids = ActiveUids(sim, self.apps)
        self.allowlist = PowerAllowlist(sim, self.apps.is_installed)
        #: The vendor's battery manager (the profile's ``vendor`` section; idle on stock).
        self.vendor = VendorBatteryManager(sim, p.vendor, self.apps, self.screen)
        self.standby = AppStandby(
            sim,
            p.standby,
            enabled=p.doze.enable_auto_power_modes,
            elapsed_ms=self.on_time_ms,
            screen_on_ms=self.screen.screen_on_time_ms,
        )
        self.shell_commands = ShellCommands()
        install_builtin_commands(self.shell_commands, self)
        #: ``ACTION_SHUTDOWN``: the device is going down (processes die right after).
        self.shutting_down: Signal[Shutdown] = Signal("device.shutdown")
        #: ``ACTION_BOOT_COMPLETED``: the device is up again.
        self.boot_completed: Signal[BootCompleted] = Signal("device.boot_completed")
        self._state = PowerState.OFF
        self._boot_count = 0
        self._booted_at_ms = 0
        self._on_total_ms = 0
        self._boot_timer = Timer(sim, self._finish_boot)
        self._wire()
        for package in packages:
            self.install(package)
        self._power_up(initial=True)

    # --- wiring -----------------------------------------------------------------------------

    def _wire(self) -> None:
        self.screen.changed.connect(self._on_screen)
        self.battery.changed.connect(self._on_battery)
        self.battery.not_low_changed.connect(lambda _n: self._on_battery(self.battery.state))
        self.battery_saver.changed.connect(self._on_saver)
        self.network.changed.connect(self._on_network)
        self.apps.user_interaction.connect(self._on_user_interaction)
        self.apps.launched.connect(lambda _package: self.screen.use_for(0))
        self.apps.data_cleared.connect(self.storage.wipe)
        self.allowlist.changed.connect(self._on_allowlist)

    def _on_screen(self, state: ScreenState) -> None:
        self.power.set_screen_on(state.on)
        self.doze.update_interactivity(state.on)
        self.doze.keyguard_showing(state.locked)
        self.idle.on_screen(state.on)

    def _on_battery(self, state: BatteryState) -> None:
        self.doze.update_charging(state.plugged is not PlugType.NONE and state.present)
        self.battery_saver.on_battery(state)
        self.standby.set_charging(state.powered)
        self.idle.on_battery(charging=state.powered, battery_not_low=state.not_low)

    def _on_saver(self, change: SaverChange) -> None:
        self.doze.update_quick_doze(change.enabled)

    def _on_network(self, state: NetworkState) -> None:
        self.doze.update_connectivity(state.is_connected)

    def _on_allowlist(self, change: AllowlistChange) -> None:
        if not change.temporary:  # only the user allowlist exempts from app standby
            self.standby.set_power_allowlisted(change.package, change.allowlisted)

    def _on_user_interaction(self, package: str) -> None:
        self.standby.report_user_usage(package, foreground=self.apps.is_top(package))

    # --- packages ---------------------------------------------------------------------------

    def install(self, package: str) -> None:
        """Install ``package`` (app standby: NEVER until the user opens it)."""
        self.apps.install(package)
        self.standby.install(package)

    # --- state ------------------------------------------------------------------------------

    @property
    def state(self) -> PowerState:
        """ON, BOOTING or OFF."""
        return self._state

    @property
    def is_on(self) -> bool:
        """Whether the device runs (booted, not shut down)."""
        return self._state is PowerState.ON

    @property
    def boot_count(self) -> int:
        """How many times the device finished booting (1 after construction)."""
        return self._boot_count

    def uptime_ms(self) -> int:
        """``SystemClock.elapsedRealtime()``: ms since the last boot (0 while off)."""
        return self.sim.now_ms - self._booted_at_ms if self.is_on else 0

    def on_time_ms(self) -> int:
        """Total ms the device has been on, across reboots (app standby's elapsed time)."""
        return self._on_total_ms + self.uptime_ms()

    # --- the adb shell ----------------------------------------------------------------------

    def shell(self, command: str) -> str:
        """Run an adb shell command (with or without ``adb shell``); returns what it prints."""
        if not self.is_on:
            raise ShellStateError(
                f"adb shell {command!r}: error: no devices/emulators found (the simulated device "
                f"is {self._state.value}); wait for device.boot_completed"
            )
        self.sim.record("device.shell", command=command)
        try:
            return self.shell_commands.run(command)
        except ShellCommandError as error:
            self.sim.record("device.shell_error", command=command, error=str(error))
            raise

    # --- life cycle -------------------------------------------------------------------------

    def reboot(self, reason: str = "reboot") -> None:
        """``adb reboot``: down now, up again after ``boot.boot_ms``, then BOOT_COMPLETED."""
        self._shutdown(reason, reboot=True)
        self._begin_boot()

    def power_on(self) -> bool:
        """The user holds the power key on an off device: it boots if the cell has charge."""
        if self._state is not PowerState.OFF:
            return False
        if self._cell.level <= 0:
            self.sim.record("device.boot", event="no_charge", level=self._cell.level)
            return False
        self._begin_boot()
        return True

    def _request_shutdown(self, reason: str) -> None:
        # BatteryService posts the shutdown to a handler: it happens right after this change
        self.sim.call_at(self.sim.now_ms, self._shutdown, reason, False)

    def _shutdown(self, reason: str, reboot: bool) -> None:
        if self._state is not PowerState.ON:
            return
        self.sim.record("device.boot", event="shutdown", reason=reason, reboot=reboot)
        self.shutting_down.emit(Shutdown(reason, reboot))
        self._on_total_ms += self.uptime_ms()
        self._state = PowerState.OFF
        self.apps.power_off("reboot" if reboot else f"shutdown: {reason}")
        self.doze.power_off()
        self.idle.power_off()
        self.standby.power_off()
        self.allowlist.power_off()
        self.storage.power_off()
        self.network.power_off()
        self.screen.power_off()
        self.battery_saver.on_shutdown()
        self.battery.stop()
        self.power.set_device_on(False)

    def _begin_boot(self) -> None:
        self._state = PowerState.BOOTING
        self.sim.record("device.boot", event="booting")
        self._boot_timer.set_after(self.profile.boot.boot_ms)

    def _finish_boot(self) -> None:
        self._power_up(initial=False)

    def _power_up(self, *, initial: bool) -> None:
        self._state = PowerState.ON
        self._boot_count += 1
        self._booted_at_ms = self.sim.now_ms
        self.power.set_device_on(True)
        self.battery.start()
        self.screen.power_on(screen_on=not initial)
        # the radios start in the persisted AIRPLANE_MODE_ON (a `settings put` takes effect here)
        self.network.set_airplane_mode(self.settings.get_int(AIRPLANE_MODE_ON, 0) != 0)
        self.network.power_on()
        self.storage.power_on()
        self.apps.power_on()
        battery = self.battery.state
        self.doze.power_on(
            screen_on=self.screen.on,
            locked=self.screen.locked,
            charging=battery.plugged is not PlugType.NONE,
            network=self.network.state.is_connected,
        )
        self.idle.power_on(
            screen_on=self.screen.on, stable_power=battery.powered and battery.not_low
        )
        self.standby.power_on()
        self.battery_saver.on_battery(battery)
        self.battery_saver.on_boot_completed()
        self.sim.record("device.boot", event="boot_completed", boot_count=self._boot_count)
        self.boot_completed.emit(BootCompleted(self._boot_count))

    def _on_cell_reading(self, reading: CellReading) -> None:
        self.battery.on_reading(reading)
        if self._state is PowerState.ON:
            return
        self.sim.record(
            "device.battery",
            level=reading.level,
            status=reading.status.name,
            plugged=reading.charger.name,
            charge_uah=reading.charge_uah,
            device_off=True,
        )
        boot = self.profile.boot
        if (
            self._state is PowerState.OFF
            and boot.auto_boot_on_charger
            and reading.charger is not PlugType.NONE
            and reading.level >= boot.auto_boot_min_level
        ):
            self.sim.call_at(self.sim.now_ms, self.power_on)

    def close(self) -> None:
        """Close the device-owned databases (the end of a run)."""
        self.storage.close()
