"""The life cycle of a meeting in meeting mode: a meeting ended there is held whatever its
planned time says, is no longer upcoming, reminds nobody, is never cancelled or the target of
moved items, and its minutes name the times meeting mode recorded.

Fast tests on the real dispatcher and SQLite; the same through Synapse is in
``tests/test_minutes_matrix.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from commands.meetings.schedule import entry_prefix
from storage.database import Database
from storage.models import AgendaItem, MeetingStatus
from tests.support.committees import beirat_with_a_meeting, member, organiser
from tests.support.desk import Desk
from tests.support.documents import pdf_text
from tests.support.names import BEIRAT_ROOM

# Meeting No. 1 is planned for 14:00–16:00 in Berlin on 12 April 2027.
EARLY_BEGIN = datetime(2027, 4, 12, 9, 47, 30, tzinfo=UTC)  # 11:47:30 in Berlin
EARLY_END = datetime(2027, 4, 12, 11, 20, 11, tzinfo=UTC)  # 13:20:11, before its planned start


async def three_meetings(database: Database) -> Desk:
    """The Beirat's meetings No. 1 (12 April), No. 2 (10 May, with item No. 1) and No. 3
    (14 June), all at 14:00 for two hours."""
    desk = await beirat_with_a_meeting(database)
    await organiser(desk, "!meeting new 10.05.2027 14:00 duration=2h")
    await organiser(desk, "!meeting new 14.06.2027 14:00 duration=2h")
    await organiser(desk, "!top Sprachkitas meeting=2")
    return desk


async def end_early(desk: Desk) -> Reply:
    """Meeting No. 1 begun at 11:47:30 and ended at 13:20:11, both before its planned start."""
    desk.clock.set(EARLY_BEGIN)
    await organiser(desk, "!meeting start")
    desk.clock.set(EARLY_END)
    return await desk.reply("!meeting end", Role.ORGANIZER, RoomKind.GROUP, room_id=BEIRAT_ROOM)


async def item_meetings(database: Database) -> dict[str, int | None]:
    """Each agenda item's meeting, by title."""
    async with database.session() as session:
        return {i.title: i.meeting_id for i in await session.scalars(select(AgendaItem))}


async def test_a_meeting_ended_before_its_planned_start_is_held(database: Database) -> None:
    """Ended early, No. 1 is held, gone from !meetings, reminds nobody and cannot be cancelled."""
    desk = await three_meetings(database)
    await end_early(desk)
    async with desk.store() as store:
        meeting = await store.meetings.get(1)
        entries = await store.schedule.with_prefix(entry_prefix(1))
    assert meeting is not None and meeting.status == MeetingStatus.HELD
    assert entries and not [entry for entry in entries if entry.active]
    listing = await member(desk, "!meetings")
    assert "No. 1 ·" not in listing and "No. 2 ·" in listing
    assert "Status: held" in await member(desk, "!meeting 1")
    answer = await organiser(desk, "!meeting cancel 1")
    assert "Meeting No. 1 has already been held; it can no longer be changed or cancelled." in (
        answer
    )
    async with desk.store() as store:
        meeting = await store.meetings.get(1)
    assert meeting is not None and meeting.status == MeetingStatus.HELD


async def test_a_cancelled_meetings_items_pass_over_the_held_one(database: Database) -> None:
    """Cancelling No. 2 after No. 1 was held early moves its item to No. 3, not to No. 1."""
    desk = await three_meetings(database)
    await end_early(desk)
    answer = await organiser(desk, "!meeting cancel 2")
    assert "Its agenda items move to meeting No. 3 on Mon, 14 Jun 2027" in answer
    assert (await item_meetings(database))["Sprachkitas"] == 3


async def test_a_cancelled_meetings_items_pass_over_a_running_one(database: Database) -> None:
    """While No. 1 runs in meeting mode before its planned start, cancelling No. 2 moves its
    item to No. 3."""
    desk = await three_meetings(database)
    desk.clock.set(EARLY_BEGIN)
    await organiser(desk, "!meeting start")
    await organiser(desk, "!meeting cancel 2")
    assert (await item_meetings(database))["Sprachkitas"] == 3


async def test_the_minutes_name_the_actual_times_to_the_minute(database: Database) -> None:
    """The time row shows when meeting mode began and ended, without seconds, and the planned
    time beside it, in the HTML and the PDF alike."""
    desk = await three_meetings(database)
    reply = await end_early(desk)
    html = reply.attachments[0].data.decode()
    pdf = pdf_text(reply.attachments[1].data)
    for rendered in (html, pdf):
        assert "11:47–13:20 (planned: 14:00–16:00)" in rendered, rendered
        assert "13:20:11" not in rendered and "11:47:30" not in rendered
    assert "Time: 11:47–13:20 (planned: 14:00–16:00)" in desk.text(reply)


async def test_the_german_minutes_name_the_actual_times(database: Database) -> None:
    """In German the time row reads "11:47–13:20 Uhr (geplant: 14:00–16:00 Uhr)"."""
    desk = await beirat_with_a_meeting(database, language="de")
    desk.clock.set(EARLY_BEGIN)
    await organiser(desk, "!sitzung beginnen")
    desk.clock.set(EARLY_END)
    reply = await desk.reply(
        "!sitzung beenden", Role.ORGANIZER, RoomKind.GROUP, room_id=BEIRAT_ROOM
    )
    html = reply.attachments[0].data.decode()
    assert "11:47–13:20 Uhr (geplant: 14:00–16:00 Uhr)" in html
    assert "wurde bereits durchgeführt" in await organiser(desk, "!sitzung absagen 1")
