"""The calendar's scheduled posts: the real SchedulerService on a migrated SQLite with a manual
clock, posting through a recording stand-in for the bot.

The stand-in (:class:`tests.support.scheduling.PostBox`) is the one fake here; everything else
(entries, ledger, timing, rules) is the production code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.posting import direct_room_for, job_handlers
from bot.scheduler import SchedulerService
from commands.framework.clock import ManualClock
from commands.meetings.schedule import MeetingReminder, arm_meeting
from storage.database import Database
from storage.models import Committee, Meeting
from storage.repositories import Store
from storage.schedule import LedgerStatus
from tests.support.desk import Desk
from tests.support.names import ANNA, BEIRAT_ROOM, BERLIN, BERND, TEAM_ROOM
from tests.support.scheduling import GRACE, PostBox
from tests.support.storage_reads import ledger_rows

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 1 March 2027, 09:00 in Berlin
MEETING_START = datetime(2027, 3, 17, 13, 0, tzinfo=UTC)  # Wed 17 March, 14:00 in Berlin
WEEK = 7 * 24 * 60
DAY = 24 * 60


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def bot(database: Database) -> PostBox:
    return PostBox(database)


def scheduler(bot: PostBox, clock: ManualClock) -> SchedulerService:
    """A fresh scheduler process on the same database, as after a restart."""
    return SchedulerService(bot.database, clock, GRACE, job_handlers(bot))


# --------------------------------------------------------------------------- the calendar


async def beirat(database: Database, allow_room_mention: bool = False) -> int:
    async with database.session() as session:
        committee = Committee(
            name="Bildungsbeirat",
            name_key="bildungsbeirat",
            short_name="BB",
            kind="Beirat",
            room_id=BEIRAT_ROOM,
            notice_days=14,
            # Apart from the week's reminder: the agenda's posts have tests of their own.
            item_deadline_days=10,
            reminder_offsets_minutes=[WEEK, DAY],
            allow_room_mention=allow_room_mention,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(committee)
        await session.flush()
        return committee.id


async def plan_meeting(
    database: Database,
    committee_id: int,
    start: datetime = MEETING_START,
    **values: object,
) -> int:
    """A meeting and its scheduler entries, armed as the meeting commands arm them: one per
    reminder offset, and the invitation deadline."""
    async with database.session() as session:
        store = Store(session)
        committee = await store.committees.get(committee_id)
        assert committee is not None
        meeting = Meeting(
            committee_id=committee_id,
            uid=f"m-{start:%Y%m%d%H%M}@test",
            start=start,
            end=start + timedelta(hours=2),
            place="Kreishaus, Raum 101",
            online_link="https://meet.example.org/beirat",
            created_at=NOW,
            updated_at=NOW,
            **values,
        )
        session.add(meeting)
        await session.flush()
        await arm_meeting(
            store.schedule,
            meeting,
            committee,
            now=NOW,
            timezone="Europe/Berlin",
            invitation_reminder=True,
        )
        return meeting.id


async def change_meeting(database: Database, meeting_id: int, **values: object) -> None:
    async with database.session() as session:
        meeting = await session.get(Meeting, meeting_id)
        assert meeting is not None
        for key, value in values.items():
            setattr(meeting, key, value)


async def ledger_statuses(database: Database, entry_id: str) -> list[str]:
    async with database.session() as session:
        return [row.status for row in await ledger_rows(session, entry_id)]


# --------------------------------------------------------------------------- meeting reminders


async def test_a_meeting_reminder_fires_once_at_its_time_and_not_again_after_a_restart(
    bot: PostBox, clock: ManualClock
) -> None:
    """Seven days before, the committee room gets one reminder; a restart repeats nothing."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    service = scheduler(bot, clock)
    clock.set(MEETING_START - timedelta(days=7, seconds=1))
    assert await service.run_due() == 0
    clock.set(MEETING_START - timedelta(days=7))
    assert await service.run_due() == 1
    assert bot.texts() == [
        (
            BEIRAT_ROOM,
            "Reminder: Bildungsbeirat on Wed, 17 Mar 2027, 14:00 (in 7 days)\n"
            "Place: Kreishaus, Raum 101\n"
            "Online: https://meet.example.org/beirat\n"
            "Agenda: to follow\n"
            f"Details: `!meeting {meeting}`",
        )
    ]
    assert not bot.posts[0][1].mention_room
    assert await service.run_due() == 0

    restarted = scheduler(bot, clock)
    await restarted.start()
    await restarted.shutdown()
    assert len(bot.posts) == 1
    assert await ledger_statuses(bot.database, MeetingReminder(meeting, WEEK).entry_id) == [
        LedgerStatus.SENT
    ]


