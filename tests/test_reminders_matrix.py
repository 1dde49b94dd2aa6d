"""Reminders over Matrix: a scheduled reminder reaches its room exactly once, also across a
restart of the bot; a repeating one is understood through the chat; a personal one arrives
in an encrypted direct chat; a meeting reminder reaches the committee room once; one due
during downtime is posted when the bot is back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.devtools.chat_client import ChatClient
from commands.framework.clock import OffsetClock
from commands.meetings.schedule import MeetingOver, MeetingReminder, arm_meeting
from storage.database import Database
from storage.models import Meeting
from storage.repositories import Store
from storage.schedule import LedgerStatus
from tests.support.matrix import SOON, Office, bot_of
from tests.support.storage_reads import ledger_rows

pytestmark = pytest.mark.synapse


async def reminder_due_soon(
    office: Office, room_id: str, text: str, personal: bool = False
) -> int:
    """A one-off reminder a few seconds ahead, written as ``!erinnerung`` writes it (the chat
    cannot say "in 3 seconds"), and the bot's timers re-armed as after a command."""
    bot = bot_of(office)
    now = office.bot.clock.now()
    async with bot.database.session() as session:
        store = Store(session)
        reminder = await store.reminders.add(
            room_id=room_id,
            creator=office.anna.user_id,
            text=text,
            first_at=now + SOON,
            rule="",
            timezone="Europe/Berlin",
            to_creator_only=personal,
            now=now,
        )
        await store.schedule.put(
            entry_id=f"reminder:{reminder.id}",
            kind="reminder",
            first_at=now + SOON,
            now=now,
            timezone="Europe/Berlin",
            payload={"reminder_id": reminder.id},
        )
    assert bot.scheduler is not None
    await bot.scheduler.refresh()
    return reminder.id


def bodies(person: ChatClient, room_id: str, sender: str) -> list[str]:
    return [m.body for m in person.messages if m.room_id == room_id and m.sender == sender]


async def restarted_and_caught_up(office: Office, person: ChatClient, room_id: str) -> None:
    """Restart the bot and wait until its scheduler has posted whatever it still found due;
    then a command answered in ``room_id`` shows that ``person`` has seen all those posts
    (the room's timeline keeps the order in which the bot sent)."""
    await office.bot.restart()
    scheduler = bot_of(office).scheduler
    assert scheduler is not None
    await asyncio.wait_for(scheduler.started.wait(), 30)
    await person.ask(room_id, "!reminders")


async def until_posted(office: Office, entry_id: str) -> None:
    """Wait until the scheduler has recorded ``entry_id``'s occurrence as sent."""
    async with asyncio.timeout(30):
        while True:
            async with bot_of(office).database.session() as session:
                ledger = await ledger_rows(session, entry_id)
            if [row.status for row in ledger] == [LedgerStatus.SENT]:
                return
            await asyncio.sleep(0.1)


@pytest.mark.every_backend
async def test_a_reminder_is_posted_once_and_not_again_after_a_restart(office: Office) -> None:
    """The reminder arrives in the room at its time as one notice; after a restart of the bot
    it is not posted again."""
    anna, bot_id = office.anna, office.bot.user_id
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    seen = len(anna.messages)
    number = await reminder_due_soon(office, room, "Unterlagen lesen")

    posted = await anna.next_message(room, bot_id, seen, timeout=30)
    assert posted.body == "Reminder: Unterlagen lesen"
    assert posted.msgtype == "m.notice" and posted.in_reply_to is None

    await restarted_and_caught_up(office, anna, room)
    assert bodies(anna, room, bot_id).count("Reminder: Unterlagen lesen") == 1
    async with bot_of(office).database.session() as session:
        store = Store(session)
        ledger = await ledger_rows(store.session, f"reminder:{number}")
        reminder = await store.reminders.get(number)
    assert [row.status for row in ledger] == [LedgerStatus.SENT]
    assert reminder is not None and not reminder.active


@pytest.mark.every_backend
async def test_a_weekly_reminder_is_set_through_the_chat(office: Office) -> None:
    """!remind every monday 9am: … is answered with the rhythm and the next three Mondays."""
    anna = office.anna
    reply = await anna.ask(office.team_room, "!remind every monday 9am: Wochenplanung")
    assert "Reminder No. 1 is set." in reply.body
    assert "When: every Monday at 09:00" in reply.body
    dates = [line for line in reply.body.splitlines() if line.startswith("• ")]
    assert len(dates) == 3 and all(line.startswith("• Mon, ") for line in dates)
    assert all(line.endswith(", 09:00") for line in dates)
    assert "<li>" in reply.html and "Wochenplanung" in reply.body
    listed = await anna.ask(office.team_room, "!reminders")
    assert "No. 1 · Mon, " in listed.body and "every Monday at 09:00" in listed.body


