"""``adb shell CMD``: any adb shell command the simulated device supports.

The device's command table (``harness.device``'s built-in commands, the platform's
``cmd``/``dumpsys jobscheduler``) checks a command's arguments only when it runs. So the preflight
also runs each command once on a scratch device of the same profile with the scenario's packages
(never the run's world: no app code runs), and reports what the command refuses there, except
refusals that depend on the device's state at the time (``ShellStateError``: deep idle not
enabled, the device off), which only the run can know.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from harness._exceptions import DefinitionError, ShellStateError
from harness.device import Device
from harness.scenario._actions._base import ANDROID_ONLY, Action, fail, register
from harness.sim import Simulation

if TYPE_CHECKING:
    from harness.scenario._world import World


@register
@dataclass(frozen=True, slots=True)
class AdbShell(Action):
    """An adb shell command, run on the device as ``adb shell`` would."""

    platforms = ANDROID_ONLY
    kind = "shell"
    form = "adb shell CMD"
    summary = "any adb shell command the simulated device supports, e.g. svc wifi disable"
    example = "adb shell svc wifi disable"

    command: str = ""

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        for prefix in ("adb shell ", "shell "):
            if lowered.startswith(prefix):
                command = text[len(prefix) :].strip()
                if not command:
                    return None
                try:
                    shlex.split(command)
                except ValueError as error:
                    raise fail(text, f"{error}; check the quotes of the command") from None
                return cls(text, command=command)
        return None

    def problem(self, world: World) -> str | None:
        commands = world.device.shell_commands
        if not commands.handles(self.command):
            return (
                f"action {self.text!r}: the simulated device has no adb shell command "
                f"{self.command!r}; supported: {'; '.join(commands.supported())}"
            )
        return self._refusal(world)

    def _refusal(self, world: World) -> str | None:
        """What the command says when run once on a scratch device (see the module docstring)."""
        spec = world.scenario.spec
        sim = Simulation(seed=0, epoch=spec.epoch, patch_wall_clock=False)
        with sim.building():
            try:
                scratch = Device(
                    sim,
                    spec.device.profile,
                    overrides=spec.device.overrides or None,
                    packages=world.runtime.packages,
                )
                if not scratch.shell_commands.handles(self.command):
                    return None  # a command of the platform layer (cmd jobscheduler ...)
                scratch.shell(self.command)
            except ShellStateError:
                return None
            except DefinitionError as error:
                return (
                    f"action {self.text!r}: the device refuses it: {error}; "
                    "write the command as adb shell takes it"
                )
        return None

    def apply(self, world: World) -> None:
        output = world.device.shell(self.command)
        if output:
            world.sim.record("scenario.shell_output", command=self.command, output=output[:2000])
