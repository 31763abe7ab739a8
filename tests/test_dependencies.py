"""Every third-party package the plugin imports is declared in pyproject.toml's ``dependencies``.

A package that is only a dev dependency, or only installed because another one needs it, works on
a developer's machine and breaks a production install (``pip install .``) the day the other one
stops needing it. The imports are read from the source (AST), so an import inside a function, run
only by one command, counts too.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from conftest import ROOT

PLUGIN = ROOT / "plugins" / "mednum"
OWN = {"mednum"}


def imported_modules() -> dict[str, set[str]]:
    """Top-level names of the absolute imports of plugins/mednum/**/*.py → the files importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.partition(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def canonical(name: str) -> str:
    """Distribution names compared as PEP 503 normalises them (``ruamel.yaml`` = ``ruamel-yaml``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonical(re.match(r"[A-Za-z0-9._-]+", spec).group()) for spec in project["dependencies"]}


def test_the_plugin_imports_modules():
    """The walk sees the imports (a broken walk would make the next test pass on nothing)."""
    modules = imported_modules()
    assert {"yaml", "pelican", "markupsafe", "icalendar"} <= set(modules)


def test_every_imported_distribution_is_a_declared_dependency():
    distributions = packages_distributions()
    wanted = declared()
    missing = []
    unknown = []
    for module, files in sorted(imported_modules().items()):
        if module in sys.stdlib_module_names or module in OWN:
            continue
        owners = distributions.get(module)
        if not owners:
            unknown.append(f"{module} (imported by {', '.join(sorted(files))})")
            continue
        if not any(canonical(d) in wanted for d in owners):
            missing.append(
                f"{' or '.join(sorted(set(owners)))} (module {module}, {', '.join(sorted(files))})"
            )
    assert not unknown, "imported by the plugin, provided by no installed distribution:\n" + "\n".join(
        unknown
    )
    assert not missing, "add to [project] dependencies in pyproject.toml, version pinned:\n" + "\n".join(
        missing
    )
