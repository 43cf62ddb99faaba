"""What every timeline action is: a frozen dataclass that parses itself, checks itself and acts.

Each concrete action (``@register``-ed in a module of this package) owns four things, so that the
grammar, the preflight, the help text and the effect can never disagree:

* :meth:`Action.parse`: its grammar. Returns ``None`` when the text is not this action's form,
  raises :class:`ActionError` when it is this form but a value is wrong (a zero count, a bad unit,
  a URL that is not one). These checks need only the text, so they run when the file loads.
* :meth:`Action.problem`: what would go wrong when it runs in a built world (a package that is not
  installed, a resource or origin the servers do not have, an adb command the device refuses).
  The loader's preflight asks it on a world that is built but never started.
* ``form``, ``summary`` and ``example``: its line of ``ACTION_HELP`` and of ``docs/actions.md``.
* :meth:`Action.apply`: its effect on the :class:`~harness.scenario.World` of a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

import httpx

from harness._exceptions import ActionError, DefinitionError
from harness._units import parse_duration

if TYPE_CHECKING:
    from harness.scenario._world import World


@dataclass(frozen=True, slots=True)
class Action:
    """A parsed timeline action; ``text`` is the string it came from (whitespace normalised).

    Subclasses are the actions (``kind`` names each); this base is never instantiated.
    """

    #: The action's name in code and traces of the schedule (``open_app``, ``server_outage``).
    kind: ClassVar[str] = ""
    #: Its grammar as the user writes it (``server add N items to URL``).
    form: ClassVar[str] = ""
    #: One sentence: what happens on the phone or the servers.
    summary: ClassVar[str] = ""
    #: A line that parses to this action (tests parse every example).
    example: ClassVar[str] = ""
    #: Whether :meth:`problem` runs the user's app code (imports the app module).
    needs_user_code: ClassVar[bool] = False
    #: The device platforms (a profile's ``platform``) the action exists on; the preflight
    #: refuses it on another.
    platforms: ClassVar[frozenset[str]] = frozenset({"android", "ios"})

    text: str

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """This action from ``text`` (whitespace normalised), ``None`` if it is another form;
        :class:`ActionError` if it is this form with a bad value."""
        raise NotImplementedError

    def problem(self, world: World) -> str | None:
        """What would go wrong if this action ran in ``world`` (built, never started): a message,
        or ``None``; a :class:`DefinitionError` raised here is reported the same way."""
        return None

    def apply(self, world: World) -> None:
        """Carry the action out on ``world``, at the simulation's current time."""
        raise NotImplementedError


ActionType = TypeVar("ActionType", bound=type[Action])

#: ``platforms`` of the actions that exist on one platform only.
ANDROID_ONLY: frozenset[str] = frozenset({"android"})
IOS_ONLY: frozenset[str] = frozenset({"ios"})


def platform_problem(action: Action, platform: str) -> str | None:
    """Why ``action`` cannot run on a device of ``platform`` (``None``: it can)."""
    if platform in action.platforms:
        return None
    names = {"android": "Android", "ios": "iOS"}
    only = " and ".join(names[name] for name in sorted(action.platforms))
    return (
        f"action {action.text!r} exists on {only} only, and this scenario's device runs "
        f"{names.get(platform, platform)}; use a device profile of that platform or drop it"
    )


#: Every registered action class, in the order registered (the order of help and docs).
REGISTRY: list[type[Action]] = []


def register(cls: ActionType) -> ActionType:
    """Class decorator: add a concrete action to the registry (one ``kind`` each)."""
    if not (cls.kind and cls.form and cls.summary and cls.example):
        raise TypeError(f"{cls.__name__} needs kind, form, summary and example")
    if any(existing.kind == cls.kind for existing in REGISTRY):
        raise TypeError(f"action kind {cls.kind!r} is registered twice")
    REGISTRY.append(cls)
    return cls


# --- helpers the actions' parsers share -------------------------------------------------------


def fail(text: str, message: str) -> ActionError:
    """``action 'TEXT': MESSAGE`` as an :class:`ActionError`."""
    return ActionError(f"action {text!r}: {message}")


def duration_ms(text: str, value: str, what: str, *, positive: bool = True) -> int:
    """``value`` (``30m``) as milliseconds; an error naming ``what`` unless a positive duration."""
    try:
        parsed = parse_duration(value)
    except ValueError:
        raise fail(text, f"{what} {value!r} is not a duration like '30m' or '2h30m'") from None
    if positive and parsed <= 0:
        raise fail(text, f"{what} {value!r} must be longer than zero, e.g. '30m'")
    return parsed


def positive_count(text: str, value: str, what: str, *, most: int) -> int:
    """``value`` as a whole number from 1 to ``most``; an error naming ``what`` otherwise."""
    count = int(value)
    if count < 1:
        raise fail(text, f"{what} {count} must be at least 1")
    if count > most:
        raise fail(text, f"{what} {count} is more than the {most:,} one action may give")
    return count


_HOST_RE = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")


def _is_http_url(value: str) -> httpx.URL | None:
    """``value`` as a URL if it is ``http(s)://host[:port]...`` (any parse failure: ``None``)."""
    try:
        url = httpx.URL(value)
        port = url.port
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    if url.scheme not in ("http", "https") or not _HOST_RE.match(url.host or ""):
        return None
    return url if port is None or 0 < port < 65536 else None


def http_url(text: str, value: str, *, origin_only: bool) -> str:
    """``value`` if it is an ``http(s)://host[:port]`` URL (with no path when ``origin_only``)."""
    shape = "scheme://host[:port]" if origin_only else "scheme://host[:port]/path"
    example = "https://api.example.com" + ("" if origin_only else "/items")
    url = _is_http_url(value)
    if url is None:
        raise fail(text, f"{value!r} is not an http(s) URL {shape}, e.g. {example!r}")
    if origin_only and url.path not in ("", "/"):
        raise fail(text, f"{value!r} has a path; give only the origin, e.g. {example!r}")
    return value


def installed_package(world: World, package: str | None, text: str) -> str:
    """The package an action acts on: ``package`` or the scenario's only app, installed."""
    chosen = world.package_named(package, f"action {text!r}")
    installed = world.runtime.packages
    if chosen not in installed:
        raise fail(
            text,
            f"package {chosen!r} is not an app of this scenario (its apps: "
            f"{', '.join(installed) or 'none'}); name one of them or leave the package out",
        )
    return chosen


def problem_of(check: Callable[[], object]) -> str | None:
    """The message of the :class:`DefinitionError` ``check`` raises, or ``None``."""
    try:
        check()
    except DefinitionError as error:
        return str(error)
    return None
