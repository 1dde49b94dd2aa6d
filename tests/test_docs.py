"""The README's command overview is generated from the registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.docs import with_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_command_table_matches_the_registry() -> None:
    """README.md shows exactly what `make docs` generates from the command declarations."""
    text = README.read_text(encoding="utf-8")
    assert text == with_table(text), "README command table is stale: run `make docs`"


def test_readme_names_the_two_commands() -> None:
    """A new user finds `make demo` and `make test` in the README."""
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
