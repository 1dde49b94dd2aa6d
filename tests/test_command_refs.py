"""Every command that a text names by a literal string is a registered command.

A text that points the reader to another command names it in German (``ctx.command_ref("sitzung
neu", …)``, ``registry.named("tagesordnung")``); the name is resolved only when that text is
rendered, so a typo would otherwise surface only when its branch runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

from commands.catalog.modules import build_registry
from tests.support.names import PROJECT

SCANNED = ("commands", "bot")


@dataclass(frozen=True)
class NamedCommand:
    """A command name written as a string literal where a text refers to that command."""

    name: str
    where: str  # file:line, for the failure message


def literal(node: ast.expr | None) -> str | None:
    """The text of ``node`` if it is a string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def name_argument(call: ast.Call) -> ast.expr | None:
    """The argument that names the command in a call of ``command_ref`` or
    ``registry.named``, or None for any other call."""
    function, arguments = call.func, call.args
    if not arguments:
        return None
    if isinstance(function, ast.Attribute):
        if function.attr == "command_ref":  # ctx.command_ref(name, rest)
            return arguments[0]
        receiver = ast.unparse(function.value)
        if function.attr == "named" and receiver.endswith("registry"):
            return arguments[0]
        return None
    if isinstance(function, ast.Name) and function.id == "command_ref":
        # command_ref(name, …) or command_ref(translator, name, …)
        if literal(arguments[0]) is None and len(arguments) > 1:
            return arguments[1]
        return arguments[0]
    return None


def named_commands(source: str, filename: str) -> list[NamedCommand]:
    """Every literal command name referred to in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            name = literal(name_argument(node))
            if name is not None:
                found.append(NamedCommand(name, f"{filename}:{node.lineno}"))
    return found


def all_named_commands() -> list[NamedCommand]:
    """The literal command names in every module of ``commands/`` and ``bot/``."""
    found = []
    for package in SCANNED:
        for path in sorted((PROJECT / package).rglob("*.py")):
            relative = str(path.relative_to(PROJECT))
            found.extend(named_commands(path.read_text(encoding="utf-8"), relative))
    return found


def unresolved(references: list[NamedCommand]) -> list[NamedCommand]:
    """The references whose name is no registered command."""
    registry = build_registry()
    missing = []
    for reference in references:
        try:
            registry.named(reference.name)
        except LookupError:
            missing.append(reference)
    return missing


def test_the_scan_finds_the_references() -> None:
    """The scan sees the texts' references (about sixty), so an empty scan cannot pass."""
    assert len(all_named_commands()) >= 50


def test_every_literal_command_reference_names_a_registered_command() -> None:
    """Each ``command_ref("…")`` and ``registry.named("…")`` literal in commands/ and bot/
    resolves to a command of the registry."""
    missing = unresolved(all_named_commands())
    assert missing == [], "\n".join(f"{m.where}: no command {m.name!r}" for m in missing)


@pytest.mark.parametrize(
    "source",
    [
        'ctx.command_ref("sitzung neuu", "…")',
        'command_ref(t, "tagesordnungg")',
        'command_ref("aufgabenn")',
        'self.registry.named("erledigtt").ref(t.language, prefix)',
    ],
)
def test_a_misspelt_reference_is_reported(source: str) -> None:
    """A misspelt name in any of the four spellings of a reference is found and reported."""
    [reference] = named_commands(source, "example.py")
    assert unresolved([reference]) == [reference]


def test_a_handler_reference_and_a_store_lookup_are_not_taken_for_names() -> None:
    """``ctx.command_ref(handler, "…")`` names the command by its handler, and
    ``store.committees.named("…")`` looks up a committee: neither is a command name."""
    source = 'ctx.command_ref(item_accept, "…")\nctx.store.committees.named("Beirat")'
    assert named_commands(source, "example.py") == []
