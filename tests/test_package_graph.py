"""The packages of commands/ form one direction: the framework at the bottom, features above
it, each feature importing only features below it, and the catalog on top."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

from tests.support.names import PROJECT

COMMANDS = PROJECT / "commands"
# The packages every feature builds on; they import no feature.
BASE = {"framework", "dates"}
# The package that lists the features for the registry: it may import all of them.
CATALOG = "catalog"


def package_imports(commands: Path) -> dict[str, set[str]]:
    """For each package of ``commands``, the other packages of it that its modules import
    (also inside functions and under ``TYPE_CHECKING``)."""
    graph: dict[str, set[str]] = {}
    for source in sorted(commands.rglob("*.py")):
        parts = source.relative_to(commands).parts
        if len(parts) < 2:
            continue
        package = parts[0]
        imported = graph.setdefault(package, set())
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                if node.module == commands.name:  # from commands import meetings
                    names += [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                dotted = name.split(".")
                if dotted[0] == commands.name and len(dotted) > 1 and dotted[1] != package:
                    imported.add(dotted[1])
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk, each as the packages along it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(package: str, path: list[str]) -> None:
        if package in path:
            found.append([*path[path.index(package) :], package])
            return
        if package in done:
            return
        for target in sorted(graph.get(package, ())):
            walk(target, [*path, package])
        done.add(package)

    for package in sorted(graph):
        walk(package, [])
    return found


def problems(commands: Path) -> list[str]:
    """What breaks the direction in ``commands``, one sentence each."""
    graph = package_imports(commands)
    said = [" → ".join(cycle) + " is a cycle" for cycle in cycles(graph)]
    features = set(graph) - BASE - {CATALOG}
    for base in sorted(BASE):
        for feature in sorted(graph.get(base, set()) & (features | {CATALOG})):
            said.append(f"{base} imports the feature {feature}")
    for package in sorted(set(graph) - {CATALOG}):
        if CATALOG in graph[package]:
            said.append(f"{package} imports the catalog")
    return said


def test_the_feature_packages_import_each_other_in_one_direction() -> None:
    """No cycle between packages, and the framework imports no feature (that neither
    commands/ nor storage/ imports bot/ is pinned in test_layers)."""
    assert problems(COMMANDS) == []


def test_commands_holds_packages_only() -> None:
    """Every module of commands/ belongs to a package; only the package marker is at the root."""
    assert sorted(path.name for path in COMMANDS.glob("*.py")) == ["__init__.py"]


def write_tree(root: Path, modules: Mapping[str, str]) -> Path:
    """A throwaway ``commands`` tree: each key a module path, each value its source."""
    commands = root / "commands"
    for name, source in modules.items():
        path = commands / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return commands


def test_the_check_finds_a_cycle_and_a_framework_importing_a_feature(tmp_path: Path) -> None:
    """A late import that closes a circle and a framework module importing a feature are
    each named."""
    commands = write_tree(
        tmp_path,
        {
            "framework/dispatch.py": "from commands.questions.matcher import understand\n",
            "questions/matcher.py": "from commands.framework import dispatch\n",
            "meetings/texts.py": "def f():\n    from commands.agenda.items import x\n",
            "agenda/items.py": "from commands import meetings\n",
        },
    )
    found = problems(commands)
    assert "agenda → meetings → agenda is a cycle" in found
    assert "framework imports the feature questions" in found
