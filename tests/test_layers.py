"""The packages depend one way: bot → commands → storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.names import PROJECT

# Which top-level packages each layer must never import.
FORBIDDEN = {"commands": {"bot"}, "storage": {"bot", "commands"}}


def imported_packages(source: Path) -> set[str]:
    """The top-level package of every import in ``source``, also inside functions."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def violations(layer: str) -> list[str]:
    forbidden = FORBIDDEN[layer]
    return [
        f"{path.relative_to(PROJECT)} imports {package}"
        for path in sorted((PROJECT / layer).rglob("*.py"))
        for package in sorted(imported_packages(path) & forbidden)
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_never_imports_a_higher_one(layer: str) -> None:
    """commands/ never imports bot/, and storage/ imports neither bot/ nor commands/."""
    assert violations(layer) == []


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path: Path) -> None:
    """The scan finds a late import inside a function body, not only the module header."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from bot.config import load_config\n", encoding="utf-8")
    assert imported_packages(module) == {"bot"}
