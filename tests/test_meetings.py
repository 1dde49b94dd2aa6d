"""Meetings at the desk: natural dates, series across DST, moving, cancelling, invitations,
and the scheduler entries that carry the reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from commands.framework.registry import Role, RoomKind
from storage.database import Database
from storage.models import CommitteeMember, Meeting, MeetingSeries
from tests.support.committees import add_beirat, add_committee, in_beirat
from tests.support.desk import Desk, schedule_entry
from tests.support.names import BEIRAT_ROOM, BERLIN, BERND, CLARA, MONDAY, STEUERUNG_ROOM


async def meetings(database: Database) -> list[Meeting]:
    """Every meeting row, in order of creation."""
    async with database.session() as session:
        return list(await session.scalars(select(Meeting).order_by(Meeting.id)))


def local_wall(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- natural dates

EXAMPLES = [
    ("12.03.2027 14 Uhr", "2027-03-12 14:00"),
    ("nächsten Dienstag 10:00", "2027-03-09 10:00"),
    ("morgen um 9", "2027-03-09 09:00"),
    ("in zwei Wochen 16:30", "2027-03-22 16:30"),
    ("next friday 3pm", "2027-03-12 15:00"),
    ("12 March 2027 2pm", "2027-03-12 14:00"),
    ("next tuesday 10:00", "2027-03-09 10:00"),
    ("tomorrow at 9", "2027-03-09 09:00"),
    ("in two weeks 4:30pm", "2027-03-22 16:30"),
]


# Date parsing; storing a meeting's start is covered on PostgreSQL by the tests below.
@pytest.mark.backend_neutral
@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("when", "expected"), EXAMPLES)
async def test_a_meeting_from_natural_language(
    database: Database, language: str, when: str, expected: str
) -> None:
    """On Monday 8 March 2027 each way of writing a date books the meeting the reader means,
    in a German and an English bot alike, and the answer echoes it with its end."""
    await add_beirat(database)
    desk = Desk(database, language=language)
    answer = desk.text(await in_beirat(desk, f"!sitzung neu {when}"))
    [meeting] = await meetings(database)
    assert local_wall(meeting.start) == expected
    assert meeting.end - meeting.start == timedelta(hours=2)  # the committee's default
    t = desk.dispatcher.t
    day = f"{t.weekday(meeting.start)}, {t.date(meeting.start)}"
    echo = f"{day}, {expected[11:]}–{t.time(meeting.end)}"
    assert echo in answer, answer


async def test_the_echo_has_the_house_format(database: Database) -> None:
    """A German bot echoes "Fr, 12.03.2027, 14:00–16:00 Uhr"; an English one "Fri, 12 Mar 2027,
    14:00–16:00"."""
    await add_beirat(database)
    german = await in_beirat(Desk(database, language="de"), "!sitzung neu 12.03.2027 14 Uhr")
    assert "Fr, 12.03.2027, 14:00–16:00 Uhr" in Desk.text(german)
    english = await in_beirat(Desk(database), "!meeting new 12.03.2027 14:00 duration=90min")
    assert "Fri, 12 Mar 2027, 14:00–15:30" in Desk.text(english)


# The converter refuses the date before anything is stored.
@pytest.mark.backend_neutral
async def test_a_past_date_is_refused_with_an_example(database: Database) -> None:
    """A meeting last week is refused, with a date that works; nothing is stored."""
    await add_beirat(database)
    answer = Desk.text(await in_beirat(Desk(database), "!meeting new 01.03.2027 14:00"))
    assert "is in the past" in answer and "15 Mar 2027 14:00" in answer
    assert await meetings(database) == []


# The converter refuses the date before anything is stored.
@pytest.mark.backend_neutral
async def test_a_date_without_time_asks_for_the_time(database: Database) -> None:
    """ "!meeting new 12.03.2027" books nothing and asks at what time."""
    await add_beirat(database)
    answer = Desk.text(await in_beirat(Desk(database), "!meeting new 12.03.2027"))
    assert "At what time?" in answer and "12 Mar 2027 14:00" in answer
    assert await meetings(database) == []


