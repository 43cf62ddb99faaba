"""User code named by import path (apps, backend factories, custom checks): read or imported.

Two ways to look at a module the user names:

* :func:`read_module` finds its source file the way the import system would and reads it with
  :mod:`ast`, **without running any of it** (the parent packages' ``__init__`` code neither):
  whether it exists, whether it parses, which names it binds at top level and the literal value of
  ``PACKAGE``. ``harness validate`` uses this by default, so validating a file never runs code.
* :func:`import_user_module` imports it, turning every way an import can fail into a
  :class:`~harness._exceptions.DefinitionError` that says what went wrong and where: the module
  is not on ``sys.path``; a module it imports is not installed; its source has a syntax error; or
  its top-level code raised (with the file and line of the failing statement).
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import importlib.util
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from harness._exceptions import DefinitionError

_HINT = (
    "give an import path on sys.path (the current directory is on it), e.g. 'examples.hourly_sync'"
)


def _short(text: str, limit: int = 200) -> str:
    text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class ModuleSource:
    """What a module's source says, read without running it.

    ``names`` is ``None`` when the top-level names cannot be known from the text (``from x import
    *``, a module ``__getattr__``, ``globals()``); ``package`` is the literal ``PACKAGE = "..."``
    (``None`` when there is none) and ``package_known`` says whether the text settles it (false
    when the module computes ``PACKAGE``).
    """

    module: str
    path: Path | None
    names: frozenset[str] | None
    package: str | None
    package_known: bool

    def defines(self, name: str) -> bool:
        """Whether ``name`` may be bound at top level (``True`` when it cannot be known)."""
        return self.names is None or name in self.names


def _spec_of(module: str, what: str) -> importlib.machinery.ModuleSpec:
    """The import spec of ``module``, found without executing any package ``__init__``."""
    parts = module.split(".")
    spec: importlib.machinery.ModuleSpec | None = None
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        loaded = sys.modules.get(name)
        if loaded is not None and getattr(loaded, "__spec__", None) is not None:
            spec = loaded.__spec__
        elif depth == 1:
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
        else:
            locations = None if spec is None else spec.submodule_search_locations
            if locations is None:
                spec = None
            else:
                spec = importlib.machinery.PathFinder.find_spec(name, list(locations))
        if spec is None:
            where = "" if depth == 1 else f" in package {'.'.join(parts[: depth - 1])!r}"
            raise DefinitionError(
                f"{what} cannot be found: there is no module {name!r}{where}; {_HINT}"
            )
    assert spec is not None
    return spec


def read_module(module: str, what: str) -> ModuleSource:
    """Find ``module`` and read its source without running it (see module docs).

    ``what`` names it in errors (``"app module 'x'"``). A module that cannot be found, or whose
    source does not parse, is a :class:`DefinitionError`.
    """
    spec = _spec_of(module, what)
    origin = spec.origin if spec.has_location else None
    if origin is None or not origin.endswith(".py"):
        return ModuleSource(
            module, None, None, None, False
        )  # compiled, frozen or a namespace: unknown
    path = Path(origin)
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise DefinitionError(
            f"{what} has a syntax error at {error.filename}:{error.lineno}: "
            f"{_short(str(error.msg))}; fix the module"
        ) from None
    except (OSError, ValueError) as error:
        raise DefinitionError(f"{what} cannot be read from {path} ({_short(str(error))})") from None
    names: set[str] | None = set()
    package: str | None = None
    package_known = True
    for statement in _top_level(tree.body):
        bound = _bound_names(statement)
        if bound is None:
            names = None
            continue
        if names is not None:
            names.update(bound)
        if "PACKAGE" in bound:
            value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and package_known:
                package = value.value
            else:
                package, package_known = None, False
    if names is not None and b"globals()" in source:
        names = None
    frozen = None if names is None else frozenset(names)
    return ModuleSource(module, path, frozen, package, package_known and names is not None)


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run at import: the module body and the blocks of its if/try/with/for."""
    found: list[ast.stmt] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, ast.If | ast.For | ast.AsyncFor | ast.While):
            found.extend(_top_level(statement.body + statement.orelse))
        elif isinstance(statement, ast.With | ast.AsyncWith):
            found.extend(_top_level(statement.body))
        elif isinstance(statement, ast.Try | ast.TryStar):
            blocks = statement.body + statement.orelse + statement.finalbody
            for handler in statement.handlers:
                blocks = blocks + handler.body
            found.extend(_top_level(blocks))
    return found


def _bound_names(statement: ast.stmt) -> set[str] | None:
    """Names a top-level statement binds; ``None`` when it may bind any name."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return None if statement.name == "__getattr__" else {statement.name}
    if isinstance(statement, ast.Import):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, ast.ImportFrom):
        if any(alias.name == "*" for alias in statement.names):
            return None
        return {alias.asname or alias.name for alias in statement.names}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        targets = [statement.target]
    elif isinstance(statement, ast.With | ast.AsyncWith):
        targets = [item.optional_vars for item in statement.items if item.optional_vars]
    names: set[str] = set()
    for target in targets:
        names.update(node.id for node in ast.walk(target) if isinstance(node, ast.Name))
    for node in ast.walk(statement):  # walrus at top level
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def import_user_module(module: str, what: str) -> ModuleType:
    """Import ``module``; every failure becomes a :class:`DefinitionError` (see module docs).

    ``what`` names it in errors (``"app module 'x'"``).
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if module == missing or module.startswith(missing + "."):
            raise DefinitionError(
                f"{what} cannot be imported (no module {missing!r}); {_HINT}"
            ) from None
        raise DefinitionError(
            f"{what} imports {missing!r}, which is not installed{_where(error, module)}; "
            f"install it (pip install {missing.split('.')[0]}) or remove the import"
        ) from None
    except SyntaxError as error:
        raise DefinitionError(
            f"{what} has a syntax error at {error.filename}:{error.lineno}: "
            f"{_short(str(error.msg))}; fix the module"
        ) from None
    except (Exception, SystemExit) as error:
        raise DefinitionError(
            f"{what} raised {type(error).__name__} while being imported{_where(error, module)}: "
            f"{_short(str(error))}; fix the module's top-level code"
        ) from None


def _where(error: BaseException, module: str) -> str:
    """`` at FILE:LINE`` of the user's statement that failed (the deepest frame outside the
    import machinery, preferring the module's own files)."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<frozen") and frame.filename != __file__
    ]
    if not frames:
        return ""
    top = module.split(".")[0]
    own = [
        frame
        for frame in frames
        if top in Path(frame.filename).parts or Path(frame.filename).stem == top
    ]
    frame = (own or frames)[-1]
    return f" at {frame.filename}:{frame.lineno}"
