"""User modules read without running or imported with clear errors (harness/app/_usercode.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness._exceptions import DefinitionError
from harness.app import App
from harness.app._usercode import import_user_module, read_module


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path for throwaway modules, forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_syntax_error_names_the_file_and_line(modules: Path) -> None:
    """A SyntaxError in an app module is a DefinitionError with the module's file and line,
    both when imported and when only read."""
    (modules / "uc_syntax.py").write_text("x = 1\ndef main(:\n    pass\n")
    pattern = rf"^app module 'uc_syntax' has a syntax error at {modules}/uc_syntax\.py:2: "
    with pytest.raises(DefinitionError, match=pattern):
        App.from_module("uc_syntax")
    with pytest.raises(DefinitionError, match=pattern):
        read_module("uc_syntax", "app module 'uc_syntax'")


def test_an_exception_at_import_names_the_failing_line(modules: Path) -> None:
    """Top-level code that raises is a DefinitionError naming the exception and the file and
    line of the statement that raised (not a raw traceback)."""
    (modules / "uc_boom.py").write_text("import json\n\nCONFIG = json.loads('{')\n")
    with pytest.raises(
        DefinitionError,
        match=rf"^app module 'uc_boom' raised JSONDecodeError while being imported at "
        rf"{modules}/uc_boom\.py:3: Expecting property name",
    ):
        App.from_module("uc_boom")


def test_a_missing_dependency_is_named_with_an_install_hint(modules: Path) -> None:
    """A module the app imports that is not installed is named (not "give an import path")."""
    (modules / "uc_dep.py").write_text("import not_installed_lib.sub\ndef main(): pass\n")
    with pytest.raises(
        DefinitionError,
        match=rf"^app module 'uc_dep' imports 'not_installed_lib', which is not installed at "
        rf"{modules}/uc_dep\.py:1; install it \(pip install not_installed_lib\)",
    ):
        App.from_module("uc_dep")


def test_a_missing_app_module_asks_for_an_import_path(modules: Path) -> None:
    """The app module itself missing is told apart from a missing dependency."""
    with pytest.raises(
        DefinitionError,
        match=r"^app module 'uc_nope\.x' cannot be imported "
        r"\(no module 'uc_nope'\); give an import path on sys\.path",
    ):
        App.from_module("uc_nope.x")
    with pytest.raises(DefinitionError, match=r"cannot be found: there is no module 'uc_nope'"):
        read_module("uc_nope.x", "app module 'uc_nope.x'")


def test_sys_exit_at_import_is_a_definition_error(modules: Path) -> None:
    """Even SystemExit from top-level code becomes a DefinitionError, not an exit."""
    (modules / "uc_exit.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(DefinitionError, match=r"raised SystemExit while being imported"):
        import_user_module("uc_exit", "custom check 'uc_exit:f'")


def test_reading_runs_no_code_not_even_package_init(modules: Path) -> None:
    """read_module finds a submodule and reads its names without executing the package's
    ``__init__`` or the module."""
    package = modules / "uc_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('ran')\n")
    (package / "app.py").write_text(
        "raise RuntimeError('ran')\nPACKAGE = 'com.uc'\nif True:\n    async def main(): ...\n"
    )
    source = read_module("uc_pkg.app", "app module 'uc_pkg.app'")
    assert source.package == "com.uc"
    assert source.package_known
    assert source.defines("main")
    assert not source.defines("ACTIONS")
    assert "uc_pkg" not in sys.modules


def test_names_that_only_running_can_tell_are_unknown(modules: Path) -> None:
    """A star import, a module ``__getattr__`` or a computed PACKAGE leave the answer open, so
    validation without imports never reports a false 'has no main()'."""
    (modules / "uc_star.py").write_text("from os.path import *\n")
    (modules / "uc_computed.py").write_text("import os\nPACKAGE = os.environ.get('P', 'x')\n")
    assert read_module("uc_star", "m").defines("main")
    computed = read_module("uc_computed", "m")
    assert not computed.package_known
    assert computed.package is None