# The converters refuse the text before anything is stored.
@pytest.mark.backend_neutral
async def test_nonsense_is_refused(database: Database) -> None:
    """Text that is no date is refused with an example, and so is a length that is none."""
    await add_beirat(database)
    desk = Desk(database)
    assert "Could not read" in Desk.text(await in_beirat(desk, "!meeting new irgendwann mal"))
    answer = Desk.text(await in_beirat(desk, "!meeting new tomorrow 10:00 duration=lang"))
    assert "is not a meeting length" in answer
    assert await meetings(database) == []


async def test_place_title_link_and_length_are_kept(database: Database) -> None:
    """ort=, titel=, online= and dauer= end up on the meeting; the committee's place is the
    default."""
    await add_beirat(database, default_place="Kreishaus, Raum 101")
    desk = Desk(database)
    await in_beirat(desk, "!meeting new tomorrow 10:00")
    await in_beirat(
        desk,
        '!sitzung neu morgen 14 Uhr ort="Rathaus, Raum 3" titel="Klausur" '
        "online=https://meet.example.org/bb dauer=1,5h",
    )
    plain, special = await meetings(database)
    assert plain.place == "Kreishaus, Raum 101"
    assert (special.place, special.title) == ("Rathaus, Raum 3", "Klausur")
    assert special.online_link == "https://meet.example.org/bb"
    assert special.end - special.start == timedelta(minutes=90)


# The role is checked before anything is stored.
@pytest.mark.backend_neutral
async def test_members_may_not_schedule(database: Database) -> None:
    """A plain member of the committee room cannot create meetings."""
    await add_beirat(database)
    answer = Desk.text(await in_beirat(Desk(database), "!meeting new tomorrow 10:00", Role.MEMBER))
    assert "only for organisers" in answer
    assert await meetings(database) == []


async def test_an_unbound_room_and_the_team_room_are_told_what_to_do(database: Database) -> None:
    """In a room without committee the answer says how to bind it; in the team room the
    committee is named with gremium=."""
    await add_beirat(database)
    desk = Desk(database)
    loose = await desk.reply(
        "!meeting new tomorrow 10:00", role=Role.TEAM, room=RoomKind.GROUP, room_id="!x:localhost"
    )
    assert "belongs to no committee" in Desk.text(loose)
    assert "gremium=" in await desk.ask("!meeting new tomorrow 10:00")
    answer = await desk.ask("!meeting new tomorrow 10:00 committee=BB")
    assert "of Bildungsbeirat scheduled" in answer


# --------------------------------------------------------------------------- series