async def test_the_day_before_says_tomorrow(bot: PostBox, clock: ManualClock) -> None:
    """The one-day reminder says "tomorrow"; both reminders reach the room in order."""
    await plan_meeting(bot.database, await beirat(bot.database))
    service = scheduler(bot, clock)
    clock.set(MEETING_START - timedelta(days=1))
    await service.run_due()  # the week reminder is far past the grace period: missed
    assert [text.splitlines()[0] for _, text in bot.texts()] == [
        "Reminder: Bildungsbeirat on Wed, 17 Mar 2027, 14:00 (tomorrow)"
    ]


async def test_a_reminder_missed_by_downtime_posts_late_with_a_note(
    bot: PostBox, clock: ManualClock
) -> None:
    """Down at the time, up within the grace period: the post comes late, saying so."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    clock.set(MEETING_START - timedelta(days=7) + timedelta(minutes=40))
    service = scheduler(bot, clock)
    await service.start()
    await service.shutdown()
    [(room, text)] = bot.texts()
    assert room == BEIRAT_ROOM
    assert text.endswith("(Sent late after an interruption; planned for Wed, 10 Mar 2027, 14:00.)")
    assert await ledger_statuses(bot.database, MeetingReminder(meeting, WEEK).entry_id) == [
        LedgerStatus.LATE
    ]


async def test_a_reminder_missed_beyond_the_grace_period_is_not_posted(
    bot: PostBox, clock: ManualClock
) -> None:
    """Hours after its time a reminder is recorded missed, not posted."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    clock.set(MEETING_START - timedelta(days=7) + GRACE + timedelta(minutes=1))
    await scheduler(bot, clock).run_due()
    assert bot.posts == []
    assert await ledger_statuses(bot.database, MeetingReminder(meeting, WEEK).entry_id) == [
        LedgerStatus.MISSED
    ]


async def test_a_cancelled_meeting_is_not_reminded(bot: PostBox, clock: ManualClock) -> None:
    """Even if its entry were still active, a cancelled meeting posts nothing."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    await change_meeting(bot.database, meeting, status="cancelled")
    clock.set(MEETING_START - timedelta(days=7))
    await scheduler(bot, clock).run_due()
    assert bot.posts == []


async def test_a_moved_meeting_is_not_reminded_by_its_old_entry(
    bot: PostBox, clock: ManualClock
) -> None:
    """An entry left over from before a move posts nothing (the move wrote new entries)."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    await change_meeting(bot.database, meeting, start=MEETING_START + timedelta(days=2))
    clock.set(MEETING_START - timedelta(days=7))
    await scheduler(bot, clock).run_due()
    assert bot.posts == []


async def test_room_mention_only_where_the_committee_allows_it(
    bot: PostBox, clock: ManualClock
) -> None:
    """With allow_room_mention the reminder starts with @room and mentions the room."""
    await plan_meeting(bot.database, await beirat(bot.database, allow_room_mention=True))
    clock.set(MEETING_START - timedelta(days=7))
    await scheduler(bot, clock).run_due()
    [(_, reply)] = bot.posts
    assert reply.mention_room
    assert bot.texts()[0][1].startswith("@room Reminder: Bildungsbeirat on Wed, 17 Mar 2027")


# --------------------------------------------------------------------------- invitation due


