"""``--app``: a scenario's data with another app module in place of one of its apps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness._exceptions import ScenarioError


def data_with_app(
    data: Mapping[str, Any], file: str, apps: Sequence[tuple[str, str]], app: str
) -> dict[str, Any]:
    """A scenario's ``data`` (of ``file``, with ``apps`` as ``(package, module)``) with ``app``
    (``MODULE`` or ``PACKAGE=MODULE``) in place of one of its apps."""
    package, _, module = app.rpartition("=")

    def refuse(why: str) -> ScenarioError:
        return ScenarioError(
            f"--app {app!r}: {why}; write --app MODULE (an import path of a module with "
            "main(), e.g. --app examples.outbox) or --app PACKAGE=MODULE",
            file=file,
            field="app",
        )

    if ":" in module or not all(part.isidentifier() for part in module.split(".")):
        raise refuse(
            f"{module!r} is not a module import path (an app is a module with main(), not a "
            "class or a function)"
        )
    packages = [installed for installed, _ in apps]
    if not package:
        if len(packages) != 1:
            raise refuse(f"the scenario has {len(packages)} apps ({', '.join(packages)})")
        package = packages[0]
    elif package not in packages:
        raise refuse(f"the scenario has no app {package!r} (its apps: {', '.join(packages)})")
    swapped = {key: value for key, value in data.items() if key not in ("app", "apps")}
    swapped["apps"] = [
        {"module": module if installed == package else installed_module, "package": installed}
        for installed, installed_module in apps
    ]
    return swapped
