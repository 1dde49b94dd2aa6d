"""!hilfe fits a phone screen: one line per group of what the sender may use; details on ask."""

from __future__ import annotations

import pytest

from commands.framework.registry import Role, RoomKind
from storage.database import Database
from tests.support.desk import Desk

# Help reads the registry only; the database plays no part.
pytestmark = pytest.mark.backend_neutral


async def test_the_short_help_is_one_line_per_group(database: Database) -> None:
    """An admin in the team room gets a heading, ten group lines and one hint: twelve lines."""
    answer = await Desk(database, language="de").ask("!hilfe", role=Role.ADMIN)
    lines = answer.splitlines()
    assert lines[0] == "Was Sie hier tun können:"
    assert len(lines) == 12, answer
    assert "• Kontakte: `!kontakt`, `!kontakt neu`, `!kontakt ändern`, `!wer`" in answer
    assert "• Verwaltung: `!audit`" in answer
    assert lines[-1].startswith("`!hilfe Kontakte` zeigt die Befehle einer Gruppe")


async def test_the_short_help_shows_only_what_the_sender_may_use(database: Database) -> None:
    """A committee member sees no contact, privacy or admin group at all."""
    answer = await Desk(database, language="de").ask(
        "!hilfe", role=Role.MEMBER, room=RoomKind.GROUP
    )
    assert "Kontakte" not in answer.split("\n", 1)[1].rsplit("\n", 1)[0]
    assert "Verwaltung" not in answer and "Datenschutz" not in answer
    assert "• Erinnerungen:" in answer


@pytest.mark.parametrize("group", ["Kontakte", "kontakte", "contacts"])
async def test_a_group_is_shown_in_detail(database: Database, group: str) -> None:
    """!hilfe Kontakte (any case, either language) lists the group's usage lines."""
    answer = await Desk(database, language="de").ask(f"!hilfe {group}")
    assert answer.startswith("Kontakte\n"), answer
    assert "`!kontakt neu <Name…>" in answer and "`!angebot [Stichwort oder Nr.…]" in answer
    assert "!sitzung" not in answer


async def test_a_command_named_like_a_group_is_reached_with_its_prefix(database: Database) -> None:
    """!hilfe gremien is the group; !hilfe !gremien is the command of that name."""
    desk = Desk(database, language="de")
    group = await desk.ask("!hilfe gremien")
    command = await desk.ask("!hilfe !gremien")
    assert group.startswith("Gremien\n") and "• `!gremien` – " in group
    assert command.startswith("`!gremien`") and "Auch schreibbar als" in command
