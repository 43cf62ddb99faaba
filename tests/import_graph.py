"""The package-level import graph of ``harness`` (docs/architecture.md, "Layers").

``python -m tests.import_graph`` prints one ``package -> imported, ...`` line per package;
``python -m tests.import_graph --dot`` prints the graph in Graphviz DOT
(``| dot -Tsvg > graph.svg``). A package is a sub-package (``harness/sim/``) or a top-level
module (``harness/cli.py``); imports inside a package are left out. ``tests/test_architecture.py``
checks the graph against :data:`LAYERS`.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "harness"

#: The layers, lowest first; a package may import packages of lower layers only. Packages in one
#: layer are independent of each other, except the pairs in :data:`SIDEWAYS`.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_exceptions", "_lazy", "_signals", "_tracebacks"),
    ("_units",),
    ("sim",),
    ("backends",),
    ("device",),
    ("platform", "ios"),
    ("workmanager",),
    ("app", "flutter", "background_fetch"),
    ("phone",),
    ("scenario",),
    ("report",),
    ("_pytest_items", "demo", "property", "strategies"),
    (
        "cli",
        "_cli_fleet",
        "_cli_fuzz",
        "_cli_report",
        "_cli_why",
        "_fuzz",
        "_swarm",
        "pytest_plugin",
        "__init__",
    ),
)
#: Imports allowed within a layer: the flutter facade is built on the app runtime (and the
#: background_fetch plugin on both, sharing flutter's platform calls); the command line runs
#: fleets, fuzzing, comparisons and ``why`` with its own modules.
SIDEWAYS: frozenset[tuple[str, str]] = frozenset(
    {
        ("flutter", "app"),
        ("background_fetch", "app"),
        ("background_fetch", "flutter"),
        ("cli", "_cli_fleet"),
        ("cli", "_cli_fuzz"),
        ("cli", "_cli_report"),
        ("cli", "_cli_why"),
        ("_cli_fuzz", "_fuzz"),
        ("_fuzz", "_swarm"),
    }
)


@dataclass(frozen=True, slots=True)
class Import:
    """One ``import`` of another harness package by a module."""

    module: Path  # the importing file, relative to the harness directory
    line: int
    importer: str  # the importing package
    imported: str  # the imported package
    private: str | None  # the private module named (``_record`` in ``harness.scenario._record``)


def package_of(module_path: Path) -> str:
    """The package a file belongs to: its sub-package, or the top-level module's name."""
    return module_path.relative_to(PACKAGE).parts[0].removesuffix(".py")


@functools.cache
def imports() -> tuple[Import, ...]:
    """Every import of one harness package by a module of another (relative imports resolved),
    read once per process."""
    return tuple(_scan())


def _scan() -> Iterator[Import]:
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = package_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(path, node.module, node.level)
                names = [module]
                if module == "harness":  # from harness import sim
                    names = [f"harness.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] != "harness" or len(parts) < 2 or parts[1] == importer:
                    continue
                if parts[1] not in _packages():
                    continue  # a name re-exported by harness/__init__.py, not a package
                private = parts[2] if len(parts) > 2 and parts[2].startswith("_") else None
                yield Import(path.relative_to(PACKAGE), node.lineno, importer, parts[1], private)


def _absolute(path: Path, module: str | None, level: int) -> str:
    """The absolute name of ``from <level dots><module> import`` in ``path``."""
    if level == 0:
        return module or ""
    parts = ["harness", *path.relative_to(PACKAGE).with_suffix("").parts]
    base = parts[: len(parts) - level]
    return ".".join([*base, module] if module else base)


@functools.cache
def _packages() -> frozenset[str]:
    return frozenset({package_of(path) for path in PACKAGE.rglob("*.py")})


def graph() -> dict[str, set[str]]:
    """Package -> the packages it imports."""
    edges: dict[str, set[str]] = {package: set() for package in _packages()}
    for found in imports():
        edges[found.importer].add(found.imported)
    return edges


def layer_of(package: str) -> int:
    """The index of ``package``'s layer in :data:`LAYERS` (``ValueError`` if it has none)."""
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise ValueError(f"harness/{package} is in no layer of tests/import_graph.py LAYERS")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The cycles of the graph (each as a path that returns to its start), by depth-first
    search."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def text(edges: dict[str, set[str]]) -> str:
    """One line per package, highest layer first: ``package -> a, b``."""
    order = sorted(edges, key=lambda package: (-layer_of(package), package))
    return "".join(
        f"{package} -> {', '.join(sorted(edges[package])) or '-'}\n" for package in order
    )


def dot(edges: dict[str, set[str]]) -> str:
    """The graph in Graphviz DOT, one rank per layer."""
    lines = ["digraph harness {", "  rankdir=BT;", "  node [shape=box];"]
    for layer in LAYERS:
        members = " ".join(f'"{package}";' for package in layer if package in edges)
        lines.append(f"  {{ rank=same; {members} }}")
    for package in sorted(edges):
        for target in sorted(edges[package]):
            lines.append(f'  "{package}" -> "{target}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Print the graph (``--dot`` for DOT)."""
    edges = graph()
    sys.stdout.write(dot(edges) if "--dot" in argv else text(edges))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
