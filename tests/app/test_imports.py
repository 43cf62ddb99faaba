"""Fresh imports per run (harness/app/_imports.py): user modules start anew inside the block and
are forgotten after it; library modules stay cached; process-wide settings come back."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

import harness.scenario
from harness.app import fresh_imports

COUNTER = "tests.scenario.apps.counter"


def test_a_user_module_is_imported_afresh_inside_and_restored_after() -> None:
    """A user module imported before the block is a new copy inside it, the old one after."""
    before = importlib.import_module(COUNTER)
    setattr(before, "LAUNCHES", 41)  # noqa: B010 - state a fresh copy must not see
    with fresh_imports():
        inside = importlib.import_module(COUNTER)
        assert inside is not before
        assert inside.LAUNCHES == 0
        parent = sys.modules["tests.scenario.apps"]
    assert sys.modules[COUNTER] is before
    assert getattr(sys.modules["tests.scenario.apps"], "counter") is before  # noqa: B009
    assert getattr(parent, "counter") is inside  # noqa: B009


def test_a_user_module_first_imported_inside_is_dropped_after() -> None:
    """A user module the block imported is gone afterwards (the next block imports it anew)."""
    sys.modules.pop("tests.scenario.apps.real_io", None)
    with fresh_imports():
        importlib.import_module("tests.scenario.apps.real_io")
    assert "tests.scenario.apps.real_io" not in sys.modules


def test_library_modules_stay_cached() -> None:
    """harness, the standard library and third-party packages are not imported again."""
    with fresh_imports():
        assert importlib.import_module("harness.scenario") is harness.scenario
        assert importlib.import_module("json") is json
        assert importlib.import_module("pytest") is pytest


def test_named_modules_count_as_user_code() -> None:
    """A module named by the scenario is imported afresh even when it is library code."""
    with fresh_imports(["json"]):
        assert importlib.import_module("json") is not json
    assert sys.modules["json"] is json


def test_environment_cwd_and_path_come_back_also_after_an_error(tmp_path: Path) -> None:
    """os.environ, the working directory and sys.path are restored, also when the body raises."""
    environ, cwd, path = dict(os.environ), os.getcwd(), list(sys.path)

    def change_everything() -> None:
        os.environ["HARNESS_FRESH_IMPORTS"] = "1"
        del os.environ["PATH"]
        os.chdir(tmp_path)
        sys.path.insert(0, str(tmp_path))
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError), fresh_imports():
        change_everything()
    assert (dict(os.environ), os.getcwd(), sys.path) == (environ, cwd, path)


def test_a_files_real_path_is_os_realpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a file is library code is judged on its real path (os.path.realpath), also when
    a directory or the file itself is a symbolic link, the path is relative or the file is gone
    (the real path of its directory is resolved once per directory)."""
    from harness.app._imports import _real_path

    real = tmp_path / "real"
    real.mkdir()
    (real / "mod.py").write_text("")
    (tmp_path / "linked_dir").symlink_to(real)
    (real / "linked_file.py").symlink_to(tmp_path / "elsewhere.py")
    (tmp_path / "elsewhere.py").write_text("")
    monkeypatch.chdir(tmp_path)
    for path in (
        str(real / "mod.py"),
        str(tmp_path / "linked_dir" / "mod.py"),
        str(tmp_path / "linked_dir" / "linked_file.py"),
        str(tmp_path / "linked_dir" / "gone.py"),
        str(tmp_path / "linked_dir" / ".." / "real" / "mod.py"),
        "linked_dir/mod.py",
        str(tmp_path / "linked_dir") + "/",
    ):
        assert _real_path(path) == os.path.realpath(path), path
    assert _real_path(str(tmp_path / "linked_dir" / "mod.py")) == str(real / "mod.py")
