"""What the user does with an app: open it, leave it, swipe it away, force-stop it, kill it,
clear its data, and call one of its own actions (``app NAME ARGS``, e.g. writing a note).

``PKG`` defaults to the scenario's only app. The effects are the device's: ``ActivityManager``
process states for open/leave/swipe, ``am force-stop``
(``ActivityManagerService.forceStopPackage``), ``am kill`` (a low-memory kill: ``ProcessList``'s
LMK never takes the foreground app) and ``pm clear`` (``PackageManagerShellCommand.runClear``).
"""

from __future__ import annotations

import inspect
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from harness._tracebacks import format_exception
from harness.app import run_as
from harness.device import ProcessStarted, Shutdown
from harness.scenario._actions._base import (
    ANDROID_ONLY,
    Action,
    fail,
    installed_package,
    problem_of,
    register,
)

if TYPE_CHECKING:
    from harness.scenario._world import World


@dataclass(frozen=True, slots=True)
class _UserVerb(Action):
    """``VERB [PKG]``: a user verb on one app (``PKG`` defaults to the scenario's only app)."""

    #: The words of the verb, lower case; the first is the one the help shows.
    phrases: ClassVar[tuple[str, ...]] = ()

    package: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self | None:
        lowered = text.lower()
        for phrase in cls.phrases:
            if lowered == phrase or lowered.startswith(phrase + " "):
                rest = text[len(phrase) :].strip()
                if " " in rest:
                    raise fail(text, f"'{phrase}' takes at most a package name")
                return cls(text, package=rest or None)
        return None

    def problem(self, world: World) -> str | None:
        return problem_of(lambda: installed_package(world, self.package, self.text))

    def target(self, world: World) -> str:
        """The package the user acts on."""
        return world.package_named(self.package, f"action {self.text!r}")


@register
@dataclass(frozen=True, slots=True)
class OpenApp(_UserVerb):
    """The user opens the app: its process starts and ``main()`` runs."""

    kind = "open_app"
    form = "open app [PKG]"
    summary = "the user opens the app (process starts, main() runs)"
    example = "open app"
    phrases = ("open app",)

    def apply(self, world: World) -> None:
        if world.ios_binding is not None:
            world.ios_binding.open_app(self.target(world))
            return
        world.device.apps.launch(self.target(world))


@register
@dataclass(frozen=True, slots=True)
class LeaveApp(_UserVerb):
    """The user goes home: the app is in the background."""

    kind = "leave_app"
    form = "leave app [PKG]"
    summary = "the user goes home: the app is in the background"
    example = "leave app"
    phrases = ("leave app",)

    def apply(self, world: World) -> None:
        if world.ios is not None:
            world.ios.leave_app(self.target(world))
            return
        world.device.apps.leave(self.target(world))


@register
@dataclass(frozen=True, slots=True)
class SwipeAway(_UserVerb):
    """The user swipes the app from recents (on iOS: the app switcher's force-quit, after which
    iOS launches it in the background no more until the user opens it)."""

    kind = "swipe_away"
    form = "swipe away [PKG]"
    summary = "the user swipes the app from recents"
    example = "swipe away"
    phrases = ("swipe away",)

    def apply(self, world: World) -> None:
        if world.ios is not None:
            world.ios.swipe_away(self.target(world))
            return
        world.device.apps.swipe_away(self.target(world))


@register
@dataclass(frozen=True, slots=True)
class ForceStop(_UserVerb):
    """``am force-stop``: the app stays stopped until the next launch."""

    platforms = ANDROID_ONLY
    kind = "force_stop"
    form = "force-stop [PKG]"
    summary = "am force-stop: stopped (jobs and alarms cancelled) until the next launch"
    example = "force-stop"
    phrases = ("force-stop", "force stop")

    def apply(self, world: World) -> None:
        world.device.apps.force_stop(self.target(world))


@register
@dataclass(frozen=True, slots=True)
class KillApp(_UserVerb):
    """A low-memory kill (``am kill``): the process dies, scheduled work survives."""

    kind = "kill_app"
    form = "kill app [PKG]"
    summary = "a low-memory kill (am kill): the process dies, work survives"
    example = "kill app"
    phrases = ("kill app",)

    def apply(self, world: World) -> None:
        package = self.target(world)
        if world.ios is not None:
            # iOS ends a background app under memory pressure; unlike a force-quit, background
            # launches go on (react-native-background-fetch#34)
            if world.ios.app(package).state.value == "foreground":
                world.refuse(
                    self,
                    f"{package} is on screen; iOS does not end the foreground app",
                    f"'{self.text}' did nothing while the app was on screen: 'leave app' first",
                )
                return
            world.ios.terminate(package, "low-memory kill")
            return
        apps = world.device.apps
        if apps.is_running(package) and apps.low_memory_kill(package) is None:
            # the low-memory killer never takes the foreground (TOP) app
            world.refuse(
                self,
                f"{package} is on screen; the low-memory killer spares the foreground app",
                f"'{self.text}' did nothing while the app was on screen: 'leave app' first",
            )


