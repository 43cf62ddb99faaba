"""``GlobalSettings``: the ``Settings.Global`` values the device model reads, and their changes.

``adb shell settings put global low_power 1`` writes here; the parts that read a setting (battery
saver, BatteryService's warning level) subscribe to :attr:`GlobalSettings.changed`. Values are
strings, as in Android's settings provider; readers parse them.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sim import Signal, Simulation

#: ``Settings.Global.AIRPLANE_MODE_ON``: "1" while airplane mode is on. ``settings put`` changes
#: only this value; the radios follow ``ACTION_AIRPLANE_MODE_CHANGED`` (see ``Network``).
AIRPLANE_MODE_ON = "airplane_mode_on"


@dataclass(frozen=True, slots=True)
class SettingChange:
    """A ``Settings.Global`` value changed: its ``name`` and new ``value`` (``None``: deleted)."""

    name: str
    value: str | None


class GlobalSettings:
    """The ``Settings.Global`` table of one device (survives reboots, like the real one)."""

    def __init__(self, sim: Simulation, initial: dict[str, str] | None = None) -> None:
        self._sim = sim
        self._values: dict[str, str] = dict(initial or {})
        self.changed: Signal[SettingChange] = Signal("device.settings")

    def get(self, name: str) -> str | None:
        """The value of ``name``, or ``None`` when it is not set."""
        return self._values.get(name)

    def get_int(self, name: str, default: int) -> int:
        """The value of ``name`` as an int; ``default`` when unset or not a number (as Android)."""
        value = self._values.get(name)
        try:
            return default if value is None else int(value)
        except ValueError:
            return default

    def put(self, name: str, value: str | None) -> None:
        """Set ``name`` (``None`` deletes it) and tell subscribers when the value changed."""
        if self._values.get(name) == value:
            return
        if value is None:
            del self._values[name]
        else:
            self._values[name] = value
        self._sim.record("device.settings", name=name, value=value)
        self.changed.emit(SettingChange(name, value))

    def items(self) -> list[tuple[str, str]]:
        """Every set value, sorted by name (``settings list global``)."""
        return sorted(self._values.items())
