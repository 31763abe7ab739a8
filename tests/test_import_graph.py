"""The plugin's modules import each other without cycles, deferred imports inside functions included.

A cycle hidden in a function (``from .pages import url_site`` in ``maps``) still ties two modules
together: neither can be read, tested or changed alone. The graph is read from the source (AST).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "plugins" / "mednum"


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(current: str, is_package: bool, node: ast.ImportFrom, modules: set[str]) -> list[str]:
    """The plugin modules one ``from … import …`` reads: ``from . import urls`` reads mednum.urls
    (not mednum's __init__, which Python has run before any of its modules); ``from . import
    write_text`` reads the package's __init__."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = current.split(".")
        parts = parts if is_package else parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, node.module] if node.module else parts)
    submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
    return submodules if len(submodules) == len(node.names) else [base, *submodules]


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                targets = resolve(name, path.name == "__init__.py", node, set(files))
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_sees_a_deferred_import_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reads_relative_absolute_and_deferred_imports(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import x\n",
        "a.py": "from . import b\nx = 1\n",
        "b.py": "def f():\n    from .sub import c\n",
        "sub/__init__.py": "from .. import a\nfrom . import helper_value\n",
        "sub/c.py": "import pkg.a\nfrom ..b import f\nfrom . import helper_value\n",
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    assert import_graph(package) == {
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.b"},  # from . import b: the module b, not the package's __init__
        "pkg.b": {"pkg.sub.c"},  # inside a function
        "pkg.sub": {"pkg.a"},
        "pkg.sub.c": {"pkg.a", "pkg.b", "pkg.sub"},  # helper_value is a name of pkg.sub's __init__
    }


def test_no_import_cycle_in_the_plugin():
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" ↔ ".join(group) for group in found)


def test_addresses_depend_on_nothing_of_the_plugin():
    """urls and page are what every planner and export import: they must import none of them."""
    graph = import_graph()
    assert graph["mednum.urls"] == set()
    assert graph["mednum.page"] == {"mednum.urls"}