async def test_the_team_is_told_when_the_notice_period_is_about_to_begin(
    bot: PostBox, clock: ManualClock
) -> None:
    """Two days before the notice period starts, the team room is asked to send the invitation."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    clock.set(MEETING_START - timedelta(days=16))
    await scheduler(bot, clock).run_due()
    assert bot.texts() == [
        (
            TEAM_ROOM,
            "The notice period for Bildungsbeirat (meeting on Wed, 17 Mar 2027, 14:00) begins "
            f"on 3 Mar 2027: send the invitation with `!invitation {meeting}` in the committee "
            "room.",
        )
    ]


async def test_no_invitation_reminder_once_the_invitation_was_sent(
    bot: PostBox, clock: ManualClock
) -> None:
    """An invitation already posted makes the deadline reminder unnecessary."""
    meeting = await plan_meeting(bot.database, await beirat(bot.database))
    await change_meeting(bot.database, meeting, invitation_sent_at=NOW)
    clock.set(MEETING_START - timedelta(days=16))
    await scheduler(bot, clock).run_due()
    assert bot.posts == []


# --------------------------------------------------------------------------- !erinnerung


async def test_a_weekly_reminder_fires_on_consecutive_mondays_at_nine_across_dst(
    bot: PostBox, clock: ManualClock
) -> None:
    """!erinnerung jeden Montag 9 Uhr posts every Monday at 09:00 local, also after 28 March."""
    desk = Desk(bot.database, now=NOW)
    await desk.ask("!erinnerung jeden Montag 9 Uhr: Wochenplanung", room_id=BEIRAT_ROOM)
    service = scheduler(bot, clock)
    fired: list[datetime] = []
    moment = NOW
    while moment < datetime(2027, 4, 6, tzinfo=UTC):
        moment += timedelta(minutes=30)
        clock.set(moment)
        if await service.run_due():
            fired.append(moment)
    assert [m.astimezone(BERLIN).strftime("%a %d.%m. %H:%M") for m in fired] == [
        "Mon 08.03. 09:00",
        "Mon 15.03. 09:00",
        "Mon 22.03. 09:00",
        "Mon 29.03. 09:00",
        "Mon 05.04. 09:00",
    ]
    assert {text for _, text in bot.texts()} == {"Reminder: Wochenplanung"}
    assert {room for room, _ in bot.posts} == {BEIRAT_ROOM}


async def test_a_one_off_reminder_is_done_after_it_fired(bot: PostBox, clock: ManualClock) -> None:
    """After posting, a one-off reminder no longer shows in !reminders."""
    desk = Desk(bot.database, now=NOW)
    await desk.ask("!remind tomorrow 9am: Raum buchen", room_id=BEIRAT_ROOM)
    clock.set(datetime(2027, 3, 2, 8, 0, tzinfo=UTC))
    await scheduler(bot, clock).run_due()
    assert bot.texts() == [(BEIRAT_ROOM, "Reminder: Raum buchen")]
    assert "no reminders in this room" in await desk.ask("!reminders", room_id=BEIRAT_ROOM)


async def test_a_deleted_reminder_posts_nothing(bot: PostBox, clock: ManualClock) -> None:
    """!remind delete stops the entry; nothing is posted at the time."""
    desk = Desk(bot.database, now=NOW)
    await desk.ask("!remind tomorrow 9am: Raum buchen", room_id=BEIRAT_ROOM)
    await desk.ask("!remind delete 1", room_id=BEIRAT_ROOM)
    clock.set(datetime(2027, 3, 2, 8, 0, tzinfo=UTC))
    assert await scheduler(bot, clock).run_due() == 0
    assert bot.posts == []


async def test_a_late_reminder_carries_the_note(bot: PostBox, clock: ManualClock) -> None:
    """A reminder run within the grace period after downtime says it is late."""
    desk = Desk(bot.database, now=NOW)
    await desk.ask("!remind tomorrow 9am: Raum buchen", room_id=BEIRAT_ROOM)
    clock.set(datetime(2027, 3, 2, 8, 20, tzinfo=UTC))
    await scheduler(bot, clock).run_due()
    assert bot.texts() == [
        (
            BEIRAT_ROOM,
            "Reminder: Raum buchen\n"
            "(Sent late after an interruption; planned for Tue, 2 Mar 2027, 09:00.)",
        )
    ]


async def test_a_personal_reminder_goes_to_the_existing_direct_chat(
    bot: PostBox, clock: ManualClock
) -> None:
    """!remind me … is posted into the 1:1 room with its creator, not into the room it was
    set in, and not into a committee room that happens to have just the two of them."""
    await beirat(bot.database)
    bot.gateway.add_room(BEIRAT_ROOM, BERND)  # bound to the committee: not a direct chat
    bot.gateway.add_room("!dm-bernd:localhost", BERND)
    desk = Desk(bot.database, now=NOW)
    await desk.ask("!remind me tomorrow 9am: Unterlagen", sender=BERND, room_id=BEIRAT_ROOM)
    clock.set(datetime(2027, 3, 2, 8, 0, tzinfo=UTC))
    await scheduler(bot, clock).run_due()
    assert bot.texts() == [("!dm-bernd:localhost", "Reminder: Unterlagen")]
    assert bot.gateway.opened == []


async def test_a_direct_chat_is_opened_when_there_is_none(bot: PostBox) -> None:
    """Without a 1:1 room the bot opens one, and finds that one the next time."""
    bot.gateway.add_room(TEAM_ROOM, ANNA)  # the team room with two members is no direct chat
    bot.gateway.add_room("!three:localhost", ANNA, BERND)
    first = await direct_room_for(bot, ANNA)
    assert bot.gateway.opened == [ANNA]
    assert await direct_room_for(bot, ANNA) == first
    assert bot.gateway.opened == [ANNA]