async def test_a_monthly_series_keeps_its_local_time_across_dst(database: Database) -> None:
    """Every 2nd Wednesday from 10.02.2027 at 14:00 Berlin: 13:00 UTC in winter, 12:00 UTC in
    summer, each occurrence a row with its own number and original start."""
    await add_beirat(database)
    desk = Desk(database, now=datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    answer = Desk.text(
        await in_beirat(desk, "!meeting new 10.02.2027 14:00 repeat=monthly count=6")
    )
    rows = await meetings(database)
    assert [row.start for row in rows] == [
        datetime(2027, 2, 10, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 10, 13, 0, tzinfo=UTC),
        datetime(2027, 4, 14, 12, 0, tzinfo=UTC),
        datetime(2027, 5, 12, 12, 0, tzinfo=UTC),
        datetime(2027, 6, 9, 12, 0, tzinfo=UTC),
        datetime(2027, 7, 14, 12, 0, tzinfo=UTC),
    ]
    assert all(local_wall(row.start).endswith("14:00") for row in rows)
    assert all(row.original_start == row.start for row in rows)
    assert len({row.series_id for row in rows}) == 1 and rows[0].series_id is not None
    assert "monthly on the 2nd Wednesday, 14:00–16:00" in answer
    assert "6 meetings created until 14 Jul 2027" in answer
    async with desk.store() as store:
        series = await store.session.get(MeetingSeries, rows[0].series_id)
        assert series is not None
        assert series.rule == "FREQ=MONTHLY;BYDAY=+2WE;COUNT=6"
        assert series.timezone == "Europe/Berlin" and series.duration_minutes == 120


async def test_the_last_weekday_of_the_month_stays_the_last(database: Database) -> None:
    """A first meeting on the last Wednesday repeats on the last Wednesday (BYDAY=-1WE), also
    quarterly."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!sitzung neu 31.03.2027 10 Uhr wiederholung=quartalsweise anzahl=3")
    rows = await meetings(database)
    assert [local_wall(row.start) for row in rows] == [
        "2027-03-31 10:00",
        "2027-06-30 10:00",
        "2027-09-29 10:00",
    ]


async def test_biweekly_until_a_date(database: Database) -> None:
    """14-täglich bis 05.05.2027 from Wednesday 10.03.: five meetings, the last on the day."""
    await add_beirat(database)
    desk = Desk(database, language="de")
    await in_beirat(desk, "!sitzung neu 10.03.2027 9 Uhr wiederholung=14-täglich bis=05.05.2027")
    rows = await meetings(database)
    assert [local_wall(row.start)[:10] for row in rows] == [
        "2027-03-10",
        "2027-03-24",
        "2027-04-07",
        "2027-04-21",
        "2027-05-05",
    ]
    assert {local_wall(row.start)[11:] for row in rows} == {"09:00"}


async def test_an_open_series_is_created_one_year_ahead(database: Database) -> None:
    """Without bis=/anzahl= a weekly series reaches a year ahead, says until when, and stores
    the bound as UNTIL."""
    await add_beirat(database)
    desk = Desk(database)
    answer = Desk.text(await in_beirat(desk, "!meeting new 10.03.2027 09:00 repeat=weekly"))
    rows = await meetings(database)
    assert len(rows) == 52
    assert "52 meetings created until 1 Mar 2028" in answer
    assert "one year ahead" in answer
    assert "… and 47 more" in answer
    async with desk.store() as store:
        series = await store.session.get(MeetingSeries, rows[0].series_id)
        assert series is not None and "UNTIL=20280303T225959Z" in series.rule


# The series options are refused before anything is stored.
@pytest.mark.backend_neutral
async def test_series_options_are_checked(database: Database) -> None:
    """Unknown rhythms, anzahl= without wiederholung=, both bounds, or too many are refused."""
    await add_beirat(database)
    desk = Desk(database)
    assert "is not a repetition" in Desk.text(
        await in_beirat(desk, "!meeting new tomorrow 10:00 repeat=yearly")
    )
    assert "belong to a series" in Desk.text(
        await in_beirat(desk, "!meeting new tomorrow 10:00 count=3")
    )
    assert "not both" in Desk.text(
        await in_beirat(desk, "!meeting new tomorrow 10:00 repeat=weekly count=3 until=1.6.2027")
    )
    assert "at most 120 meetings" in Desk.text(
        await in_beirat(desk, "!meeting new tomorrow 10:00 repeat=weekly until=1.1.2031")
    )
    assert await meetings(database) == []


# --------------------------------------------------------------------------- scheduler entries


async def test_a_meeting_writes_its_reminders_and_invitation_deadline(database: Database) -> None:
    """A meeting on 30 March gets reminders 7 days and 1 day ahead (the defaults) and the
    invitation deadline two days before the 14-day notice period starts."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 30.03.2027 14:00")
    [meeting] = await meetings(database)
    start = datetime(2027, 3, 30, 12, 0, tzinfo=UTC)
    week = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:10080")
    day = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:1440")
    invitation = await schedule_entry(desk.database, f"meeting:{meeting.id}:invitation")
    assert week is not None and day is not None and invitation is not None
    assert (week.kind, week.first_at, week.rule, week.timezone) == (
        "meeting.reminder",
        start - timedelta(days=7),
        "",
        "Europe/Berlin",
    )
    assert week.payload == {"meeting_id": meeting.id, "offset_minutes": 10080}
    assert day.first_at == start - timedelta(days=1) and day.active
    assert invitation.kind == "meeting.invitation_due"
    assert invitation.payload == {"meeting_id": meeting.id}
    assert invitation.first_at == start - timedelta(days=16)


async def test_the_committees_own_offsets_win_and_past_entries_are_not_written(
    database: Database,
) -> None:
    """A committee reminding 3 days and 2 hours ahead gets exactly those; for a meeting in two
    days neither the 3-day reminder nor the invitation deadline is written."""
    await add_beirat(database, reminder_offsets_minutes=[4320, 120])
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 10.03.2027 14:00")
    [meeting] = await meetings(database)
    assert await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:4320") is None
    assert await schedule_entry(desk.database, f"meeting:{meeting.id}:invitation") is None
    assert await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:10080") is None
    two_hours = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:120")
    assert two_hours is not None and two_hours.first_at == meeting.start - timedelta(hours=2)


