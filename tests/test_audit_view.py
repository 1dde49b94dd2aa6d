"""!audit reads like a log for people: newest first, in the reader's language, objects named."""

from __future__ import annotations

from datetime import timedelta

from commands.registry import Role
from storage.database import Database
from tests.desk import Desk


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
