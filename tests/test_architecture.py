"""Layers import only downwards (docs/architecture.md): a lower layer never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent / "harness"

#: Highest first, as in docs/architecture.md; each may import those after it.
LAYERS = [
    "cli",
    "pytest_plugin",
    "report",
    "scenario",
    "phone",
    "flutter",
    "app",
    "platform",
    "workmanager",
    "device",
    "backends",
    "sim",
    "_units",
    "_exceptions",
]
_FACES = {"cli", "pytest_plugin", "_pytest_items", "demo", "strategies", "__init__", "__main__"}


def _layer_of(module_path: Path) -> str:
    relative = module_path.relative_to(_PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_layers(module_path: Path) -> set[str]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    layers = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "harness" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def test_no_layer_imports_upward() -> None:
    """Each module imports only its own layer or layers below it."""
    violations = []
    for module_path in sorted(_PACKAGE.rglob("*.py")):
        layer = _layer_of(module_path)
        if layer in _FACES:
            continue
        assert layer in LAYERS, f"{module_path} is in no documented layer; add it to the docs"
        rank = LAYERS.index(layer)
        for imported in _imported_layers(module_path):
            if imported in LAYERS and LAYERS.index(imported) < rank:
                violations.append(f"{module_path.relative_to(_PACKAGE)} imports harness.{imported}")
    assert violations == []
