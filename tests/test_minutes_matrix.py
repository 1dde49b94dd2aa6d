"""A whole meeting over Matrix in one committee room: meeting mode with attendance, two items
called, a note, a decision with votes, two tasks and an undo; the minutes posted with their PDF
and HTML (the PDF read back), a correction rendered again, the uncalled item rolled over, a
member refused a decision, the non-public part kept out of the team room, and the minutes
pseudonymised after an erasure. Then a meeting begun and ended before its planned start: held,
with the times meeting mode recorded in its minutes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from nio import MemoryDownloadResponse

from bot.devtools.chat_client import ChatClient, Message
from storage.models import MeetingStatus, Person
from storage.repositories import Store
from tests.support.documents import pdf_text
from tests.support.matrix import Office, beirat_with_bernd, bot_of, day_ahead, frozen_at
from tests.support.names import FURTHER_MEMBERS

pytestmark = pytest.mark.synapse


async def todays_meeting_with_agenda(office: Office, room_id: str, bernd: str) -> int:
    """Meeting No. 1 began ten minutes ago, with a public item (No. 1), a non-public one
    (No. 2) and one left uncalled (No. 3); meeting No. 2 in two weeks; Bernd is a contact."""
    now = datetime.now(UTC)
    async with bot_of(office).database.session() as session:
        store = Store(session)
        committee = await store.committees.for_room(room_id)
        assert committee is not None
        meeting = await store.meetings.add_meeting(
            now - timedelta(days=20),
            committee_id=committee.id,
            uid="today@kuemmerer",
            start=now - timedelta(minutes=10),
            end=now + timedelta(hours=2),
            agenda_published_at=now - timedelta(days=7),
        )
        await store.meetings.add_meeting(
            now - timedelta(days=20),
            committee_id=committee.id,
            uid="later@kuemmerer",
            start=now + timedelta(days=14),
            end=now + timedelta(days=14, hours=2),
        )
        for position, (title, public) in enumerate(
            (("Concept for the Bildungsbericht", True), ("Staffing of the Kita lead", False),
             ("Language support in Kitas", True)),
            start=1,
        ):  # fmt: skip
            await store.agenda.add(
                now - timedelta(days=10),
                committee_id=committee.id,
                meeting_id=meeting.id,
                title=title,
                public=public,
                position=position,
                submitter=office.anna.user_id,
                submitter_name="Anna",
            )
        contact = Person(
            name="Bernd Berger",
            name_key="bernd berger",
            matrix_id=bernd,
            recorded_at=now,
            updated_at=now,
        )
        session.add(contact)
        await session.flush()
        return contact.id


def files(person: ChatClient, room: str, bot: str, name: str) -> list[Message]:
    return [
        m
        for m in person.messages
        if m.room_id == room and m.sender == bot and m.msgtype == "m.file" and m.body == name
    ]


async def downloaded(person: ChatClient, event: Message) -> bytes:
    download = await person.client.download(mxc=event.content["url"])
    assert isinstance(download, MemoryDownloadResponse)
    return download.body


async def test_a_meeting_is_minuted_in_its_room(office: Office) -> None:
    """The whole meeting of the issue's Done-when, through the real homeserver."""
    anna, bot_id = office.anna, office.bot.user_id
    room, bernd = await beirat_with_bernd(office)
    contact = await todays_meeting_with_agenda(office, room, bernd.user_id)
    bernds_name = bernd.user_id[1:].split(":")[0]

    begun = await anna.ask(room, "!meeting start")
    assert "Meeting mode for Bildungsbeirat, meeting No. 1, has begun." in begun.body
    present = await anna.ask(room, f"!present {bernd.user_id}, Petra Lang")
    assert f"Present: {bernds_name}, Petra Lang." in present.body
    await anna.ask(room, f"!present {FURTHER_MEMBERS}")
    await anna.ask(room, "!excused Frank Weber")
    called = await anna.ask(room, "!item 1 call")
    assert called.body.startswith("Called: P 5 Concept for the Bildungsbericht")

    noted = await bernd.ask(room, "!note The draft reads well.")
    assert "Current item: P 5 Concept for the Bildungsbericht" in noted.body
    refused = await bernd.ask(room, "!decision We agree. unanimous")
    assert "`!decision` is only for organisers" in refused.body
    decided = await anna.ask(room, "!decision The concept is adopted. yes=7 no=1 abstain=2")
    assert "Votes: Yes 7 · No 1 · Abstention" in decided.body, decided.body
    task = await anna.ask(room, f"!task Ask the schools {bernd.user_id} until {day_ahead(10)}")
    assert "Task No. 1 is recorded." in task.body and "From decision No. 1" in task.body
    await anna.ask(room, f"!task Book the wrong room {bernd.user_id} until {day_ahead(9)}")
    undone = await anna.ask(room, "!undo")
    assert undone.body.startswith("Taken back: task No. 2.")

    await anna.ask(room, "!item 2 call")
    await anna.ask(room, "!note The post stays open until spring.")
    secret = await anna.ask(room, f"!task Draft the job ad {anna.user_id} until {day_ahead(20)}")
    assert "Task No. 2 is recorded." in secret.body  # SQLite gives the freed number again

    ended = await anna.ask(room, "!meeting end")
    assert "Meeting No. 1 of Bildungsbeirat has ended." in ended.body
    assert "Its agenda items move to meeting No. 2" in ended.body
    assert "Language support in Kitas" in ended.body
    assert "Minutes of Bildungsbeirat, meeting No. 1" in ended.body
    assert "Staffing" not in ended.body and "job ad" not in ended.body
    names = ("minutes-1.pdf", "minutes-1.html", "minutes-1-non-public.pdf")
    await bernd.wait_until(lambda: all(files(bernd, room, bot_id, n) for n in names))
    pdf = pdf_text(await downloaded(bernd, files(bernd, room, bot_id, "minutes-1.pdf")[0]))
    assert "The draft reads well." in pdf and "The concept is adopted." in pdf
    assert "Ask the schools" in pdf and "Book the wrong room" not in pdf
    assert "Staffing" not in pdf and "Frank Weber" in pdf
    html = (await downloaded(bernd, files(bernd, room, bot_id, "minutes-1.html")[0])).decode()
    assert "Staffing" not in html and "The draft reads well." in html
    hidden = await downloaded(bernd, files(bernd, room, bot_id, "minutes-1-non-public.pdf")[0])
    assert "Draft the job ad" in pdf_text(hidden)

    agenda = await bernd.ask(room, "!agenda 2")
    assert "Language support in Kitas" in agenda.body
    assert "Minutes to approve: meeting No. 1 (not approved yet" in agenda.body

    async with bot_of(office).database.session() as session:
        entries = await Store(session).minutes.entries(1)
    note = next(e for e in entries if e.text == "The draft reads well.")
    corrected = await bernd.ask(room, f"!note edit {note.id} The draft reads very well.")
    assert f"Note No. {note.id} is corrected." in corrected.body
    seen = len(files(bernd, room, bot_id, "minutes-1.pdf"))
    await bernd.ask(room, "!minutes")
    await bernd.wait_until(lambda: len(files(bernd, room, bot_id, "minutes-1.pdf")) > seen)
    again = await downloaded(bernd, files(bernd, room, bot_id, "minutes-1.pdf")[-1])
    assert "The draft reads very well." in pdf_text(again)

    team = await anna.ask(office.team_room, "!minutes 1")
    assert "The non-public part is available in the committee's room only." in team.body
    await anna.wait_until(lambda: bool(files(anna, office.team_room, bot_id, "minutes-1.pdf")))
    assert not files(anna, office.team_room, bot_id, "minutes-1-non-public.pdf")
    assert not any(
        "Staffing" in m.body or "job ad" in m.body
        for m in anna.messages
        if m.room_id == office.team_room
    )

    erased = await anna.ask(office.team_room, f"!contact delete {contact} confirmed")
    assert f"Contact No. {contact} has been deleted." in erased.body
    seen = len(files(bernd, room, bot_id, "minutes-1.pdf"))
    rendered = await bernd.ask(room, "!minutes 1")
    assert f"Present: Person {contact}, Petra Lang" in rendered.body
    await bernd.wait_until(lambda: len(files(bernd, room, bot_id, "minutes-1.pdf")) > seen)
    last = await downloaded(bernd, files(bernd, room, bot_id, "minutes-1.pdf")[-1])
    assert f"Person {contact}" in pdf_text(last) and bernds_name not in pdf_text(last)


