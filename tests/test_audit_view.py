"""!audit reads like a log for people: newest first, in the reader's language, objects named."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from commands.admin.commands import AUDIT_ACTIONS, AUDIT_OBJECTS
from commands.framework.registry import Role
from storage.database import Database
from tests.support.desk import Desk


async def test_the_audit_log_is_newest_first_in_german_with_names(database: Database) -> None:
    """After a contact is created and then changed, !audit shows the change first, in German,
    with the contact's number and name instead of a raw id."""
    desk = Desk(database, language="de")
    await desk.ask("!kontakt neu Jana Krüger org=Volkshochschule Musterland")
    desk.clock.advance(timedelta(minutes=5))
    await desk.ask("!kontakt ändern 1 tel=05555 2296")
    desk.clock.advance(timedelta(minutes=5))
    answer = await desk.ask("!audit", role=Role.ADMIN)
    lines = answer.splitlines()
    assert lines[0] == "Audit-Protokoll, neueste zuerst:"
    changed = next(
        i for i, line in enumerate(lines) if "geändert: Kontakt Nr. 1 Jana Krüger" in line
    )
    created = next(
        i for i, line in enumerate(lines) if "angelegt: Kontakt Nr. 1 Jana Krüger" in line
    )
    assert changed < created
    assert "angelegt: Organisation Nr. 1 Volkshochschule Musterland" in answer
    assert "person:1" not in answer and "update" not in answer


async def test_an_erased_contact_is_not_named_in_the_log(database: Database) -> None:
    """After erasure the log still shows what happened to contact No. 1, but not the name."""
    desk = Desk(database, language="de")
    await desk.ask("!kontakt neu Jana Krüger")
    await desk.ask("!kontakt löschen 1 bestätigt")
    answer = await desk.ask("!audit", role=Role.ADMIN)
    assert "gelöscht (DSGVO): Kontakt Nr. 1" in answer
    assert "Krüger" not in answer


def _audited_literals() -> tuple[set[str], set[str]]:
    """The action and object-type literals of every ``audit.record(...)`` call in the code."""
    actions: set[str] = set()
    objects: set[str] = set()
    for path in [*Path("bot").rglob("*.py"), *Path("commands").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "audit"
            ):
                continue
            for index, found in ((2, actions), (3, objects)):
                argument = node.args[index] if len(node.args) > index else None
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
    return actions, objects


def test_every_audited_action_and_object_has_a_name_for_readers() -> None:
    """No raw key such as ``join`` or ``agenda_item`` reaches !audit: each literal the code
    records has a translated label."""
    actions, objects = _audited_literals()
    assert "create" in actions and "person" in objects  # the scan finds the calls
    assert actions - set(AUDIT_ACTIONS) == set()
    assert objects - set(AUDIT_OBJECTS) == set()
