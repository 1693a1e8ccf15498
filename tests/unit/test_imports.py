"""The library's import graph has no cycle, counting imports inside functions too, and keeps to its
layers (issue 26): a cycle means two modules that cannot be read, tested or moved apart, and an
import across layers means the folder listing no longer says where a change goes."""
from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "plugins" / "filegate"


def modules(root: Path = LIBRARY) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        if "vendor" in path.parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The library modules `name` imports anywhere in its text (`from a import b` counts as a.b
    when that is a module, else as a)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            out |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names}
    return {m for m in out if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def graph_of(root: Path = LIBRARY) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imported(name, path, known) for name, path in known.items()}


def test_the_library_imports_no_module_that_imports_it_back():
    assert cycles(graph_of()) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from .c import g\n")
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from pkg.a import thing\n")
    assert cycles(graph_of(package)) == [["pkg.a", "pkg.b", "pkg.c"]]


# Who may import whom (issue 26): the folder listing is the architecture only if imports keep to
# it. Each package of the library, and what of the library it may import besides itself.
LAYERS = {
    "kit": {"settings"},                                      # what a dataset author uses
    "warehouse": {"kit", "datasets"},                         # models are generated from declarations
    "ingest": {"kit", "warehouse", "datasets", "settings"},
    "outputs": {"kit", "warehouse", "datasets", "settings"},
    "ops": {"kit", "warehouse", "datasets", "settings", "ingest"},
    "ui": {"kit", "warehouse", "datasets", "settings", "ingest"},
    "datasets": {"kit", "settings"},
    "sensors": {"ingest"},
    "dags": {"kit", "warehouse", "datasets", "settings", "ingest", "outputs", "ops", "sensors"},
    "plugin": {"ui"},
    "settings": set(),
}
# A dataset's answers (its report queries, its page) read the warehouse as the UI does.
ANSWERS = {"outputs", "warehouse", "ingest", "ui"}


def package_of(module: str) -> str:
    return (module.split(".") + [""])[1]


def crossings(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for name, targets in sorted(graph.items()):
        if ".migrations." in name or name == "filegate":
            continue
        allowed = {package_of(name)} | LAYERS[package_of(name)]
        if package_of(name) == "datasets" and name.rsplit(".", 1)[-1] in ("queries", "ui"):
            allowed |= ANSWERS
        found += [f"{name} imports {t}" for t in sorted(targets) if package_of(t) not in allowed]
    return found


def test_every_package_imports_only_the_layers_beneath_it():
    assert set(LAYERS) >= {package_of(name) for name in graph_of() if name != "filegate"}
    assert crossings(graph_of()) == []


def test_a_dataset_reaching_past_the_kit_is_found():
    graph = {"filegate.datasets.toy.reader": {"filegate.kit.readers", "filegate.ingest.registry"},
             "filegate.datasets.toy.queries": {"filegate.warehouse.connection"}}
    assert crossings(graph) == ["filegate.datasets.toy.reader imports filegate.ingest.registry"]