@register
@dataclass(frozen=True, slots=True)
class ClearData(_UserVerb):
    """``pm clear``: the app's data is wiped (and its process killed)."""

    platforms = ANDROID_ONLY
    kind = "clear_data"
    form = "clear data [PKG]"
    summary = "pm clear: the app's data is wiped"
    example = "clear data"
    phrases = ("clear data",)

    def apply(self, world: World) -> None:
        world.device.apps.clear_data(self.target(world))


@register
@dataclass(frozen=True, slots=True)
class AppCall(Action):
    """``app NAME [ARG...]``: call the app module's ``ACTIONS[NAME](*ARGS)`` inside the app."""

    kind = "app"
    form = "app NAME [ARG...]"
    summary = "call ACTIONS[NAME] of the app module with ARGS, in the app (e.g. an edit)"
    example = "app edit note"
    needs_user_code = True

    #: The key of the app module's ``ACTIONS``; ``app NAME`` acts on the scenario's only app.
    name: str = ""
    args: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Self | None:
        if not text.lower().startswith("app "):
            return None
        try:
            parts = shlex.split(text[4:])
        except ValueError as error:
            raise fail(text, f"{error}; check the quotes of its arguments") from None
        if not parts:
            raise fail(text, "name the app action, e.g. 'app edit_note'")
        return cls(text, name=parts[0], args=tuple(parts[1:]))

    def function(self, world: World) -> Callable[..., Any]:
        """``ACTIONS[name]`` of the app module; a clear error naming the actions it has."""
        package = installed_package(world, None, self.text)
        app = next(app for app in world.scenario.apps if app.package == package)
        actions = getattr(app.load(), "ACTIONS", {})
        function = actions.get(self.name) if isinstance(actions, dict) else None
        if function is None:
            known = ", ".join(sorted(actions)) if isinstance(actions, dict) and actions else "none"
            raise fail(
                self.text,
                f"app module {app.module} has no ACTIONS[{self.name!r}] (its actions: {known}); "
                f"define ACTIONS = {{'{self.name}': function}} in it",
            )
        return function  # type: ignore[no-any-return]

    def problem(self, world: World) -> str | None:
        return problem_of(lambda: self.function(world))

    def apply(self, world: World) -> None:
        package = world.package_named(None, f"action {self.text!r}")
        if world.runtime.process(package) is not None:
            self._perform(world, package)
            return
        if world.ios_binding is not None and world.device.is_on:
            world.ios_binding.open_app(package)  # iOS starts the process as it opens the app
            self._perform(world, package)
            return
        if not world.device.is_on:
            self._refuse(world, f"the phone is {world.device.state.value}: nobody can use the app")
            return
        # The user acts in the app, so they open it first: the process starts as any launch does
        # (on the device, which kills, force-stops and reboots end later), and the action runs in
        # it once it is up. Starting only an app instance left one no device process backed.
        disconnects: list[Callable[[], None]] = []

        def started(process: ProcessStarted) -> None:
            if process.package == package:
                for disconnect in disconnects:
                    disconnect()
                self._perform(world, package)

        def shut_down(_shutdown: Shutdown) -> None:
            for disconnect in disconnects:
                disconnect()
            self._refuse(world, "the phone shut down before the app had started")

        disconnects.append(world.device.apps.process_started.connect(started))
        disconnects.append(world.device.shutting_down.connect(shut_down))
        world.device.apps.launch(package)

    def _refuse(self, world: World, reason: str) -> None:
        world.refuse(self, reason, f"'{self.text}' did nothing: {reason}")

    def _perform(self, world: World, package: str) -> None:
        """Call the app's function in its running process (a task of the app instance)."""
        process = world.runtime.process(package)
        assert process is not None
        sim = world.sim
        if world.ios_binding is None:
            # something reaches the cached app's code (as a broadcast or a binder call would):
            # a frozen process is let out of the freezer (CachedAppOptimizer.unfreezeTemporarily)
            world.binding.freezer.unfreeze_temporarily(package, "an app action ran in it")

        async def perform() -> None:
            try:
                # looked up in the app's own task: a first import of the app module runs its
                # top-level code as app code (guarded, and a crash there is the app's)
                function = self.function(world)
                outcome: Any = function(*self.args)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
            except Exception as error:  # app code crashed: recorded, the run goes on
                sim.record(
                    "app.crash",
                    package=package,
                    where=f"action {self.name}",
                    error=f"{type(error).__name__}: {error}",
                    traceback=format_exception(error),
                )
                return
            created = (
                outcome
                if isinstance(outcome, list | tuple)
                else ([] if outcome is None else [outcome])
            )
            sim.record(
                "app.action",
                package=package,
                name=self.name,
                args=list(self.args),
                created_ids=[str(item) for item in created],
            )

        run_as(process.instance, lambda: sim.loop.create_task(perform()))
