"""The layers inside `timeline/`: each module imports only its own layer and those below,
and no two modules import each other, not even inside a function.

    store       connection, envelope, errors, schema, tables, db, migrations, log
    projection  folding, fulltext, rows, settling, projector
    service     service, verification, selection, as_of, exporting, output, importers,
                snapshots, duplicates, entries, editors, demo
    front       cli, datasette_plugin, timeline_page, renderings, neighbours, subscriptions,
                metadata, datasette_compat (the ways in)

A new module is placed in a layer here, or this test fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "timeline"

LAYERS: dict[str, tuple[str, ...]] = {
    "store": (
        "connection",
        "envelope",
        "errors",
        "schema",
        "tables",
        "db",
        "migrations",
        "log",
    ),
    "projection": ("folding", "fulltext", "rows", "settling", "projector"),
    "service": (
        "service",
        "verification",
        "selection",
        "as_of",
        "exporting",
        "output",
        "importers",
        "snapshots",
        "duplicates",
        "entries",
        "editors",
        "demo",
    ),
    "front": (
        "cli",
        "datasette_plugin",
        "timeline_page",
        "renderings",
        "neighbours",
        "subscriptions",
        "metadata",
        "datasette_compat",
        "__main__",
    ),
}
RANK = {module: rank for rank, modules in enumerate(LAYERS.values()) for module in modules}


def module_of(path: Path) -> str:
    """The top module inside `timeline/` that *path* belongs to (a package counts as one)."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def timeline_imports(path: Path) -> set[str]:
    """The `timeline.*` modules *path* imports anywhere, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "timeline":
                names = [f"timeline.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "timeline" and len(parts) > 1:
                found.add(parts[1])
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        module = module_of(path)
        edges.setdefault(module, set()).update(timeline_imports(path) - {module})
    return edges


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(set(graph()) - set(RANK))
    assert not unplaced, f"place these modules in a layer of tests/test_architecture.py: {unplaced}"


@pytest.mark.parametrize("module", sorted(graph()))
def test_no_module_reaches_up_a_layer(module: str) -> None:
    above = {target for target in graph()[module] if RANK.get(target, -1) > RANK[module]}
    assert not above, f"timeline.{module} ({_layer(module)}) imports a higher layer: {above}"


def test_no_import_cycles() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail(f"an import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for target in sorted(edges.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def _layer(module: str) -> str:
    return next(name for name, modules in LAYERS.items() if module in modules)
