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
stay cached, and a user file's compiled code is kept while the file is unchanged, so the cost per
run is executing the user's own modules (plus a scan of ``sys.modules`` at C speed).
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Final

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
    return _real_path(filename).startswith(_library_prefixes())


@cache
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


def _real_path(filename: str) -> str:
    """``os.path.realpath(filename)``; for an absolute path whose last part is not a symbolic
    link, its directory's real path (resolved once per directory: the first run of a process
    asks about some 700 module files in a few dozen directories) joined with its name."""
    directory, name = os.path.split(filename)
    if not os.path.isabs(filename) or name in ("", ".", "..") or os.path.islink(filename):
        return os.path.realpath(filename)
    return os.path.join(_real_directory(directory), name)


def _module_files(module: ModuleType) -> list[str]:
    file = getattr(module, "__file__", None)
    if isinstance(file, str):
        return [file]
    path = getattr(module, "__path__", None)  # a namespace package: its directories
    try:
        return [str(entry) for entry in path] if path is not None else []
    except TypeError:
        return []


class _Named:
    """The module names a caller gave (and their submodules)."""

    __slots__ = ("names", "prefixes")

    def __init__(self, modules: Iterable[str]) -> None:
        self.names = frozenset(name for name in modules if name)
        self.prefixes = tuple(f"{name}." for name in self.names)

    def __contains__(self, name: str) -> bool:
        return name in self.names or (bool(self.prefixes) and name.startswith(self.prefixes))


def _is_user_module(name: str, module: object, named: _Named) -> bool:
    if name in _NEVER_HIDDEN:
        return False
    if name in named:
        return True
    if not isinstance(module, ModuleType) or _library_modules.get(name) is module:
        return False
    files = _module_files(module)
    if not files or all(is_library_file(file) for file in files):
        _library_modules[name] = module
        return False
    return True


def _is_new_user_module(name: str, module: object, named: _Named) -> bool:
    """A module first imported inside the block: user code unless it is library code (a module
    made in memory, with no file, counts as user code)."""
    if name in _NEVER_HIDDEN:
        return False
    if isinstance(module, ModuleType) and not _module_files(module):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        return origin not in ("built-in", "frozen")
    return _is_user_module(name, module, named)


def _restore(saved: dict[str, ModuleType]) -> None:
    for name, module in saved.items():
        sys.modules[name] = module
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        if parent is not None:
            setattr(parent, child, module)  # the import system binds a submodule on its parent


#: (file, mtime_ns, size) -> its compiled code: importing a user module again per run costs
#: executing it, never compiling it again (also when bytecode caching is off).
_code_cache: dict[tuple[str, int, int], CodeType] = {}


class _CachedCodeLoader(SourceFileLoader):
    """A source loader that reuses the code object compiled for an unchanged file."""

    def get_code(self, fullname: str) -> CodeType | None:
        path = self.get_filename(fullname)
        try:
            status = os.stat(path)
        except OSError:
            return super().get_code(fullname)
        key = (path, status.st_mtime_ns, status.st_size)
        code = _code_cache.get(key)
        if code is None:
            code = super().get_code(fullname)
            if code is not None:
                _code_cache[key] = code
        return code


class _UserCodeFinder(MetaPathFinder):
    """Finds user modules' source files on ``sys.path`` and loads them with
    :class:`_CachedCodeLoader` (inside :func:`fresh_imports` only)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        spec = PathFinder.find_spec(fullname, path, target)
        if (
            spec is None
            or type(spec.loader) is not SourceFileLoader
            or not isinstance(spec.origin, str)
            or is_library_file(spec.origin)
        ):
            return None  # not a user module's source: the usual finders take it
        spec.loader = _CachedCodeLoader(fullname, spec.origin)
        return spec


_FINDER: Final = _UserCodeFinder()


@contextmanager
def fresh_imports(modules: Iterable[str] = ()) -> Iterator[None]:
    """Run the body with user modules imported afresh, then forget them (see the module docs).

    ``modules`` names modules to treat as user code even when installed as a package (an app
    named by a scenario); their submodules count too.
    """
    named = _Named(modules)
    before = dict(sys.modules)
    # a cheap first pass at C speed (most of sys.modules is library code seen before), then the
    # full test on the rest: this runs once per run, so it must cost little
    candidates = before.keys() - _library_modules.keys()
    present = named.names & before.keys()
    candidates |= present
    if any(hasattr(before[name], "__path__") for name in present):  # a package: its submodules
        candidates.update(name for name in before if name.startswith(named.prefixes))
    hidden = {
        name: before[name] for name in candidates if _is_user_module(name, before[name], named)
    }
    for name in hidden:
        del sys.modules[name]
    environ = _environment()
    cwd = os.getcwd()
    path = list(sys.path)
    finder_added = _FINDER not in sys.meta_path
    if finder_added:
        sys.meta_path.insert(0, _FINDER)
    try:
        yield
    finally:
        if finder_added:
            with suppress(ValueError):
                sys.meta_path.remove(_FINDER)
        for name in (sys.modules.keys() - before.keys()) | hidden.keys():
            module = sys.modules.get(name)
            if module is not None and (name in hidden or _is_new_user_module(name, module, named)):
                del sys.modules[name]
        _restore(hidden)
        if os.getcwd() != cwd:
            os.chdir(cwd)
        if sys.path != path:
            sys.path[:] = path
        if _environment() != environ:
            _restore_environment(environ)


def _environment() -> dict[Any, Any]:
    """A snapshot of ``os.environ``: its encoded mapping when there is one (a copy at C speed,
    without decoding every variable), else a plain copy."""
    data = getattr(os.environ, "_data", None)
    return dict(data) if isinstance(data, dict) else dict(os.environ)


def _restore_environment(saved: dict[Any, Any]) -> None:
    decode = getattr(os.environ, "decodevalue", None)
    decode_key = getattr(os.environ, "decodekey", None)
    items = (
        {decode_key(key): decode(value) for key, value in saved.items()}
        if callable(decode) and callable(decode_key) and isinstance(os.environ._data, dict)  # type: ignore[attr-defined]
        else saved
    )
    os.environ.clear()
    os.environ.update(items)
