"""Timeline actions: what a scenario's ``do:`` and ``then:`` strings may say.

Each action is one frozen dataclass (see :mod:`._base`) in a module of this package, registered
with ``@register``; every module here is imported, so adding an action is adding a class (in an
existing module or a new one) plus its test. :func:`parse_action` tries each registered grammar,
``ACTION_HELP`` and :func:`actions_markdown` (``docs/actions.md``, written by
``python -m harness.scenario._actions``) list them, the loader's preflight asks each
:meth:`Action.problem`, and :class:`~harness.scenario.World` runs :meth:`Action.apply`.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import MappingProxyType
from typing import Final

from harness._exceptions import ActionError
from harness.scenario._actions._base import REGISTRY, Action, platform_problem, register

# iOS's own actions come last in help and errors (a long list is cut in error messages; the
# forms most scenarios use come first)
for _module in sorted(
    pkgutil.iter_modules(__path__), key=lambda found: (found.name == "_ios", found.name)
):
    if _module.name not in ("_base", "__main__"):
        importlib.import_module(f"{__name__}.{_module.name}")

#: Every timeline action class by its ``kind``, in the order of the help text.
ACTIONS: Final = MappingProxyType({cls.kind: cls for cls in REGISTRY})

#: The allowed forms, quoted, for error messages (generated from the registry).
ACTION_HELP: Final = ", ".join(f"'{cls.form}'" for cls in REGISTRY)


def parse_action(text: str) -> Action:
    """Parse a ``do:``/``then:`` string; :class:`ActionError` names the allowed forms."""
    stripped = " ".join(str(text).split())
    for cls in REGISTRY:
        action = cls.parse(stripped)
        if action is not None:
            return action
    raise ActionError(f"action {text!r} is not one of: {ACTION_HELP}")


_PLATFORM_NAMES: Final = {"android": "Android", "ios": "iOS"}


def actions_markdown() -> str:
    """``docs/actions.md``: every action's form, what it does and an example, from the registry."""
    lines = [
        "# Timeline actions",
        "",
        "<!-- generated from harness/scenario/_actions/ by",
        "`python -m harness.scenario._actions > docs/actions.md`; a test fails when stale -->",
        "",
        "What a scenario's `do:` and `then:` may say. `PKG` defaults to the scenario's only",
        "app; `URL` is a resource of the scenario's `backend`, `ORIGIN` one of its servers.",
        "Every action is checked before anything runs: its values when the file loads, and",
        "against the built world (installed apps, servers, resources, adb commands, app",
        "actions) in the preflight. Actions marked Android or iOS only exist on devices of",
        "that platform (a profile's `platform:`); the others act on either.",
        "",
        "To add an action, add a `@register`-ed frozen dataclass (its grammar, checks, help",
        "line and effect) to a module of `harness/scenario/_actions/`, add its test under",
        "`tests/scenario/actions/`, regenerate this file and add its example to the README.",
        "",
        "| Action | What happens | Example |",
        "| --- | --- | --- |",
    ]
    for cls in REGISTRY:
        summary = cls.summary.replace("|", "\\|")
        if cls.platforms != frozenset({"android", "ios"}):
            summary += " (" + " and ".join(_PLATFORM_NAMES[p] for p in sorted(cls.platforms))
            summary += " only)"
        form = cls.form.replace("|", "\\|")
        lines.append(f"| `{form}` | {summary} | `{cls.example}` |")
    return "\n".join(lines) + "\n"


__all__ = [
    "ACTIONS",
    "ACTION_HELP",
    "Action",
    "ActionError",
    "actions_markdown",
    "parse_action",
    "platform_problem",
    "register",
]
