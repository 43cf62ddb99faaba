"""Recorded tracebacks: Python's own text, each file relative to its sys.path entry."""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness._tracebacks import format_exception, relative_path

_MODULE = """
def divide(n):
    return n / (n - n)


def wrapped():
    try:
        divide(3)
    except ZeroDivisionError as error:
        raise ValueError("could not divide") from error


def grouped():
    raise ExceptionGroup("both", [KeyError("k"), ValueError("v")])
"""


@pytest.fixture
def app_module(tmp_path: Path) -> Iterator[object]:
    """A module under ``tmp_path/pkg`` with ``tmp_path`` on ``sys.path``, as an app is."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "crashy.py").write_text(_MODULE)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("pkg.crashy")
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("pkg.crashy", "pkg"):
            sys.modules.pop(name, None)


def _raised(function: object) -> BaseException:
    try:
        function()  # type: ignore[operator]
    except BaseException as error:
        return error
    raise AssertionError("expected an exception")


@pytest.mark.parametrize("name", ["divide_chain", "group"])
def test_python_s_own_text_with_relative_paths(
    app_module: object, tmp_path: Path, name: str
) -> None:
    """Chained causes, exception groups and caret lines are kept; only the paths change."""
    function = getattr(app_module, "wrapped" if name == "divide_chain" else "grouped")
    error = _raised(function)
    expected = (
        "".join(traceback.format_exception(error))
        .replace(f'"{tmp_path / "pkg" / "crashy.py"}"', '"pkg/crashy.py"')
        .replace(f'"{__file__}"', f'"{relative_path(__file__)}"')
    )
    assert format_exception(error) == expected
    assert str(tmp_path) not in format_exception(error)
    assert "pkg/crashy.py" in format_exception(error)
    if name == "divide_chain":
        assert "The above exception was the direct cause" in expected
        assert "~~^~~" in expected or "^^^" in expected  # the caret line survives


def test_relative_path_uses_the_longest_sys_path_entry(tmp_path: Path) -> None:
    inner = tmp_path / "site"
    sys.path[:0] = [str(tmp_path), str(inner)]
    try:
        assert relative_path(str(inner / "lib" / "mod.py")) == "lib/mod.py"
        assert relative_path(str(tmp_path / "app.py")) == "app.py"
    finally:
        del sys.path[:2]
    assert relative_path("/nowhere/on/the/path/thing.py") == "thing.py"
