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
