"""People are shown by the display name they chose in Matrix, not by their Matrix id."""

from __future__ import annotations

import pytest

from tests.support.matrix import Office

pytestmark = pytest.mark.synapse


async def test_the_reminder_list_names_its_creator_by_display_name(office: Office) -> None:
    """After Anna sets her display name, !reminders shows "Anna Schulz", not her Matrix id."""
    anna = office.anna
    await anna.client.set_displayname("Anna Schulz")

    def bot_sees_the_name() -> bool:
        gateway = office.bot.bot.gateway if office.bot.bot else None
        room = gateway.client.rooms.get(office.team_room) if gateway else None
        return room is not None and room.user_name(anna.user_id) == "Anna Schulz"

    await anna.wait_until(bot_sees_the_name, timeout=20)
    await anna.ask(office.team_room, "!remind tomorrow 9am: send the minutes")
    listing = await anna.ask(office.team_room, "!reminders")
    assert "Anna Schulz" in listing.body, listing.body
    assert anna.user_id not in listing.body