# Behind the homeserver's clock: the bot skips commands that its own clock reads as stale.
EARLY = datetime(2026, 11, 9, 9, 47, tzinfo=UTC)  # 10:47 in Berlin
PLANNED = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)  # 13:00 in Berlin, for two hours
LATER = timedelta(days=14)


async def test_a_meeting_begun_early_is_held_after_its_end(office: Office) -> None:
    """Begun and ended before its planned start, a meeting's minutes name the times meeting
    mode recorded, and it is held: gone from !meetings and refused a cancellation."""
    anna, bot_id = office.anna, office.bot.user_id
    await office.bot.restart(frozen_at(EARLY))
    room, bernd = await beirat_with_bernd(office)
    async with bot_of(office).database.session() as session:
        store = Store(session)
        committee = await store.committees.for_room(room)
        assert committee is not None
        for uid, start in (("early@kuemmerer", PLANNED), ("later@kuemmerer", PLANNED + LATER)):
            await store.meetings.add_meeting(
                EARLY - LATER,
                committee_id=committee.id,
                uid=uid,
                start=start,
                end=start + timedelta(hours=2),
            )
        await store.agenda.add(
            EARLY - timedelta(days=1),
            committee_id=committee.id,
            meeting_id=1,
            title="Language support in Kitas",
            position=1,
            submitter=anna.user_id,
            submitter_name="Anna",
        )

    begun = await anna.ask(room, "!meeting start")
    assert "Meeting mode for Bildungsbeirat, meeting No. 1, has begun." in begun.body
    ended = await anna.ask(room, "!meeting end")
    assert "Its agenda items move to meeting No. 2" in ended.body
    assert re.search(r"Time: 10:4\d–10:\d\d \(planned: 13:00–15:00\)", ended.body), ended.body
    await bernd.wait_until(lambda: bool(files(bernd, room, bot_id, "minutes-1.pdf")))
    pdf = pdf_text(await downloaded(bernd, files(bernd, room, bot_id, "minutes-1.pdf")[0]))
    assert re.search(r"10:4\d–10:\d\d \(planned: 13:00–15:00\)", pdf), pdf
    assert not re.search(r"\d\d:\d\d:\d\d", pdf)

    listing = await bernd.ask(room, "!meetings")
    assert "No. 1 ·" not in listing.body and "No. 2 ·" in listing.body
    refused = await anna.ask(room, "!meeting cancel 1")
    assert "Meeting No. 1 has already been held" in refused.body
    async with bot_of(office).database.session() as session:
        meeting = await Store(session).meetings.get(1)
    assert meeting is not None and meeting.status == MeetingStatus.HELD