async def test_moving_rewrites_and_cancelling_deactivates_the_entries(database: Database) -> None:
    """Moving 30.03. to 12.03. rewrites the reminders and stops those already past; cancelling
    stops all of them."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 30.03.2027 14:00")
    [meeting] = await meetings(database)
    await in_beirat(desk, f"!meeting move {meeting.id} 12.03.2027 10:00")
    new_start = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)
    day = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:1440")
    week = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:10080")
    invitation = await schedule_entry(desk.database, f"meeting:{meeting.id}:invitation")
    assert day is not None and day.active and day.first_at == new_start - timedelta(days=1)
    assert week is not None and not week.active
    assert invitation is not None and not invitation.active

    await in_beirat(desk, f"!meeting cancel {meeting.id}")
    day = await schedule_entry(desk.database, f"meeting:{meeting.id}:reminder:1440")
    assert day is not None and not day.active


# --------------------------------------------------------------------------- moving, cancelling


async def monthly_series(desk: Desk) -> list[Meeting]:
    await in_beirat(desk, "!meeting new 10.03.2027 14:00 repeat=monthly count=4")
    return await meetings(desk.database)


async def test_moving_one_occurrence_leaves_the_series(database: Database) -> None:
    """Moving the April meeting changes only its start (keeping its original start and raising
    its sequence); the announcement is the answer in the committee room."""
    await add_beirat(database)
    desk = Desk(database)
    before = await monthly_series(desk)
    april = before[1]
    reply = await in_beirat(desk, f"!sitzung verschieben {april.id} 16.04.2027 15:00")
    answer = Desk.text(reply)
    assert f"Meeting No. {april.id} of Bildungsbeirat has been moved" in answer
    assert "Wed, 14 Apr 2027, 14:00" in answer and "Fri, 16 Apr 2027, 15:00–17:00" in answer
    assert "other meetings of the series stay" in answer
    assert reply.posts == [] and not reply.mention_room
    after = await meetings(database)
    moved = after[1]
    assert local_wall(moved.start) == "2027-04-16 15:00" and moved.sequence == 1
    assert moved.original_start == april.original_start
    assert [(m.start, m.sequence) for i, m in enumerate(after) if i != 1] == [
        (m.start, m.sequence) for i, m in enumerate(before) if i != 1
    ]


async def test_moving_to_a_day_keeps_the_time(database: Database) -> None:
    """ "verschieben 12 17.03.2027" keeps the meeting at 14:00."""
    await add_beirat(database)
    desk = Desk(database)
    first = (await monthly_series(desk))[0]
    await in_beirat(desk, f"!meeting move {first.id} 17.03.2027")
    assert local_wall((await meetings(database))[0].start) == "2027-03-17 14:00"


async def test_moving_from_the_team_room_announces_in_the_committee_room(
    database: Database,
) -> None:
    """Anna moves a meeting from the team room: she gets a confirmation, the committee room gets
    the announcement — with @room where the committee allows it."""
    await add_beirat(database, allow_room_mention=True)
    desk = Desk(database)
    first = (await monthly_series(desk))[0]
    reply = await desk.reply(f"!meeting move {first.id} 11.03.2027 14:00")
    answer = Desk.text(reply)
    assert f"Meeting No. {first.id} moved to Thu, 11 Mar 2027, 14:00–16:00 (in 3 days)." in answer
    assert "announced in the room of Bildungsbeirat" in answer
    [(room_id, announcement)] = reply.posts
    assert room_id == BEIRAT_ROOM and announcement.mention_room
    assert Desk.text(announcement).startswith("@room Meeting No.")


async def test_cancelling_one_occurrence_leaves_the_others(database: Database) -> None:
    """Cancelling the April meeting marks only it, says why, and drops it from !meetings."""
    await add_beirat(database)
    desk = Desk(database)
    before = await monthly_series(desk)
    april = before[1]
    reply = await desk.reply(f'!meeting cancel {april.id} reason="zu wenige Themen"')
    [(room_id, announcement)] = reply.posts
    assert room_id == BEIRAT_ROOM and not announcement.mention_room
    text = Desk.text(announcement)
    assert "on Wed, 14 Apr 2027, 14:00 is cancelled" in text
    assert "Reason: zu wenige Themen" in text
    after = await meetings(database)
    assert [m.status for m in after] == ["scheduled", "cancelled", "scheduled", "scheduled"]
    assert after[1].cancel_reason == "zu wenige Themen" and after[1].sequence == 1
    listing = Desk.text(await in_beirat(desk, "!meetings", Role.MEMBER))
    assert f"No. {april.id} ·" not in listing and f"No. {before[2].id} ·" in listing
    again = Desk.text(await in_beirat(desk, f"!meeting cancel {april.id}"))
    assert "is cancelled" in again


async def test_changes_are_audited(database: Database) -> None:
    """Creating a series, moving, cancelling and inviting each leave an audit entry."""
    await add_beirat(database)
    desk = Desk(database)
    rows = await monthly_series(desk)
    await in_beirat(desk, f"!meeting move {rows[0].id} 11.03.2027 14:00")
    await in_beirat(desk, f"!meeting cancel {rows[1].id}")
    await in_beirat(desk, f"!invitation {rows[2].id}")
    actions = [(a.action, a.object_type) for a in await desk.audit()]
    assert ("create", "meeting_series") in actions
    assert ("move", "meeting") in actions and ("cancel", "meeting") in actions
    assert ("invite", "meeting") in actions


# --------------------------------------------------------------------------- listing and details


async def test_meetings_lists_per_room(database: Database) -> None:
    """The committee room lists its own meetings, the team room all of them (or one committee's),
    a member's direct chat the committees they sit in."""
    beirat_id = await add_beirat(database)
    await add_committee(database, "Steuerungsgruppe", STEUERUNG_ROOM, "SG")
    async with database.session() as session:
        session.add(
            CommitteeMember(
                committee_id=beirat_id, matrix_id=BERND, role="Mitglied", created_at=MONDAY
            )
        )
    desk = Desk(database)
    await in_beirat(desk, '!meeting new 12.03.2027 14:00 place="Rathaus"')
    await desk.reply("!meeting new 15.03.2027 10:00", room=RoomKind.GROUP, room_id=STEUERUNG_ROOM)

    own = Desk.text(await in_beirat(desk, "!meetings", Role.MEMBER))
    assert "No. 1 · Fri, 12 Mar 2027, 14:00 · Bildungsbeirat · Rathaus" in own
    assert "Steuerungsgruppe" not in own
    everything = await desk.ask("!meetings")
    assert "Upcoming meetings (2):" in everything and "Steuerungsgruppe" in everything
    assert "Bildungsbeirat" not in await desk.ask("!termine SG")
    bernd = await desk.ask("!meetings", role=Role.GUEST, room=RoomKind.DIRECT, sender=BERND)
    assert "Bildungsbeirat" in bernd and "Steuerungsgruppe" not in bernd
    clara = await desk.ask("!meetings", role=Role.GUEST, room=RoomKind.DIRECT, sender=CLARA)
    assert "no committee" in clara


async def test_meetings_pages(database: Database) -> None:
    """Twelve weekly meetings show ten and point to the next page."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 10.03.2027 09:00 repeat=weekly count=12")
    first = Desk.text(await in_beirat(desk, "!meetings", Role.MEMBER))
    assert "Upcoming meetings of Bildungsbeirat (12):" in first
    assert "… and 2 more. Next page: `!meetings seite=2`" in first
    second = Desk.text(await in_beirat(desk, "!meetings seite=2", Role.MEMBER))
    assert "No. 12 ·" in second and "No. 1 ·" not in second


async def test_meeting_details_and_what_stays_hidden(database: Database) -> None:
    """!meeting shows the next one with place, series, invitation and item deadline; another
    committee's room and a stranger's direct chat do not find it."""
    await add_beirat(database, default_place="Kreishaus")
    await add_committee(database, "Steuerungsgruppe", STEUERUNG_ROOM, "SG")
    desk = Desk(database)
    rows = await monthly_series(desk)
    card = Desk.text(await in_beirat(desk, "!meeting", Role.MEMBER))
    assert f"No. {rows[0].id} · Bildungsbeirat" in card
    assert "When: Wed, 10 Mar 2027, 14:00–16:00" in card and "Place: Kreishaus" in card
    assert "Series: monthly on the 2nd Wednesday" in card
    assert "Agenda items until: 3 Mar 2027" in card
    elsewhere = await desk.reply(
        f"!meeting {rows[0].id}", role=Role.MEMBER, room=RoomKind.GROUP, room_id=STEUERUNG_ROOM
    )
    assert "There is no meeting No. 1 here" in Desk.text(elsewhere)
    stranger = await desk.ask(
        f"!meeting {rows[0].id}", role=Role.GUEST, room=RoomKind.DIRECT, sender=CLARA
    )
    assert "There is no meeting No. 1 here" in stranger
    assert f"No. {rows[0].id} · Bildungsbeirat" in await desk.ask(f"!meeting {rows[0].id}")


# --------------------------------------------------------------------------- invitations


async def test_invitation_in_time(database: Database) -> None:
    """!einladung for a meeting a month ahead posts the invitation as the answer in the room:
    date, place, agenda to follow, the deadline for items; no warning."""
    await add_beirat(database, default_place="Kreishaus")
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 08.04.2027 14:00")
    reply = await in_beirat(desk, "!invitation")
    text = Desk.text(reply)
    assert "Invitation to the meeting of Bildungsbeirat" in text
    assert "When: Thu, 8 Apr 2027, 14:00–16:00" in text and "Place: Kreishaus" in text
    assert "Agenda: to follow" in text
    assert "Please submit agenda items by 1 Apr 2027." in text
    assert "notice period" not in text and reply.posts == []
    [meeting] = await meetings(database)
    assert meeting.invitation_sent_at == MONDAY
    invitation_due = await schedule_entry(desk.database, f"meeting:{meeting.id}:invitation")
    assert invitation_due is not None and not invitation_due.active


async def test_invitation_too_late_warns_the_organiser(database: Database) -> None:
    """For a meeting in five days the organiser is warned that the 14-day notice period is not
    met, and the invitation still goes into the room on its own."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 13.03.2027 10:00")
    reply = await in_beirat(desk, "!einladung 1")
    assert "notice period of 14 days is not met" in Desk.text(reply)
    [(room_id, invitation)] = reply.posts
    assert room_id == BEIRAT_ROOM
    assert "Invitation to the meeting of Bildungsbeirat" in Desk.text(invitation)
    assert "notice period" not in Desk.text(invitation)


