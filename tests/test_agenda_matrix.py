"""The agenda over Matrix, in one encrypted committee room through the real Synapse: two members
submit items (one with a paper, one late), the call for items and the draft for the organisers
fire once across restarts, the organiser shapes and publishes, a member may not, and the
invitation, the calendar file and the next meeting carry what they should.

The details (numbering, sums, roles, bad input, roll-over, cancelling) are tested at the desk in
``tests/test_agenda.py``; this test pins what crosses Matrix.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from nio import MemoryDownloadResponse

from bot.devtools.chat_client import ChatClient, Message
from tests.support.matrix import Office, frozen_at

pytestmark = pytest.mark.synapse

# The bot believes it is Monday, 9 March 2026, 09:00 in Berlin; every later moment it is moved
# to stays in the real past, so the people's real message timestamps never look stale to it.
MONDAY = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
MEETING = "20.04.2026 14:00"  # 12:00 UTC; items are due a week before, 13 April, 14:00
DEADLINE = datetime(2026, 4, 13, 12, 0, tzinfo=UTC)
CALL = DEADLINE - timedelta(days=7)  # the configured call, a week before the deadline
JUST_BEFORE = timedelta(seconds=3)


def from_bot(office: Office, person: ChatClient, room: str, words: str) -> list[str]:
    """The bodies of the bot's messages in ``room`` that ``person`` got and that contain
    ``words``."""
    return [
        message.body
        for message in person.messages
        if message.room_id == room and message.sender == office.bot.user_id
        and words in message.body
    ]  # fmt: skip


async def test_a_meeting_agenda_from_the_first_item_to_the_next_meeting(office: Office) -> None:
    """Bernd and Clara submit items, Bernd attaches a paper; the call and the draft come once
    each across restarts; a late item waits; Anna accepts it, reorders and publishes, Bernd may
    not; the invitation lists the agenda with the paper, the .ics only its public part, and a
    postponed item shows on the next meeting's agenda as postponed."""
    anna = office.anna
    await office.bot.restart(frozen_at(MONDAY))
    bernd = await office.people.person("bernd")
    clara = await office.people.person("clara")
    room = await office.room_with_bot(anna, "Bildungsbeirat", [bernd, clara], encrypted=True)
    await anna.ask(room, '!committee new "Bildungsbeirat" kurz=BB')
    await anna.ask(room, f"!meeting new {MEETING}")
    await anna.ask(room, "!meeting new 18.05.2026 14:00")

    first = await bernd.ask(room, "!item Bildungsbericht 2026 duration=20")
    assert "Item No. 1 “Bildungsbericht 2026” is proposed for meeting No. 1" in first.body
    assert "(P 5)" in first.body and "has not passed" in first.body, first.body
    secret = await clara.ask(room, "!item Personalfrage Kita nö duration=10")
    assert "(NP 1)" in secret.body and "non-public" in secret.body, secret.body
    paper = await bernd.say(
        room,
        "Bericht.pdf",
        {"msgtype": "m.file", "url": "mxc://localhost/bericht", "info": {"size": 1}},
    )
    reply_to_paper = {"m.relates_to": {"m.in_reply_to": {"event_id": paper}}}
    attached = await bernd.ask(room, "!paper 1", content=reply_to_paper)
    assert attached.body == "Bericht.pdf is attached to Item No. 1 Bildungsbericht 2026."

    # A week before the deadline the room is asked for items; at the deadline the team room
    # gets the draft. Each comes once, though the bot restarts after it.
    await office.bot.restart(frozen_at(CALL - JUST_BEFORE))
    await bernd.wait_until(lambda: from_bot(office, bernd, room, "Topics for the meeting"))
    await office.bot.restart(frozen_at(DEADLINE - JUST_BEFORE))
    await anna.wait_until(lambda: from_bot(office, anna, office.team_room, "The deadline for"))
    await office.bot.restart(frozen_at(DEADLINE + timedelta(minutes=5)))
    late = await bernd.ask(room, "!item Nachzügler duration=15")
    assert "has passed: it is a late item" in late.body, late.body
    [call] = from_bot(office, bernd, room, "Topics for the meeting")
    assert "please submit them by Mon, 13 Apr 2026, 14:00 with `!item …`" in call
    [draft] = from_bot(office, anna, office.team_room, "The deadline for agenda items")
    assert "P 5 Bildungsbericht 2026" in draft and "NP 1 Personalfrage Kita" in draft

    refused = await bernd.ask(room, "!item move 1 5")
    assert "is only for organisers" in refused.body
    assert "is only for organisers" in (await bernd.ask(room, "!agenda publish")).body
    assert "is accepted: P 6" in (await anna.ask(room, "!item accept 3")).body
    assert (await anna.ask(room, "!item move 3 5")).body == "Item No. 3 Nachzügler is now P 5."
    published = await anna.ask(room, "!agenda publish")
    assert published.body.startswith("Agenda of Bildungsbeirat"), published.body
    assert "P 5 Nachzügler" in published.body and "P 6 Bildungsbericht 2026" in published.body

    # A week before the meeting the notice period is missed: Anna is warned, and the
    # invitation stands on its own in the room.
    await anna.ask(room, "!invitation")
    await bernd.wait_until(lambda: from_bot(office, bernd, room, "Invitation to the meeting"))
    [invitation] = from_bot(office, bernd, room, "Invitation to the meeting")
    assert "Agenda: to follow" not in invitation
    assert "P 6 Bildungsbericht 2026 (#1:" in invitation
    assert f"papers: Bericht.pdf (https://matrix.to/#/{room}/{paper})" in invitation
    assert "NP 1 Personalfrage Kita" in invitation

    def calendar_files() -> list[Message]:
        return [
            message
            for message in anna.messages
            if message.room_id == office.team_room and message.msgtype == "m.file"
            and message.sender == office.bot.user_id and message.body.endswith(".ics")
        ]  # fmt: skip

    await anna.ask(office.team_room, "!calendar BB")
    await anna.wait_until(lambda: bool(calendar_files()))
    [upload] = calendar_files()
    download = await anna.client.download(mxc=upload.content["url"])
    assert isinstance(download, MemoryDownloadResponse)
    [event, *_] = icalendar.Calendar.from_ical(bytes(download.body)).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "P 5 Nachzügler" in description and "P 6 Bildungsbericht 2026" in description
    assert "Personalfrage" not in description

    postponed = await anna.ask(room, "!item postpone 1")
    assert "is postponed to meeting No. 2" in postponed.body
    next_agenda = await bernd.ask(room, "!agenda 2")
    assert "P 5 Bildungsbericht 2026 (#1:" in next_agenda.body
    assert "20 min, postponed" in next_agenda.body, next_agenda.body
