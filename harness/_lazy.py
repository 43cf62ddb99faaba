"""Package names served on first use (PEP 562): the ``__getattr__`` of a package's ``__init__``.

``report``, ``scenario``, ``phone``, ``flutter`` and ``background_fetch`` list each public name's
private module and import that module only when the name is first read, so a run imports only
the parts it uses (an Android run none of iOS, a single run none of the fleet's).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, modules: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name of ``modules`` is read from its private
    module (``modules[name]``) on first use and kept in ``namespace`` (the package's
    ``globals()``), so later reads are plain attribute reads."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
