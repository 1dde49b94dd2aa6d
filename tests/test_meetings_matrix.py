"""Meetings over Matrix: scheduled in the committee room, listed there, and changes or
invitations from the team room arriving in the committee room."""

from __future__ import annotations

import pytest

from bot.devtools.chat_client import ChatClient
from tests.support.matrix import Office, beirat_with_bernd, day_ahead

# The bot runs on SQLite and on PostgreSQL: meetings, series and the scheduler's entries.
pytestmark = [pytest.mark.synapse, pytest.mark.every_backend]


async def bot_message_containing(office: Office, person: ChatClient, room: str, words: str) -> str:
    """The body of the bot's first message in ``room`` containing ``words``, once ``person``
    has received it."""

    def found() -> str | None:
        for message in person.messages:
            from_bot = message.room_id == room and message.sender == office.bot.user_id
            if from_bot and words in message.body:
                return message.body
        return None

    await person.wait_until(lambda: found() is not None)
    body = found()
    assert body is not None
    return body


async def test_a_meeting_scheduled_in_the_committee_room_is_listed(office: Office) -> None:
    """Anna schedules a meeting in the Bildungsbeirat's room; Bernd, a member, sees it with
    !meetings there."""
    room, bernd = await beirat_with_bernd(office)
    created = await office.anna.ask(room, f"!meeting new {day_ahead(30)} 14:00 duration=90min")
    assert "of Bildungsbeirat scheduled" in created.body, created.body
    assert "14:00–15:30" in created.body and "Place: Kreishaus, Raum 101" in created.body
    listing = await bernd.ask(room, "!meetings")
    assert "Upcoming meetings of Bildungsbeirat (1):" in listing.body, listing.body
    assert "No. 1 · " in listing.body and "14:00 · Bildungsbeirat" in listing.body


async def test_a_meeting_moved_from_the_team_room_is_announced_in_the_committee_room(
    office: Office,
) -> None:
    """Anna moves a meeting in the team room; she gets a confirmation there and Bernd sees the
    announcement in the committee room."""
    room, bernd = await beirat_with_bernd(office)
    await office.anna.ask(room, f"!meeting new {day_ahead(30)} 14:00")
    moved = await office.anna.ask(office.team_room, f"!meeting move 1 {day_ahead(31)} 10:00")
    assert "Meeting No. 1 moved to" in moved.body, moved.body
    assert "announced in the room of Bildungsbeirat" in moved.body
    announcement = await bot_message_containing(office, bernd, room, "has been moved")
    assert "Meeting No. 1 of Bildungsbeirat has been moved" in announcement
    assert "10:00–12:00" in announcement


async def test_the_invitation_is_posted_in_the_committee_room(office: Office) -> None:
    """!invitation 1 in the team room posts the formal invitation into the committee room."""
    room, bernd = await beirat_with_bernd(office)
    await office.anna.ask(room, f"!meeting new {day_ahead(30)} 14:00")
    confirmation = await office.anna.ask(office.team_room, "!invitation 1")
    assert "posted in Bildungsbeirat's room" in confirmation.body, confirmation.body
    assert "notice period" not in confirmation.body
    invitation = await bot_message_containing(office, bernd, room, "Invitation to the meeting")
    assert "Invitation to the meeting of Bildungsbeirat" in invitation
    assert "Agenda: to follow" in invitation and "Please submit agenda items by" in invitation
