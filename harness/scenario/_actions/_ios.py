"""What the user (and a push server) does that only iOS has: the Background App Refresh switch,
Low Power Mode, the first unlock after a reboot, picking the phone up, a silent push.

The effects are ``harness.ios``'s (docs/ios.md): Background App Refresh off (or Low Power Mode)
makes ``BGTaskScheduler.submit`` fail with ``unavailable`` and stops background launches; nothing
launches before the first unlock after a reboot; picking the phone up expires running processing
tasks; a silent push launches the app unless throttled (more than about 3 an hour); cancelling a
continued-processing task from its Live Activity runs its expiration handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from harness.scenario._actions._base import (
    IOS_ONLY,
    Action,
    fail,
    installed_package,
    problem_of,
    register,
)

if TYPE_CHECKING:
    from harness.ios import IOSSystem
    from harness.scenario._world import World


def _ios(world: World) -> IOSSystem:
    assert world.ios is not None  # the preflight refuses iOS actions on Android devices
    return world.ios


@register
@dataclass(frozen=True, slots=True)
class BackgroundAppRefresh(Action):
    """``background app refresh on|off [PKG]``: the Settings switch, globally or for one app."""

    kind = "background_app_refresh"
    form = "background app refresh on|off [PKG]"
    summary = (
        "the user flips Background App Refresh, for every app or for PKG: off, submit fails "
        "(unavailable) and nothing launches in the background"
    )
    example = "background app refresh off"
    platforms = IOS_ONLY

    enabled: bool = True
    package: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        words = text.split()
        if [w.lower() for w in words[:3]] != ["background", "app", "refresh"]:
            return None
        if len(words) < 4 or words[3].lower() not in ("on", "off") or len(words) > 5:
            raise fail(text, "say 'background app refresh on' or 'background app refresh off'")
        return cls(
            text, enabled=words[3].lower() == "on", package=words[4] if len(words) == 5 else None
        )

    def problem(self, world: World) -> str | None:
        if self.package is None:
            return None
        return problem_of(lambda: installed_package(world, self.package, self.text))

    def apply(self, world: World) -> None:
        _ios(world).set_background_app_refresh(self.enabled, self.package)


@register
@dataclass(frozen=True, slots=True)
class LowPowerMode(Action):
    """``low power mode on|off``: iOS's Low Power Mode (Background App Refresh paused)."""

    kind = "low_power_mode"
    form = "low power mode on|off"
    summary = (
        "the user turns Low Power Mode on (background refresh paused) or off; it also turns "
        "itself off once charged to 80 %"
    )
    example = "low power mode on"
    platforms = IOS_ONLY

    enabled: bool = True

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if not lowered.startswith("low power mode"):
            return None
        rest = lowered[len("low power mode") :].strip()
        if rest not in ("on", "off"):
            raise fail(text, "say 'low power mode on' or 'low power mode off'")
        return cls(text, enabled=rest == "on")

    def apply(self, world: World) -> None:
        _ios(world).set_low_power_mode(self.enabled)


@dataclass(frozen=True, slots=True)
class _Phrase(Action):
    """An action that is one fixed phrase."""

    @classmethod
    def parse(cls, text: str) -> Self | None:
        return cls(text) if text.lower() == cls.example else None


@register
@dataclass(frozen=True, slots=True)
class FirstUnlock(_Phrase):
    """``first unlock``: the user unlocks the phone after a reboot (data protection ends)."""

    kind = "first_unlock"
    form = "first unlock"
    summary = (
        "the user unlocks the phone for the first time since it booted: background launches "
        "may come again"
    )
    example = "first unlock"
    platforms = IOS_ONLY

    def apply(self, world: World) -> None:
        ios = _ios(world)
        if ios.first_unlocked:
            world.refuse(
                self,
                "the phone was already unlocked since it booted",
                f"'{self.text}' did nothing: the phone had been unlocked since its last boot",
            )
            return
        ios.pick_up_phone()


@register
@dataclass(frozen=True, slots=True)
class PickUpPhone(_Phrase):
    """``pick up phone``: the screen comes on and the user unlocks it."""

    kind = "pick_up_phone"
    form = "pick up phone"
    summary = "the user picks the phone up and unlocks it: running processing tasks are expired"
    example = "pick up phone"
    platforms = IOS_ONLY

    def apply(self, world: World) -> None:
        _ios(world).pick_up_phone()


@register
@dataclass(frozen=True, slots=True)
class SilentPush(Action):
    """``silent push [PKG]``: a background notification (``content-available: 1``) arrives."""

    kind = "silent_push"
    form = "silent push [PKG]"
    summary = (
        "a background push (content-available: 1) arrives: the app gets 30 s, unless iOS "
        "throttles it (more than 3 an hour), it was force-quit or refresh is off"
    )
    example = "silent push"
    platforms = IOS_ONLY

    package: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if lowered != "silent push" and not lowered.startswith("silent push "):
            return None
        rest = text[len("silent push") :].strip()
        if " " in rest:
            raise fail(text, "'silent push' takes at most a package name")
        return cls(text, package=rest or None)

    def problem(self, world: World) -> str | None:
        return problem_of(lambda: installed_package(world, self.package, self.text))

    def apply(self, world: World) -> None:
        package = world.package_named(self.package, f"action {self.text!r}")
        _ios(world).deliver_silent_push(package, {"aps": {"content-available": 1}})


@register
@dataclass(frozen=True, slots=True)
class CancelContinuedTask(Action):
    """``cancel continued task [PKG]``: the user taps cancel on the Live Activity of the app's
    (oldest) running continued-processing task (iOS 26)."""

    kind = "cancel_continued_task"
    form = "cancel continued task [PKG]"
    summary = (
        "the user cancels the app's continued-processing task from its Live Activity: iOS runs "
        "the task's expiration handler"
    )
    example = "cancel continued task"
    platforms = IOS_ONLY

    package: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        if lowered != "cancel continued task" and not lowered.startswith("cancel continued task "):
            return None
        rest = text[len("cancel continued task") :].strip()
        if " " in rest:
            raise fail(text, "'cancel continued task' takes at most a package name")
        return cls(text, package=rest or None)

    def problem(self, world: World) -> str | None:
        return problem_of(lambda: installed_package(world, self.package, self.text))

    def apply(self, world: World) -> None:
        package = world.package_named(self.package, f"action {self.text!r}")
        # "If a person cancels a task through the interface, the framework invokes the task's
        # expiration handler" (Performing long-running tasks on iOS and iPadOS)
        if _ios(world).continued.user_cancel(package) is None:
            world.refuse(
                self,
                f"{package} has no continued-processing task running",
                f"'{self.text}' did nothing: no Live Activity of {package} to cancel",
            )
