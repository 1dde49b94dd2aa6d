"""The test suite's own layout: test files share helpers through ``tests/support`` only."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.names import PROJECT

TESTS = PROJECT / "tests"


def imported_modules(path: Path) -> set[str]:
    """The modules that ``path`` imports by name, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_test_file_imports_another_test_file_or_the_conftest() -> None:
    """A helper that two files need lives in tests/support; a test file or conftest.py is
    never imported (a fixture reaches its users by name through conftest.py)."""
    offending = sorted(
        f"{path.name} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in imported_modules(path)
        if module.startswith(("tests.test_", "tests.conftest"))
    )
    assert offending == []


def test_the_support_package_imports_no_test_file() -> None:
    """tests/support stands below the test files: it imports none of them."""
    offending = sorted(
        f"{path.name} imports {module}"
        for path in sorted((TESTS / "support").glob("*.py"))
        for module in imported_modules(path)
        if module.startswith("tests.") and not module.startswith("tests.support")
    )
    assert offending == []
