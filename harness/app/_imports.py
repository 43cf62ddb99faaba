"""Fresh imports per run: user code starts every run with empty module-level state.

On a phone every process start loads the app's code anew, so a counter, a cache or a global
client at module level starts empty. In one Python process the import system caches modules, so
without care such state would cross from one run to the next (and a run's digest would depend on
which runs came before it in the same worker). :func:`fresh_imports` restores the phone's rule:

* on entry, every *user module* already imported (anything that is not harness's own, the
  standard library or an installed third-party package, plus the module names given) is hidden
  from ``sys.modules``, so the run imports it again from its file;
* on exit, every user module imported during the block is dropped, the hidden ones come back,
  and ``os.environ``, the working directory and ``sys.path`` are restored as they were.

Only user modules are imported again: harness, the standard library and third-party packages
stay cached, which keeps the cost per run to the user's own modules.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Final

#: Modules never hidden: the program's entry script, and multiprocessing's copy of it.
_NEVER_HIDDEN: Final = frozenset({"__main__", "__mp_main__"})

#: name -> module object of modules known to be library code (their verdict never changes).
_library_modules: dict[str, ModuleType] = {}


@cache
def _library_prefixes() -> tuple[str, ...]:
    """Directories holding library code: harness itself, the stdlib, site-packages."""
    directories = {str(Path(__file__).resolve().parent.parent)}  # the harness package
    for variables in (None, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=variables)
        directories.update(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    directories.update(site.getsitepackages())
    directories.add(site.getusersitepackages())
    return tuple(sorted({os.path.join(os.path.realpath(d), "") for d in directories}))


@cache
def harness_directory() -> str:
    """The directory of the harness package, ending in a separator."""
    return os.path.join(str(Path(__file__).resolve().parent.parent), "")


@cache
def is_library_file(filename: str) -> bool:
    """Whether ``filename`` (a module's file or a code object's) is harness, stdlib or
    third-party code rather than user code; ``<frozen ...>`` and other pseudo-files count as
    library code."""
    if not filename or filename.startswith("<"):
        return True
    return os.path.realpath(filename).startswith(_library_prefixes())


def _module_files(module: ModuleType) -> list[str]:
    file = getattr(module, "__file__", None)
    if isinstance(file, str):
        return [file]
    path = getattr(module, "__path__", None)  # a namespace package: its directories
    try:
        return [str(entry) for entry in path] if path is not None else []
    except TypeError:
        return []


def _is_user_module(name: str, module: object, named: frozenset[str]) -> bool:
    if name in _NEVER_HIDDEN:
        return False
    if named and any(name == top or name.startswith(f"{top}.") for top in named):
        return True
    if not isinstance(module, ModuleType) or _library_modules.get(name) is module:
        return False
    files = _module_files(module)
    if not files or all(is_library_file(file) for file in files):
        _library_modules[name] = module
        return False
    return True


def _restore(saved: dict[str, ModuleType]) -> None:
    for name, module in saved.items():
        sys.modules[name] = module
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        if parent is not None:
            setattr(parent, child, module)  # the import system binds a submodule on its parent


@contextmanager
def fresh_imports(modules: Iterable[str] = ()) -> Iterator[None]:
    """Run the body with user modules imported afresh, then forget them (see the module docs).

    ``modules`` names modules to treat as user code even when installed as a package (an app
    named by a scenario); their submodules count too.
    """
    named = frozenset(name for name in modules if name)
    before = dict(sys.modules)
    hidden = {name: m for name, m in before.items() if _is_user_module(name, m, named)}
    for name in hidden:
        del sys.modules[name]
    environ = dict(os.environ)
    cwd = os.getcwd()
    path = list(sys.path)
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            known = before.get(name)
            if known is not module and (name in hidden or _is_new_user_module(name, module, named)):
                del sys.modules[name]
        _restore(hidden)
        if os.getcwd() != cwd:
            os.chdir(cwd)
        if sys.path != path:
            sys.path[:] = path
        if dict(os.environ) != environ:
            os.environ.clear()
            os.environ.update(environ)


def _is_new_user_module(name: str, module: object, named: frozenset[str]) -> bool:
    """A module first imported inside the block: user code unless it is library code (a module
    made in memory, with no file, counts as user code)."""
    if name in _NEVER_HIDDEN:
        return False
    if isinstance(module, ModuleType) and not _module_files(module):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        return origin not in ("built-in", "frozen")
    return _is_user_module(name, module, named)