async def test_a_personal_reminder_arrives_encrypted_in_a_new_direct_chat(office: Office) -> None:
    """!erinnerung mich …: the bot opens an encrypted direct chat with Anna and posts there;
    she can read it although she joins only after it was sent."""
    anna, bot_id = office.anna, office.bot.user_id
    number = await reminder_due_soon(office, office.team_room, "Arzttermin", personal=True)
    await anna.wait_until(lambda: bool(anna.client.invited_rooms), timeout=30)
    [direct] = list(anna.client.invited_rooms)
    await until_posted(office, f"reminder:{number}")
    await anna.join(direct)
    posted = await anna.next_message(direct, bot_id, 0, timeout=30)
    assert posted.body == "Reminder: Arzttermin" and posted.encrypted
    assert "Arzttermin" not in bodies(anna, office.team_room, bot_id)


@pytest.mark.every_backend
async def test_a_meeting_reminder_reaches_the_committee_room_once(office: Office) -> None:
    """A meeting's one-day reminder, due in a few seconds, is posted into the committee's
    room with time and place, once, and not again after a restart."""
    anna, bot_id = office.anna, office.bot.user_id
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    bound = await anna.ask(room, '!committee new "Bildungsbeirat" kurz=BB')
    assert "Bildungsbeirat" in bound.body
    bot = bot_of(office)
    now = office.bot.clock.now()
    start = now + timedelta(days=1) + SOON
    async with bot.database.session() as session:
        store = Store(session)
        committee = await store.committees.for_room(room)
        assert committee is not None
        meeting = Meeting(
            committee_id=committee.id,
            uid="reminder-test@kuemmerer",
            start=start,
            end=start + timedelta(hours=2),
            place="Kreishaus",
            created_at=now,
            updated_at=now,
        )
        session.add(meeting)
        await session.flush()
        # Only the one-day reminder and the meeting's end (which rolls its agenda items over):
        # the week's, the invitation's and the agenda deadline's moments are past.
        await arm_meeting(
            store.schedule,
            meeting,
            committee,
            now=now,
            timezone="Europe/Berlin",
            invitation_reminder=True,
        )
        armed = store.schedule.changed_ids
    assert armed == {
        MeetingReminder(meeting.id, 24 * 60).entry_id,
        MeetingOver(meeting.id).entry_id,
    }
    assert bot.scheduler is not None
    seen = len(anna.messages)
    await bot.scheduler.rearm(armed)

    posted = await anna.next_message(room, bot_id, seen, timeout=30)
    assert posted.body.startswith("Reminder: Bildungsbeirat on ")
    assert "(tomorrow)" in posted.body.splitlines()[0]
    assert "Place: Kreishaus" in posted.body and "Agenda: to follow" in posted.body
    await restarted_and_caught_up(office, anna, room)
    reminders = [b for b in bodies(anna, room, bot_id) if b.startswith("Reminder: Bildungsbeirat")]
    assert len(reminders) == 1


async def test_a_reminder_due_while_the_bot_was_down_is_posted_when_it_is_back(
    office: Office,
) -> None:
    """Down at the reminder's time, back within the grace period: the reminder still comes."""
    anna, bot_id = office.anna, office.bot.user_id
    room = await office.room_with_bot(anna, "Bildungsbeirat")
    await office.bot.stop()
    database = Database(office.bot.config.storage.url)
    now = office.bot.clock.now()
    async with database.session() as session:
        store = Store(session)
        reminder = await store.reminders.add(
            room_id=room,
            creator=anna.user_id,
            text="Nachholen",
            first_at=now + SOON,
            rule="",
            timezone="Europe/Berlin",
            to_creator_only=False,
            now=now,
        )
        await store.schedule.put(
            entry_id=f"reminder:{reminder.id}",
            kind="reminder",
            first_at=now + SOON,
            now=now,
            timezone="Europe/Berlin",
            payload={"reminder_id": reminder.id},
        )
    await database.dispose()
    seen = len(anna.messages)
    # Back a little after the reminder's time: the bot's clock is set ahead instead of waiting.
    await office.bot.start(OffsetClock(SOON + timedelta(seconds=1)))
    posted = await anna.next_message(room, bot_id, seen, timeout=15)
    assert posted.body.startswith("Reminder: Nachholen")