async def test_invitation_from_the_team_room(database: Database) -> None:
    """From the team room the invitation goes into the committee room (with @room where
    allowed) and Anna gets a confirmation; without a number the team room asks for one."""
    await add_beirat(database, allow_room_mention=True)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 08.04.2027 14:00 title=Jahresplanung")
    assert "Please give the meeting's number" in await desk.ask("!invitation")
    reply = await desk.reply("!invitation 1")
    assert "posted in Bildungsbeirat's room" in Desk.text(reply)
    [(room_id, invitation)] = reply.posts
    assert room_id == BEIRAT_ROOM and invitation.mention_room
    assert Desk.text(invitation).startswith(
        "@room Invitation to the meeting of Bildungsbeirat: Jahresplanung"
    )


async def test_members_cannot_invite_or_change(database: Database) -> None:
    """A plain member may look but not invite, move or cancel."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 08.04.2027 14:00")
    for command in ("!invitation 1", "!meeting move 1 9.4.2027 10:00", "!meeting cancel 1"):
        assert "only for organisers" in Desk.text(await in_beirat(desk, command, Role.MEMBER))


async def test_a_short_name_with_umlauts_is_found(database: Database) -> None:
    """ "!termine AG ÜSB" finds the AG by its short name, in any spelling of the Ü."""
    await add_committee(database, "AG Übergang Schule–Beruf", "!ag:localhost", "AG ÜSB")
    desk = Desk(database)
    await desk.reply(
        "!meeting new 12.04.2027 10:00",
        role=Role.TEAM,
        room=RoomKind.GROUP,
        room_id="!ag:localhost",
    )
    for spelling in ('"AG ÜSB"', '"ag üsb"', '"AG UESB"'):
        answer = await desk.ask(f"!meetings {spelling}")
        assert "AG Übergang Schule–Beruf" in answer and "12 Apr 2027" in answer, answer
