"""Public names are exactly the documented ones (STYLE.md rule 2), so nothing leaks by accident."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

_DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"
_SECTION = re.compile(r"^### `(harness[\w.]*)`\n((?:.+\n)+)", re.MULTILINE)


def _documented() -> dict[str, list[str]]:
    text = _DOC.read_text(encoding="utf-8")
    public = text.split("## Public names", 1)[1]
    return {
        match.group(1): re.findall(r"`([^`]+)`", match.group(2))
        for match in _SECTION.finditer(public)
    }


@pytest.mark.parametrize(("package", "names"), sorted(_documented().items()))
def test_all_matches_documentation(package: str, names: list[str]) -> None:
    """A package's __all__ equals its list in docs/architecture.md (ruff RUF022 keeps it sorted)."""
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    assert sorted(exported) == sorted(names)
    for name in exported:
        assert hasattr(module, name), f"{package}.__all__ lists {name} but it is missing"


def test_the_version_is_defined_once() -> None:
    """pyproject.toml reads the version from harness.__version__ (hatch's dynamic version)."""
    import importlib.metadata
    import tomllib
    from pathlib import Path

    import harness

    pyproject = tomllib.loads(
        (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    )
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "harness/__init__.py"
    assert importlib.metadata.version("harness") == harness.__version__
