"""Layers import only downwards (docs/architecture.md): no upward or sideways imports across
packages, no cycles, and no reaching into another package's private modules."""

from __future__ import annotations

from tests.import_graph import LAYERS, SIDEWAYS, cycles, dot, graph, imports, layer_of, text


def test_every_package_is_in_a_layer() -> None:
    """Each package (and top-level module) of harness/ has a documented layer."""
    for package in graph():
        layer_of(package)  # raises for a package in no layer


def test_no_package_imports_upward_or_sideways() -> None:
    """A package imports only packages of lower layers (flutter may import app)."""
    violations = [
        f"{found.module}:{found.line} (harness.{found.importer}) imports harness.{found.imported}"
        for found in imports()
        if layer_of(found.imported) > layer_of(found.importer)
        or (
            layer_of(found.imported) == layer_of(found.importer)
            and (found.importer, found.imported) not in SIDEWAYS
        )
    ]
    assert violations == []


def test_no_module_imports_another_packages_private_module() -> None:
    """``from harness.X._y import`` only inside harness/X: other packages use X's public names."""
    violations = [
        f"{found.module}:{found.line} imports harness.{found.imported}.{found.private}"
        for found in imports()
        if found.private is not None
    ]
    assert violations == []


def test_import_graph_has_no_cycles_and_draws_the_layers() -> None:
    """The package graph is acyclic; its text and DOT drawings name every package, and the
    layers read sim <- device <- platform <- workmanager <- app/flutter <- phone <- scenario <-
    report <- faces."""
    edges = graph()
    assert cycles(edges) == []
    drawn = text(edges)
    assert [line.split(" -> ")[0] for line in drawn.splitlines()] == sorted(
        edges, key=lambda package: (-layer_of(package), package)
    )
    picture = dot(edges)
    assert all(f'"{package}"' in picture for package in edges)
    order = ["sim", "device", "platform", "workmanager", "app", "phone", "scenario", "report"]
    assert [layer_of(package) for package in order] == sorted(layer_of(p) for p in order)
    assert layer_of("app") == layer_of("flutter")
    assert {package for layer in LAYERS for package in layer} >= set(edges)


def test_cycle_finder_finds_a_cycle() -> None:
    """The cycle check itself works: a two-package loop is reported."""
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
